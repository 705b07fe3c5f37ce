"""Paragraph alignment of a German document with an existing English version of it (``pipeline align``).

Dynamic programming over the two paragraph sequences, as in Gale & Church (1993), with 1–1, 2–1, 1–2,
1–0 and 0–1 links (merged, split, omitted and added paragraphs). A link costs, roughly in nats:

- a prior for its type: merges and splits cost a little, omissions and additions more;
- length (links with both sides): Gale & Church's cost of the English/German character-length ratio;
- anchors: each number, date, name, quoted string, URL or e-mail address found in both documents but
  on only one side of the link;
- a heading that is not linked 1–1 to a heading;
- with a translator, Bleualign's idea: a bonus for the chrF of the German side's machine translation
  against the English side, as far as it is above what unrelated text scores. A bonus, not a penalty
  for low scores: a poor translation (or a model that does not know the domain) then changes nothing,
  instead of making every link dearer than an omission.

The cheapest path wins; equal costs go to the link type listed first, so the result is deterministic.
Link ids are each document's own paragraph ids; a link's score is exp(-cost), 1 for costs of 0 or less.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pipeline.addresses import ADDRESS
from pipeline.document import Document, Link, Sentence, TargetSentence
from pipeline.render import link_dicts

if TYPE_CHECKING:
    from pipeline.translate import Translator

# (German, English) paragraphs per link, with their prior cost; on equal cost the first listed wins.
PRIOR = {(1, 1): 0.0, (2, 1): 2.5, (1, 2): 2.5, (1, 0): 3.5, (0, 1): 3.5}
HEADING_MISFIT = 3.0  # a heading in a link other than heading–heading 1–1
ANCHOR_MISS = 1.5  # per anchor on only one side of a link
CHAR_RATIO = 1.1  # German characters per English character of the same text
VARIANCE = 6.8  # Gale & Church's variance of the length difference, per character
MT_WEIGHT = 10.0  # a perfect chrF (100) takes MT_WEIGHT * (100 - MT_BASE) / 100 off the cost
MT_BASE = 35.0  # chrF of unrelated text stays below this; good translations score 50-100
# Only cells about this many paragraphs (plus the difference in paragraph counts) off the diagonal are
# searched: that bounds the chrF computations on long documents.
BAND = 10

_QUOTED = re.compile(r"[„“”\"»«]([^„“”\"»«]+)[“”\"«»]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# One number in a language's notation (pattern, thousands separator, decimal point): 1,200.5 and 1.200,5
_NOTATION = {
    "en": (re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"), ",", "."),
    "de": (re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"), ".", ","),
}
_WORD = re.compile(r"[^\W\d_]\w*")
_MONTHS = (
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "January February March April May June July August September October November December".split(),
)
_WEEKDAYS = (
    "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag".split(),
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
)
_DATE_WORDS = {
    word: f"{kind}:{i}"
    for kind, table in (("month", _MONTHS), ("day", _WEEKDAYS))
    for words in table
    for i, word in enumerate(words, 1)
} | {"Jänner": "month:1", "Sonnabend": "day:6"}


def align_paragraphs(source: Document, target: Document, translator: Translator | None = None) -> list[Link]:
    """The cheapest sequence of links covering both documents' paragraphs in order."""
    scorer = _Scorer(source, target, translator)
    n, m = len(source.paragraphs), len(target.paragraphs)
    band = (BAND + abs(n - m)) * max(n, m)
    # (i, j) -> (cost of aligning the first i German and j English paragraphs, last link type, its cost)
    best: dict[tuple[int, int], tuple[float, tuple[int, int], float]] = {(0, 0): (0.0, (0, 0), 0.0)}
    for i in range(n + 1):
        for j in range(m + 1):
            if (i, j) == (0, 0) or abs(i * m - j * n) > band:
                continue
            options = [
                (best[i - di, j - dj][0] + cost, (di, dj), cost)
                for di, dj in PRIOR
                if (i - di, j - dj) in best
                for cost in [scorer.cost(i - di, di, j - dj, dj)]
            ]
            best[i, j] = min(options, key=lambda option: option[0])
    links = []
    i, j = n, m
    while (i, j) != (0, 0):
        _, (di, dj), cost = best[i, j]
        i, j = i - di, j - dj
        links.append(
            Link(
                source=tuple(p.id for p in source.paragraphs[i : i + di]),
                target=tuple(p.id for p in target.paragraphs[j : j + dj]),
                score=round(math.exp(-max(cost, 0.0)), 4),
            )
        )
    return links[::-1]


