"""Pages into lines: pdfminer's characters grouped into positioned lines (font, size, weight), the
superscript footnote markers taken out, unreadable pages told apart, and the boxes of charts found."""

from __future__ import annotations

import functools
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from pipeline.budget import Budget, OverBudget
from pipeline.readers.base import FormatError
from pipeline.readers.pdf.glyphs import LETTER_SPACED, is_math, is_mono, mend_case, normalise, spaced_text

# Charts: a drawing at least _CHART_MIN_CELLS cells of _CHART_CELL points each way whose paths have at
# least _CHART_MIN_PLOTTED slanted stretches. Calibrated on ../shared/real/pdf: the bulletin's line
# charts have 152–1378 slanted stretches, logos and icons in the other reports at most 87, ruled tables
# none. Re-check: the chart-label assertions in tests/test_pdf.py and bench/pdf_pages.py's real reports.
_CHART_CELL = 10.0
_CHART_MIN_PLOTTED = 120
_CHART_MIN_CELLS = 6

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|[-,]b(?:d|old)?$", re.IGNORECASE)
_UNMAPPED = re.compile(r"\(cid:\d+\)")
# A page where unmapped glyphs ("(cid:N)") make up this share of the characters is unreadable; a few
# stray ones (the paper's code listing has two) are harmless.
_MAX_UNMAPPED_SHARE = 0.2
# Superscript markers: set at most this share of the size of the text around them, the baseline raised
# by at least _RISE_SHARE of that size.
_SUPERSCRIPT_RATIO = 0.85
# Glyphs drawn between two looks at the stop flag and the deadline (a few milliseconds of work).
_CHECK_EVERY = 2000
_RISE_SHARE = 0.2
# A drawn line or bar at most this many points thick is a rule (a table's row lines are 0.5–1.5 pt thick).
_RULE_MAX_THICKNESS = 2.0
_RULE_MIN_LENGTH = 5.0


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float  # distance from the top of the page, in points
    bottom: float
    size: float
    bold: bool
    page: int
    marker_start: bool = False  # begins with a superscript number (a footnote's own text)
    mono: bool = False  # set mostly in a monospaced font (program code)
    math: bool = False  # set largely in mathematical fonts or letters (a formula)
    skip: float = 0.0  # height of a text box taken out right above it (not part of its gap to the line above)

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    has_images: bool
    charts: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0, top, x1, bottom
    rects: list[tuple[float, float, float, float]] = field(default_factory=list)  # drawn rectangles, likewise
    rules: list[tuple[float, float, float]] = field(default_factory=list)  # horizontal rules: x0, y, x1
    garbled: bool = False  # text whose fonts map no glyph to a letter; its lines are dropped


@dataclass
class Stream:
    """Lines read one after another: one column of one band of a page, or a table."""

    lines: list[Line]
    table: bool = False
    boxed: bool = False  # a text box's: read after the flow it sits in
    footnotes: list[list[Line]] = field(default_factory=list)


