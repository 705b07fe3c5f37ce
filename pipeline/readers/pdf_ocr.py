"""The PDF reader's OCR step: pages without a usable text layer (a whole scan, or scanned pages inside a
digital PDF, or fonts that name no letters) rendered with pypdfium2 and read by OCR
(pipeline.readers.scans); with ocr.enabled = "on", every page. Pages with text are not touched: their
paragraphs come from the PDF reader's own layout, the OCR'd pages' paragraphs are put in their place.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers import ocr
from pipeline.readers.base import Block, FormatError
from pipeline.readers.scans import MAX_PAGE_PIXELS, PageImage, Scans, read_scans

_POINTS_PER_INCH = 72


def wanted(pages) -> list[int]:
    """The numbers of the pages to read by OCR under ocr.enabled (whether or not it can run here)."""
    mode = ocr.settings().enabled
    if mode == "off":
        return []
    return [p.number for p in pages if mode == "on" or (not p.lines and (p.has_images or p.garbled))]


def unavailable() -> str | None:
    """Why OCR cannot read this document's scanned pages (off, not installed), or None."""
    config = ocr.settings()
    if config.enabled == "off":
        return 'OCR is off (ocr.enabled = "off")'
    problem = ocr.missing(config.languages)
    if problem is None:
        try:
            import pypdfium2  # noqa: F401
        except ImportError:
            problem = "pypdfium2 is not installed (pip install '.[ocr]')"
    return problem


def read_scanned(data: bytes, numbers: list[int], budget: Budget = UNLIMITED) -> Scans:
    """OCR of the pages `numbers` (1-based) of the PDF `data`."""
    if not numbers:
        return Scans()
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise FormatError(f"the scanned pages cannot be rendered ({exc})") from None
    try:
        notes: list[str] = []
        scans = read_scans(_images(document, numbers, notes), len(numbers), budget)
        scans.notes += notes
        return scans
    finally:
        document.close()


def _images(document, numbers: list[int], notes: list[str]) -> Iterator[PageImage]:
    dpi = ocr.settings().dpi
    for number in numbers:
        page = document[number - 1]
        width, height = page.get_size()  # points
        pixels = (width * dpi / _POINTS_PER_INCH) * (height * dpi / _POINTS_PER_INCH)
        page_dpi = dpi
        if pixels > MAX_PAGE_PIXELS:  # a huge page: fewer pixels to the inch, never more pixels in all
            page_dpi = max(1, int(dpi * (MAX_PAGE_PIXELS / pixels) ** 0.5))
            notes.append(
                f"page {number} is {width / _POINTS_PER_INCH:,.0f} × {height / _POINTS_PER_INCH:,.0f} "
                f"inches; OCR read it at {page_dpi} dpi"
            )
        yield number, page_dpi, _renderer(page, page_dpi)


def _renderer(page, dpi: int) -> Callable[[], object]:
    def render():
        return page.render(scale=dpi / _POINTS_PER_INCH, grayscale=True).to_pil().convert("L")

    return render


def merge(
    pages, scans: Scans, build: Callable[[list], list[Block]]
) -> tuple[list[Block], dict[int, list[str]]]:
    """All pages' blocks in page order: runs of pages with text through the PDF layout (`build`), the
    OCR'd pages' own paragraphs in their place; and the OCR'd blocks' low-confidence words by index."""
    blocks: list[Block] = []
    uncertain: dict[int, list[str]] = {}
    for scanned, run in itertools.groupby(pages, key=lambda page: page.number in scans.pages):
        if not scanned:
            blocks += build(list(run))
            continue
        for page in run:
            scans.add_page(page.number, blocks, uncertain)
    return blocks, uncertain
