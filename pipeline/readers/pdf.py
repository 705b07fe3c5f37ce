"""PDF reports: the paragraphs a person reads, rebuilt from the positioned characters pdfminer.six gives.

Per page, pdfminer groups characters into lines (with position, font and size). From there this module
drops running headers, footers and page numbers (lines that repeat at the same place across pages, digits
normalised, and page-number patterns in the margins), keeps table rows out of the text, finds the columns
(two, three or more) and reads them left to right, takes footnotes out of the column they end, and rebuilds
paragraphs from line spacing, indentation and font: headings by size or weight relative to the body font,
list items by their marker. Words hyphenated at a line end are joined only where the joined form is a word.
"""

from __future__ import annotations

import functools
import gzip
import io
import itertools
import json
import logging
import re
import statistics
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.budget import UNLIMITED, Budget, OverBudget
from pipeline.readers.base import Block, Extraction, FormatError

SUFFIXES = (".pdf",)

# A report longer than this is refused rather than read for many minutes (0.1–0.5 s a page on the
# reports in ../shared/real/pdf, bench/pdf_pages.py); raise it if longer documents are routine.
MAX_PAGES = 2000
# Content, font and object streams (everything pdfminer decompresses to get the text; images are never
# decoded) may unpack to at most this multiple of input.max_bytes, so a PDF whose streams decompress to
# gigabytes is refused after reading at most that much. The four reports in ../shared/real/pdf unpack to
# 0.45–2.9× their file size (the bulletin, with its vector charts, the most); like the .docx check.
PDF_MAX_EXPANSION = 10
_INFLATE_CHUNK = 1 << 20

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
# A heading is set at least this much larger than the body font, or bold at body size and short.
_HEADING_SIZE_RATIO = 1.15
_BOLD_HEADING_MAX_CHARS = 100
_BOLD_HEADING_MAX_LINES = 2
_LARGE_HEADING_MAX_CHARS = 250
# Footnotes and superscript markers: set at most this share of the size of the text around them; a
# superscript's baseline is raised by at least _RISE_SHARE of the surrounding size.
_SMALL_RATIO = 0.9
_SUPERSCRIPT_RATIO = 0.85
_RISE_SHARE = 0.2
# Paragraph breaks: a gap this many body sizes larger than the usual line gap; a first line indented by
# at least _INDENT_SIZES body sizes; a line ending a sentence this much short of the column's right edge.
_GAP_SIZES = 0.5
_INDENT_SIZES = 1.0
_SHORT_LINE_SHARE = 0.25
# Two columns: a gutter between 30 % and 70 % of the page width crossed by lines holding at most this
# share of the page's characters (a one-column page: 80–100 %; the two-column pages of the bulletin and
# the annual accounts with full-width titles and captions: 0–25 %), with at least _COLUMN_MIN_LINES lines
# on each side. Each side is searched the same way within its own width, so three columns (gutters at a
# third and two thirds) come out as three; on the real reports no side of a two-column page has one.
_GUTTER_RANGE = (0.3, 0.7)
_GUTTER_MAX_CROSSING = 0.4
_COLUMN_MIN_LINES = 4
# Charts: a drawing at least _CHART_MIN_CELLS cells of _CHART_CELL points each way whose paths have at
# least _CHART_MIN_PLOTTED slanted stretches; text smaller than the body font inside it, beside it or
# within _CHART_MARGIN_SIZES body sizes below it is its labelling. Calibrated on ../shared/real/pdf: the
# bulletin's line charts have 152–1378 slanted stretches, logos and icons in the other reports at most 87,
# ruled tables none; axis titles sit up to 24 pt below the axis, captions from 35 pt. Re-check: the
# chart-label assertions in tests/test_pdf.py and the output of bench/pdf_pages.py's real reports.
_CHART_CELL = 10.0
_CHART_MIN_PLOTTED = 120
_CHART_MIN_CELLS = 6
_CHART_MARGIN_SIZES = 2.5

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|[-,]b(?:d|old)?$", re.IGNORECASE)
_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
# "16. März" at the start of a line is a date, not item 16.
_LIST_MARKER = re.compile(
    rf"^(?:[•◦▪▫■□●○‣⁃–—\-*·]|\(?(?:\d{{1,2}}|[a-z]{{1,2}}|[ivx]{{1,4}})[.)])\s+(?!(?:{_MONTHS})\b)\S"
)
# "Abb. 1 | …", "Tabelle 2: …"; not "Tab. 1 (S. 15)" or "Abb. 4)." continuing a sentence.
_CAPTION = re.compile(
    r"^(?:Abb\.|Abbildung|Tab\.|Tabelle|Grafik|Figure|Fig\.)\s*\d+[a-z]?(?:\s*[:|.–-]\s|\s*[:|.]?$)",
    re.IGNORECASE,
)
_FOOTNOTE_START = re.compile(r"^(?:\d{1,3}|[*#†]{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s*[^\W\d_]")
_NUMERIC_CELL = re.compile(r"^[-–+]?[\d\s.,%€$()/–-]*\d[\d\s.,%€$()/–-]*(?:T?EUR|T€|Mio\.?|Mrd\.?)?$")
_SENTENCE_END = re.compile(r"[.!?:;…]['\"“”‘’»«)]*$")
_REFERENCE_LABEL = re.compile(r"\[[^\]\s]{1,12}\]")
_OPENING_QUOTE = re.compile(r"[\"„“‚‘»«']")
# A table of contents entry: "Bilanz zum 31. Dezember 2021 . . . . . . 2"; the leader and page go.
_CONTENTS_ENTRY = re.compile(r"(?:\s*[.…·]){4,}\s*\d{0,4}$")
_UNMAPPED = re.compile(r"\(cid:\d+\)")
# A page where unmapped glyphs ("(cid:N)") make up this share of the characters is unreadable; a few
# stray ones (the paper's code listing has two) are harmless.
_MAX_UNMAPPED_SHARE = 0.2
_HYPHENS = "-\u00ad\u2010"
_WORD = re.compile(r"[^\W\d_]+")
# After "Ein-" a conjunction means a suspended compound ("Ein- und Ausfuhr"): the hyphen and space stay.
_SUSPENSION_WORDS = frozenset({"und", "oder", "bzw", "sowie", "bis", "als", "wie", "noch", "u", "resp"})


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

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    has_images: bool
    charts: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0, top, x1, bottom
    garbled: bool = False  # text whose fonts map no glyph to a letter; its lines are dropped


