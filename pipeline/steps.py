"""The per-document steps, the same for every executor: prepare (read, detect, split), translate, and
finish (review, summarize) one document, each against its own budget; the briefing is then written by
the run's record side (pipeline.briefing).

An executor (pipeline.executors) decides where and in which groups these run; `pipeline.run` plans and
records. This module imports neither, so both executors give the same briefings and the same failure
messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.budget import UNLIMITED, Budget, OverBudget, StopFlag
from pipeline.config import Config
from pipeline.detect import LanguageDetector, detect_document
from pipeline.document import Document
from pipeline.inputs import Source
from pipeline.package import BrokenModelError
from pipeline.reader import InputError, read_document
from pipeline.render import document_title
from pipeline.review import review_document
from pipeline.split import split_document
from pipeline.summarize import Length, summarize_document

if TYPE_CHECKING:
    from pipeline.glossary import Glossary

# Documents translated together by the local executor (their sentences in one batched call); the run
# saves its manifest after each such many.
DOCUMENTS_PER_BATCH = 32
# A document of more sentences than this is translated on its own, after the rest of its group is done
# and written, so the small documents never wait for it (and it is sliced: pipeline.translate). About
# four times the sentences of a whole group of the bench corpus's documents (~15 sentences each).
GROUP_SENTENCES = 2_000
# Files larger than this are read only once the rest of their group is written, so the small documents
# do not wait for a long one's reading either (a few seconds per MB). About GROUP_SENTENCES sentences of
# the bench corpus (~70 bytes each); only the order depends on it.
LONG_FILE_BYTES = 150_000

Todo = Sequence[tuple[Source, str | None]]  # each input to do, with its content hash (None: unreadable)


@dataclass
class Briefing:
    """One document done: the document, whose briefing is still to be written, and what the manifest
    records."""

    source: Source
    sha256: str
    doc: Document
    title: str
    lang: str | None
    paragraphs: int
    flags: int
    seconds: float
    sentences: int


@dataclass
class Failure:
    source: Source
    sha256: str | None
    message: str
    seconds: float


Outcome = Briefing | Failure


@dataclass(eq=False)
class Work:
    """A prepared document on its way through the batch, and the seconds spent on it so far."""

    source: Source
    sha256: str | None
    doc: Document
    seconds: float


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


def document_budget(stop: StopFlag, config: Config, spent: float = 0.0) -> Budget:
    """The run's stop flag, and limits.document_seconds less the `spent` seconds of a document."""
    return Budget(stop).for_document(config.limits.document_seconds, spent)


def failure(source: Source, sha256: str | None, exc: Exception, seconds: float) -> Failure:
    if isinstance(exc, InputError):
        message = str(exc)
    elif isinstance(exc, OverBudget):
        message = f"{source.path}: {exc}"
    else:
        message = f"{source.path}: internal error: {type(exc).__name__}: {exc}"
    return Failure(source, sha256, message, seconds)


def prepare_work(
    source: Source,
    sha256: str | None,
    detector: LanguageDetector,
    config: Config,
    stop: StopFlag,
    data: bytes | None = None,
) -> Work | Failure:
    """Read (or parse the shipped `data`), detect and split one document."""
    started = time.perf_counter()
    try:
        doc = prepare(source.path, detector, config, document_budget(stop, config), data)
        return Work(source, sha256, doc, time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 — one document's failure is recorded, the batch goes on
        return failure(source, sha256, exc, time.perf_counter() - started)


def translate_works(
    items: list[Work],
    translator,
    config: Config,
    stop: StopFlag,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Work], list[Failure]]:
    """The documents translated in one batch (one document: against what is left of its budget,
    several: against a whole one); if that fails, one by one to isolate the culprit. Adds each one's
    share of the time. Returns the translated ones and the failures."""
    from pipeline.translate import translate_documents

    def translate(docs: list[Work], budget: Budget) -> None:
        started = time.perf_counter()
        try:
            translate_documents(
                [w.doc for w in docs], translator, config.language.source, budget, on_progress
            )
        finally:
            total = sum(len(w.doc.sentences()) for w in docs) or 1
            for w in docs:
                w.seconds += (time.perf_counter() - started) * len(w.doc.sentences()) / total

    if not items:
        return [], []
    try:
        translate(items, document_budget(stop, config, items[0].seconds if len(items) == 1 else 0.0))
        return items, []
    except BrokenModelError:  # no document can be translated: the run stops
        raise
    except Exception as exc:  # noqa: BLE001
        if len(items) == 1:
            return [], [failure(items[0].source, items[0].sha256, exc, items[0].seconds)]
    survivors, failures = [], []
    for item in items:
        try:
            translate([item], document_budget(stop, config, item.seconds))
            survivors.append(item)
        except Exception as exc:  # noqa: BLE001
            failures.append(failure(item.source, item.sha256, exc, item.seconds))
    return survivors, failures


def finish_document(
    doc: Document, config: Config, budget: Budget = UNLIMITED, glossary: Glossary | None = None
) -> None:
    """Review (flags, with the glossary if any) and summarize one translated document, as configured."""
    budget.check()
    review_document(doc, budget, config.review.min_confidence, glossary)
    summary = config.summary
    summarize_document(doc, summary.algorithm, Length.parse(summary.length), summary.mode, budget)


def finish_work(work: Work, config: Config, stop: StopFlag, glossary: Glossary | None = None) -> Outcome:
    """Review (with the run's glossary, if any) and summarize one translated document."""
    started = time.perf_counter()
    try:
        finish_document(work.doc, config, document_budget(stop, config, work.seconds), glossary)
    except Exception as exc:  # noqa: BLE001
        return failure(work.source, work.sha256, exc, work.seconds + time.perf_counter() - started)
    return Briefing(
        work.source,
        work.sha256 or work.doc.sha256,
        work.doc,
        title=document_title(work.doc),
        lang=work.doc.lang,
        paragraphs=len(work.doc.paragraphs),
        flags=sum(len(t.flags) for t in work.doc.target_sentences()),
        seconds=work.seconds + time.perf_counter() - started,
        sentences=len(work.doc.sentences()),
    )
