"""Pages read by OCR: one document's page images through Tesseract (pipeline.readers.ocr) into
paragraphs (pipeline.readers.ocr_layout), with the notes its briefing shows: each page read and its mean
word confidence, pages left out (page limit, time limit) and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers.base import Block
from pipeline.readers.ocr import PageTimeout, recognise, settings
from pipeline.readers.ocr_layout import OcrPage, page_blocks

# A page image larger than this is read at a lower resolution (a PDF page) or refused (an image file):
# an A3 page at 600 dpi has 70 million pixels; Tesseract needs about 12 bytes of memory a pixel.
MAX_PAGE_PIXELS = 100_000_000


@dataclass
class Scans:
    pages: dict[int, OcrPage] = field(default_factory=dict)  # page number → its paragraphs
    notes: list[str] = field(default_factory=list)

    def add_page(self, number: int, blocks: list[Block], uncertain: dict[int, list[str]]) -> None:
        """Append page `number`'s paragraphs to `blocks`, its low-confidence words to `uncertain` (block
        index → words)."""
        page = self.pages.get(number)
        for block, words in zip(page.blocks, page.uncertain, strict=True) if page else ():
            if words:
                uncertain[len(blocks)] = words
            blocks.append(block)


# (page number, resolution in dpi, a function that gives the page's grey image)
PageImage = tuple[int, int, Callable[[], object]]


def read_scans(images: Iterable[PageImage], count: int, budget: Budget = UNLIMITED) -> Scans:
    """OCR of the page images in order, at most ocr.max_pages of the document's `count` pages."""
    limit = settings().max_pages
    scans, timed_out = Scans(), []
    for number, dpi, render in images:
        budget.check()
        if len(scans.pages) + len(timed_out) >= limit:
            scans.notes.append(
                f"OCR read {limit:,} of the {count:,} scanned pages (ocr.max_pages); the rest were left out"
            )
            break
        try:
            scans.pages[number] = page_blocks(recognise(render(), dpi, budget))
        except PageTimeout:
            timed_out.append(number)
    read = [(n, page.confidence) for n, page in scans.pages.items() if page.confidence is not None]
    if read:
        listed = ", ".join(f"page {n} {confidence:.0f} %" for n, confidence in read)
        scans.notes.insert(0, f"read by OCR (check against the scan), mean word confidence: {listed}")
    empty = [n for n, page in scans.pages.items() if page.confidence is None]
    if empty:
        one = len(empty) == 1
        scans.notes.append(
            f"{_pages(empty)} {'has' if one else 'have'} no text layer, and OCR found no text on "
            f"{'it (a picture?)' if one else 'them (pictures?)'}"
        )
    if timed_out:
        scans.notes.append(
            f"OCR of {_pages(timed_out)} took longer than "
            f"{settings().page_seconds:g} s (ocr.page_seconds); left out"
        )
    return scans


def _pages(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return f"pages {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"
