"""Language of a document and of each of its paragraphs (langdetect, seeded so results are repeatable)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pipeline.document import Document, Paragraph
from pipeline.reader import CREDIT
from pipeline.split import split_words

# Below this many characters a paragraph is "short": langdetect is unreliable there, so the document
# language is used as a prior and only strong evidence overrides it.
SHORT_CHARS = 50
# Fewer words than this never override the document language, whatever langdetect's confidence
# (it reports 1.0 for "Ciao a tutti" or a list of names).
MIN_OVERRIDE_WORDS = 4
STRONG_EVIDENCE = 0.95
PRIOR_WEIGHT = 0.9


@dataclass(frozen=True)
class LanguageGuess:
    lang: str
    confidence: float


@lru_cache(maxsize=4)
def _load_factory(seed: int):
    """langdetect's profiles, loaded once per process (about a second); a private factory, not langdetect's
    global one, so the seed is ours alone."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(seed)
    return factory


class LanguageDetector:
    """Deterministic langdetect, optionally restricted to candidate languages."""

    def __init__(self, candidates: Sequence[str] = (), seed: int = 0):
        self.candidates = tuple(candidates)
        self.seed = seed

    @cached_property
    def _factory(self):
        factory = _load_factory(self.seed)
        unknown = set(self.candidates) - set(factory.get_lang_list())
        if unknown:
            raise ValueError(f"unknown language code(s): {', '.join(sorted(unknown))}")
        return factory

    def detect(self, text: str, prior: str | None = None) -> LanguageGuess | None:
        """Best guess, or None when the text has no letters to judge by."""
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        prior_map = self._prior_map(prior)
        if prior_map:
            detector.set_prior_map(prior_map)
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return None
        return LanguageGuess(best.lang, round(best.prob, 4))

    def _prior_map(self, prior: str | None) -> dict[str, float] | None:
        langs = self.candidates or tuple(self._factory.get_lang_list())
        if prior is None:
            # Languages outside the candidates get probability 0, which restricts the search to them.
            return dict.fromkeys(langs, 1.0) if self.candidates else None
        others = [lang for lang in langs if lang != prior]
        prior_map = dict.fromkeys(others, (1 - PRIOR_WEIGHT) / max(len(others), 1))
        prior_map[prior] = PRIOR_WEIGHT
        return prior_map


def detect_document(doc: Document, detector: LanguageDetector) -> None:
    """Each paragraph's language, and the document's: the language of most of its longer text.

    Short paragraphs (headings, credits, one-liners) lean on the document language.
    """
    long = [p for p in doc.paragraphs if not _is_short(p)]
    for paragraph in long:
        guess = detector.detect(paragraph.text)
        paragraph.lang, paragraph.lang_confidence = (guess.lang, guess.confidence) if guess else (None, 0.0)
    weight: Counter[str] = Counter()
    for paragraph in long:
        if paragraph.lang:
            weight[paragraph.lang] += len(paragraph.text)
    if weight:
        doc.lang = weight.most_common(1)[0][0]
        doc.lang_confidence = round(weight[doc.lang] / sum(weight.values()), 4)
    else:
        guess = detector.detect("\n".join(p.text for p in doc.paragraphs))
        doc.lang, doc.lang_confidence = (guess.lang, guess.confidence) if guess else (None, 0.0)
    for paragraph in doc.paragraphs:
        if _is_short(paragraph):
            paragraph.lang, paragraph.lang_confidence = _short_paragraph_language(
                paragraph, doc.lang, detector
            )
        elif paragraph.lang is None:
            paragraph.lang, paragraph.lang_confidence = doc.lang, 0.0


def _is_short(paragraph: Paragraph) -> bool:
    return len(paragraph.text) < SHORT_CHARS or paragraph.kind in ("heading", "caption")


def _short_paragraph_language(
    paragraph: Paragraph, doc_lang: str | None, detector: LanguageDetector
) -> tuple[str | None, float]:
    text = CREDIT.sub("", paragraph.text) if paragraph.kind == "caption" else paragraph.text
    guess = detector.detect(text, prior=doc_lang)
    if guess is None:
        return doc_lang, 0.0
    strong = guess.confidence >= STRONG_EVIDENCE and len(split_words(text)) >= MIN_OVERRIDE_WORDS
    if doc_lang is None or guess.lang == doc_lang or strong:
        return guess.lang, guess.confidence
    # Inherited: what the evidence leaves for the document language.
    return doc_lang, round(1 - guess.confidence, 4)
