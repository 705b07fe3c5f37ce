"""The local executor: the documents to do go through the steps (pipeline.steps) in this process, in
groups, each group's sentences translated in one batched call; outcomes stream out as each one is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipeline.budget import StopFlag
from pipeline.config import Config
from pipeline.detect import LanguageDetector
from pipeline.inputs import Source
from pipeline.steps import (
    DOCUMENTS_PER_BATCH,
    GROUP_SENTENCES,
    LONG_FILE_BYTES,
    Failure,
    Outcome,
    Todo,
    Work,
    finish_work,
    prepare_work,
    translate_works,
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
