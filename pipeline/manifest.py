"""The record of an output directory: which input produced which briefing, from what.

One entry per output name: the input's path and content hash, the config hash and the model id, the
outcome, and what the index shows. An input whose entry matches is skipped on the next run. An entry is
written only after its briefing files are in place, so after a crash the manifest never claims a
briefing that is not there. Its content is deterministic (no timestamps): an interrupted and resumed
run leaves the same bytes as an uninterrupted one.

The file is ours, written atomically, so one that cannot be read or has another shape (other keys,
types, an output that is not a plain file name) was changed by someone else: it is moved aside
(`.pipeline-manifest.json.corrupt-TIME`) with one warning and every input is processed again. Output
names are data, never paths: an entry naming a file outside the output folder is such a shape.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from pipeline.fileio import write_atomic
from pipeline.paths import is_plain_name

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
                self.entries = _entries(json.loads(self.path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                # Written atomically by us, so this is outside meddling: start afresh, redo everything.
                self._move_aside(exc)

    def _move_aside(self, damage: Exception) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        try:
            self.path.rename(aside)
            where = f"moved to {aside}"
        except OSError:  # the save at the end of the run replaces it, or reports the output problem
            where = "it will be replaced"
        log.warning("%s is damaged (%s); %s, every input will be processed again", self.path, damage, where)

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


_TYPES = {"str": str, "int": int, "str | None": (str, type(None)), "tuple[str, ...]": list}


def _entries(data: object) -> dict[str, Entry]:
    """The entries of a manifest's JSON; ValueError for any other shape."""
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError(f"not a version {VERSION} manifest")
    if not isinstance(data.get("entries"), dict):
        raise ValueError("its entries are not an object")
    entries = {}
    for name, e in data["entries"].items():
        if not is_plain_name(name) or not isinstance(e, dict):
            raise ValueError(f"entry {name!r} is not a name with an object")
        known = {f.name: f for f in fields(Entry)}
        for key, value in e.items():
            if key not in known or not isinstance(value, _TYPES[known[key].type]) or isinstance(value, bool):
                raise ValueError(f"entry {name!r}: unexpected {key!r}")
        outputs = e.get("outputs", [])
        if not all(is_plain_name(output) for output in outputs):
            raise ValueError(f"entry {name!r}: an output is not a plain file name in the output folder")
        try:
            entries[name] = Entry(**{**e, "outputs": tuple(outputs)})
        except TypeError as exc:  # a required key missing
            raise ValueError(f"entry {name!r}: {exc}") from None
    return entries
