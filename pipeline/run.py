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
import os
import re
import signal
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.budget import UNLIMITED, Budget, OverBudget, StopFlag
from pipeline.config import Config
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
from pipeline.manifest import Entry, Manifest
from pipeline.reader import SUPPORTED_SUFFIXES, InputError, read_document
from pipeline.render import (
    IndexEntry,
    document_title,
    render_html,
    render_index,
    render_json,
    render_markdown,
)
from pipeline.review import REVIEW_VERSION, review_document
from pipeline.split import split_document
from pipeline.summarize import Length, summarize_document

DOCUMENTS_PER_BATCH = 32
# A document of more sentences than this is translated on its own, after the rest of its group is done
# and written, so the small documents never wait for it (and it is sliced: pipeline.translate). About
# four times the sentences of a whole group of the bench corpus's documents (~15 sentences each).
GROUP_SENTENCES = 2_000
# Files larger than this are read only once the rest of their group is written, so the small documents
# do not wait for a long one's reading either (a few seconds per MB). About GROUP_SENTENCES sentences of
# the bench corpus (~70 bytes each); only the order depends on it.
LONG_FILE_BYTES = 150_000
RENDERERS = {"md": render_markdown, "html": render_html, "json": render_json}
LOCK_NAME = ".pipeline.lock"


class LockedError(Exception):
    """Another run holds the output directory."""


@dataclass
class DocumentResult:
    """What a run reports about one input (not the document itself: memory stays flat)."""

    source: Path
    name: str
    status: str  # "ok", "failed" or "skipped" (unchanged since the last run)
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


@dataclass(frozen=True)
class Source:
    path: Path
    name: str  # output file stem, unique within the run


@dataclass(eq=False)
class _Work:
    """A prepared document on its way through the batch, and the seconds spent on it so far."""

    source: Source
    sha256: str | None
    doc: Document
    seconds: float


def load_translator(config: Config):
    """The installed package for the configured pair, with the shared cache if enabled.

    Raises NoModelError when no package is installed: callers do this before any other work.
    """
    from pipeline.cache import TranslationCache, default_cache_path
    from pipeline.models import find_package
    from pipeline.translate import Translator

    package = find_package(config.language.source, config.language.target)
    cache = TranslationCache(default_cache_path()) if config.translate.cache else None
    shortlist = None
    if config.translate.shortlist:
        from pipeline.shortlist import for_run

        shortlist = for_run(package, config.standard_translate, config.shortlist, cache)
    return Translator(package, config.translate, cache, shortlist=shortlist, profile=config.profile)


def collect_sources(inputs: Sequence[Path]) -> list[Source]:
    """Supported files named directly or found under directories, each with a unique output name.

    Symbolic links are not followed into directories (no loops); a link named like a document is kept,
    so that a broken one is reported rather than silently ignored.
    """
    files: list[tuple[Path, Path]] = []  # (file, the input it came from)
    for given in inputs:
        if given.is_dir():
            for folder, dirs, names in os.walk(given):
                dirs.sort()
                files.extend(
                    (Path(folder) / n, given)
                    for n in sorted(names)
                    if Path(n).suffix.lower() in SUPPORTED_SUFFIXES
                )
        elif given.is_file() or given.is_symlink():
            files.append((given, given.parent))
        else:
            raise InputError(f"{given}: no such file or directory")
    sources, taken = [], set()
    for path, root in files:
        relative = path.relative_to(root).with_suffix("")
        name = safe_name("--".join(relative.parts))
        if name in taken:
            name = safe_name(f"{name}-{path.suffix.lstrip('.')}")
        while name in taken:
            name += "_"
        taken.add(name)
        sources.append(Source(path, name))
    return sources


