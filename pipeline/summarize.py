"""Extractive summaries with sumy over sentences that were already split and carry stable ids.

Callers pass only the sentences eligible for a summary (headings, captions and the like are
filtered out beforehand); this module scores them and picks the best ones.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.document import Document, Summary, SummaryItem
from pipeline.split import split_words

# sumy (with NLTK and NumPy) takes about 0.4 s to import: it is imported where a summary is made, so a
# run that finds nothing to do, and config checks, do not pay for it.
if TYPE_CHECKING:
    from sumy.models.dom import ObjectDocumentModel
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

ALGORITHMS = ("lexrank", "lsa", "textrank", "luhn", "lead")


@dataclass(frozen=True)
class Length:
    """How long a summary is: a number of sentences or a ratio (0, 1] of the available ones."""

    sentences: int | None = None
    ratio: float | None = None

    def __post_init__(self) -> None:
        if (self.sentences is None) == (self.ratio is None):
            raise ValueError("Length needs exactly one of sentences or ratio")
        if self.sentences is not None and self.sentences < 1:
            raise ValueError(f"summary length must be at least 1 sentence, got {self.sentences}")
        if self.ratio is not None and not 0 < self.ratio <= 1:
            raise ValueError(f"summary ratio must be in (0, 1], got {self.ratio}")

    @classmethod
    def parse(cls, value: str | int | float) -> Length:
        """'3' or 3 → 3 sentences; '20%', '0.2' or 0.2 → a ratio of the available sentences."""
        if isinstance(value, bool):  # bool is an int subclass; True is not "1 sentence"
            raise ValueError(f"invalid summary length {value!r}")
        if isinstance(value, int):
            return cls(sentences=value)
        if isinstance(value, float):
            return cls(ratio=value)
        text = str(value).strip()
        try:
            if text.endswith("%"):
                return cls(ratio=float(text[:-1]) / 100)
            if text.isdigit():
                return cls(sentences=int(text))
            return cls(ratio=float(text))
        except ValueError as exc:
            raise ValueError(
                f"invalid summary length {value!r}: use a sentence count like '3', "
                f"a percentage like '20%' or a ratio like '0.2' ({exc})"
            ) from None

    def count(self, available: int) -> int:
        """Number of sentences to pick out of `available` (never more than there are)."""
        if self.sentences is not None:
            return min(self.sentences, available)
        return min(available, max(1, round(self.ratio * available)))

    def __str__(self) -> str:
        return str(self.sentences) if self.sentences is not None else f"{self.ratio * 100:g}%"


class _Tokenizer:
    """sumy tokenizer built on our word splitter (sumy's default one needs NLTK data we don't have)."""

    @staticmethod
    def to_words(text: str) -> list[str]:
        return split_words(text)

    @staticmethod
    def to_sentences(text: str) -> list[str]:
        raise NotImplementedError("sentences arrive pre-split; sumy must not re-split them")


# pycountry calls Greek "Modern Greek (1453-)", which sumy does not recognise
_LANGUAGE_OVERRIDES = {"el": "greek"}


@lru_cache
def _language_tools(lang: str) -> tuple[Callable[[str], str], frozenset[str]]:
    """(stemmer, stop words) for an ISO code or language name; unknown parts fall back to none."""
    from sumy.nlp.stemmers import Stemmer, null_stemmer
    from sumy.utils import get_stop_words, normalize_language

    language = _LANGUAGE_OVERRIDES.get(lang.lower()) or normalize_language(lang)
    try:
        stemmer = Stemmer(language)
    except LookupError:
        stemmer = null_stemmer  # lower-cases only
    try:
        stop_words = get_stop_words(language)
    except LookupError:
        stop_words = frozenset()
    return stemmer, stop_words


# Each scorer returns one rating per document sentence, by position. sumy's own __call__ keys ratings by
# Sentence, which hashes by text, so duplicate sentences would collapse; we call its building blocks.


def _lexrank(s: LexRankSummarizer, doc: ObjectDocumentModel) -> list[float]:
    import numpy

    words = [s._to_words_set(sentence) for sentence in doc.sentences]
    matrix = s._create_matrix(words, s.threshold, s._compute_tf(words), s._compute_idf(words))
    # A graph without edges (e.g. no sentence with a word of nonzero idf) makes the power method divide
    # 0 by 0: every score is NaN, read as "nothing stands out".
    with numpy.errstate(invalid="ignore"):
        return list(numpy.nan_to_num(s.power_method(matrix, s.epsilon)))


def _textrank(s: TextRankSummarizer, doc: ObjectDocumentModel) -> list[float]:
    return list(s.power_method(s._create_matrix(doc), s.epsilon))


def _lsa(s: LsaSummarizer, doc: ObjectDocumentModel) -> list[float]:
    import numpy

    # sorted: sumy enumerates a frozenset, whose order changes with the string hash seed
    dictionary = {word: row for row, word in enumerate(sorted(s._create_dictionary(doc)))}
    if not dictionary:
        return [0.0] * len(doc.sentences)
    with warnings.catch_warnings():  # "fewer words than sentences" is routine for short texts
        warnings.filterwarnings("ignore", message="Number of words")
        matrix = s._create_matrix(doc, dictionary)
    _, sigma, v = numpy.linalg.svd(s._compute_term_frequency(matrix), full_matrices=False)
    return s._compute_ranks(sigma, v)


def _luhn(s: LuhnSummarizer, doc: ObjectDocumentModel) -> list[float]:
    significant = s._get_significant_words(doc.words)
    return [s.rate_sentence(sentence, significant) for sentence in doc.sentences]


def _summarizer(algorithm: str) -> tuple[type, Callable]:
    """sumy's summarizer class for an algorithm, and our scorer for it."""
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    return {
        "lexrank": (LexRankSummarizer, _lexrank),
        "lsa": (LsaSummarizer, _lsa),
        "textrank": (TextRankSummarizer, _textrank),
        "luhn": (LuhnSummarizer, _luhn),
    }[algorithm]


