"""Plain text and Markdown: a blank line separates paragraphs; Markdown headings, list items and quotes
keep their kind, and a short line without final punctuation is a heading."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers.base import Block, Extraction
from pipeline.readers.decode import decode

SUFFIXES = (".txt", ".md")

_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•–]|\d{1,3}[.)])\s+")
_QUOTE_LINE = re.compile(r"^\s*>\s?")
# A photo caption ends in a credit: "… Foto: Lena M. Hoffmann/AFP via Getty Images", "Bild: dpa", "© Reuters".
CREDIT = re.compile(
    r"(?:^|(?<=[\s(|]))(?:(?:Fotos?|Bild(?:er)?|Photos?|Image|Credit|Quelle)\s*:|©)\s*\S.{0,100}$",
    re.IGNORECASE,
)
# A comma too: a letter's salutation ("Sehr geehrte Damen und Herren,") is no heading.
_SENTENCE_END = re.compile(r"[.!?:;,…]['\"“”‘’»«)]*$")
_HEADING_MAX_CHARS = 90
_CHECK_EVERY = 256  # blocks between looks at the stop flag and the deadline
_HEADING_MAX_WORDS = 12


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    return Extraction(blocks=list(text_blocks(decode(data), budget)))


def text_blocks(text: str, budget: Budget = UNLIMITED) -> Iterator[Block]:
    """The blocks of `text`; `budget` is checked every few hundred. (A text's blocks are bounded by its
    size: each takes at least a character and a blank line.)"""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, block in enumerate(re.split(r"\n\s*\n", text)):
        if number % _CHECK_EVERY == _CHECK_EVERY - 1:
            budget.check()
        # Whitespace runs collapsed first: the patterns below backtrack over them (quadratic time).
        lines = [" ".join(line.split()) for line in block.split("\n") if line and not line.isspace()]
        if lines:
            yield from _classify_block(lines)


def _classify_block(lines: list[str]) -> list[Block]:
    if len(lines) == 1 and (m := _MD_HEADING.match(lines[0])):
        return [("heading", m.group(1))]
    if all(_LIST_ITEM.match(line) for line in lines):
        return [("list", _LIST_ITEM.sub("", line, count=1)) for line in lines]
    if all(_QUOTE_LINE.match(line) for line in lines):
        return [("quote", " ".join(_QUOTE_LINE.sub("", line, count=1) for line in lines))]
    text = " ".join(lines)
    if CREDIT.search(text):
        return [("caption", text)]
    if _looks_like_heading(text):
        return [("heading", text)]
    return [("body", text)]


def _looks_like_heading(text: str) -> bool:
    """A short line that does not end like a sentence and starts like a title."""
    return (
        len(text) <= _HEADING_MAX_CHARS
        and len(text.split()) <= _HEADING_MAX_WORDS
        and not _SENTENCE_END.search(text)
        and (text[0].isupper() or text[0].isdigit() or text[0] in '„"«')
    )