@dataclass
class _Stream:
    """Lines read one after another: one column of one band of a page, or a table."""

    lines: list[Line]
    table: bool = False
    footnotes: list[list[Line]] = field(default_factory=list)


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about sloppy files are noise here
    document = _open(data)
    try:
        _check_expansion(document, max_bytes)
        metadata = _metadata(document)
        pages, unreadable = _read_pages(document, budget)
    except (FormatError, OverBudget):
        raise
    # pdfminer fails on damaged files with many types (PDFSyntaxError, PSEOF, KeyError, TypeError,
    # zlib.error, …); to the reader they all mean the same.
    except Exception as exc:
        raise FormatError(f"damaged PDF ({type(exc).__name__}: {exc})") from None
    notes = []
    if unreadable:
        notes.append(
            f"{_pages_phrase(unreadable)} could not be read (damaged) and {_were(unreadable)} left out"
        )
    garbled = [page.number for page in pages if page.garbled]
    if not any(page.lines for page in pages):
        if unreadable:
            raise FormatError(f"damaged PDF: no page could be read ({_pages_phrase(unreadable)})")
        if garbled:
            raise FormatError("the text layer cannot be read: its fonts do not say which letters they draw")
        raise FormatError("no text layer (a scanned PDF? OCR is not supported)")
    if garbled:
        notes.append(
            f"{_pages_phrase(garbled)}: the fonts do not say which letters they draw; "
            f"{'it was' if len(garbled) == 1 else 'they were'} left out"
        )
    scanned = [page.number for page in pages if not page.lines and page.has_images and not page.garbled]
    if scanned:
        notes.append(
            f"{_pages_phrase(scanned)} {'has' if len(scanned) == 1 else 'have'} no text layer (scanned?) "
            f"and {_were(scanned)} left out"
        )
    try:
        _drop_running_lines(pages)
        blocks = _blocks(pages)
    except Exception as exc:  # a layout this module does not foresee; the file is reported, the batch goes on
        raise FormatError(
            f"the pages could not be laid out as paragraphs ({type(exc).__name__}: {exc})"
        ) from None
    return Extraction(blocks=blocks, metadata=metadata, notes=notes)


# --- opening and limits -------------------------------------------------------------------------


def _open(data: bytes):
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    try:
        return PDFDocument(PDFParser(io.BytesIO(data)))
    except PDFPasswordIncorrect:
        raise FormatError("encrypted PDF: it cannot be opened without a password") from None
    except PDFEncryptionError as exc:
        raise FormatError(f"encrypted PDF that cannot be read ({exc})") from None
    except Exception as exc:  # the many types pdfminer raises on a file that is not a PDF or is damaged
        raise FormatError(f"not a valid PDF ({type(exc).__name__}: {exc})") from None