def _scores(texts: Sequence[str], lang: str, algorithm: str) -> list[float]:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown summary algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    if not texts:
        return []
    if algorithm == "lead":
        return [(len(texts) - i) / len(texts) for i in range(len(texts))]
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    summarizer_class, scorer = _summarizer(algorithm)
    stemmer, stop_words = _language_tools(lang)
    summarizer = summarizer_class(stemmer)
    summarizer.stop_words = stop_words
    tokenizer = _Tokenizer()
    doc = ObjectDocumentModel([Paragraph([Sentence(text, tokenizer) for text in texts])])
    # Rounded so that float noise (SVD, power iteration) cannot decide between mathematically equal
    # scores: those ties go to the earlier sentence.
    return [round(float(score), 9) for score in scorer(summarizer, doc)]


def rank(sentences: Sequence[tuple[str, str]], lang: str, algorithm: str = "lexrank") -> dict[str, float]:
    """Score every (id, text) sentence; higher = more central. 'lead' scores by position (first highest).

    Scores are on an algorithm-specific scale; normalise them before combining two rankings.
    """
    scores = _scores([text for _, text in sentences], lang, algorithm)
    ranked = {sentence_id: score for (sentence_id, _), score in zip(sentences, scores, strict=True)}
    if len(ranked) != len(sentences):
        raise ValueError("sentence ids must be unique")
    return ranked


def summarize(
    sentences: Sequence[tuple[str, str]],
    lang: str,
    algorithm: str = "lexrank",
    length: Length = Length(sentences=3),
) -> list[str]:
    """Ids of the chosen sentences, in document order: the best `length` by `rank`, ties to the earlier."""
    return _best(rank(sentences, lang, algorithm), length)


def _best(scores: dict[str, float], length: Length) -> list[str]:
    """The `length` highest-scoring ids (ties to the earlier), in the order of `scores`."""
    ids = list(scores)
    best = sorted(range(len(ids)), key=lambda i: (-scores[ids[i]], i))[: length.count(len(ids))]
    return [ids[i] for i in sorted(best)]


# Headings and captions are labels, not statements: never summary sentences.
SUMMARY_KINDS = ("body", "list", "quote")
# independent: each language summarized on its own; parallel: one choice of sentence pairs for both.
MODES = ("independent", "parallel")


def summarize_document(doc: Document, algorithm: str, length: Length, mode: str = "independent") -> None:
    """Summaries of the document's language paragraphs: the original, and the translation if any.

    Each summary sentence names its counterpart in the other language through the sentence ids. In
    parallel mode the English summary is the translation of the German one, sentence by sentence; a
    document without sentence pairs (untranslated, or aligned with an existing translation) is
    summarized independently.
    """
    if mode not in MODES:
        raise ValueError(f"unknown summary mode {mode!r}; choose one of {', '.join(MODES)}")
    eligible = [p for p in doc.paragraphs if p.kind in SUMMARY_KINDS and p.lang == doc.lang]
    source = [(s.id, s.text) for p in eligible for s in p.sentences]
    target = [(t.id, t.text) for p in eligible for t in p.translation or []]
    pairs = [(t.source_id, t.id) for p in eligible for t in p.translation or [] if t.source_id]
    counterpart = dict(pairs) | {target_id: source_id for source_id, target_id in pairs}
    text = dict(source + target)

    if mode == "parallel" and pairs:
        source_ids = _best(_fused_scores(pairs, text, doc, algorithm), length)
        target_ids = [counterpart[i] for i in source_ids]
    else:
        source_ids = summarize(source, doc.lang, algorithm, length)
        target_ids = summarize(target, doc.target_lang, algorithm, length)

    def items(ids: list[str]) -> list[SummaryItem]:
        return [SummaryItem(sentence_id=i, text=text[i], counterpart_id=counterpart.get(i)) for i in ids]

    doc.summary = Summary(
        source=items(source_ids), target=items(target_ids), algorithm=algorithm, length=str(length), mode=mode
    )
    doc.summary.agreement = summary_agreement(doc)


def _fused_scores(
    pairs: list[tuple[str, str]], text: dict[str, str], doc: Document, algorithm: str
) -> dict[str, float]:
    """Per (source, target) sentence pair, keyed by the source id: the mean of both sides' scores, each
    side ranked in its own language and min-max normalised (rankings have their own scales)."""
    source = _min_max(rank([(s, text[s]) for s, _ in pairs], doc.lang, algorithm))
    target = _min_max(rank([(t, text[t]) for _, t in pairs], doc.target_lang, algorithm))
    return {s: (source[s] + target[t]) / 2 for s, t in pairs}


def _min_max(scores: dict[str, float]) -> dict[str, float]:
    """Scores rescaled to [0, 1]; all 0 when they are all equal."""
    low, high = min(scores.values()), max(scores.values())
    return {i: (score - low) / (high - low) if high > low else 0.0 for i, score in scores.items()}


def summary_agreement(doc: Document) -> float | None:
    """Share of the English summary's sentences translated from a sentence of the German summary.

    1.0 when the two summaries say the same (always so in parallel mode). None when there is no English
    summary, or its sentences have no source sentence (a document aligned with an existing translation).
    """
    summary = doc.summary
    if summary is None or not any(item.counterpart_id for item in summary.target):
        return None
    chosen = {item.sentence_id for item in summary.source}
    return round(sum(item.counterpart_id in chosen for item in summary.target) / len(summary.target), 4)
