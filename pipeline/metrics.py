"""The run's figures for monitoring: a Prometheus text file (node_exporter's textfile collector).

Written atomically after every run that got the output folder (also one stopped by a signal or a full
disk), so the collector never reads half a file. `pipeline_last_success_timestamp_seconds` is the time
of the last run that succeeded (every document written or unchanged, or only some failed: exit 0 or 1);
a run that failed (every document failed, stopped, output not writable) keeps the previous file's value,
so an alert on its age (README, Monitoring) fires however the job fails, including when it never runs.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.fileio import write_atomic

LAST_SUCCESS = "pipeline_last_success_timestamp_seconds"
_LAST_SUCCESS_LINE = re.compile(rf"^{LAST_SUCCESS} (\S+)$", re.MULTILINE)
# The run report's statuses, as the metric's label calls them
STATUS_LABELS = {"ok": "written", "skipped": "unchanged", "failed": "failed", "ignored": "ignored"}


@dataclass(frozen=True)
class RunFigures:
    documents: dict[str, int]  # label (STATUS_LABELS' values) → documents of this run
    seconds: float
    sentences_translated: int  # by the model; the cache's answers are cache_hits
    cache_hits: int
    flags: int  # review flags in the briefings this run wrote
    completed: bool  # False: stopped by a signal or a full disk

    @property
    def succeeded(self) -> bool:
        done = self.documents["written"] + self.documents["unchanged"]
        return self.completed and not (self.documents["failed"] and not done)  # not: every one failed


def previous_success(path: Path) -> float | None:
    """The last success recorded in an earlier metrics file, or None (no file, or not ours)."""
    try:
        match = _LAST_SUCCESS_LINE.search(path.read_text(encoding="utf-8"))
        value = float(match.group(1)) if match else None
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return value if value is not None and math.isfinite(value) and value > 0 else None


def render_metrics(figures: RunFigures, now: float, last_success: float | None) -> str:
    lines: list[str] = []

    def metric(name: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        lines.extend((f"# HELP {name} {help_text}", f"# TYPE {name} gauge"))
        lines.extend(
            f"{name}{labels} {value}" if isinstance(value, int) else f"{name}{labels} {value:.3f}"
            for labels, value in samples
        )

    metric(
        "pipeline_documents",
        "Documents of the last run by outcome.",
        [(f'{{status="{label}"}}', figures.documents.get(label, 0)) for label in STATUS_LABELS.values()],
    )
    metric("pipeline_run_seconds", "Wall time of the last run.", [("", float(figures.seconds))])
    metric(
        "pipeline_sentences_translated",
        "Sentences the model translated in the last run (not counting cache hits).",
        [("", figures.sentences_translated)],
    )
    metric(
        "pipeline_cache_hits",
        "Sentences the last run found in the translation cache.",
        [("", figures.cache_hits)],
    )
    metric("pipeline_flags", "Review flags in the briefings the last run wrote.", [("", figures.flags)])
    metric(
        "pipeline_last_run_success",
        "1 if the last run succeeded (exit 0 or 1), else 0.",
        [("", int(figures.succeeded))],
    )
    metric("pipeline_last_run_timestamp_seconds", "When the last run ended (Unix time).", [("", float(now))])
    if last_success is not None:
        metric(LAST_SUCCESS, "When the last successful run ended (Unix time).", [("", float(last_success))])
    return "\n".join(lines) + "\n"


def write_metrics(path: Path, figures: RunFigures) -> None:
    """Write the metrics file atomically; the last success is this run's, or kept from the file."""
    now = time.time()
    write_atomic(path, render_metrics(figures, now, now if figures.succeeded else previous_success(path)))