def read_pages(document, budget: Budget, max_pages: int, max_chars: int) -> tuple[list[Page], list[int]]:
    """The pages' lines, page by page; `budget` is checked between pages and every _CHECK_EVERY glyphs
    within one, and a document drawing more than `max_chars` glyphs is refused (a page can draw the same
    small form many times, so the inflated size alone does not bound the work)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import resolve1

    count = resolve1(resolve1(document.catalog.get("Pages") or {}).get("Count")) if document.catalog else None
    if isinstance(count, int) and count > max_pages:
        raise FormatError(f"the PDF has {count:,} pages, more than the limit of {max_pages:,}")

    mended: set[int] = set()  # the resource manager caches fonts for the document: each is looked at once

    class Aggregator(PDFPageAggregator):
        drawn = 0

        def render_char(self, matrix, font, *args, **kwargs):
            if id(font) not in mended:
                mended.add(id(font))
                mend_case(font)
            self.drawn += 1
            if self.drawn % _CHECK_EVERY == 0:
                budget.check()
                if self.drawn > max_chars:
                    raise FormatError(
                        f"the PDF draws more than {max_chars:,} characters "
                        "(the limit grows with input.max_bytes)"
                    )
            return super().render_char(matrix, font, *args, **kwargs)

    resources = PDFResourceManager(caching=True)
    # boxes_flow=None: no box ordering by pdfminer (slow, and the columns are found here instead).
    aggregator = Aggregator(resources, laparams=LAParams(boxes_flow=None))
    interpreter = PDFPageInterpreter(resources, aggregator)
    pages, unreadable = [], []
    for number, page in enumerate(PDFPage.create_pages(document), start=1):
        budget.check()
        if number > max_pages:
            raise FormatError(f"the PDF has more than {max_pages:,} pages, the limit")
        try:
            interpreter.process_page(page)
            layout = aggregator.get_result()
        except (FormatError, OverBudget):
            raise
        except Exception:
            unreadable.append(number)
            continue
        pages.append(page_from_layout(number, layout))
    return pages, unreadable


def page_from_layout(number: int, layout) -> Page:
    from pdfminer.layout import LTCurve, LTFigure, LTImage, LTLine, LTRect, LTTextLineHorizontal

    lines: list[Line] = []
    shapes: list[tuple[float, float, float, float, int]] = []
    rects: list[tuple[float, float, float, float]] = []
    rules: list[tuple[float, float, float]] = []
    has_images = False

    def walk(item) -> None:
        nonlocal has_images
        for child in item:
            if isinstance(child, LTTextLineHorizontal):
                line = line_from_layout(child, number, layout.height)
                if line is not None:
                    lines.append(line)
            elif isinstance(child, LTImage):
                has_images = True
            elif isinstance(child, LTCurve):
                top, bottom = layout.height - child.y1, layout.height - child.y0
                shapes.append((child.x0, top, child.x1, bottom, _plotted(child.pts)))
                if isinstance(child, LTRect):
                    rects.append((child.x0, top, child.x1, bottom))
                thin = bottom - top <= _RULE_MAX_THICKNESS and child.x1 - child.x0 >= _RULE_MIN_LENGTH
                if thin and isinstance(child, (LTLine, LTRect)):  # a chart's plotted curves are not rules
                    rules.append((child.x0, (top + bottom) / 2, child.x1))  # a line or a thin bar
            elif isinstance(child, LTFigure):
                walk(c for c in child if isinstance(c, (LTImage, LTFigure, LTCurve)))  # its text is a chart's
            elif hasattr(child, "__iter__"):
                walk(child)

    walk(layout)
    lines.sort(key=lambda line: (round(line.top), line.x0))
    page = Page(
        number, layout.width, layout.height, lines, has_images, find_charts(shapes, layout), rects, rules
    )
    unmapped = sum(len(code) for line in lines for code in _UNMAPPED.findall(line.text))
    if unmapped > _MAX_UNMAPPED_SHARE * sum(len(line.text) for line in lines):
        page.lines, page.garbled = [], True
    return page


def _plotted(points) -> int:
    """The slanted stretches of a path: a plotted line has many, a table's rule or a box none."""
    return sum(abs(x1 - x0) > 0.5 and abs(y1 - y0) > 0.5 for (x0, y0), (x1, y1) in itertools.pairwise(points))


