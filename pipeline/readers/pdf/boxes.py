"""Text boxes: sidebars and pull quotes set in a drawn rectangle, which a reader reads as blocks of their
own after the text they sit in, never as part of its sentences."""

from __future__ import annotations

from pipeline.readers.pdf.lines import Line, Page

# A rectangle holds a line when the line lies within it, give or take this many points (a glyph's side
# bearing may stick out of a tight box).
_HOLDS_MARGIN = 2.0
# Rectangles whose left and right edges both lie within this many points of another's are a stack (the
# cells of a ruled table, striped rows, bars behind labels), not a box.
_STACK_EDGE = 1.5
# A box holds less than this share of the page's characters; one holding more is the page's background
# or a frame around its text. Calibrated on the calibration half: at 0.8 the newsletter's framed portraits
# (50–60 % of their page) became boxes and read worse (cut sentences 5 → 9). Re-check: bench/pdf_reading.py.
_BOX_MAX_SHARE = 0.5
# Text beside a box (within this many body sizes of its left or right side, overlapping it vertically)
# is the flow it interrupts. Calibrated on the calibration half of ../shared/real/pdf: text wrapped
# around the newsletter's pull quotes keeps 1.1–2.5 body sizes away. Re-check: bench/pdf_reading.py
# (cut/100 and the text of the blocks around each box) and tests/test_pdf.py's text-box test.
_BESIDE_SIZES = 3.0


def split_boxes(page: Page, lines: list[Line], body_size: float) -> tuple[list[Line], list[list[Line]]]:
    """The page's flow lines, and the lines of each text box on it (top to bottom, then left to right).

    A text box is a drawn rectangle, not one of a stack, holding less than half the page's text, that
    either holds two lines or more (a sidebar, a pull quote) or has text beside it (a box the flow goes
    around). A one-line rectangle with nothing beside it is a highlighted heading or label and stays in
    the flow.
    """
    if not page.rects or not lines:
        return lines, []
    total = sum(len(line.text) for line in lines)
    drawn = sorted({tuple(round(v, 1) for v in rect) for rect in page.rects})  # filled and stroked: once
    holding_text = [rect for rect in drawn if any(_holds(rect, line) for line in lines)]
    rects = [rect for rect in holding_text if not _stacked(rect, drawn)]
    owner: dict[int, tuple[float, float, float, float]] = {}
    for line in lines:
        holding = [rect for rect in rects if _holds(rect, line)]
        if holding:  # the innermost box a line lies in
            owner[id(line)] = min(holding, key=lambda r: (r[2] - r[0]) * (r[3] - r[1]))
    boxes: list[list[Line]] = []
    boxed: set[int] = set()
    for rect in sorted(set(owner.values()), key=lambda r: (round(r[1]), r[0])):
        held = [line for line in lines if owner.get(id(line)) == rect]
        if sum(len(line.text) for line in held) >= _BOX_MAX_SHARE * total:
            continue
        beside = any(_beside(rect, line, body_size) for line in lines if id(line) not in owner)
        if len(held) >= 2 or beside:
            boxes.append(held)
            boxed.update(id(line) for line in held)
            _lift_below(rect, [line for line in lines if id(line) not in owner])
    return [line for line in lines if id(line) not in boxed], boxes


def _lift_below(rect: tuple[float, float, float, float], flow: list[Line]) -> None:
    """The first flow line below a box, across from it, has the box's height in its gap to the line above:
    it goes on the sentence the box interrupts rather than starting a paragraph."""
    x0, top, x1, bottom = rect
    across = [line for line in flow if line.x0 < x1 and x0 < line.x1]
    below = [line for line in across if line.top >= bottom - _HOLDS_MARGIN]
    above = [line.bottom for line in across if line.bottom <= top + _HOLDS_MARGIN]
    if below and above:
        first, last = min(line.top for line in below), max(above)
        # What is left of the gap is the narrower of the two margins around the box.
        skip = (first - last) - max(0.0, min(top - last, first - bottom))
        for line in below:
            if line.top == first:
                line.skip = max(line.skip, skip)


def _holds(rect: tuple[float, float, float, float], line: Line) -> bool:
    x0, top, x1, bottom = rect
    m = _HOLDS_MARGIN
    return x0 - m <= line.x0 and line.x1 <= x1 + m and top - m <= line.top and line.bottom <= bottom + m


def _stacked(rect: tuple[float, float, float, float], rects: list[tuple[float, float, float, float]]) -> bool:
    return any(
        other != rect
        and (
            (abs(other[0] - rect[0]) < _STACK_EDGE and abs(other[2] - rect[2]) < _STACK_EDGE)
            or (abs(other[1] - rect[1]) < _STACK_EDGE and abs(other[3] - rect[3]) < _STACK_EDGE)
        )
        for other in rects
    )


def _beside(rect: tuple[float, float, float, float], line: Line, body_size: float) -> bool:
    x0, top, x1, bottom = rect
    reach = _BESIDE_SIZES * body_size
    overlaps = min(bottom, line.bottom) - max(top, line.top) > 0.5 * line.height
    return overlaps and (0 <= x0 - line.x1 <= reach or 0 <= line.x0 - x1 <= reach)