def _check_expansion(document, max_bytes: int) -> None:
    """Refuse a PDF whose non-image streams inflate beyond the limit, measuring without keeping the output."""
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream

    limit = PDF_MAX_EXPANSION * max_bytes
    total = 0
    for xref in document.xrefs:
        for objid in xref.get_objids():
            if xref.get_pos(objid)[0] is not None:
                continue  # inside an object stream, which is itself measured; streams are never inside one
            try:
                obj = document.getobj(objid)
            except Exception:
                continue  # a broken object fails later, where it is used
            if not isinstance(obj, PDFStream) or _name(obj.get("Subtype")) == "Image":
                continue
            data = obj.rawdata
            if data is None:
                continue
            filters = obj.get_filters()
            if filters and filters[0][0] in LITERALS_FLATE_DECODE:
                if obj.decipher:
                    data = obj.decipher(obj.objid, obj.genno, data, obj.attrs)
                total += _inflated_size(data, limit - total + 1)
            else:
                total += len(data)
            if total > limit:
                raise FormatError(
                    f"the PDF's streams decompress to more than {limit:,} bytes "
                    f"({PDF_MAX_EXPANSION} × input.max_bytes)"
                )


def _inflated_size(data: bytes, stop_after: int) -> int:
    inflater = zlib.decompressobj()
    size = 0
    try:
        chunk = inflater.decompress(data, _INFLATE_CHUNK)
        while chunk:
            size += len(chunk)
            if size >= stop_after:
                break
            chunk = inflater.decompress(inflater.unconsumed_tail, _INFLATE_CHUNK)
    except zlib.error:
        pass  # pdfminer recovers what it can of a corrupt stream; the part counted so far stands
    return size


def _name(value) -> str | None:
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSLiteral

    value = resolve1(value)
    return value.name if isinstance(value, PSLiteral) else None


# --- metadata -------------------------------------------------------------------------------------

_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?")


def _metadata(document) -> dict[str, str]:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    found: dict[str, str] = {}
    info = resolve1(document.info[0]) if document.info else {}
    for key, name in (("title", "Title"), ("author", "Author"), ("date", "CreationDate")):
        value = resolve1(info.get(name)) if isinstance(info, dict) else None
        if isinstance(value, bytes):
            value = decode_text(value)
        if isinstance(value, str) and value.strip():
            found[key] = _iso_date(value.strip()) if key == "date" else value.strip()
    if "date" in found and not found["date"]:
        del found["date"]
    for key, value in _xmp(document).items():
        found.setdefault(key, value)
    return found


def _iso_date(value: str) -> str:
    match = _PDF_DATE.match(value)
    if not match:
        return ""
    year, month, day, hour, minute, second, zone, zone_h, zone_m = match.groups()
    date = f"{year}-{month or '01'}-{day or '01'}"
    if hour is None:
        return date
    date += f"T{hour}:{minute or '00'}:{second or '00'}"
    if zone in ("Z", "z"):
        return date + "Z"
    if zone in ("+", "-") and zone_h:
        return date + f"{zone}{zone_h}:{zone_m or '00'}"
    return date


def _xmp(document) -> dict[str, str]:
    """Title, author and date from the catalog's XMP packet, for files whose info dictionary lacks them."""
    from lxml import etree
    from pdfminer.pdftypes import PDFStream, resolve1

    stream = resolve1(document.catalog.get("Metadata"))
    if not isinstance(stream, PDFStream):
        return {}
    try:
        root = etree.fromstring(stream.get_data(), etree.XMLParser(resolve_entities=False, no_network=True))
    except Exception:
        return {}
    ns = {
        "dc": "http://purl.org/dc/elements/1.1/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "xmp": "http://ns.adobe.com/xap/1.0/",
    }
    found = {}
    for key, path in (
        ("title", "//dc:title//rdf:li"),
        ("author", "//dc:creator//rdf:li"),
        ("date", "//xmp:CreateDate"),
    ):
        values = [el.text.strip() for el in root.xpath(path, namespaces=ns) if el.text and el.text.strip()]
        if values:
            found[key] = ", ".join(values)
    return found


# --- pages into lines -----------------------------------------------------------------------------


