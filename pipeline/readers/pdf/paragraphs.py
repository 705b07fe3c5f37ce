"""Paragraph building: streams of lines joined into blocks (heading, body, list, caption, table, footnote)
from line spacing, indentation, font size and weight; a paragraph may run on across a column or page."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter

from pipeline.budget import Budget
from pipeline.readers.base import Block
from pipeline.readers.pdf.glyphs import is_formula
from pipeline.readers.pdf.hyphenation import Vocabulary, join_lines
from pipeline.readers.pdf.layout import page_streams_of
from pipeline.readers.pdf.lines import Line, Page, Stream
from pipeline.readers.pdf.patterns import (
    BULLET_ITEM,
    CAPTION,
    CONTENTS_ENTRY,
    ITEM_MARKER,
    LIST_MARKER,
    REFERENCE_LABEL,
    SENTENCE_END,
)

# A heading is set at least this much larger than the body font, or bold at body size and short.
_HEADING_SIZE_RATIO = 1.15
_BOLD_HEADING_MAX_CHARS = 100
_BOLD_HEADING_MAX_LINES = 2
_LARGE_HEADING_MAX_CHARS = 250
# Paragraph breaks: a gap this many body sizes larger than the usual line gap; a first line indented by
# at least _INDENT_SIZES body sizes; a line ending a sentence this much short of the column's right edge.
_GAP_SIZES = 0.5
_INDENT_SIZES = 1.0
_SHORT_LINE_SHARE = 0.25


def build_blocks(pages: list[Page], budget: Budget) -> list[Block]:
    lines = [line for page in pages for line in page.lines]
    if not lines:
        return []  # nothing but page furniture: the reader core reports a file without text
    body_size = _body_size(lines)
    page_streams = []
    for page in pages:
        budget.check()
        page_streams.append(page_streams_of(page, body_size))
    vocabulary = Vocabulary(line.text for line in lines)
    gap = _usual_gap([s for streams in page_streams for s in streams], body_size)
    builder = _Builder(body_size, gap, vocabulary)
    for streams in page_streams:
        budget.check()
        for stream in streams:
            builder.add_stream(stream)
        builder.end_page()
    return builder.finish()


def _body_size(lines: list[Line]) -> float:
    sizes = Counter()
    for line in lines:
        sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0]


def _usual_gap(streams: list[Stream], body_size: float) -> float:
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

    def __init__(self, body_size: float, gap: float, vocabulary: Vocabulary) -> None:
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
        self.page_boxes: list[Stream] = []
        self.held: list[Stream] = []  # a caption standing inside a sentence, and its lines below
        self.ready_boxes: list[Stream] = []

    def add_stream(self, stream: Stream) -> None:
        if stream.boxed:
            self.page_boxes.append(stream)
            return
        if stream.lines and not stream.table and self._interrupts(stream):
            self.held.append(stream)  # read after the sentence it stands in, like a box
            return
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

    def _interrupts(self, stream: Stream) -> bool:
        """A caption (and the lines right below it) set where a paragraph, still in its sentence, goes on
        in the next column or page: a figure placed across the columns at a page's top."""
        first = stream.lines[0]
        if self.held:
            last = self.held[-1].lines[-1]
            if self._just_below(last, first) and abs(first.size - last.size) < 0.5:
                return True
        return bool(
            CAPTION.match(first.text)
            and self.current
            and self.kind == "body"
            and not SENTENCE_END.search(self.current[-1].text)
            and not self._just_below(self.current[-1], first)
        )

    def end_page(self) -> None:
        self.ready_notes.extend(self.page_notes)
        self.page_notes = []
        self.ready_boxes.extend(self.page_boxes)
        self.page_boxes = []
        if not self.current:
            self._emit_boxes()

    def finish(self) -> list[Block]:
        self.flush()
        self.ready_notes.extend(self.page_notes)
        self.ready_boxes.extend(self.page_boxes)
        self._emit_boxes()
        self._emit_notes()
        return self.blocks

    def _emit_boxes(self) -> None:
        """A page's text boxes, after the paragraph that its flow ends in (which may run on to the next
        page): each box read as a flow of its own."""
        boxes, self.ready_boxes = self.ready_boxes, []
        for box in boxes:
            inner = _Builder(self.body_size, self.gap, self.vocabulary)
            inner.add_stream(Stream(box.lines, table=box.table, footnotes=box.footnotes))
            self.blocks.extend(inner.finish())

    def _style(self, line: Line) -> str:
        if line.mono:
            return "mono"
        if line.math or is_formula(line.text):
            return "math"
        if line.size >= _HEADING_SIZE_RATIO * self.body_size:
            return f"large{round(line.size)}{line.bold}"
        return "bold" if line.bold else "regular"

    def _kind(self, line: Line) -> str:
        if CAPTION.match(line.text):
            return "caption"
        if LIST_MARKER.match(line.text) or CONTENTS_ENTRY.search(line.text):
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
            and (full or not SENTENCE_END.search(last.text))
            and not LIST_MARKER.match(line.text)
            and not REFERENCE_LABEL.match(line.text)
            and not CAPTION.match(line.text)
        )

    def _breaks(self, prev: Line, line: Line) -> bool:
        if self._style(prev) != self._style(line) and not self._emphasis(prev, line):
            return True
        if line.top - line.skip - prev.bottom > (self.gap + _GAP_SIZES * self.body_size) * max(
            1.0, line.size / self.body_size
        ):
            return True
        starts_item = LIST_MARKER.match(line.text) or REFERENCE_LABEL.match(line.text)
        if starts_item and (self.kind == "list" or SENTENCE_END.search(prev.text)):
            return True
        if CAPTION.match(line.text) or CONTENTS_ENTRY.search(prev.text) or CONTENTS_ENTRY.search(line.text):
            return True
        if self._hanging() and abs(line.x0 - self.current[0].x0) < 1 < prev.x0 - line.x0:
            return True  # back at the margin after a hanging indent: the next reference or item
        ended = SENTENCE_END.search(prev.text)
        if ended and line.x0 - self.left > _INDENT_SIZES * self.body_size > prev.x0 - self.left + 0.5:
            # A first-line indent, unless it is the hanging indent of a list item or a reference.
            return self.kind != "list" and not REFERENCE_LABEL.match(self.current[0].text)
        width = self.right - self.left
        return bool(ended) and prev.x1 < self.right - _SHORT_LINE_SHARE * width and self.kind != "list"

    def _emphasis(self, prev: Line, line: Line) -> bool:
        """Bold or italic words inside running text: the weight changes at body size, and the sentence
        goes on (the next line starts in lower case, or the line before runs to the column's edge without
        ending a sentence). A heading stands on lines of its own, ending short."""
        if {self._style(prev), self._style(line)} != {"regular", "bold"}:
            return False
        if line.text[:1].islower():
            return True
        full = prev.x1 >= self.right - _SHORT_LINE_SHARE * (self.right - self.left)
        return full and not SENTENCE_END.search(prev.text)

    def _hanging(self) -> bool:
        """The block's first line sticks out to the left of the others (a reference, a list item)."""
        lines = self.current
        return len(lines) >= 2 and lines[1].x0 - lines[0].x0 > _INDENT_SIZES * self.body_size

    def flush(self) -> None:
        if not self.current:
            return
        lines, self.current = self.current, []
        text = join_lines([CONTENTS_ENTRY.sub("", line.text) for line in lines], self.vocabulary)
        style = self._style(lines[0])
        kind = self.kind
        if any(self._style(line) != style for line in lines):
            style = "mixed"  # emphasis inside running text
        if CONTENTS_ENTRY.search(lines[0].text) or BULLET_ITEM.match(lines[0].text):
            kind = "list"  # a contents entry or a bulleted item, in whatever type
        elif style.startswith("large") and len(text) <= _LARGE_HEADING_MAX_CHARS:
            kind = "heading"
        elif (
            all(self._style(line) == "bold" for line in lines)
            and kind == "body"
            and len(lines) <= _BOLD_HEADING_MAX_LINES
            and len(text) <= _BOLD_HEADING_MAX_CHARS
            and not text.endswith((".", ",", ";"))
        ):
            kind = "heading"
        if all(line.mono for line in lines):
            kind = "code"
        elif sum(line.math or is_formula(line.text) for line in lines) * 2 > len(lines):
            kind = "formula"
        elif kind == "list":
            text = ITEM_MARKER.sub("", text, count=1)
        self.blocks.append((kind, text))
        held, self.held = self.held, []
        for stream in held:
            self.add_stream(stream)
        self.flush()
        self._emit_boxes()
        self._emit_notes()

    def _emit_notes(self) -> None:
        for note in self.ready_notes:
            text = join_lines([line.text for line in note], self.vocabulary)
            self.blocks.append(("footnote", re.sub(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s*", "", text)))
        self.ready_notes = []
