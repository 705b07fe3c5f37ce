"""Sentence scores of the extractive summarizers: what sumy 0.13's LexRank, TextRank, LSA and Luhn
compute (same words, stems, stop words, formulas and iterations), vectorised with NumPy (sparse products)
instead of sumy's Python loops over every pair of sentences, so a long document costs about linear time.

Each scorer returns one rating per sentence, by position (sumy keys ratings by sentence text, so
duplicate sentences would collapse). tests/test_summarize_reference.py compares the picks with sumy's own.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy

from pipeline.budget import Budget
from pipeline.split import split_words

# The graph-based algorithms (lexrank, textrank) compare every sentence with every other: a document of
# more sentences than this is scored in consecutive sections of at most this many, each section's scores
# scaled by its size so that sections compare. Every ordinary document is one section, scored exactly as
# sumy 0.13 scores it (tests/test_summarize_reference.py). With 1,000, LexRank on 3,000 / 30,000 bench
# sentences took 0.4–0.6 / 4–7 s on a loaded 2-core machine (README, Speed), about linear; sections of
# 10× more would cost about 10× more per sentence. Re-check: `.venv/bin/python bench/long_docs.py
# --parts summarize`.
SECTION_SENTENCES = 1_000
# How often (in sentences) the word-level loops ask the budget whether to stop: 1,000 sentences are about
# 0.1 s of tokenizing and stemming on the loaded machine above, far inside the 5 s a stop may take.
CHECK_EVERY = 1_000


# pycountry calls Greek "Modern Greek (1453-)", which sumy does not recognise
_LANGUAGE_OVERRIDES = {"el": "greek"}


@lru_cache
def _language_tools(lang: str) -> tuple[Callable[[str], str], frozenset[str]]:
    """(stemmer, lower-cased stop words) for an ISO code or language name; unknown parts fall back to none."""
    from sumy.nlp.stemmers import Stemmer, null_stemmer
    from sumy.utils import get_stop_words, normalize_language

    language = _LANGUAGE_OVERRIDES.get(lang.lower()) or normalize_language(lang)
    try:
        stemmer = Stemmer(language)
    except LookupError:
        stemmer = null_stemmer  # lower-cases only
    try:
        stop_words = frozenset(word.lower() for word in get_stop_words(language))
    except LookupError:
        stop_words = frozenset()
    return stemmer, stop_words


@dataclass
class _Words:
    """The sentences as sumy's summarizers see them: the stems of their (lower-cased) words, and of those
    that are not stop words."""

    stems: list[list[str]]  # the stem of every word
    content: list[list[str]]  # stems of the words that are not stop words

    @classmethod
    def of(cls, texts: Sequence[str], lang: str, budget: Budget) -> _Words:
        stemmer, stop_words = _language_tools(lang)
        stems: dict[str, str] = {}  # each distinct word stemmed once
        result = cls([], [])
        for i, text in enumerate(texts):
            if i % CHECK_EVERY == 0:
                budget.check()
            words = [word.lower() for word in split_words(text)]
            for word in words:
                if word not in stems:
                    stems[word] = stemmer(word)
            result.stems.append([stems[word] for word in words])
            result.content.append([stems[word] for word in words if word not in stop_words])
        return result


@dataclass
class _Terms:
    """A sentence × term count matrix as coordinates: one entry per sentence and distinct term in it,
    in sentence order. (NumPy only: with SciPy installed, importing NLTK for its stemmers also imports
    scipy.stats, which made every summarizing run about 2 s slower here.)"""

    rows: numpy.ndarray
    terms: numpy.ndarray
    counts: numpy.ndarray
    sentences: int

    @classmethod
    def of(cls, sentences: list[list[str]]) -> _Terms:
        vocabulary: dict[str, int] = {}
        rows, terms, counts = [], [], []
        for row, words in enumerate(sentences):
            for term, count in Counter(words).items():
                rows.append(row)
                terms.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(count)
        as_int = numpy.array(rows, dtype=numpy.int64), numpy.array(terms, dtype=numpy.int64)
        return cls(*as_int, numpy.array(counts, dtype=float), len(sentences))

    def section(self, section: range) -> slice:
        """The entries of the sentences in `section`."""
        start, stop = numpy.searchsorted(self.rows, [section.start, section.stop])
        return slice(start, stop)


def _pair_sums(
    rows: numpy.ndarray, terms: numpy.ndarray, values: numpy.ndarray, size: int
) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(i, j, Σ values[i, t] · values[j, t] over their shared terms t) for every pair of the `size`
    sentences (rows 0 … size-1, i = j included) that share a term: the sparse product V Vᵀ."""
    order = numpy.argsort(terms, kind="stable")
    rows, terms, values = rows[order], terms[order], values[order]
    starts = numpy.flatnonzero(numpy.r_[True, terms[1:] != terms[:-1]])
    sizes = numpy.diff(numpy.r_[starts, len(terms)])
    group = numpy.repeat(sizes, sizes)  # for every entry, how many sentences have its term
    left = numpy.repeat(numpy.arange(len(terms)), group)
    within = numpy.arange(len(left)) - numpy.repeat(numpy.cumsum(group) - group, group)
    right = numpy.repeat(numpy.repeat(starts, sizes), group) + within
    pairs, index = numpy.unique(rows[left] * size + rows[right], return_inverse=True)
    sums = numpy.bincount(index, weights=values[left] * values[right], minlength=len(pairs))
    return pairs // size, pairs % size, sums


