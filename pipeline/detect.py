"""Language of a document and of each of its paragraphs (langdetect, seeded so results are repeatable)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pipeline.budget import UNLIMITED, Budget
from pipeline.document import Document, Paragraph
from pipeline.readers.text import CREDIT
from pipeline.split import split_words

# Below this many characters a paragraph is "short": langdetect is unreliable there, so the document
# language is used as a prior and only strong evidence overrides it.
SHORT_CHARS = 50
# Fewer words than this never override the document language, whatever langdetect's confidence
# (it reports 1.0 for "Ciao a tutti" or a list of names).
MIN_OVERRIDE_WORDS = 4
STRONG_EVIDENCE = 0.95
PRIOR_WEIGHT = 0.9

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LanguageGuess:
    lang: str
    confidence: float


# langdetect samples n-grams in several trials until one language dominates; its cost per sample grows
# with the number of languages loaded. Three trials over the first characters of a paragraph are as
# reliable on paragraphs as its defaults (7 trials, 10,000 characters) at a fraction of the time.
TRIALS = 3
MAX_TEXT_CHARS = 600


def known_languages() -> list[str]:
    """Every language langdetect has a profile for."""
    import os

    from langdetect.detector_factory import PROFILES_DIRECTORY

    return sorted(os.listdir(PROFILES_DIRECTORY))


@lru_cache(maxsize=4)
def _load_factory(seed: int, candidates: tuple[str, ...]):
    """langdetect's profiles (all, or the candidates'), loaded once per process.

    A private factory, not langdetect's global one, so the seed and the languages are ours alone.
    """
    from pathlib import Path

    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    if candidates:
        unknown = sorted(set(candidates) - set(known_languages()))
        if unknown:
            raise ValueError(f"unknown language code(s): {', '.join(unknown)}")
        profiles = Path(PROFILES_DIRECTORY)
        factory.load_json_profile([(profiles / lang).read_text(encoding="utf-8") for lang in candidates])
    else:
        factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(seed)
    return factory


class LanguageDetector:
    """Deterministic langdetect, optionally restricted to candidate languages (also faster)."""

    def __init__(self, candidates: Sequence[str] = (), seed: int = 0):
        self.candidates = tuple(sorted(set(candidates)))
        self.seed = seed
        self._short_model_failed = False

    @cached_property
    def _factory(self):
        return _load_factory(self.seed, self.candidates)

    def detect(self, text: str, prior: str | None = None) -> LanguageGuess | None:
        """Best guess, or None when the text has no letters to judge by."""
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        detector.n_trial = TRIALS
        detector.set_max_text_length(MAX_TEXT_CHARS)
        if prior in self._factory.get_lang_list():
            detector.set_prior_map(self._prior_map(prior))
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return None
        return LanguageGuess(best.lang, round(best.prob, 4))

    def detect_short(self, text: str) -> LanguageGuess | None:
        """The language of a short line (pipeline.shortlang), among the candidates (all langdetect knows
        when there are none)."""
        from pipeline.shortlang import short_text_language

        if not self._short_model_failed:
            try:
                guess = short_text_language(text, self.candidates or tuple(known_languages()))
                return LanguageGuess(guess[0], round(guess[1], 4)) if guess else None
            except OSError as exc:  # py3langid unpacks its model through a temporary file: a full disk
                log.warning("the short-line language model cannot be loaded (%s); using langdetect", exc)
                self._short_model_failed = True
        return self.detect(text)

    def _prior_map(self, prior: str) -> dict[str, float]:
        others = [lang for lang in self._factory.get_lang_list() if lang != prior]
        prior_map = dict.fromkeys(others, (1 - PRIOR_WEIGHT) / max(len(others), 1))
        prior_map[prior] = PRIOR_WEIGHT
        return prior_map


def detect_document(doc: Document, detector: LanguageDetector, budget: Budget = UNLIMITED) -> None:
    """Each paragraph's language, and the document's: the language of most of its longer text.

    Short paragraphs (headings, credits, one-liners) lean on the document language. `budget` is checked
    before each paragraph.
    """
    long = [p for p in doc.paragraphs if not _is_short(p.text, p.kind)]
    for paragraph in long:
        budget.check()
        _assign(paragraph, paragraph_language(paragraph.text, paragraph.kind, None, detector))
    weight: Counter[str] = Counter()
    for paragraph in long:
        if paragraph.lang:
            weight[paragraph.lang] += len(paragraph.text)
    if weight:
        doc.lang = weight.most_common(1)[0][0]
        doc.lang_confidence = round(weight[doc.lang] / sum(weight.values()), 4)
    else:  # only short lines: judged together, as one line when they are short together
        whole = "\n".join(p.text for p in doc.paragraphs)
        _assign(doc, detector.detect_short(whole) if len(whole) < SHORT_CHARS else detector.detect(whole))
    for paragraph in doc.paragraphs:
        if _is_short(paragraph.text, paragraph.kind):
            budget.check()
            _assign(paragraph, paragraph_language(paragraph.text, paragraph.kind, doc.lang, detector))
        elif paragraph.lang is None:
            paragraph.lang, paragraph.lang_confidence = doc.lang, 0.0


def paragraph_language(
    text: str, kind: str, doc_lang: str | None, detector: LanguageDetector
) -> LanguageGuess | None:
    """The language of one paragraph (of kind `kind`) in a document in `doc_lang` (None: not known).

    A longer paragraph is judged on its own. A short one keeps the document language unless the evidence
    for another is strong; when it keeps it, its confidence is what the evidence leaves for the document
    language. None when neither the text nor the document has a language.
    """
    if not _is_short(text, kind):
        return detector.detect(text)
    text = CREDIT.sub("", text) if kind == "caption" else text  # the names in a credit say nothing
    guess = detector.detect_short(text) if len(text) < SHORT_CHARS else detector.detect(text, prior=doc_lang)
    if doc_lang is None:
        return guess
    if guess is None:
        return LanguageGuess(doc_lang, 0.0)
    if guess.lang == doc_lang or _strong(guess, text, doc_lang, detector):
        return guess
    return LanguageGuess(doc_lang, round(1 - guess.confidence, 4))


def _is_short(text: str, kind: str) -> bool:
    return len(text) < SHORT_CHARS or kind in ("heading", "caption", "table")


def _strong(guess: LanguageGuess, text: str, doc_lang: str, detector: LanguageDetector) -> bool:
    """Enough words, a confident guess, and the guess still holds for the words that are not capitalised.

    Names are poor evidence: langdetect is sure that "Strike at Deutsche Bahn" and "Oktoberfest opens in
    Munich" are German, and "Angela Merkel visits Washington" Dutch. Without its capitalised words (names;
    in German also the nouns) a line keeps the function words and verbs that tell its language.
    """
    words = split_words(text)
    if guess.confidence < STRONG_EVIDENCE or len(words) < MIN_OVERRIDE_WORDS:
        return False
    check = detector.detect(" ".join(w for w in words if not w[0].isupper()), prior=doc_lang)
    return check is not None and check.lang == guess.lang


def _assign(target: Document | Paragraph, guess: LanguageGuess | None) -> None:
    target.lang, target.lang_confidence = (guess.lang, guess.confidence) if guess else (None, 0.0)