def _read_pages(document, budget: Budget) -> tuple[list[_Page], list[int]]:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import resolve1

    count = resolve1(resolve1(document.catalog.get("Pages") or {}).get("Count")) if document.catalog else None
    if isinstance(count, int) and count > MAX_PAGES:
        raise FormatError(f"the PDF has {count:,} pages, more than the limit of {MAX_PAGES:,}")
    resources = PDFResourceManager(caching=True)
    # boxes_flow=None: no box ordering by pdfminer (slow, and the columns are found here instead).
    aggregator = PDFPageAggregator(resources, laparams=LAParams(boxes_flow=None))
    interpreter = PDFPageInterpreter(resources, aggregator)
    pages, unreadable = [], []
    for number, page in enumerate(PDFPage.create_pages(document), start=1):
        budget.check()
        if number > MAX_PAGES:
            raise FormatError(f"the PDF has more than {MAX_PAGES:,} pages, the limit")
        try:
            interpreter.process_page(page)
            layout = aggregator.get_result()
        except Exception:
            unreadable.append(number)
            continue
        pages.append(_page(number, layout))
    return pages, unreadable


def _page(number: int, layout) -> _Page:
    from pdfminer.layout import LTCurve, LTFigure, LTImage, LTTextLineHorizontal

    lines: list[Line] = []
    shapes: list[tuple[float, float, float, float, int]] = []
    has_images = False

    def walk(item) -> None:
        nonlocal has_images
        for child in item:
            if isinstance(child, LTTextLineHorizontal):
                line = _line(child, number, layout.height)
                if line is not None:
                    lines.append(line)
            elif isinstance(child, LTImage):
                has_images = True
            elif isinstance(child, LTCurve):
                top, bottom = layout.height - child.y1, layout.height - child.y0
                shapes.append((child.x0, top, child.x1, bottom, _plotted(child.pts)))
            elif isinstance(child, LTFigure):
                walk(c for c in child if isinstance(c, (LTImage, LTFigure, LTCurve)))  # its text is a chart's
            elif hasattr(child, "__iter__"):
                walk(child)

    walk(layout)
    lines.sort(key=lambda line: (round(line.top), line.x0))
    page = _Page(number, layout.width, layout.height, lines, has_images, _charts(shapes, layout))
    unmapped = sum(len(code) for line in lines for code in _UNMAPPED.findall(line.text))
    if unmapped > _MAX_UNMAPPED_SHARE * sum(len(line.text) for line in lines):
        page.lines, page.garbled = [], True
    return page


def _plotted(points) -> int:
    """The slanted stretches of a path: a plotted line has many, a table's rule or a box none."""
    return sum(abs(x1 - x0) > 0.5 and abs(y1 - y0) > 0.5 for (x0, y0), (x1, y1) in itertools.pairwise(points))


def _charts(shapes, layout) -> list[tuple[float, float, float, float]]:
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


def _line(item, page: int, page_height: float) -> Line | None:
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
    for obj in item:
        text = obj.get_text()
        if isinstance(obj, LTChar) and not obj.upright:
            continue
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
    if not text:
        return None
    bold = sum(bool(_BOLD_FONT.search(c.fontname.split("+")[-1])) for c in visible) > len(visible) / 2
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
    )


# --- running headers, footers, page numbers -------------------------------------------------------


def _margin_key(line: Line) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.text.lower()))


def _drop_running_lines(pages: list[_Page]) -> None:
    """Drop page numbers and lines that repeat at the same place in the margins of several pages.

    A line repeats when the same text (digits normalised) stands there on other pages, or when it stands
    apart from the text (a running section title such as "ANHANG ZUM JAHRESABSCHLUSS" that changes from
    section to section) where lines standing apart are on other pages too.
    """
    # Pages on which a line of this key stands at about this height, in buckets of _REPEAT_TOLERANCE.
    places: dict[tuple[str | None, int], set[int]] = {}
    for page in pages:
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
        running = {
            id(line)
            for line in _margin_lines(page)
            if _PAGE_NUMBER.match(line.text)
            or on_pages(_margin_key(line), line) >= min_pages
            or (_stands_apart(line, page) and on_pages(None, line) >= min_pages)
        }
        page.lines = [line for line in page.lines if id(line) not in running]


def _margin_lines(page: _Page) -> list[Line]:
    top, bottom = _MARGIN_SHARE * page.height, (1 - _MARGIN_SHARE) * page.height
    return [line for line in page.lines if line.bottom < top or line.top > bottom]