def _sections(count: int) -> list[range]:
    """Consecutive sentence ranges of nearly equal size, none longer than SECTION_SENTENCES."""
    parts = -(-count // SECTION_SENTENCES)
    bounds = [round(k * count / parts) for k in range(parts + 1)]
    return [range(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]


def _by_section(count: int, budget: Budget, score: Callable[[range], numpy.ndarray]) -> numpy.ndarray:
    """Scores of each section, scaled by the section's share of the sentences (one section: unscaled)."""
    sections = _sections(count)
    if len(sections) == 1:
        return score(sections[0])
    scores = numpy.empty(count)
    for section in sections:
        budget.check()
        scores[section.start : section.stop] = score(section) * len(section) / count
    return scores


def _lexrank(words: _Words, budget: Budget) -> numpy.ndarray:
    """sumy's LexRank: idf-modified cosine similarity over 0.1 → an edge; power method to epsilon 0.1."""
    m = _Terms.of(words.content)
    row_max = numpy.zeros(m.sentences)
    numpy.maximum.at(row_max, m.rows, m.counts)
    idf = numpy.log(m.sentences / (1 + numpy.bincount(m.terms)))
    weights = m.counts / row_max[m.rows] * idf[m.terms]  # tf (count / the sentence's top count) × idf
    norms = numpy.sqrt(numpy.bincount(m.rows, weights=weights**2, minlength=m.sentences))
    inverse = numpy.divide(1.0, norms, out=numpy.zeros_like(norms), where=norms > 0)  # 0: similarity 0

    def score(section: range) -> numpy.ndarray:
        n, part = len(section), m.section(section)
        i, j, dot = _pair_sums(m.rows[part] - section.start, m.terms[part], weights[part], n)
        edge = dot * inverse[section.start + i] * inverse[section.start + j] > 0.1  # LexRank's threshold
        i, j = i[edge], j[edge]
        degrees = numpy.bincount(i, minlength=n).astype(float)
        degrees[degrees == 0] = 1
        transition = 1 / degrees[i]  # row-stochastic
        p = numpy.full(n, 1 / n)
        change = 1.0
        while change > 0.1:  # LexRankSummarizer.epsilon
            budget.check()
            # (float: bincount of no edges at all gives integers)
            following = numpy.bincount(j, weights=transition * p[i], minlength=n).astype(float)
            # A graph without edges makes this 0 / 0: every score NaN, read as "nothing stands out".
            with numpy.errstate(invalid="ignore"):
                following /= numpy.linalg.norm(following)
            change = numpy.linalg.norm(following - p)
            p = following
        return numpy.nan_to_num(p)

    return _by_section(m.sentences, budget, score)


def _textrank(words: _Words, budget: Budget) -> numpy.ndarray:
    """sumy's TextRank: shared words / (log len + log len) as edge weights; PageRank, damping 0.85."""
    m = _Terms.of(words.content)
    lengths = numpy.bincount(m.rows, weights=m.counts, minlength=m.sentences)
    log_lengths = numpy.log(numpy.where(lengths > 0, lengths, 1))

    def score(section: range) -> numpy.ndarray:
        n, part = len(section), m.section(section)
        i, j, shared = _pair_sums(m.rows[part] - section.start, m.terms[part], m.counts[part], n)
        norm = log_lengths[section.start + i] + log_lengths[section.start + j]
        # two one-word sentences have norm 0: sumy then takes the count itself
        weights = shared / numpy.where(numpy.isclose(norm, 0.0), 1.0, norm)
        row_sums = numpy.bincount(i, weights=weights, minlength=n)
        weights /= row_sums[i] + 1e-7  # TextRankSummarizer._ZERO_DIVISION_PREVENTION
        p = numpy.full(n, 1 / n)
        change = 1.0
        while change > 1e-4:  # TextRankSummarizer.epsilon
            budget.check()
            # damping 0.85: (1 - 0.85) / n to every sentence, 0.85 along the weighted edges
            following = (1 - 0.85) / n * p.sum() + 0.85 * numpy.bincount(
                j, weights=weights * p[i], minlength=n
            )
            change = numpy.linalg.norm(following - p)
            p = following
        return p

    return _by_section(m.sentences, budget, score)


def _lsa(words: _Words, budget: Budget) -> numpy.ndarray:
    """sumy's LSA: with every singular dimension kept (its REDUCTION_RATIO 1), a sentence's rank
    √Σ σₖ² vₖᵢ² is the length of its column of the term matrix; computed directly, without an SVD."""
    dictionary = {stem for terms in words.content for stem in terms}
    ranks = numpy.zeros(len(words.stems))
    for i, stems in enumerate(words.stems):
        if i % CHECK_EVERY == 0:
            budget.check()
        counts = Counter(stem for stem in stems if stem in dictionary)
        if counts:
            # term frequencies smoothed as sumy does (0.4 + 0.6 × count / max), 0.4 for absent terms
            top = max(counts.values())
            present = sum((0.4 + 0.6 * c / top) ** 2 for c in counts.values())
            ranks[i] = math.sqrt((len(dictionary) - len(counts)) * 0.4**2 + present)
    return ranks


def _luhn(words: _Words, budget: Budget) -> numpy.ndarray:
    """sumy's Luhn: stems seen more than once are significant; a sentence rates by its best chunk."""
    frequency = Counter(stem for terms in words.content for stem in terms)
    significant = {stem for stem, n in frequency.items() if n > 1}
    ratings = numpy.zeros(len(words.stems))
    for i, stems in enumerate(words.stems):
        if i % CHECK_EVERY == 0:
            budget.check()
        ratings[i] = _luhn_rating([stem in significant for stem in stems])
    return ratings


def _luhn_rating(significant: list[bool], max_gap: int = 4) -> float:
    """LuhnSummarizer.rate_sentence: chunks of words that start at a significant word and end after
    `max_gap` insignificant ones; a chunk rates (significant words)² / length, and 0 with only one."""
    chunks: list[list[int]] = []
    in_chunk = False
    for flag in significant:
        if flag and not in_chunk:
            in_chunk = True
            chunks.append([1])
        elif in_chunk:
            chunks[-1].append(int(flag))
        if chunks and chunks[-1][-max_gap:] == [0] * max_gap:
            in_chunk = False
    ratings = [0.0]
    for chunk in chunks:
        while chunk[-1] == 0:
            chunk.pop()
        hits = sum(chunk)
        ratings.append(0.0 if hits == 1 else hits**2 / len(chunk))
    return max(ratings)


_SCORERS = {"lexrank": _lexrank, "lsa": _lsa, "textrank": _textrank, "luhn": _luhn}


def score_sentences(texts: Sequence[str], lang: str, algorithm: str, budget: Budget) -> numpy.ndarray:
    """One score per text by a scored algorithm (lexrank, lsa, textrank, luhn); `budget` is checked often."""
    return _SCORERS[algorithm](_Words.of(texts, lang, budget), budget)
