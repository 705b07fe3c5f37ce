"""Paragraphs of an OCR'd page from Tesseract's own layout: its blocks (columns and other text regions,
already in reading order), their paragraphs and lines. Lines are joined as the PDF reader joins them
(hyphenation by pipeline.readers.pdf.hyphenation); a short paragraph set in lines clearly taller than the
page's usual line is a heading.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, field

from pipeline.readers.base import Block
from pipeline.readers.ocr import Word
from pipeline.readers.pdf.hyphenation import Vocabulary, join_lines
from pipeline.readers.pdf.patterns import CAPTION, LIST_MARKER, SENTENCE_END

# A paragraph of at most _HEADING_MAX_LINES lines whose lines are at least _HEADING_RATIO times as tall as
# the page's median line, and that does not end like a sentence, is a heading. Calibrated on the generated
# scans of tests/test_ocr.py (a heading set 1.6× the body) and the calibration half's LaTeX paper (its
# 14-pt title over 9-pt text); re-check with tests/test_ocr.py. Sizes are cap heights (_size).
_HEADING_RATIO = 1.3
_HEADING_MAX_LINES = 3
# A numbered section title ("2 Demonstrationen", "3.1 Ergebnisse") of one line of at most this many words
# is a heading too, though set no taller than the text (bold, which the OCR does not report).
_SECTION = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÄÖÜ]")
_SECTION_MAX_WORDS = 8
# A dot leader as OCR reads it: 20 or more dots and small round letters, then a page number at the end.
# Seen on the contents page of the calibration half's Word manual (bench/ocr.py prints its CER).
_LEADER = re.compile(r"\s*[.·…,:;_\-acemnorsuvw]{20,}\s*\d{1,4}$")
_CAP_HEIGHT_WORD = re.compile(r"[^gjpqyß,;()\[\]/|{}@$]*[A-ZÄÖÜbdfhklt\d][^gjpqyß,;()\[\]/|{}@$]*")
# Columns Tesseract ran together (split_columns): a gap between two words of a line wider than
# _GUTTER_GAP line heights, found at the same x in _GUTTER_MIN_LINES lines or more, is a gutter. Word
# spaces are 0.2–0.4 line heights, gutters of 12–24 pt 1–2 (tests/test_ocr.py's page: 24 pt, 11 pt text).
_GUTTER_GAP = 1.0
_GUTTER_MIN_LINES = 2
_PARAGRAPH_STEP = 1.5
_COLUMN_MIN_WORDS = 3
# A word Tesseract is less sure of than this (0–100) is named in the sentence's review flag `ocr`.
# Calibrated on the calibration half of bench/ocr.py: 73 of the 79 words under it at 300 dpi differ from
# the text layer (check half 129/142); `python bench/ocr.py` prints the share for both halves.
LOW_CONFIDENCE = 50.0


@dataclass
class OcrPage:
    blocks: list[Block]
    confidence: float | None  # mean word confidence, 0–100; None for a page without words
    uncertain: list[list[str]] = field(default_factory=list)  # per block: its low-confidence words


def page_blocks(words: list[Word]) -> OcrPage:
    """The page's paragraphs as (kind, text) blocks, with each one's low-confidence words."""
    if not words:
        return OcrPage([], None)
    lines = [list(line) for _, line in itertools.groupby(words, key=lambda w: (w.block, w.paragraph, w.line))]
    usual = statistics.median(_thickness(line) for line in lines)
    usual_size = statistics.median(_size(line) for line in lines)
    vocabulary = Vocabulary(word.text for word in words)
    page = OcrPage([], statistics.fmean(word.confidence for word in words))
    if _horizontal_page(lines):
        keyed = split_columns(lines, usual)
    else:
        keyed = [((line[0].block, line[0].paragraph), line) for line in lines]
    for _, group in itertools.groupby(keyed, key=lambda item: item[0]):
        paragraph = [line for _, line in group]
        texts = [_without_leader(" ".join(word.text for word in line)) for line in paragraph]
        text = join_lines(texts, vocabulary)
        tall = all(_size(line) >= _HEADING_RATIO * usual_size for line in paragraph)
        page.blocks.append((_kind(text, tall, len(paragraph)), text))
        page.uncertain.append(
            [word.text for line in paragraph for word in line if word.confidence < LOW_CONFIDENCE]
        )
    return page


def _without_leader(text: str) -> str:
    """A contents entry's line without its dot leader and page number, as the PDF reader keeps it (the
    OCR reads a leader's dots as a long run of dots and small round letters: "….usessnssnen 2")."""
    return _LEADER.sub("", text)


def _kind(text: str, tall: bool, lines: int) -> str:
    """heading (set tall, or a numbered section title of one line), list item or caption by the PDF
    reader's patterns, else body."""
    if not SENTENCE_END.search(text) and not text.endswith(","):
        if tall and lines <= _HEADING_MAX_LINES:
            return "heading"
        if lines == 1 and len(text.split()) <= _SECTION_MAX_WORDS and _SECTION.match(text):
            return "heading"
    if CAPTION.match(text):
        return "caption"
    return "list" if LIST_MARKER.match(text) else "body"


