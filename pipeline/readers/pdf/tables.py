"""Table rows: rows of a page's lines that hold figures beside a label, kept out of the text as `table`
blocks; a label wrapped onto lines of its own stays in its row, and so do the lines that share a ruled
cell with a row of figures."""

from __future__ import annotations

import re
import statistics

from pipeline.readers.pdf.lines import Line
from pipeline.readers.pdf.patterns import ITEM_MARKER, NUMERIC_CELL

# A rule lies between two rows when it is drawn in the gap between them, give or take this many points
# (a row's line box ends at its descenders; a cell's rule may touch them).
_RULE_TOLERANCE = 1.0
# An item's number in a table's first column ("26.", "26. -", "(3)"), not a figure ("1.234,00").
_ITEM_NUMBER = re.compile(r"^\(?\d{1,3}[.)](?!\d)")


def table_row(row: list[Line]) -> str | None:
    """ "sure" for a label with figures beside it; "maybe" for figures alone or three or more short cells
    side by side (not two columns of text), which make a table only next to another table row."""
    numeric = [bool(NUMERIC_CELL.match(line.text)) for line in row]
    if len(row) >= 2 and any(_amount(line.text) for line in row):
        return "sure"
    if any(numeric) or (len(row) >= 3 and statistics.median(len(line.text) for line in row) <= 25):
        return "maybe"
    return None


def table_rows(rows: list[list[Line]], rules: list[tuple[float, float, float]]) -> tuple[list, list, set]:
    """The rows (those sharing a ruled cell merged), whether each is part of a table, and those of them
    that go on the label of the table row above them (wrapped labels and sub-items)."""
    found = [table_row(row) for row in rows]
    is_table = [
        kind == "sure"
        or (kind == "maybe" and ((i > 0 and found[i - 1]) or (i + 1 < len(rows) and found[i + 1])))
        for i, kind in enumerate(found)
    ]
    labels: set[int] = set()
    if rules:
        rows, is_table, labels = _ruled_cells(rows, is_table, rules)
    wrapped = _wrapped_labels(rows, is_table, rules)
    return rows, [t or i in labels or i in wrapped for i, t in enumerate(is_table)], wrapped


def _amount(text: str) -> bool:
    """A figure: "(1)" beside a formula is its number and "1." an item's; an amount has two digits or more."""
    return bool(NUMERIC_CELL.match(text)) and len(re.findall(r"\d", text)) >= 2


def ruled_apart(upper: list[Line], lower: list[Line], rules: list[tuple[float, float, float]]) -> bool:
    """Whether a rule is drawn between two rows, across them."""
    top = max(line.bottom for line in upper) - _RULE_TOLERANCE
    bottom = min(line.top for line in lower) + _RULE_TOLERANCE
    x0 = min(line.x0 for line in (*upper, *lower))
    x1 = max(line.x1 for line in (*upper, *lower))
    return any(top <= y <= bottom and rx0 < x1 and x0 < rx1 for rx0, y, rx1 in rules)


def _ruled_cells(
    rows: list[list[Line]], is_table: list[bool], rules: list[tuple[float, float, float]]
) -> tuple[list[list[Line]], list[bool], set[int]]:
    """Rows between the same two rules, one right below the other, form one ruled row of a table. Its label
    may take several lines, the figures set beside any of them (often the middle one): where the ruled row
    holds a single row of figures, every line of its label column joins that row's label; where it holds
    several (sub-items with figures of their own), its label lines are table rows (returned as the third
    item: those that do not wrap onto a row above become rows of their own), those above its first row of
    figures one row."""
    out_rows: list[list[Line]] = []
    out_table: list[bool] = []
    out_labels: set[int] = set()
    start = 0
    for end in range(1, len(rows) + 1):
        if end < len(rows) and _same_cell(rows[end - 1], rows[end], rules):
            continue
        band = list(range(start, end))
        start = end
        figures = [i for i in band if is_table[i] and len(rows[i]) >= 2]
        if not figures:
            out_rows.extend(rows[i] for i in band)
            out_table.extend(is_table[i] for i in band)
            continue
        first_figure = min(_figures_x0(rows[i]) for i in figures)
        labels = [i for i in band if len(rows[i]) == 1 and rows[i][0].x1 <= first_figure + 1]
        if len(figures) == 1 and len(labels) + 1 == len(band):
            out_rows.append(_merge_labels(rows[figures[0]], [rows[i][0] for i in labels]))
            out_table.append(True)
            continue
        for i in band:
            heading = i in labels and i < figures[0]  # the label lines above the first row of figures
            if heading and i - 1 in labels:
                out_rows[-1] = [continue_label(out_rows[-1][0], rows[i][0])]
                continue
            if i in labels:
                out_labels.add(len(out_rows))
            out_rows.append(rows[i])
            out_table.append(is_table[i])
    return out_rows, out_table, out_labels