def find_charts(shapes, layout) -> list[tuple[float, float, float, float]]:
    """The boxes of drawings with plotted lines in them (charts): connected cells of a _CHART_CELL grid
    that shapes cover, at least _CHART_MIN_CELLS each way, whose paths have at least _CHART_MIN_PLOTTED
    slanted stretches (bar charts, drawn with boxes only, are not found)."""
    cells: dict[tuple[int, int], int] = {}  # covered cell: slanted stretches of the paths centred in it
    for x0, top, x1, bottom, plotted in shapes:
        if x1 - x0 > layout.width / 2 and bottom - top > layout.height / 2:
            continue  # a page frame or background
        for i in range(int(x0 // _CHART_CELL), int(x1 // _CHART_CELL) + 1):
            for j in range(int(top // _CHART_CELL), int(bottom // _CHART_CELL) + 1):
                cells.setdefault((i, j), 0)
        centre = (int((x0 + x1) / 2 // _CHART_CELL), int((top + bottom) / 2 // _CHART_CELL))
        cells[centre] += plotted
    charts, seen = [], set()
    for start in cells:
        if start in seen:
            continue
        seen.add(start)
        component, todo = [], [start]
        while todo:
            i, j = todo.pop()
            component.append((i, j))
            for neighbour in ((i + di, j + dj) for di in (-1, 0, 1) for dj in (-1, 0, 1)):
                if neighbour in cells and neighbour not in seen:
                    seen.add(neighbour)
                    todo.append(neighbour)
        columns = [i for i, _ in component]
        rows = [j for _, j in component]
        big = min(max(columns) - min(columns), max(rows) - min(rows)) + 1 >= _CHART_MIN_CELLS
        if big and sum(cells[cell] for cell in component) >= _CHART_MIN_PLOTTED:
            charts.append(
                (
                    min(columns) * _CHART_CELL,
                    min(rows) * _CHART_CELL,
                    (max(columns) + 1) * _CHART_CELL,
                    (max(rows) + 1) * _CHART_CELL,
                )
            )
    return charts


def line_from_layout(item, page: int, page_height: float) -> Line | None:
    from pdfminer.layout import LTChar

    # Rotated characters are a chart's axis labels or a margin note, never running text.
    visible = [c for c in item if isinstance(c, LTChar) and c.upright and c.get_text().strip()]
    if not visible:
        return None
    sizes = Counter(round(c.size, 1) for c in visible)
    size = sizes.most_common(1)[0][0]
    base = statistics.median(c.y0 for c in visible if round(c.size, 1) == size)
    parts = []
    marker_start = dropped_marker = False
    seen_text = False
    last = None
    for obj in item:
        text = obj.get_text()
        if isinstance(obj, LTChar) and not obj.upright:
            continue
        if isinstance(obj, LTChar):
            if last is not None and _overprinted(last, obj):
                continue
            last = obj
        if isinstance(obj, LTChar) and len(text) > 1:
            # One glyph, several characters: a font whose ToUnicode map gives its period as " ." (the
            # annual accounts in ../shared/real/pdf: "4 .932,00", "Abs . 1") adds a space no one typed.
            text = text.strip() or text
        if isinstance(obj, LTChar) and text.strip():
            superscript = obj.size <= _SUPERSCRIPT_RATIO * size and obj.y0 > base + _RISE_SHARE * size
            if superscript and (text.isdigit() or text in ",*†"):
                marker_start = marker_start or not seen_text
                dropped_marker = True
                continue
            seen_text = True
        parts.append(text)
    # pdfminer writes "(cid:N)" for a glyph its font maps to no letter; 32 is the space in every encoding.
    text = re.sub(r"\s+", " ", "".join(parts).replace("(cid:32)", " ")).strip()
    if dropped_marker:
        text = re.sub(r" (?=[,.;:])", "", text)  # "Nachname¹, …" lost its marker, not its comma
    if LETTER_SPACED.search(text) and not dropped_marker:
        text = (
            spaced_text([c for i, c in enumerate(visible) if not (i and _overprinted(visible[i - 1], c))])
            or text
        )
    text = normalise(text)
    if not text:
        return None
    fonts = [c.fontname for c in visible]
    bold = sum(map(_is_bold, fonts)) > len(visible) / 2
    return Line(
        text=text,
        x0=item.x0,
        x1=item.x1,
        top=page_height - item.y1,
        bottom=page_height - item.y0,
        size=size,
        bold=bold,
        page=page,
        marker_start=marker_start,
        mono=sum(map(is_mono, fonts)) > len(visible) / 2,
        math=sum(is_math(f, c.get_text()) for f, c in zip(fonts, visible, strict=True)) > len(visible) / 3,
    )


@functools.cache
def _is_bold(fontname: str) -> bool:
    return bool(_BOLD_FONT.search(fontname.split("+")[-1]))


def _overprinted(a, b) -> bool:
    """The same glyph drawn again on the place of the one before (fake bold, a doubled text layer)."""
    close = 0.1 * a.size
    return a.get_text() == b.get_text() and abs(a.x0 - b.x0) < close and abs(a.y0 - b.y0) < close
