"""Review flags: what an editor should check in a sentence pair (German sentence, its English).

Each detector is a function (German, English) → list of ``Flag`` in a module of its own. Flags are
added to the English sentences (``TargetSentence.flags``) and never change a translation. A translated
document is reviewed sentence pair by sentence pair with every detector; a document aligned with an
existing English version link by link (its German and English paragraphs) with the detectors that need
no model (``MODEL_FREE``). Low model confidence (pipeline.review.confidence) needs the decoder's score,
which only a machine translation has; glossary violations (pipeline.review.glossary) need a glossary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pipeline.budget import UNLIMITED, Budget
from pipeline.document import Document, Flag
from pipeline.glossary import Glossary
from pipeline.review.confidence import confidence_flags
from pipeline.review.glossary import glossary_flags
from pipeline.review.length import length_flags
from pipeline.review.names import name_flags
from pipeline.review.numbers import number_flags
from pipeline.review.ocr import ocr_flags
from pipeline.review.repetition import repetition_flags
from pipeline.review.untranslated import untranslated_flags

# Part of each briefing's fingerprint (pipeline.run): raise it when the detectors change what they flag,
# so that the next run redoes the briefings (their translations come from the cache).
REVIEW_VERSION = 6
# About 1.3-2.3 ms a WMT23 segment pair of one to several sentences (bench/review_eval.py, shared 2-core
# machine): a check every 1,000 pairs is about two seconds apart.
REVIEW_CHECK_EVERY = 1_000
Detector = Callable[[str, str], list[Flag]]
MODEL_FREE: tuple[Detector, ...] = (number_flags, name_flags, length_flags, untranslated_flags)
ALL: tuple[Detector, ...] = (*MODEL_FREE, repetition_flags)


def review_pair(german: str, english: str, detectors: Sequence[Detector] = ALL) -> list[Flag]:
    return [flag for detect in detectors for flag in detect(german, english)]


def review_document(
    doc: Document,
    budget: Budget = UNLIMITED,
    min_confidence: float | None = None,
    glossary: Glossary | None = None,
) -> None:
    """Flag each translated sentence of ``doc`` (or, for an aligned document, each link).

    A sentence whose log-probability per token is under `min_confidence` is flagged (None: no check),
    and so is each `glossary` term its English does not render. `budget` is checked every
    REVIEW_CHECK_EVERY sentences (a long document takes minutes)."""
    if doc.links is not None:
        _review_aligned(doc, glossary)
        return
    german = {s.id: s.text for s in doc.sentences()}
    uncertain = {s.id: p.uncertain for p in doc.paragraphs if p.uncertain for s in p.sentences}  # OCR
    for n, target in enumerate(doc.target_sentences()):
        if n % REVIEW_CHECK_EVERY == 0:
            budget.check()
        if target.source_id in german:
            source = german[target.source_id]
            target.flags = review_pair(source, target.text)
            if min_confidence is not None and target.log_prob is not None:
                target.flags += confidence_flags(target.log_prob, min_confidence)
            if glossary:
                target.flags += glossary_flags(source, target.text, glossary)
            if target.source_id in uncertain:
                target.flags += ocr_flags(source, uncertain[target.source_id])


def _review_aligned(doc: Document, glossary: Glossary | None) -> None:
    """Each link's German paragraphs against its English ones; the flags go on the link's first English
    sentence (pipeline.align puts a link's English sentences on its first German paragraph)."""
    paragraphs = {p.id: p for p in doc.paragraphs}
    for link in doc.links or ():
        if not (link.source and link.target):
            continue
        english = paragraphs[link.source[0]].translation or []
        if english:
            german = " ".join(paragraphs[pid].text for pid in link.source)
            text = " ".join(t.text for t in english)
            english[0].flags = review_pair(german, text, MODEL_FREE)
            if glossary:
                english[0].flags += glossary_flags(german, text, glossary)