def safe_name(text: str) -> str:
    """A file stem that stays inside the output directory, whatever the input file was called."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[^\w.-]+", "_", text).strip("._") or "document"
    return text[:120]


def prepare(path: Path, detector: LanguageDetector, config: Config, budget: Budget = UNLIMITED) -> Document:
    """Read, detect and split one document; refuse languages the pipeline cannot handle."""
    doc = read_document(path, max_bytes=config.input.max_bytes, budget=budget)
    doc.target_lang = config.language.target
    detect_document(doc, detector, budget)
    if doc.lang not in (config.language.source, config.language.target):
        raise InputError(
            f"{path}: document language is {doc.lang or 'unknown'}; this pipeline handles "
            f"{config.language.source} (translated) and {config.language.target} (summarized)"
        )
    split_document(doc, budget)
    return doc


def config_fingerprint(config: Config) -> str:
    """What the briefings depend on; threads, cache and input limits do not change a briefing."""
    relevant = asdict(config)
    for key in ("path", "input", "limits", "standard_translate"):
        relevant.pop(key)
    for key in ("inter_threads", "intra_threads", "cache"):
        relevant["translate"].pop(key)
    relevant["review"] = REVIEW_VERSION
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the reader reports the problem


def _file_sha256(path: Path) -> str | None:
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None  # the reader reports the problem


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
    `on_progress(done, total)` follows the sentences of the translation under way.
    """
    translator = translator or load_translator(config)
    sources = collect_sources(inputs)
    make_directory(out_dir)
    with _locked(out_dir, wait), _stop_signals() as stop:
        with output_errors(out_dir):
            for leftover in out_dir.glob(".*.tmp"):  # from a run that was killed mid-write
                leftover.unlink(missing_ok=True)
        batch = _Batch(
            out_dir, config, translator, Manifest(out_dir), RunReport(out_dir), on_document, on_progress, stop
        )
        todo = []
        for source in sources:
            sha256 = _file_sha256(source.path)
            if not force and sha256 and batch.is_current(source, sha256):
                batch.record(DocumentResult(source.path, source.name, "skipped"))
            else:
                todo.append((source, sha256))
        try:
            for start in range(0, len(todo), DOCUMENTS_PER_BATCH):
                batch.process(todo[start : start + DOCUMENTS_PER_BATCH])
        except BaseException:
            # Record what was finished; if the disk is still full, the manifest on disk stays the last
            # consistent one and the first error is the one reported.
            try:
                batch.finish(sources, prune)
            except OutputError:
                pass
            raise
        batch.finish(sources, prune)
    return batch.report


