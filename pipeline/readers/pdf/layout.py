"""A page's lines as streams in reading order: rows side by side, table rows kept out of the text, columns
found by their gutters and read left to right, bands across them read in turn."""

from __future__ import annotations

import re
import statistics

from pipeline.readers.pdf.boxes import split_boxes
from pipeline.readers.pdf.footnotes import take_footnotes
from pipeline.readers.pdf.lines import Line, Page, Stream
from pipeline.readers.pdf.patterns import (
    CAPTION,
    CONTENTS_ENTRY,
    ITEM_MARKER,
    LIST_MARKER,
    NUMERIC_CELL,
    OPENING_QUOTE,
    REFERENCE_LABEL,
)

# Two columns: a gutter between 30 % and 70 % of the page width crossed by lines holding at most this
# share of the page's characters (a one-column page: 80–100 %; the two-column pages of the bulletin and
# the annual accounts with full-width titles and captions: 0–25 %), with at least _COLUMN_MIN_LINES lines
# on each side. Each side is searched the same way within its own width, so three columns (gutters at a
# third and two thirds) come out as three; on the real reports no side of a two-column page has one.
_GUTTER_RANGE = (0.3, 0.7)
_GUTTER_MAX_CROSSING = 0.4
_COLUMN_MIN_LINES = 4
# Text smaller than the body font inside a chart (lines.py), beside it or within this many body sizes
# below it is its labelling: axis titles sit up to 24 pt below the axis, captions from 35 pt (the
# bulletin in ../shared/real/pdf). Re-check: the chart-label assertions in tests/test_pdf.py.
_CHART_MARGIN_SIZES = 2.5


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
        quote = bool(OPENING_QUOTE.fullmatch(marker))
        leader = bool(CONTENTS_ENTRY.search(marker)) and line.text.isdigit()
        if (
            quote
            or leader
            or REFERENCE_LABEL.fullmatch(marker)
            or (len(bare := marker.lstrip("\"„“‚‘»«'")) <= 4 and LIST_MARKER.match(bare + " x"))
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
    if len(row) != 1 or not NUMERIC_CELL.match(row[0].text):
        return False
    line = row[0]
    return not any(
        0 <= line.top - other.bottom < line.height
        and other.x0 < line.x1
        and line.x0 < other.x1
        and not NUMERIC_CELL.match(other.text)
        for other in above or ()
    )


def _chart_label(line: Line, page: Page, body_size: float) -> bool:
    """Small print in or just around a chart (axis ticks and titles, legends), its caption excepted."""
    if line.size >= body_size or CAPTION.match(line.text):
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
    numeric = [bool(NUMERIC_CELL.match(line.text)) for line in row]
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


def page_streams_of(page: Page, body_size: float) -> list[Stream]:
    """The page's lines as streams in reading order: bands of one or two columns, tables between them;
    then the streams of its text boxes, marked `boxed`."""
    flow, boxes = split_boxes(
        page, [line for line in page.lines if not _chart_label(line, page, body_size)], body_size
    )
    streams = _streams(page, flow, body_size)
    for box in boxes:
        for stream in _streams(page, box, body_size):
            stream.boxed = True
            streams.append(stream)
    return streams


def _streams(page: Page, lines: list[Line], body_size: float) -> list[Stream]:
    rows = _rows(lines)
    rows = [row for i, row in enumerate(rows) if not _stray_figure(row, rows[i - 1] if i else None)]
    found = [_table_row(row) for row in rows]
    table_row = [
        kind == "sure"
        or (kind == "maybe" and ((i > 0 and found[i - 1]) or (i + 1 < len(rows) and found[i + 1])))
        for i, kind in enumerate(found)
    ]
    wrapped = _wrapped_labels(rows, table_row)
    table_row = [is_table or i in wrapped for i, is_table in enumerate(table_row)]
    text_lines = [line for row, is_table in zip(rows, table_row, strict=True) if not is_table for line in row]
    gutters = _gutters(text_lines, 0.0, page.width)
    streams: list[Stream] = []
    columns: list[list[Line]] = [[] for _ in range(len(gutters) + 1)]

    def close_band() -> None:
        for column in columns:
            if column:
                streams.append(Stream(list(column)))
            column.clear()

    for i, (row, is_table) in enumerate(zip(rows, table_row, strict=True)):
        if is_table:
            close_band()
            if streams and streams[-1].table and i in wrapped and LIST_MARKER.match(row[0].text):
                # a sub-item of the table ("– davon …"): a row of its own, its marker gone like a list item's
                item = row[0]
                text = ITEM_MARKER.sub("", item.text, count=1)
                streams[-1].lines.append(
                    Line(text, item.x0, item.x1, item.top, item.bottom, item.size, item.bold, item.page)
                )
            elif streams and streams[-1].table and i in wrapped:
                streams[-1].lines[-1] = _continue_label(streams[-1].lines[-1], row[0])
            elif streams and streams[-1].table:
                streams[-1].lines.extend(_row_as_line(row))
            else:
                streams.append(Stream(_row_as_line(row), table=True))
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
            take_footnotes(stream, page, body_size)
    return [stream for stream in streams if stream.lines or stream.footnotes]


def _wrapped_labels(rows: list[list[Line]], table_row: list[bool]) -> set[int]:
    """The rows that go on a table row's label: single lines right below it (less than a line apart)
    that stay within its label column ("1. Forderungen aus Lieferungen | 407.431,62" ⏎ "und Leistungen"),
    one after another."""
    wrapped: set[int] = set()
    label: tuple[float, float] | None = None  # the label column of the table row above: from x0 to x1
    for i, row in enumerate(rows):
        if table_row[i]:
            label = (row[0].x0, row[1].x0) if len(row) >= 2 else None
            continue
        above = rows[i - 1][-1] if i else None
        if (
            label is not None
            and above is not None
            and len(row) == 1
            and label[0] - 1 <= row[0].x0
            and row[0].x1 < label[1]
            and 0 <= row[0].top - max(line.bottom for line in rows[i - 1]) < row[0].height
            and not NUMERIC_CELL.match(row[0].text)
        ):
            wrapped.add(i)
        else:
            label = None
    return wrapped


def _continue_label(row: Line, more: Line) -> Line:
    """The table row `row` (cells joined by " | ") with its first cell going on with `more`."""
    label, _, rest = row.text.partition(" | ")
    text = f"{label} {more.text}" + (f" | {rest}" if rest else "")
    return Line(text, row.x0, row.x1, row.top, more.bottom, row.size, row.bold, row.page)


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
