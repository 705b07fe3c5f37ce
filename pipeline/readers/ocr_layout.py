"""Paragraphs of an OCR'd page from Tesseract's own layout: its blocks (columns and other text regions,
already in reading order), their paragraphs and lines. Lines are joined as the PDF reader joins them
(hyphenation by pipeline.readers.pdf.hyphenation); a short paragraph set in lines clearly taller than the
page's usual line is a heading.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass, field

from pipeline.readers.base import Block
from pipeline.readers.ocr import Word
from pipeline.readers.pdf.hyphenation import Vocabulary, join_lines

# A paragraph of at most _HEADING_MAX_LINES lines whose lines are at least _HEADING_RATIO times as tall as
# the page's median line, and that does not end like a sentence, is a heading. Calibrated on the generated
# scans of tests/test_ocr.py (a heading set 1.6× the body) and the calibration half's OCR'd pages
# (bench/ocr.py prints the headings found); body lines vary by about ±15 % with their ascenders.
_HEADING_RATIO = 1.3
_HEADING_MAX_LINES = 2
# A word Tesseract is less sure of than this (0–100) is named in the sentence's review flag `ocr`.
# Calibrated on the calibration half of bench/ocr.py (300 and 150 dpi): most words under it differ from
# the text layer, few over it; `python bench/ocr.py` prints the share for both halves.
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
    vocabulary = Vocabulary(word.text for word in words)
    page = OcrPage([], statistics.fmean(word.confidence for word in words))
    for _, group in itertools.groupby(lines, key=lambda line: (line[0].block, line[0].paragraph)):
        paragraph = list(group)
        texts = [" ".join(word.text for word in line) for line in paragraph]
        text = join_lines(texts, vocabulary)
        tall = all(_thickness(line) >= _HEADING_RATIO * usual for line in paragraph)
        heading = tall and len(paragraph) <= _HEADING_MAX_LINES and not text.endswith((".", ",", ";"))
        page.blocks.append(("heading" if heading else "body", text))
        page.uncertain.append(
            [word.text for line in paragraph for word in line if word.confidence < LOW_CONFIDENCE]
        )
    return page


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
