"""Footnotes: the small-print notes that end a column, taken out of the text to follow their page."""

from __future__ import annotations

import re

from pipeline.readers.pdf.lines import Line, Page, Stream

# Footnotes are set at most this share of the size of the text around them.
_SMALL_RATIO = 0.9
_FOOTNOTE_START = re.compile(r"^(?:\d{1,3}|[*#†]{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s*[^\W\d_]")


def take_footnotes(stream: Stream, page: Page, body_size: float) -> None:
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
