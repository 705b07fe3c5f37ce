"""Review flags: what an editor should check in a sentence pair (German sentence, its English).

Each detector is a function (German, English) → list of ``Flag`` in a module of its own. Flags are
added to the English sentences (``TargetSentence.flags``) and never change a translation. A translated
document is reviewed sentence pair by sentence pair with every detector; a document aligned with an
existing English version link by link (its German and English paragraphs) with the detectors that need
no model (``MODEL_FREE``). Low model confidence (pipeline.review.confidence) needs the decoder's score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pipeline.budget import UNLIMITED, Budget
from pipeline.document import Document, Flag
from pipeline.review.length import length_flags
from pipeline.review.names import name_flags
from pipeline.review.numbers import number_flags
from pipeline.review.repetition import repetition_flags
from pipeline.review.untranslated import untranslated_flags

# Part of each briefing's fingerprint (pipeline.run): raise it when the detectors change what they flag,
# so that the next run redoes the briefings (their translations come from the cache).
REVIEW_VERSION = 1
# About 0.7 ms a sentence pair (bench/review_eval.py): a check every 1,000 pairs is well under a second.
REVIEW_CHECK_EVERY = 1_000
Detector = Callable[[str, str], list[Flag]]
MODEL_FREE: tuple[Detector, ...] = (number_flags, name_flags, length_flags, untranslated_flags)
ALL: tuple[Detector, ...] = (*MODEL_FREE, repetition_flags)


def review_pair(german: str, english: str, detectors: Sequence[Detector] = ALL) -> list[Flag]:
    return [flag for detect in detectors for flag in detect(german, english)]


def review_document(doc: Document, budget: Budget = UNLIMITED) -> None:
    """Flag each translated sentence of ``doc`` (or, for an aligned document, each link).

    `budget` is checked every REVIEW_CHECK_EVERY sentences (a long document takes minutes)."""
    if doc.links is not None:
        _review_aligned(doc)
        return
    german = {s.id: s.text for s in doc.sentences()}
    for n, target in enumerate(doc.target_sentences()):
        if n % REVIEW_CHECK_EVERY == 0:
            budget.check()
        if target.source_id in german:
            target.flags = review_pair(german[target.source_id], target.text)


def _review_aligned(doc: Document) -> None:
    """Each link's German paragraphs against its English ones; the flags go on the link's first English
    sentence (pipeline.align puts a link's English sentences on its first German paragraph)."""
    paragraphs = {p.id: p for p in doc.paragraphs}
    for link in doc.links or ():
        if not (link.source and link.target):
            continue
        english = paragraphs[link.source[0]].translation or []
        if english:
            german = " ".join(paragraphs[pid].text for pid in link.source)
            english[0].flags = review_pair(german, " ".join(t.text for t in english), MODEL_FREE)