def _stands_apart(line: Line, page: _Page) -> bool:
    """No other line within _APART_HEIGHTS line heights towards the middle of the page."""
    upper = line.bottom < page.height / 2
    for other in page.lines:
        gap = other.top - line.bottom if upper else line.top - other.bottom
        if other is not line and -0.5 * line.height < gap < _APART_HEIGHTS * line.height:
            return False
    return True


# --- layout: tables, columns, footnotes -----------------------------------------------------------


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Lines side by side (overlapping vertically by more than half the smaller one), left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda line: (line.top + line.bottom) / 2):
        if rows:
            last = rows[-1][-1]
            overlap = min(last.bottom, line.bottom) - max(last.top, line.top)
            if overlap > 0.5 * min(last.height, line.height):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(_merge_markers(row), key=lambda line: line.x0) for row in rows]


def _merge_markers(row: list[Line]) -> list[Line]:
    """A bullet, number, reference label ("[AB00]") or hanging quotation mark set apart from its text is
    one line with it, and so is the page number after a contents entry's dot leader."""
    row = sorted(row, key=lambda line: line.x0)
    merged: list[Line] = []
    for line in row:
        marker = merged[-1].text if merged else ""
        quote = bool(_OPENING_QUOTE.fullmatch(marker))
        leader = bool(_CONTENTS_ENTRY.search(marker)) and line.text.isdigit()
        if (
            quote
            or leader
            or _REFERENCE_LABEL.fullmatch(marker)
            or (len(bare := marker.lstrip("\"„“‚‘»«'")) <= 4 and _LIST_MARKER.match(bare + " x"))
        ):
            first = merged.pop()
            text = f"{first.text}{'' if quote else ' '}{line.text}"
            size, bold = (first.size, first.bold) if leader else (line.size, line.bold)
            top, bottom = min(first.top, line.top), max(first.bottom, line.bottom)
            line = Line(text, first.x0, line.x1, top, bottom, size, bold, line.page)
        merged.append(line)
    return merged


def _stray_figure(row: list[Line], above: list[Line] | None) -> bool:
    """A number alone on its row (a chart's axis label, a page number inside the text area), unless it
    ends the line of text right above it ("Format-Verlag, Bonn,⏎2000.")."""
    if len(row) != 1 or not _NUMERIC_CELL.match(row[0].text):
        return False
    line = row[0]
    return not any(
        0 <= line.top - other.bottom < line.height
        and other.x0 < line.x1
        and line.x0 < other.x1
        and not _NUMERIC_CELL.match(other.text)
        for other in above or ()
    )


def _chart_label(line: Line, page: _Page, body_size: float) -> bool:
    """Small print in or just around a chart (axis ticks and titles, legends), its caption excepted."""
    if line.size >= body_size or _CAPTION.match(line.text):
        return False
    margin = _CHART_MARGIN_SIZES * body_size  # axis labels sit beside and below; above is the text
    return any(
        x0 - margin <= line.x0
        and line.x1 <= x1 + margin
        and top <= line.top
        and line.bottom <= bottom + margin
        for x0, top, x1, bottom in page.charts
    )


def _table_row(row: list[Line]) -> str | None:
    """ "sure" for a label with figures beside it; "maybe" for figures alone or three or more short cells
    side by side (not two columns of text), which make a table only next to another table row."""
    numeric = [bool(_NUMERIC_CELL.match(line.text)) for line in row]
    # "(1)" beside a formula is its number; an amount has at least two digits.
    amount = any(
        is_numeric and len(re.findall(r"\d", line.text)) >= 2
        for is_numeric, line in zip(numeric, row, strict=True)
    )
    if len(row) >= 2 and amount:
        return "sure"
    if any(numeric) or (len(row) >= 3 and statistics.median(len(line.text) for line in row) <= 25):
        return "maybe"
    return None


