"""What a run keeps current besides the briefings and the index pages: the search index of the output
folder (pipeline.search) and the metrics file (pipeline.metrics). Called once at the end of a run,
also a run stopped by a signal or a full disk (`completed=False`).

Neither may cost the run its briefings: a search index or metrics file that cannot be written is one
warning, and the run's exit code stays what its documents make it. A stopped run leaves the search
index to the next run, which catches up from the manifest: indexing takes time in proportion to the
briefings written (seconds for thousands), more than a SIGTERM's budget allows, and after a full disk it
would only fail again.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)


def after_run(out_dir: Path, config, report, manifest, translator, started: float, completed: bool) -> None:
    from pipeline.fileio import OutputError

    if completed and "json" in config.output.formats:  # the search index is made from the JSON briefings
        from pipeline.search import SearchIndexError, update_index

        try:
            update_index(out_dir, manifest)
        except (OSError, SearchIndexError) as exc:
            log.warning("%s: the search index was not updated: %s", out_dir, exc)
    path = config.monitoring.metrics_path(config.path)
    if path is not None:
        from pipeline.metrics import write_metrics

        try:
            write_metrics(path, run_figures(report, manifest, translator, started, completed))
        except OutputError as exc:
            log.warning("the metrics file was not written: %s", exc)


def run_figures(report, manifest, translator, started: float, completed: bool):
    from pipeline.metrics import STATUS_LABELS, RunFigures

    written = {r.name for r in report.results if r.status == "ok"}
    return RunFigures(
        documents={label: report.count(status) for status, label in STATUS_LABELS.items()},
        seconds=time.monotonic() - started,
        sentences_translated=getattr(translator, "translated_count", 0),
        cache_hits=getattr(translator, "cache_hits", 0),
        flags=sum(e.flags for name, e in manifest.entries.items() if name in written),
        completed=completed,
    )