def _figures_x0(row: list[Line]) -> float:
    """Where a table row's figures begin: its first amount (an item's number "1." is not one), else its
    second cell."""
    return next(
        (line.x0 for line in row if _amount(line.text) and not _ITEM_NUMBER.match(line.text)), row[1].x0
    )


def _same_cell(upper: list[Line], lower: list[Line], rules: list[tuple[float, float, float]]) -> bool:
    """Two rows, less than a line apart, with no rule between them."""
    gap = min(line.top for line in lower) - max(line.bottom for line in upper)
    height = min(line.height for line in (*upper, *lower))
    return gap < height and not ruled_apart(upper, lower, rules)


def _merge_labels(row: list[Line], labels: list[Line]) -> list[Line]:
    """The row of figures with the label lines above and below it put into the label cell they stand over
    (a new cell where the row has no label there)."""
    cells = list(row)
    labelled = [i for i, cell in enumerate(cells) if not NUMERIC_CELL.match(cell.text)]
    for label in sorted(labels, key=lambda line: line.top):
        over = [i for i in labelled if cells[i].x0 < label.x1 and label.x0 < cells[i].x1]
        if not over:  # a cell of its own, after the cells to its left (an item's number)
            at = sum(cell.x1 <= label.x0 for cell in cells)
            cells.insert(at, label)
            labelled = [*(i for i in labelled if i < at), at, *(i + 1 for i in labelled if i >= at)]
            continue
        i = max(over, key=lambda i: min(cells[i].x1, label.x1) - max(cells[i].x0, label.x0))
        cell = cells[i]
        if label.top >= cell.top:
            text = f"{cell.text} {label.text}"
        else:  # before the cell's text, after an item's number set beside it ("2. und Leistungen")
            marker = ITEM_MARKER.match(cell.text) if cell.x0 < label.x0 - 1 else None
            at = marker.end() if marker else 0
            text = f"{cell.text[:at]}{label.text} {cell.text[at:]}"
        cells[i] = Line(
            text,
            min(cell.x0, label.x0),
            max(cell.x1, label.x1),
            min(cell.top, label.top),
            max(cell.bottom, label.bottom),
            cell.size,
            cell.bold,
            cell.page,
        )
    return cells


def _wrapped_labels(
    rows: list[list[Line]], is_table: list[bool], rules: list[tuple[float, float, float]]
) -> set[int]:
    """The rows that go on a table row's label: single lines right below it (less than a line apart, no
    rule between) that stay within its label column ("1. Forderungen aus Lieferungen | 407.431,62" ⏎
    "und Leistungen"), one after another."""
    wrapped: set[int] = set()
    label: tuple[float, float] | None = None  # the label column of the table row above: from x0 to x1
    for i, row in enumerate(rows):
        if is_table[i]:
            label = (row[0].x0, row[1].x0) if len(row) >= 2 else None
            continue
        above = rows[i - 1] if i else None
        if (
            label is not None
            and above is not None
            and len(row) == 1
            and label[0] - 1 <= row[0].x0
            and row[0].x1 < label[1]
            and 0 <= row[0].top - max(line.bottom for line in above) < row[0].height
            and not NUMERIC_CELL.match(row[0].text)
            and not ruled_apart(above, row, rules)
        ):
            wrapped.add(i)
        else:
            label = None
    return wrapped


def continue_label(row: Line, more: Line) -> Line:
    """The table row `row` (cells joined by " | ") with its first cell going on with `more`."""
    label, _, rest = row.text.partition(" | ")
    text = f"{label} {more.text}" + (f" | {rest}" if rest else "")
    return Line(text, row.x0, row.x1, row.top, more.bottom, row.size, row.bold, row.page)


def row_as_line(row: list[Line]) -> list[Line]:
    first = row[0]
    text = " | ".join(line.text for line in row)
    return [Line(text, first.x0, row[-1].x1, first.top, first.bottom, first.size, first.bold, first.page)]