def _streams(page: _Page, body_size: float) -> list[_Stream]:
    """The page's lines as streams in reading order: bands of one or two columns, tables between them."""
    rows = _rows([line for line in page.lines if not _chart_label(line, page, body_size)])
    rows = [row for i, row in enumerate(rows) if not _stray_figure(row, rows[i - 1] if i else None)]
    found = [_table_row(row) for row in rows]
    table_row = [
        kind == "sure"
        or (kind == "maybe" and ((i > 0 and found[i - 1]) or (i + 1 < len(rows) and found[i + 1])))
        for i, kind in enumerate(found)
    ]
    text_lines = [line for row, is_table in zip(rows, table_row, strict=True) if not is_table for line in row]
    gutters = _gutters(text_lines, 0.0, page.width)
    streams: list[_Stream] = []
    columns: list[list[Line]] = [[] for _ in range(len(gutters) + 1)]

    def close_band() -> None:
        for column in columns:
            if column:
                streams.append(_Stream(list(column)))
            column.clear()

    for row, is_table in zip(rows, table_row, strict=True):
        if is_table:
            close_band()
            if streams and streams[-1].table:
                streams[-1].lines.extend(_row_as_line(row))
            else:
                streams.append(_Stream(_row_as_line(row), table=True))
            continue
        for line in row:
            if any(line.x0 < gutter < line.x1 for gutter in gutters):
                close_band()
                columns[0].append(line)  # a line across a gutter (a title, a caption) is a band of its own
                close_band()
            else:
                columns[sum(gutter < line.x1 for gutter in gutters)].append(line)
    close_band()
    for stream in streams:
        if not stream.table:
            _take_footnotes(stream, page, body_size)
    return [stream for stream in streams if stream.lines or stream.footnotes]


def _row_as_line(row: list[Line]) -> list[Line]:
    first = row[0]
    text = " | ".join(line.text for line in row)
    return [Line(text, first.x0, row[-1].x1, first.top, first.bottom, first.size, first.bold, first.page)]


def _gutters(lines: list[Line], x0: float, x1: float) -> list[float]:
    """The x of each gap between columns from x0 to x1, left to right (none for a page set in one
    column): the gap that splits them in two, then the gaps within each side (three columns or more)."""
    gutter = _gutter(lines, x0, x1)
    if gutter is None:
        return []
    left = [line for line in lines if line.x1 <= gutter]
    right = [line for line in lines if line.x0 >= gutter]
    return [
        *(_gutters(left, min(line.x0 for line in left), gutter) if left else []),
        gutter,
        *(_gutters(right, gutter, max(line.x1 for line in right)) if right else []),
    ]


def _gutter(lines: list[Line], x0: float, x1: float) -> float | None:
    """The x of the gap between two columns from x0 to x1, or None for lines set in one column."""
    if len(lines) < 2 * _COLUMN_MIN_LINES:
        return None
    best, best_x = None, None
    total = sum(len(line.text) for line in lines)
    low, high = (int(x0 + share * (x1 - x0)) for share in _GUTTER_RANGE)
    for x in range(low, high, 2):
        left = sum(line.x1 <= x for line in lines)
        right = sum(line.x0 >= x for line in lines)
        crossing = sum(len(line.text) for line in lines if line.x0 < x < line.x1)
        if left < _COLUMN_MIN_LINES or right < _COLUMN_MIN_LINES or crossing > _GUTTER_MAX_CROSSING * total:
            continue
        score = (crossing, -min(left, right))
        if best is None or score < best:
            best, best_x = score, x
    return best_x


def _take_footnotes(stream: _Stream, page: _Page, body_size: float) -> None:
    """Move the small-print notes that end a column, each starting with its number, out of the text."""
    lines = stream.lines
    if not lines or lines[-1].top < page.height / 2:
        return
    start = len(lines)
    while start > 0 and lines[start - 1].size <= _SMALL_RATIO * body_size:
        start -= 1
    while start < len(lines) and not _starts_footnote(lines[start]):
        start += 1
    if start == len(lines):
        return
    notes: list[list[Line]] = []
    for line in lines[start:]:
        if _starts_footnote(line) or not notes:
            notes.append([line])
        else:
            notes[-1].append(line)
    stream.lines = lines[:start]
    stream.footnotes = notes


def _starts_footnote(line: Line) -> bool:
    return line.marker_start or bool(_FOOTNOTE_START.match(line.text))


# --- paragraphs -----------------------------------------------------------------------------------


def _blocks(pages: list[_Page]) -> list[Block]:
    lines = [line for page in pages for line in page.lines]
    body_size = _body_size(lines)
    page_streams = [_streams(page, body_size) for page in pages]
    vocabulary = _Vocabulary(line.text for line in lines)
    gap = _usual_gap([s for streams in page_streams for s in streams], body_size)
    builder = _Builder(body_size, gap, vocabulary)
    for streams in page_streams:
        for stream in streams:
            builder.add_stream(stream)
        builder.end_page()
    return builder.finish()


def _body_size(lines: list[Line]) -> float:
    sizes = Counter()
    for line in lines:
        sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0]


def _usual_gap(streams: list[_Stream], body_size: float) -> float:
    gaps = [
        b.top - a.bottom
        for stream in streams
        if not stream.table
        for a, b in itertools.pairwise(stream.lines)
        if abs(a.size - body_size) < 0.5
        and abs(b.size - body_size) < 0.5
        and -body_size < b.top - a.bottom < 3 * body_size
    ]
    return statistics.median(gaps) if gaps else 0.3 * body_size


