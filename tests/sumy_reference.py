"""sumy 0.13's own scoring, as the pipeline called it before its summarizer was vectorised: the oracle
that tests/test_summarize_reference.py compares the pipeline's picks with (quadratic: small inputs only).

Copied from pipeline/summarize.py at commit 83eb4ee (the code that made every summary until then).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

from pipeline.scoring import _language_tools  # the same stemmer and stop words (sumy lower-cases them)
from pipeline.split import split_words

SCORED = ("lexrank", "lsa", "textrank", "luhn")  # "lead" (by position) did not change


class _Tokenizer:
    """sumy tokenizer built on our word splitter (sumy's default one needs NLTK data we don't have)."""

    @staticmethod
    def to_words(text: str) -> list[str]:
        return split_words(text)

    @staticmethod
    def to_sentences(text: str) -> list[str]:
        raise NotImplementedError("sentences arrive pre-split; sumy must not re-split them")


# Each scorer returns one rating per document sentence, by position. sumy's own __call__ keys ratings by
# Sentence, which hashes by text, so duplicate sentences would collapse; we call its building blocks.


def _lexrank(s, doc) -> list[float]:
    import numpy

    words = [s._to_words_set(sentence) for sentence in doc.sentences]
    matrix = s._create_matrix(words, s.threshold, s._compute_tf(words), s._compute_idf(words))
    # A graph without edges (e.g. no sentence with a word of nonzero idf) makes the power method divide
    # 0 by 0: every score is NaN, read as "nothing stands out".
    with numpy.errstate(invalid="ignore"):
        return list(numpy.nan_to_num(s.power_method(matrix, s.epsilon)))


def _textrank(s, doc) -> list[float]:
    return list(s.power_method(s._create_matrix(doc), s.epsilon))


def _lsa(s, doc) -> list[float]:
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


def _luhn(s, doc) -> list[float]:
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


def reference_scores(texts: Sequence[str], lang: str, algorithm: str) -> list[float]:
    """sumy's scores of a scored algorithm (lexrank, lsa, textrank, luhn) for non-empty `texts`."""
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
