"""PDF reports: the paragraphs a person reads, rebuilt from the positioned characters pdfminer.six gives.

Per page, pdfminer groups characters into lines (with position, font and size). From there this module
drops running headers, footers and page numbers (lines that repeat at the same place across pages, digits
normalised, and page-number patterns in the margins), keeps table rows out of the text, finds the columns
(two, three or more) and reads them left to right, takes footnotes out of the column they end, and rebuilds
paragraphs from line spacing, indentation and font: headings by size or weight relative to the body font,
list items by their marker. Words hyphenated at a line end are joined only where the joined form is a word.
"""

from __future__ import annotations

import logging

from pipeline.budget import UNLIMITED, Budget, OverBudget
from pipeline.readers.base import Extraction, FormatError
from pipeline.readers.pdf.furniture import drop_running_lines
from pipeline.readers.pdf.lines import read_pages
from pipeline.readers.pdf.opening import PDF_MAX_EXPANSION, check_expansion, open_document, read_metadata
from pipeline.readers.pdf.paragraphs import build_blocks

SUFFIXES = (".pdf",)

# A report longer than this is refused rather than read for many minutes (0.1–0.5 s a page on the
# reports in ../shared/real/pdf, bench/pdf_pages.py); raise it if longer documents are routine.
MAX_PAGES = 2000
# Every page and every glyph needs bytes of the file: a page object at least this many (after object
# streams inflate at most PDF_MAX_EXPANSION times), a glyph at least one byte of inflated content. So a
# file of input.max_bytes may have at most max_bytes / _MIN_PAGE_BYTES pages and draw at most
# PDF_MAX_EXPANSION × max_bytes glyphs unless it draws the same content again and again (a bomb).
_MIN_PAGE_BYTES = 5


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about sloppy files are noise here
    document = open_document(data)
    try:
        check_expansion(document, max_bytes, budget)
        metadata = read_metadata(document)
        max_pages = max(1, min(MAX_PAGES, max_bytes // _MIN_PAGE_BYTES))
        pages, unreadable = read_pages(document, budget, max_pages, PDF_MAX_EXPANSION * max_bytes)
    except (FormatError, OverBudget):
        raise
    # pdfminer fails on damaged files with many types (PDFSyntaxError, PSEOF, KeyError, TypeError,
    # zlib.error, …); to the reader they all mean the same.
    except Exception as exc:
        raise FormatError(f"damaged PDF ({type(exc).__name__}: {exc})") from None
    # OCR hook (pipeline/readers/pdf_ocr.py): pages without a usable text layer are read by OCR. Imported
    # here: the OCR's layout joins lines with this package's hyphenation module.
    from pipeline.readers import pdf_ocr

    scan_pages = pdf_ocr.wanted(pages)
    no_ocr = pdf_ocr.unavailable() if scan_pages else None
    scans = pdf_ocr.read_scanned(data, [] if no_ocr else scan_pages, budget)
    pages_with_text = [page for page in pages if page.number not in scans.pages]
    notes = []
    if unreadable:
        notes.append(
            f"{_pages_phrase(unreadable)} could not be read (damaged) and {_were(unreadable)} left out"
        )
    garbled = [page.number for page in pages_with_text if page.garbled]
    if not any(page.lines for page in pages_with_text) and not any(p.blocks for p in scans.pages.values()):
        if unreadable:
            raise FormatError(f"damaged PDF: no page could be read ({_pages_phrase(unreadable)})")
        if garbled and not no_ocr:
            raise FormatError("the text layer cannot be read: its fonts do not say which letters they draw")
        if no_ocr:
            raise FormatError(f"no text layer (a scanned PDF?), and {no_ocr}")
        raise FormatError(
            "no text layer (a scanned PDF?)" + (", and OCR found no text" if scans.pages else "")
        )
    if garbled:
        notes.append(
            f"{_pages_phrase(garbled)}: the fonts do not say which letters they draw; "
            f"{'it was' if len(garbled) == 1 else 'they were'} left out"
        )
    scanned = [p.number for p in pages_with_text if not p.lines and p.has_images and not p.garbled]
    if scanned:
        notes.append(
            f"{_pages_phrase(scanned)} {'has' if len(scanned) == 1 else 'have'} no text layer (scanned?) "
            f"and {_were(scanned)} left out" + (f": {no_ocr}" if no_ocr else "")
        )
    notes += scans.notes
    try:
        drop_running_lines(pages_with_text, budget)
        blocks, uncertain = pdf_ocr.merge(pages, scans, lambda run: build_blocks(run, budget))
    except OverBudget:
        raise
    except Exception as exc:  # a layout this module does not foresee; the file is reported, the batch goes on
        raise FormatError(
            f"the pages could not be laid out as paragraphs ({type(exc).__name__}: {exc})"
        ) from None
    return Extraction(blocks=blocks, metadata=metadata, notes=notes, uncertain=uncertain)


def _pages_phrase(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return f"pages {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def _were(numbers: list[int]) -> str:
    return "was" if len(numbers) == 1 else "were"
