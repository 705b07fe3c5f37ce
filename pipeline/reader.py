"""Read a document file into paragraphs with stable ids and a kind (heading, caption, list, quote, body)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pipeline.document import Document, Paragraph

SUPPORTED_SUFFIXES = (".txt", ".md")


class InputError(Exception):
    """A document that cannot be read; the message names the file and the problem."""


_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•–]|\d{1,3}[.)])\s+")
_QUOTE_LINE = re.compile(r"^\s*>\s?")
# A photo caption ends in a credit: "… Foto: Lena M. Hoffmann/AFP via Getty Images", "Bild: dpa", "© Reuters".
CREDIT = re.compile(
    r"(?:^|(?<=[\s(|]))(?:(?:Fotos?|Bild(?:er)?|Photos?|Image|Credit|Quelle)\s*:|©)\s*\S.{0,100}$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?:;…]['\"“”‘’»«)]*$")
_HEADING_MAX_CHARS = 90
_HEADING_MAX_WORDS = 12


def read_document(path: Path) -> Document:
    """Read a .txt or .md file (UTF-8; a blank line separates paragraphs)."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{path}: unsupported file type {path.suffix or '(none)'}; "
            f"expected one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 text (byte {exc.start})") from None
    paragraphs = parse_paragraphs(text)
    if not paragraphs:
        raise InputError(f"{path}: the file has no text")
    return Document(path=path, sha256=hashlib.sha256(data).hexdigest(), paragraphs=paragraphs)


def parse_paragraphs(text: str) -> list[Paragraph]:
    """Split text into paragraphs at blank lines; list items become paragraphs of their own."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[tuple[str, str]] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            blocks.extend(_classify_block(lines))
    return [Paragraph(id=f"p{i}", kind=kind, text=body) for i, (kind, body) in enumerate(blocks, 1)]


def _classify_block(lines: list[str]) -> list[tuple[str, str]]:
    if len(lines) == 1 and (m := _MD_HEADING.match(lines[0])):
        return [("heading", m.group(1))]
    if all(_LIST_ITEM.match(line) for line in lines):
        return [("list", _LIST_ITEM.sub("", line, count=1)) for line in lines]
    if all(_QUOTE_LINE.match(line) for line in lines):
        return [("quote", _join(_QUOTE_LINE.sub("", line, count=1) for line in lines))]
    text = _join(lines)
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


def _join(lines) -> str:
    return re.sub(r"\s+", " ", " ".join(lines)).strip()