class _Builder:
    """Joins lines into blocks; a paragraph may run on across a column or page break."""

    def __init__(self, body_size: float, gap: float, vocabulary: _Vocabulary) -> None:
        self.body_size = body_size
        self.gap = gap
        self.vocabulary = vocabulary
        self.blocks: list[Block] = []
        self.current: list[Line] = []
        self.kind = "body"
        self.left = 0.0
        self.right = 0.0
        self.page_notes: list[list[Line]] = []
        self.ready_notes: list[list[Line]] = []

    def add_stream(self, stream: _Stream) -> None:
        self.page_notes.extend(stream.footnotes)
        if stream.table:
            self.flush()
            self.blocks.extend(("table", line.text) for line in stream.lines)
            return
        if not stream.lines:
            return
        first = stream.lines[0]
        if self.current and self._just_below(self.current[-1], first):
            # A full-width line is a band of its own; the next one right below may go on its paragraph.
            self.left = min(self.left, first.x0)
            self.right = max(self.right, first.x1)
            if self._breaks(self.current[-1], first):
                self.flush()
        elif not (self.current and self._runs_on(first)):
            self.flush()
        self.left = min(line.x0 for line in stream.lines)
        self.right = max(line.x1 for line in stream.lines)
        for line in stream.lines:
            if self.current and line is not first and self._breaks(self.current[-1], line):
                self.flush()
            if not self.current:
                self.kind = self._kind(line)
            self.current.append(line)

    def end_page(self) -> None:
        self.ready_notes.extend(self.page_notes)
        self.page_notes = []

    def finish(self) -> list[Block]:
        self.flush()
        self.ready_notes.extend(self.page_notes)
        self._emit_notes()
        return self.blocks

    def _style(self, line: Line) -> str:
        if line.size >= _HEADING_SIZE_RATIO * self.body_size:
            return f"large{round(line.size)}{line.bold}"
        return "bold" if line.bold else "regular"

    def _kind(self, line: Line) -> str:
        if _CAPTION.match(line.text):
            return "caption"
        if _LIST_MARKER.match(line.text) or _CONTENTS_ENTRY.search(line.text):
            return "list"
        return "body"

    @staticmethod
    def _just_below(last: Line, line: Line) -> bool:
        return (
            last.page == line.page
            and 0 <= line.top - last.bottom <= 2 * last.height
            and line.x0 < last.x1
            and last.x0 < line.x1
        )

    def _runs_on(self, line: Line) -> bool:
        """Whether the first line of a new column or page continues the paragraph before it.

        It does unless the paragraph before ended a sentence on a short line ("am 9.⏎Dezember" on a full
        line runs on).
        """
        last = self.current[-1]
        full = last.x1 >= self.right - _SHORT_LINE_SHARE * (self.right - self.left)
        return (
            self.kind == "body"
            and self._style(line) == self._style(last) == "regular"
            and (full or not _SENTENCE_END.search(last.text))
            and not _LIST_MARKER.match(line.text)
            and not _REFERENCE_LABEL.match(line.text)
            and not _CAPTION.match(line.text)
        )

    def _breaks(self, prev: Line, line: Line) -> bool:
        if self._style(prev) != self._style(line):
            return True
        if line.top - prev.bottom > (self.gap + _GAP_SIZES * self.body_size) * max(
            1.0, line.size / self.body_size
        ):
            return True
        starts_item = _LIST_MARKER.match(line.text) or _REFERENCE_LABEL.match(line.text)
        if starts_item and (self.kind == "list" or _SENTENCE_END.search(prev.text)):
            return True
        if (
            _CAPTION.match(line.text)
            or _CONTENTS_ENTRY.search(prev.text)
            or _CONTENTS_ENTRY.search(line.text)
        ):
            return True
        if self._hanging() and abs(line.x0 - self.current[0].x0) < 1 < prev.x0 - line.x0:
            return True  # back at the margin after a hanging indent: the next reference or item
        ended = _SENTENCE_END.search(prev.text)
        if ended and line.x0 - self.left > _INDENT_SIZES * self.body_size > prev.x0 - self.left + 0.5:
            # A first-line indent, unless it is the hanging indent of a list item or a reference.
            return self.kind != "list" and not _REFERENCE_LABEL.match(self.current[0].text)
        width = self.right - self.left
        return bool(ended) and prev.x1 < self.right - _SHORT_LINE_SHARE * width and self.kind != "list"

    def _hanging(self) -> bool:
        """The block's first line sticks out to the left of the others (a reference, a list item)."""
        lines = self.current
        return len(lines) >= 2 and lines[1].x0 - lines[0].x0 > _INDENT_SIZES * self.body_size

    def flush(self) -> None:
        if not self.current:
            return
        lines, self.current = self.current, []
        text = _join_lines([_CONTENTS_ENTRY.sub("", line.text) for line in lines], self.vocabulary)
        style = self._style(lines[0])
        kind = self.kind
        if _CONTENTS_ENTRY.search(lines[0].text):
            kind = "list"  # a contents entry, in whatever type
        elif style.startswith("large") and len(text) <= _LARGE_HEADING_MAX_CHARS:
            kind = "heading"
        elif (
            style == "bold"
            and kind == "body"
            and len(lines) <= _BOLD_HEADING_MAX_LINES
            and len(text) <= _BOLD_HEADING_MAX_CHARS
            and not text.endswith((".", ",", ";"))
        ):
            kind = "heading"
        self.blocks.append((kind, text))
        self._emit_notes()

    def _emit_notes(self) -> None:
        for note in self.ready_notes:
            text = _join_lines([line.text for line in note], self.vocabulary)
            self.blocks.append(("footnote", re.sub(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s*", "", text)))
        self.ready_notes = []


# --- hyphenation ----------------------------------------------------------------------------------


# A compound is a word when it splits into two known words (the first may end in a linking "s"), each at
# least this long: "Erkrankungs|datum", "Korrektur|verteilung". On ../shared/real/pdf this joins 20 more
# of the ~300 line-end hyphenations; re-check with the real-report tests in tests/test_pdf.py.
_COMPOUND_PART_MIN = 4


class _Vocabulary:
    """Known words, to tell a line-end hyphenation from a real hyphen: those the document writes
    unhyphenated, and pyspellchecker's German frequency list (340,000 forms, inflections included)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words = set()
        for text in texts:
            self.words.update(word.lower() for word in _WORD.findall(text.rstrip(_HYPHENS)))

    def _known(self, word: str) -> bool:
        return word in self.words or word in _german_words()

    def __contains__(self, word: str) -> bool:
        word = word.lower()
        if self._known(word):
            return True
        for i in range(_COMPOUND_PART_MIN, len(word) - _COMPOUND_PART_MIN + 1):
            head, tail = word[:i], word[i:]
            if self._known(tail) and (self._known(head) or (head.endswith("s") and self._known(head[:-1]))):
                return True
        return False


@functools.cache
def _german_words() -> frozenset[str]:
    from importlib.resources import files

    with (files("spellchecker") / "resources" / "de.json.gz").open("rb") as packed:
        return frozenset(json.loads(gzip.decompress(packed.read())))


def _join_lines(texts: list[str], vocabulary: _Vocabulary) -> str:
    """One paragraph from its lines; each line end is decided on that line alone (linear in the lines)."""
    parts = [texts[0]]
    for text in texts[1:]:
        left, separator = _line_end(parts[-1], text, vocabulary)
        parts[-1] = left
        parts += [separator, text]
    return "".join(parts)


def _line_end(left: str, right: str, vocabulary: _Vocabulary) -> tuple[str, str]:
    """The left line as it stays, and what goes between it and the right one."""
    if len(left) < 2 or left[-1] not in _HYPHENS or not left[-2].isalnum():
        return left, " "
    stem = left[:-1]
    head = re.match(r"[^\W\d_]+", right)
    last = re.search(r"[^\W\d_]+$", stem)
    if head is None or last is None:
        return stem + "-", ""  # "COVID-19-⏎Impfung", "COVID-⏎19-Impfung"
    word = last.group(0) + head.group(0)
    if right[0].isupper():
        # "Nord-⏎Süd-Achse", "E-⏎Mail" stay; an acronym split in two ("CO-⏎VID") is joined.
        acronym = last.group(0).isupper() and head.group(0).isupper()
        return (stem, "") if acronym and word in vocabulary else (stem + "-", "")
    if head.group(0) in _SUSPENSION_WORDS:
        return stem + "-", " "  # "Ein- und Ausfuhr"
    return (stem, "") if word in vocabulary else (stem + "-", "")


def _pages_phrase(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return f"pages {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def _were(numbers: list[int]) -> str:
    return "was" if len(numbers) == 1 else "were"