def aligned_document(source: Document, target: Document, links: list[Link]) -> Document:
    """The German document with the English one as its counterpart, ready to summarize and render.

    Each link's English sentences (ids ``en:p2.s1``, no source sentence) become the translation of the
    link's first German paragraph; its other German paragraphs, and omitted ones, get an empty
    translation. English paragraphs without a German one (0–1) are in ``counterpart`` and ``links`` only.
    """
    for side, doc in (("source", source), ("target", target)):
        if [pid for link in links for pid in getattr(link, side)] != [p.id for p in doc.paragraphs]:
            raise ValueError(
                f"the links do not cover the {side} paragraphs of {doc.path} once each, in order"
            )
    prefix = f"{source.target_lang}:"
    english = [
        replace(p, sentences=[Sentence(prefix + s.id, s.text) for s in p.sentences])
        for p in target.paragraphs
    ]
    by_id = {p.id: p for p in english}
    translations = {
        link.source[0]: [
            TargetSentence(s.id, None, s.text) for pid in link.target for s in by_id[pid].sentences
        ]
        for link in links
        if link.source
    }
    return replace(
        source,
        paragraphs=[replace(p, translation=translations.get(p.id, [])) for p in source.paragraphs],
        counterpart=replace(target, paragraphs=english),
        links=list(links),
    )


def links_json(links: list[Link]) -> dict[str, Any]:
    """``{"links": [{"source": [...], "target": [...], "score": ...}]}``, as in an aligned briefing."""
    return {"links": link_dicts(links)}


def length_cost(de: int, en: int) -> float:
    """Gale & Church: -log of the probability of a length difference at least this large."""
    delta = (en * CHAR_RATIO - de) / math.sqrt(VARIANCE * max((de + en * CHAR_RATIO) / 2, 1))
    return -math.log(max(math.erfc(abs(delta) / math.sqrt(2)), 1e-12))


def anchors(text: str, lang: str, lowercase: Collection[str] = ()) -> Counter[str]:
    """Language-independent tokens of a text: URLs and e-mail addresses, quoted strings, numbers
    (``3,5`` in German is ``3.5`` in English), month and weekday names, and capitalised words that are
    not in ``lowercase`` (the words written in lower case somewhere: those are common words, not names)."""
    found = Counter(f"url:{url.rstrip('.,;:!?)').lower()}" for url in ADDRESS.findall(text))
    text = ADDRESS.sub(" ", text)
    found.update(f"“{' '.join(quote.casefold().split())}”" for quote in _QUOTED.findall(text))
    found.update(_numbers(text, lang))
    for word in _WORD.findall(text):
        if word in _DATE_WORDS:
            found[_DATE_WORDS[word]] += 1
        elif word[0].isupper() and word.lower() not in lowercase:
            found[word] += 1
    return found


def _numbers(text: str, lang: str) -> Iterator[str]:
    """Numbers in a canonical form: German 1.200,5 and English 1,200.5 are both 1200.5."""
    number, group, point = _NOTATION["en" if lang == "en" else "de"]
    for token in _NUMBER.findall(text):
        # Dates, times and the like ("12.03.2024") count part by part.
        parts = [token.replace(group, "")] if number.fullmatch(token) else re.split(r"[.,]", token)
        yield from (format(Decimal(part.replace(point, ".")).normalize(), "f") for part in parts)


class _Scorer:
    """The cost of any candidate link between two documents."""

    def __init__(self, source: Document, target: Document, translator: Translator | None):
        self.source, self.target = source.paragraphs, target.paragraphs
        lowercase = {
            word for p in self.source + self.target for word in _WORD.findall(p.text) if word.islower()
        }
        found = [
            [anchors(p.text, p.lang or doc.lang or "", lowercase) for p in doc.paragraphs]
            for doc in (source, target)
        ]
        shared = set().union(*found[0]) & set().union(*found[1])
        self.anchors = [
            [Counter({k: v for k, v in a.items() if k in shared}) for a in side] for side in found
        ]
        self.machine = _machine_translations(source, target.lang or source.target_lang, translator)
        if self.machine is not None:
            from sacrebleu.metrics import CHRF

            self.chrf = CHRF()

    def cost(self, i: int, di: int, j: int, dj: int) -> float:
        """German paragraphs i..i+di-1 linked to English paragraphs j..j+dj-1."""
        src, tgt = self.source[i : i + di], self.target[j : j + dj]
        a = sum(self.anchors[0][i : i + di], Counter())
        b = sum(self.anchors[1][j : j + dj], Counter())
        cost = PRIOR[di, dj] + ANCHOR_MISS * ((a - b).total() + (b - a).total())
        if not (src and tgt):
            return cost
        cost += length_cost(sum(len(p.text) for p in src), sum(len(p.text) for p in tgt))
        kinds = [p.kind for p in src + tgt]
        if "heading" in kinds and kinds != ["heading", "heading"]:
            cost += HEADING_MISFIT
        if self.machine is not None:
            chrf = self.chrf.sentence_score(
                " ".join(self.machine[i : i + di]), [" ".join(p.text for p in tgt)]
            ).score
            cost -= MT_WEIGHT * max(0.0, chrf - MT_BASE) / 100
        return cost


def _machine_translations(source: Document, lang: str, translator: Translator | None) -> list[str] | None:
    """Each German paragraph in English: machine-translated, or as it is if it is already English."""
    if translator is None:
        return None
    todo = [p for p in source.paragraphs if p.lang != lang]
    english = iter(translator.translate([s.text for p in todo for s in p.sentences]))
    translated = {p.id: " ".join(next(english) for _ in p.sentences) for p in todo}
    return [translated.get(p.id, p.text) for p in source.paragraphs]
