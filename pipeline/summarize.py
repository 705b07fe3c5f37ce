"""Extractive summaries (sumy's algorithms, pipeline.scoring) of pre-split sentences with stable ids.

Callers pass only the sentences eligible for a summary (headings, captions and the like are
filtered out beforehand); this module scores them and picks the best ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.budget import UNLIMITED, Budget
from pipeline.document import Document, Summary, SummaryItem

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


def _scores(texts: Sequence[str], lang: str, algorithm: str, budget: Budget = UNLIMITED) -> list[float]:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown summary algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    if not texts:
        return []
    if algorithm == "lead":
        return [(len(texts) - i) / len(texts) for i in range(len(texts))]
    # sumy (with NLTK), NumPy and SciPy take about 0.4 s to import: they are imported where a summary is
    # made, so a run that finds nothing to do, and config checks, do not pay for it.
    from pipeline.scoring import score_sentences

    scores = score_sentences(texts, lang, algorithm, budget)
    # Rounded so that float noise (summation order, power iteration) cannot decide between mathematically
    # equal scores: those ties go to the earlier sentence.
    return [round(float(score), 9) for score in scores]


def rank(
    sentences: Sequence[tuple[str, str]], lang: str, algorithm: str = "lexrank", budget: Budget = UNLIMITED
) -> dict[str, float]:
    """Score every (id, text) sentence; higher = more central. 'lead' scores by position (first highest).

    Scores are on an algorithm-specific scale; normalise them before combining two rankings.
    """
    scores = _scores([text for _, text in sentences], lang, algorithm, budget)
    ranked = {sentence_id: score for (sentence_id, _), score in zip(sentences, scores, strict=True)}
    if len(ranked) != len(sentences):
        raise ValueError("sentence ids must be unique")
    return ranked


def summarize(
    sentences: Sequence[tuple[str, str]],
    lang: str,
    algorithm: str = "lexrank",
    length: Length = Length(sentences=3),
    budget: Budget = UNLIMITED,
) -> list[str]:
    """Ids of the chosen sentences, in document order: the best `length` by `rank`, ties to the earlier."""
    return _best(rank(sentences, lang, algorithm, budget), length)


def _best(scores: dict[str, float], length: Length) -> list[str]:
    """The `length` highest-scoring ids (ties to the earlier), in the order of `scores`."""
    ids = list(scores)
    best = sorted(range(len(ids)), key=lambda i: (-scores[ids[i]], i))[: length.count(len(ids))]
    return [ids[i] for i in sorted(best)]


# Headings and captions are labels, not statements: never summary sentences.
SUMMARY_KINDS = ("body", "list", "quote")
# independent: each language summarized on its own; parallel: one choice of sentence pairs for both.
MODES = ("independent", "parallel")


def summarize_document(
    doc: Document, algorithm: str, length: Length, mode: str = "independent", budget: Budget = UNLIMITED
) -> None:
    """Summaries of the document's language paragraphs: the original, and the translation if any.

    Each summary sentence names its counterpart in the other language through the sentence ids. In
    parallel mode the English summary is the translation of the German one, sentence by sentence; a
    document without sentence pairs (untranslated, or aligned with an existing translation) is
    summarized independently. Long work checks `budget` (stop signal, time limit) as it goes.
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
        source_ids = _best(_fused_scores(pairs, text, doc, algorithm, budget), length)
        target_ids = [counterpart[i] for i in source_ids]
    else:
        source_ids = summarize(source, doc.lang, algorithm, length, budget)
        target_ids = summarize(target, doc.target_lang, algorithm, length, budget)

    def items(ids: list[str]) -> list[SummaryItem]:
        return [SummaryItem(sentence_id=i, text=text[i], counterpart_id=counterpart.get(i)) for i in ids]

    doc.summary = Summary(
        source=items(source_ids), target=items(target_ids), algorithm=algorithm, length=str(length), mode=mode
    )
    doc.summary.agreement = summary_agreement(doc)


def _fused_scores(
    pairs: list[tuple[str, str]], text: dict[str, str], doc: Document, algorithm: str, budget: Budget
) -> dict[str, float]:
    """Per (source, target) sentence pair, keyed by the source id: the mean of both sides' scores, each
    side ranked in its own language and min-max normalised (rankings have their own scales)."""
    source = _min_max(rank([(s, text[s]) for s, _ in pairs], doc.lang, algorithm, budget))
    target = _min_max(rank([(t, text[t]) for _, t in pairs], doc.target_lang, algorithm, budget))
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