@dataclass
class _Batch:
    """The state of one run while it works through groups of documents."""

    out_dir: Path
    config: Config
    translator: object
    manifest: Manifest
    report: RunReport
    on_document: Callable[[DocumentResult], None] | None
    on_progress: Callable[[int, int], None] | None
    stop: StopFlag

    def __post_init__(self):
        self.fingerprint = (
            config_fingerprint(self.config),
            f"{self.translator.info.package}@{self.translator.info.version}",
        )
        self.detector = LanguageDetector(self.config.language.candidates)
        self.length = Length.parse(self.config.summary.length)

    def finish(self, sources: Sequence[Source], prune: bool) -> None:
        """The manifest and the index, after the last group (or when the run stops early)."""
        self.report.deleted = _forget_deleted(self.manifest, sources, self.out_dir, prune)
        self.manifest.save()
        write_index(self.out_dir, self.manifest, {s.name for s in sources}, self.config.output.formats)

    def is_current(self, source: Source, sha256: str) -> bool:
        return self.manifest.is_current(
            source.name, str(source.path), sha256, *self.fingerprint, self.out_dir
        )

    def process(self, group: list[tuple[Source, str | None]]) -> None:
        """Prepare the group's documents, translate the ordinary ones together and finish them, then
        each long one (and each large file) on its own. Every document works against its own budget."""
        large = [item for item in group if _file_size(item[0].path) > LONG_FILE_BYTES]
        prepared = [w for w in map(self._prepare, [item for item in group if item not in large]) if w]
        ordinary = [w for w in prepared if len(w.doc.sentences()) <= GROUP_SENTENCES]
        self._finish(self._translate(ordinary))
        for work in prepared:
            if len(work.doc.sentences()) > GROUP_SENTENCES:
                self._finish(self._translate([work]))
        for item in large:
            if work := self._prepare(item):
                self._finish(self._translate([work]))
        self.manifest.save()

    def _prepare(self, item: tuple[Source, str | None]) -> _Work | None:
        """Read, detect and split one document; None (and recorded as failed) if that fails."""
        source, sha256 = item
        started = time.perf_counter()
        try:
            doc = prepare(source.path, self.detector, self.config, self.budget())
            return _Work(source, sha256, doc, time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001 — one document's failure is recorded, the batch goes on
            self.fail(source, sha256, exc, time.perf_counter() - started)
            return None

    def _finish(self, translated: list[_Work]) -> None:
        """Summarize and write the translated documents, recording each."""
        for work in translated:
            started = time.perf_counter()
            sentences = len(work.doc.sentences())
            try:
                budget = self.budget(work.seconds)
                budget.check()
                review_document(work.doc, budget)
                summary = self.config.summary
                summarize_document(work.doc, summary.algorithm, self.length, summary.mode, budget)
                outputs = write_briefing(work.doc, self.out_dir, work.source.name, self.config.output.formats)
            except OutputError:
                raise  # not this document's fault: the next one would fail the same way
            except Exception as exc:  # noqa: BLE001
                self.fail(work.source, work.sha256, exc, work.seconds + time.perf_counter() - started)
                continue
            self.manifest.entries[work.source.name] = Entry(
                str(work.source.path),
                work.sha256 or work.doc.sha256,
                *self.fingerprint,
                "ok",
                tuple(outputs),
                title=document_title(work.doc),
                lang=work.doc.lang,
                paragraphs=len(work.doc.paragraphs),
                flags=sum(len(t.flags) for t in work.doc.target_sentences()),
            )
            seconds = work.seconds + time.perf_counter() - started
            self.record(DocumentResult(work.source.path, work.source.name, "ok", None, seconds, sentences))

    def _translate(self, items: list[_Work]) -> list[_Work]:
        """The documents translated in one batch (one document: against what is left of its budget,
        several: against a whole one); if that fails, one by one to isolate the culprit. Adds each one's
        share of the time."""
        from pipeline.translate import translate_documents

        def translate(docs: list[_Work], budget: Budget) -> None:
            started = time.perf_counter()
            source_lang = self.config.language.source
            try:
                translate_documents(
                    [w.doc for w in docs], self.translator, source_lang, budget, self.on_progress
                )
            finally:
                total = sum(len(w.doc.sentences()) for w in docs) or 1
                for w in docs:
                    w.seconds += (time.perf_counter() - started) * len(w.doc.sentences()) / total

        if not items:
            return []
        try:
            translate(items, self.budget(items[0].seconds if len(items) == 1 else 0.0))
            return items
        except Exception as exc:  # noqa: BLE001
            if len(items) == 1:
                self.fail(items[0].source, items[0].sha256, exc, items[0].seconds)
                return []
            survivors = []
            for item in items:
                try:
                    translate([item], self.budget(item.seconds))
                    survivors.append(item)
                except Exception as exc:  # noqa: BLE001
                    self.fail(item.source, item.sha256, exc, item.seconds)
            return survivors

    def budget(self, spent: float = 0.0) -> Budget:
        """The run's stop flag, and limits.document_seconds less the `spent` seconds of a document."""
        return Budget(self.stop).for_document(self.config.limits.document_seconds, spent)

    def fail(self, source: Source, sha256: str | None, exc: Exception, seconds: float) -> None:
        if isinstance(exc, InputError):
            message = str(exc)
        elif isinstance(exc, OverBudget):
            message = f"{source.path}: {exc}"
        else:
            message = f"{source.path}: internal error: {type(exc).__name__}: {exc}"
        self.manifest.entries[source.name] = Entry(
            str(source.path), sha256 or "", *self.fingerprint, "failed", error=message
        )
        self.record(DocumentResult(source.path, source.name, "failed", message, seconds))

    def record(self, result: DocumentResult) -> None:
        self.report.results.append(result)
        if self.on_document:
            self.on_document(result)


def _forget_deleted(manifest: Manifest, sources: Sequence[Source], out_dir: Path, prune: bool) -> list[str]:
    """Entries whose input was not seen in this run; with prune, their briefings are removed."""
    current = {s.name for s in sources}
    gone = sorted(name for name in manifest.entries if name not in current)
    deleted = [manifest.entries[name].source for name in gone]
    if prune:
        with output_errors(out_dir):
            for name in gone:
                for output in manifest.entries.pop(name).outputs:
                    (out_dir / output).unlink(missing_ok=True)
    return deleted


def write_briefing(doc: Document, out_dir: Path, name: str, formats: Sequence[str]) -> list[str]:
    """All formats of one briefing, renamed into place together: never only some of them."""
    outputs = [f"{name}.{fmt}" for fmt in formats]
    write_all_atomic(
        {out_dir / output: RENDERERS[fmt](doc) for fmt, output in zip(formats, outputs, strict=True)}
    )
    return outputs


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
