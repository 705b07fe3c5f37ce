"""Executing a run: documents in, per-document outcomes out, streamed as each one is done.

`pipeline.run` plans (sources, manifest, what changed) and records (atomic writes, manifest, index);
an executor turns the documents to do into `Briefing`s (finished documents, not yet written: the
record side streams each one to its files, pipeline.briefing) and `Failure`s.
`LocalExecutor` works in this process; `pipeline.ray_executor.RayExecutor` on a Ray cluster. Both use
the per-document steps here, so they give the same briefings and the same failure messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pipeline.budget import Budget, OverBudget, StopFlag
from pipeline.config import Config
from pipeline.detect import LanguageDetector
from pipeline.document import Document
from pipeline.models import BrokenModelError
from pipeline.reader import InputError
from pipeline.render import document_title
from pipeline.review import review_document
from pipeline.run import (
    DOCUMENTS_PER_BATCH,
    GROUP_SENTENCES,
    LONG_FILE_BYTES,
    Source,
    prepare,
)
from pipeline.summarize import Length, summarize_document

if TYPE_CHECKING:
    from pipeline.glossary import Glossary

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


class Executor(Protocol):
    def execute(self, todo: Todo) -> Iterator[Outcome]:
        """An outcome for every input of `todo`, each as soon as it is done (in any order)."""


@dataclass(eq=False)
class Work:
    """A prepared document on its way through the batch, and the seconds spent on it so far."""

    source: Source
    sha256: str | None
    doc: Document
    seconds: float


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


def finish_work(work: Work, config: Config, stop: StopFlag, glossary: Glossary | None = None) -> Outcome:
    """Review (with the run's glossary, if any) and summarize one translated document."""
    started = time.perf_counter()
    try:
        budget = document_budget(stop, config, work.seconds)
        budget.check()
        review_document(work.doc, budget, config.review.min_confidence, glossary)
        summary = config.summary
        length = Length.parse(summary.length)
        summarize_document(work.doc, summary.algorithm, length, summary.mode, budget)
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


def file_size(path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the reader reports the problem


@dataclass
class LocalExecutor:
    """In this process: groups of documents, each group's sentences translated in one batched call."""

    config: Config
    translator: object
    stop: StopFlag
    on_progress: Callable[[int, int], None] | None = None

    def __post_init__(self):
        self.detector = LanguageDetector(self.config.language.candidates)

    def execute(self, todo: Todo) -> Iterator[Outcome]:
        for start in range(0, len(todo), DOCUMENTS_PER_BATCH):
            yield from self._group(todo[start : start + DOCUMENTS_PER_BATCH])

    def _group(self, group: Todo) -> Iterator[Outcome]:
        """Prepare the group's documents, translate the ordinary ones together and finish them, then
        each long one (and each large file) on its own. Every document works against its own budget."""
        large = [item for item in group if file_size(item[0].path) > LONG_FILE_BYTES]
        prepared = []
        for source, sha256 in group:
            if (source, sha256) not in large:
                outcome = self._prepare(source, sha256)
                if isinstance(outcome, Failure):
                    yield outcome
                else:
                    prepared.append(outcome)
        yield from self._translate_and_finish(
            [w for w in prepared if len(w.doc.sentences()) <= GROUP_SENTENCES]
        )
        for work in prepared:
            if len(work.doc.sentences()) > GROUP_SENTENCES:
                yield from self._translate_and_finish([work])
        for source, sha256 in large:
            outcome = self._prepare(source, sha256)
            yield from [outcome] if isinstance(outcome, Failure) else self._translate_and_finish([outcome])

    def _prepare(self, source: Source, sha256: str | None) -> Work | Failure:
        return prepare_work(source, sha256, self.detector, self.config, self.stop)

    def _translate_and_finish(self, works: list[Work]) -> Iterator[Outcome]:
        translated, failures = translate_works(
            works, self.translator, self.config, self.stop, self.on_progress
        )
        yield from failures
        for work in translated:
            yield finish_work(work, self.config, self.stop, self.translator.glossary)