def split_columns(lines: list[list[Word]], usual: float) -> list[tuple[tuple, list[Word]]]:
    """Lines keyed by paragraph, with columns Tesseract read as one (its column finder needs long
    columns; two short ones side by side came back as lines running across both) taken apart.

    A gutter is an x that the gaps of at least _GUTTER_MIN_LINES lines contain (a gap wider than
    _GUTTER_GAP line heights; word spaces are about a third of one). A run of consecutive lines that
    each lie on one side of it or are split there by such a gap is read column by column, its paragraphs
    told apart by blank lines (a step of more than _PARAGRAPH_STEP times the run's usual one)."""
    gaps = [gap for line in lines for gap in _gaps(line, usual)]
    cut = max(gaps, key=lambda g: sum(o[0] <= (g[0] + g[1]) / 2 <= o[1] for o in gaps), default=None)
    keyed: list[tuple[tuple, list[Word]]] = [((line[0].block, line[0].paragraph), line) for line in lines]
    if cut is None:
        return keyed
    x = (cut[0] + cut[1]) / 2
    if sum(g[0] <= x <= g[1] for g in gaps) < _GUTTER_MIN_LINES:
        return keyed
    result: list[tuple[tuple, list[Word]]] = []
    run: list[tuple[tuple, list[Word]]] = []
    for key, line in [*keyed, (None, [])]:
        if line and _beside(line, x, usual):
            run.append((key, line))
            continue
        if run:
            result += _columns(run, x, len(result))
            run = []
        if line:
            result.append((key, line))
    return result


def _columns(run: list[tuple[tuple, list[Word]]], x: float, start: int) -> list[tuple[tuple, list[Word]]]:
    """A run of lines none of which crosses `x`: the left column's parts, then the right one's, when
    both sides hold text (a table's cells, of a word or two, are left as Tesseract read them)."""
    sides = [[[w for w in line if w.left + w.width <= x] for _, line in run]]
    sides.append([[w for w in line if w.left >= x] for _, line in run])
    sides = [[part for part in side if part] for side in sides]
    if not all(side and statistics.fmean(map(len, side)) >= _COLUMN_MIN_WORDS for side in sides):
        return run
    result: list[tuple[tuple, list[Word]]] = []
    for number, parts in enumerate(sides):
        steps = [b[0].top - a[0].top for a, b in itertools.pairwise(parts)]
        usual = statistics.median(steps) if steps else 0
        paragraph = 0
        for n, part in enumerate(parts):
            if n and steps[n - 1] > _PARAGRAPH_STEP * usual:
                paragraph += 1
            result.append((("columns", start, number, paragraph), part))
    return result


def _beside(line: list[Word], x: float, usual: float) -> bool:
    """Whether the line lies on one side of the gutter at `x` or is split there by a gutter-wide gap (a
    line of a single column whose word space happens to fall at `x` is neither)."""
    left = [w for w in line if w.left + w.width <= x]
    if len(left) in (0, len(line)):
        return not any(w.left < x < w.left + w.width for w in line)
    return line[len(left)].left - (left[-1].left + left[-1].width) > _GUTTER_GAP * usual


def _gaps(line: list[Word], usual: float) -> list[tuple[float, float]]:
    return [
        (a.left + a.width, b.left)
        for a, b in itertools.pairwise(line)
        if b.left - (a.left + a.width) > _GUTTER_GAP * usual
    ]


def _horizontal_page(lines: list[list[Word]]) -> bool:
    return all(_horizontal(line) for line in lines if len(line) > 1)


def _size(line: list[Word]) -> float:
    """The line's type size as its cap height: the median height of its words that have a capital or
    ascender and nothing reaching below the baseline (a box's height otherwise varies by a third with
    the letters in it: "Worten und" against "Buchstaben gejagt"); else the line's thickness."""
    heights = [w.height for w in line if _CAP_HEIGHT_WORD.fullmatch(w.text)]
    return statistics.median(heights) if heights else _thickness(line)


def _thickness(line: list[Word]) -> float:
    """A line's height across its text, whichever way the page was turned (Tesseract's boxes are those
    of the image as given, so a line of a page scanned at 90° is taller than wide)."""
    left = min(word.left for word in line)
    right = max(word.left + word.width for word in line)
    top = min(word.top for word in line)
    bottom = max(word.top + word.height for word in line)
    width, height = right - left, bottom - top
    if len(line) == 1:  # one word: its letters run along the longer side
        return min(width, height)
    return height if _horizontal(line) else width


def _horizontal(line: list[Word]) -> bool:
    first, last = line[0], line[-1]
    return abs(last.left - first.left) >= abs(last.top - first.top)
