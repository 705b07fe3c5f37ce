"""The record of an output directory: which input produced which briefing, from what.

One entry per output name: the input's path and content hash, the config hash and the model id, the
outcome, and what the index shows. An input whose entry matches is skipped on the next run. An entry is
written only after its briefing files are in place, so after a crash the manifest never claims a
briefing that is not there. Its content is deterministic (no timestamps): an interrupted and resumed
run leaves the same bytes as an uninterrupted one.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.fileio import write_atomic

MANIFEST_NAME = ".pipeline-manifest.json"
VERSION = 1
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    source: str
    sha256: str
    config: str
    model: str
    status: str  # "ok" or "failed"
    outputs: tuple[str, ...] = ()
    error: str | None = None
    title: str = ""
    lang: str | None = None
    paragraphs: int = 0
    flags: int = 0  # review flags in the briefing (pipeline.review)


class Manifest:
    def __init__(self, out_dir: Path):
        self.path = out_dir / MANIFEST_NAME
        self.entries: dict[str, Entry] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self.entries = {
                    name: Entry(**{**e, "outputs": tuple(e.get("outputs", ()))})
                    for name, e in data["entries"].items()
                }
            except (OSError, ValueError, KeyError, TypeError) as exc:
                # Written atomically by us, so this is outside meddling: start afresh, redo everything.
                log.warning("%s is unreadable (%s); every input will be processed again", self.path, exc)

    def is_current(self, name: str, source: str, sha256: str, config: str, model: str, out_dir: Path) -> bool:
        """True when this input was already turned into briefings that are still in place."""
        entry = self.entries.get(name)
        return (
            entry is not None
            and entry.status == "ok"
            and (entry.source, entry.sha256, entry.config, entry.model) == (source, sha256, config, model)
            and all((out_dir / output).is_file() for output in entry.outputs)
        )

    def save(self) -> None:
        entries = {name: asdict(self.entries[name]) for name in sorted(self.entries)}
        write_atomic(self.path, json.dumps({"version": VERSION, "entries": entries}, indent=1) + "\n")
