"""Page furniture: running headers, footers and page numbers, dropped before the layout is read."""

from __future__ import annotations

import functools
import re

from pipeline.budget import Budget
from pipeline.readers.pdf.lines import Line, Page

# Margins in which running headers, footers and page numbers are looked for, as a share of the page
# height; a line there that repeats (digits normalised) on this many pages at about the same height
# (within _REPEAT_TOLERANCE points) is dropped. Calibrated on the four reports in ../shared/real/pdf
# (headers at 3–8 %, footers at 93–97 %); re-check with tests/test_pdf.py's real-report tests.
_MARGIN_SHARE = 0.12
_REPEAT_MIN_PAGES = 3
_REPEAT_TOLERANCE = 6.0
# A running title stands apart: the text begins at least this many of its line heights below it (the
# annual accounts' section titles: 5; a first body line: under 1).
_APART_HEIGHTS = 2.0
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]?\s*\d{1,4}\s*[-–—]?|(?:Seite|S\.|Page)\s*\d{1,4}(?:\s*(?:von|/|of)\s*\d{1,4})?"
    r"|\d{1,4}\s*(?:/|von)\s*\d{1,4})$",
    re.IGNORECASE,
)


def _margin_key(line: Line) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.text.lower()))


def drop_running_lines(pages: list[Page], budget: Budget) -> None:
    """Drop page numbers and lines that repeat at the same place in the margins of several pages.

    A line repeats when the same text (digits normalised) stands there on other pages, or when it stands
    apart from the text (a running section title such as "ANHANG ZUM JAHRESABSCHLUSS" that changes from
    section to section) where lines standing apart are on other pages too.
    """
    # Pages on which a line of this key stands at about this height, in buckets of _REPEAT_TOLERANCE.
    places: dict[tuple[str | None, int], set[int]] = {}
    for page in pages:
        budget.check()
        for line in _margin_lines(page):
            keys = [_margin_key(line)] + ([None] if _stands_apart(line, page) else [])
            for key in keys:
                places.setdefault((key, round(line.top / _REPEAT_TOLERANCE)), set()).add(page.number)
    min_pages = min(_REPEAT_MIN_PAGES, max(2, len(pages)))

    @functools.cache  # once per key and height, so that a header on every page costs one count
    def pages_near(key: str | None, bucket: int) -> int:
        return len(set().union(*(places.get((key, b), set()) for b in (bucket - 1, bucket, bucket + 1))))

    def on_pages(key: str | None, line: Line) -> int:
        return pages_near(key, round(line.top / _REPEAT_TOLERANCE))

    for page in pages:
        budget.check()
        running = {
            id(line)
            for line in _margin_lines(page)
            if _PAGE_NUMBER.match(line.text)
            or on_pages(_margin_key(line), line) >= min_pages
            or (_stands_apart(line, page) and on_pages(None, line) >= min_pages)
        }
        page.lines = [line for line in page.lines if id(line) not in running]


def _margin_lines(page: Page) -> list[Line]:
    top, bottom = _MARGIN_SHARE * page.height, (1 - _MARGIN_SHARE) * page.height
    return [line for line in page.lines if line.bottom < top or line.top > bottom]


def _stands_apart(line: Line, page: Page) -> bool:
    """No other line within _APART_HEIGHTS line heights towards the middle of the page, and some text
    there to stand apart from (a page's only line is its content, not its header)."""
    upper = line.bottom < page.height / 2
    if not any(other.top > line.bottom if upper else other.bottom < line.top for other in page.lines):
        return False
    for other in page.lines:
        gap = other.top - line.bottom if upper else line.top - other.bottom
        if other is not line and -0.5 * line.height < gap < _APART_HEIGHTS * line.height:
            return False
    return True
