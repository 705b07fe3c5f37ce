"""A page's lines as streams in reading order: rows side by side, table rows kept out of the text, columns
found by their gutters and read left to right, bands across them read in turn."""

from __future__ import annotations

import re

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
from pipeline.readers.pdf.tables import continue_label, row_as_line, table_rows

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


# A capital or a Roman numeral as a section's number ("II. Rücklagen"), set apart from its title.
_OUTLINE_NUMBER = re.compile(r"(?:[IVX]{1,4}|[A-Z])\.")


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
            or (
                len(bare := marker.lstrip("\"„“‚‘»«'")) <= 4
                and (LIST_MARKER.match(bare + " x") or _OUTLINE_NUMBER.fullmatch(bare))
                and not NUMERIC_CELL.match(line.text)  # an item's number beside its figures is a cell
            )
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


def _caption_lines(page: Page) -> set[int]:
    """The lines of the page's captions: each line starting "Abb. 3 |" and those right below it in its
    size, one after another (a caption's last line, short, is not a chart's label)."""
    found: set[int] = set()
    lines = sorted(page.lines, key=lambda line: line.top)
    for i, line in enumerate(lines):
        if not CAPTION.match(line.text):
            continue
        found.add(id(line))
        last = line
        for other in lines[i + 1 :]:
            if other.top - last.bottom >= last.height:
                break
            if abs(other.size - last.size) < 0.5 and other.x0 < last.x1 and last.x0 < other.x1:
                found.add(id(other))
                last = other
    return found


def page_streams_of(page: Page, body_size: float) -> list[Stream]:
    """The page's lines as streams in reading order: bands of one or two columns, tables between them;
    then the streams of its text boxes, marked `boxed`."""
    captions = _caption_lines(page)
    flow, boxes = split_boxes(
        page,
        [line for line in page.lines if id(line) in captions or not _chart_label(line, page, body_size)],
        body_size,
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
    rows, table_row, wrapped = table_rows(rows, page.rules)
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
                streams[-1].lines[-1] = continue_label(streams[-1].lines[-1], row[0])
            elif streams and streams[-1].table:
                streams[-1].lines.extend(row_as_line(row))
            else:
                streams.append(Stream(row_as_line(row), table=True))
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
