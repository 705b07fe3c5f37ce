"""The batch job as a library call: inputs → briefings in an output directory.

Stages per document: read → detect → split → translate → summarize → render. Documents go through in
groups so translation batches the sentences of many documents at once while memory stays bounded.

Made for cron and systemd timers over folders other people fill: one run at a time per output
directory (a file lock), unchanged inputs skipped (the manifest), every file written atomically, a bad
document recorded while the others go on, a document that runs out of time (limits.document_seconds)
failed while the others go on, and SIGINT/SIGTERM honoured within seconds at any stage (a `Budget` is
checked in every long loop).
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.budget import UNLIMITED, Budget, Interrupted, StopFlag
from pipeline.config import EXECUTION_KEYS, Config, ConfigError
from pipeline.detect import LanguageDetector, detect_document
from pipeline.document import Document
from pipeline.fileio import (
    OutputError,
    file_mode,
    make_directory,
    output_errors,
    write_all_atomic,
    write_atomic,
)
from pipeline.glossary import RULES_VERSION as GLOSSARY_RULES
from pipeline.inputs import Ignored, Source, collect_sources, file_sha256, safe_name
from pipeline.manifest import Entry, Manifest
from pipeline.paths import UnsafePath, child
from pipeline.reader import InputError, read_document
from pipeline.render import (
    IndexEntry,
    render_html,
    render_index,
    render_json,
    render_markdown,
)
from pipeline.render_docx import render_docx
from pipeline.render_pdf import render_pdf
from pipeline.review import REVIEW_VERSION
from pipeline.split import split_document
from pipeline.subtitles import subtitle_files

DOCUMENTS_PER_BATCH = 32
# A document of more sentences than this is translated on its own, after the rest of its group is done
# and written, so the small documents never wait for it (and it is sliced: pipeline.translate). About
# four times the sentences of a whole group of the bench corpus's documents (~15 sentences each).
GROUP_SENTENCES = 2_000
# Files larger than this are read only once the rest of their group is written, so the small documents
# do not wait for a long one's reading either (a few seconds per MB). About GROUP_SENTENCES sentences of
# the bench corpus (~70 bytes each); only the order depends on it.
LONG_FILE_BYTES = 150_000
RENDERERS = {
    "md": render_markdown,
    "html": render_html,
    "json": render_json,
    "docx": render_docx,
    "pdf": render_pdf,
}
LOCK_NAME = ".pipeline.lock"
# pipeline.inputs' names, used from here by the executors, the CLI and the benchmarks.
__all__ = ["Source", "collect_sources", "run", "safe_name"]
log = logging.getLogger(__name__)


class LockedError(Exception):
    """Another run holds the output directory."""


@dataclass
class DocumentResult:
    """What a run reports about one input (not the document itself: memory stays flat)."""

    source: Path
    name: str
    # "ok", "failed", "skipped" (unchanged since the last run) or "ignored" (not a file to read:
    # a FIFO, a device, a link out of the input folder; pipeline.inputs)
    status: str
    error: str | None = None
    seconds: float = 0.0
    sentences: int = 0

    def log_record(self) -> dict:
        record = asdict(self)
        record["source"] = str(self.source)
        record["seconds"] = round(self.seconds, 3)
        return record


@dataclass
class RunReport:
    out_dir: Path
    results: list[DocumentResult] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # sources of earlier briefings whose input is gone

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[DocumentResult]:
        return [r for r in self.results if r.status == "failed"]


def load_translator(config: Config):
    """The installed package for the configured pair, with the shared cache if enabled and the
    configured glossary.

    Raises NoModelError when no package is installed and GlossaryError for a glossary that cannot be
    used: callers do this before any other work.
    """
    from pipeline.cache import TranslationCache, default_cache_path
    from pipeline.models import find_package
    from pipeline.translate import Translator

    glossary = load_glossary(config)
    package = find_package(config.language.source, config.language.target)
    if config.translate.device == "cuda":  # no GPU: one clear error before any work
        from pipeline.translate import resolve_device

        resolve_device("cuda")
    cache = TranslationCache(default_cache_path()) if config.translate.cache else None
    shortlist = None
    if config.translate.shortlist:
        from pipeline.shortlist import for_run

        shortlist = for_run(package, config.standard_translate, config.shortlist, cache)
    return Translator(package, config.translate, cache, glossary, shortlist=shortlist, profile=config.profile)


def load_glossary(config: Config):
    """The configured glossary (pipeline.glossary), or None."""
    from pipeline.glossary import Glossary

    path = config.review.glossary_path(config.path)
    return Glossary.load(path) if path else None


def prepare(
    path: Path,
    detector: LanguageDetector,
    config: Config,
    budget: Budget = UNLIMITED,
    data: bytes | None = None,
) -> Document:
    """Read (or parse the file's shipped `data`), detect and split one document; refuse languages the
    pipeline cannot handle."""
    doc = read_document(
        path, max_bytes=config.input.max_bytes, budget=budget, data=data, ocr_config=config.ocr
    )
    doc.target_lang = config.language.target
    detect_document(doc, detector, budget)
    if doc.lang not in (config.language.source, config.language.target):
        raise InputError(
            f"{path}: document language is {doc.lang or 'unknown'}; this pipeline handles "
            f"{config.language.source} (translated) and {config.language.target} (summarized)"
        )
    split_document(doc, budget)
    return doc


def config_fingerprint(config: Config, glossary_sha256: str | None = None) -> str:
    """What the briefings depend on; threads, device, cache and input limits do not change a briefing.
    The glossary counts by its content, wherever it is."""
    relevant = asdict(config)
    for key in ("path", "input", "limits", "executor", "standard_translate"):
        relevant.pop(key)
    for key in EXECUTION_KEYS:
        relevant["translate"].pop(key)
    # the glossary's content replaces its path
    relevant["review"] |= {
        "version": REVIEW_VERSION,
        "glossary": glossary_sha256,
        "glossary_rules": GLOSSARY_RULES,
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


def run(
    inputs: Sequence[Path],
    out_dir: Path,
    config: Config,
    translator=None,
    on_document: Callable[[DocumentResult], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    force: bool = False,
    prune: bool = False,
    wait: bool = False,
) -> RunReport:
    """Translate, summarize and render every changed input; one bad document never stops the others.

    Raises NoModelError (no package installed) and InputError (an input path that does not exist) before
    any work, LockedError when another run holds `out_dir`, Interrupted after SIGINT/SIGTERM, and
    OutputError when `out_dir` cannot be written (a full disk stops the run at once; the manifest then
    lists only complete briefings, and the next run picks up where this one stopped).
    `on_progress(done, total)` follows the sentences of the translation under way (local executor).
    The work is done by the executor that `config.executor.kind` names (pipeline.execute).
    """
    translator = translator or load_translator(config)
    ignored: list[Ignored] = []
    sources = collect_sources(inputs, config.input.follow_links, ignored)
    make_directory(out_dir)
    with _locked(out_dir, wait), _stop_signals() as stop:
        with output_errors(out_dir):
            for leftover in out_dir.glob(".*.tmp"):  # from a run that was killed mid-write
                leftover.unlink(missing_ok=True)
        record = _Record(out_dir, config, translator, Manifest(out_dir), RunReport(out_dir), on_document)
        for item in ignored:
            record.report_result(DocumentResult(item.path, "", "ignored", str(item)))
        todo = []
        for source in sources:
            sha256 = file_sha256(source.path, config.input.max_bytes, stop)
            if stop.is_set():
                raise Interrupted(stop.signum)
            if not force and sha256 and record.is_current(source, sha256):
                record.report_result(DocumentResult(source.path, source.name, "skipped"))
            else:
                todo.append((source, sha256))
        try:
            if todo:
                outcomes = make_executor(config, translator, stop, on_progress).execute(todo)
                for done, outcome in enumerate(outcomes, 1):
                    record.outcome(outcome)
                    if done % DOCUMENTS_PER_BATCH == 0:
                        record.manifest.save()
        except BaseException:
            # Record what was finished; if the disk is still full, the manifest on disk stays the last
            # consistent one and the first error is the one reported.
            try:
                record.finish(sources, prune)
            except OutputError:
                pass
            raise
        record.finish(sources, prune)
    return record.report


def make_executor(config: Config, translator, stop: StopFlag, on_progress=None):
    """The executor `config.executor.kind` names; Ray is imported only when it is the one."""
    if config.executor.kind == "ray":
        try:
            from pipeline.ray_executor import RayExecutor
        except ImportError as exc:
            raise ConfigError(
                f"{config.path}: executor.kind = ray needs Ray Data ({exc}); install it with "
                "pip install '.[ray]'"
            ) from None
        return RayExecutor(config, translator, stop)
    from pipeline.execute import LocalExecutor

    return LocalExecutor(config, translator, stop, on_progress)


@dataclass
class _Record:
    """The record side of one run: briefings written, the manifest and the report kept, as each
    document's outcome arrives from the executor."""

    out_dir: Path
    config: Config
    translator: object
    manifest: Manifest
    report: RunReport
    on_document: Callable[[DocumentResult], None] | None

    def __post_init__(self):
        self.glossary = getattr(self.translator, "glossary", None)
        self.fingerprint = (
            config_fingerprint(self.config, self.glossary.sha256 if self.glossary else None),
            # the build too: a package rebuilt or replaced under the same version redoes the briefings
            f"{self.translator.info.package}@{self.translator.info.version} {self.translator.build}",
        )

    def finish(self, sources: Sequence[Source], prune: bool) -> None:
        """The manifest and the index, after the last document (or when the run stops early)."""
        self.report.deleted = _forget_deleted(self.manifest, sources, self.out_dir, prune)
        self.manifest.save()
        write_index(self.out_dir, self.manifest, {s.name for s in sources}, self.config.output.formats)

    def is_current(self, source: Source, sha256: str) -> bool:
        return self.manifest.is_current(
            source.name, str(source.path), sha256, *self.fingerprint, self.out_dir
        )

    def outcome(self, outcome) -> None:
        """Write a finished briefing (an OutputError stops the run: the next one would fail the same
        way) and its manifest entry, or record a failure."""
        from pipeline.execute import Failure

        source = outcome.source
        if isinstance(outcome, Failure):
            self.manifest.entries[source.name] = Entry(
                str(source.path), outcome.sha256 or "", *self.fingerprint, "failed", error=outcome.message
            )
            self.report_result(
                DocumentResult(source.path, source.name, "failed", outcome.message, outcome.seconds)
            )
            return
        write_all_atomic({self.out_dir / name: text for name, text in outcome.files.items()})
        self.manifest.entries[source.name] = Entry(
            str(source.path),
            outcome.sha256,
            *self.fingerprint,
            "ok",
            tuple(outcome.files),
            title=outcome.title,
            lang=outcome.lang,
            paragraphs=outcome.paragraphs,
            flags=outcome.flags,
        )
        self.report_result(
            DocumentResult(source.path, source.name, "ok", None, outcome.seconds, outcome.sentences)
        )

    def report_result(self, result: DocumentResult) -> None:
        self.report.results.append(result)
        if self.on_document:
            self.on_document(result)


def _forget_deleted(manifest: Manifest, sources: Sequence[Source], out_dir: Path, prune: bool) -> list[str]:
    """Entries whose input was not seen in this run; with prune, their briefings are removed: only
    files directly in `out_dir` (a name that is not one is refused with a warning, never followed)."""
    current = {s.name for s in sources}
    gone = sorted(name for name in manifest.entries if name not in current)
    deleted = [manifest.entries[name].source for name in gone]
    if prune:
        with output_errors(out_dir):
            for name in gone:
                for output in manifest.entries.pop(name).outputs:
                    try:
                        child(out_dir, output).unlink(missing_ok=True)
                    except UnsafePath as exc:
                        log.warning("--prune: not deleted: %s", exc)
    return deleted


def render_briefing(doc: Document, name: str, formats: Sequence[str]) -> dict[str, str | bytes]:
    """Every format of one briefing, and English subtitles for a subtitle file: file name → text
    (bytes for a .docx)."""
    return {f"{name}.{fmt}": RENDERERS[fmt](doc) for fmt in formats} | subtitle_files(doc, name)


def write_briefing(doc: Document, out_dir: Path, name: str, formats: Sequence[str]) -> list[str]:
    """All formats of one briefing, renamed into place together: never only some of them."""
    files = render_briefing(doc, name, formats)
    write_all_atomic({out_dir / output: text for output, text in files.items()})
    return list(files)


def write_index(out_dir: Path, manifest: Manifest, current: set[str], formats: Sequence[str]) -> None:
    """index.html / index.md: every briefing in the directory, and the inputs that failed."""
    entries = [
        IndexEntry(
            name=name,
            source_path=e.source,
            title=e.title,
            source_lang=e.lang,
            status=e.status if name in current else "source deleted",
            paragraphs=e.paragraphs,
            error=e.error,
            flags=e.flags,
            outputs=e.outputs,
        )
        for name, e in sorted(manifest.entries.items())
    ]
    for fmt in ("md", "html"):
        if fmt in formats:
            write_atomic(out_dir / f"index.{fmt}", render_index(entries, fmt))


@contextmanager
def _locked(out_dir: Path, wait: bool) -> Iterator[None]:
    from filelock import FileLock, Timeout

    lock = FileLock(out_dir / LOCK_NAME, mode=file_mode())
    try:
        lock.acquire(timeout=-1 if wait else 0)
    except Timeout:  # an OSError too, so caught first
        raise LockedError(f"{out_dir}: another pipeline run is using this output directory") from None
    except OSError as exc:  # a read-only file system, no permission
        raise OutputError(out_dir, exc) from exc
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _stop_signals() -> Iterator[StopFlag]:
    """SIGINT/SIGTERM set a flag that every long loop of the run checks (main thread only)."""
    stop = StopFlag()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum, frame):
        stop.stop(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
