"""Read a document file into paragraphs with stable ids and a kind (heading, caption, list, quote, body).

Batch jobs run over folders that other people fill, so every file is checked before it is read (kind,
size) and after (encoding, binary content); whatever is wrong becomes an ``InputError`` that names the
file, never a traceback.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

import charset_normalizer

from pipeline.budget import UNLIMITED, Budget
from pipeline.document import Document, Paragraph
from pipeline.formats import FormatError, declared_charset, docx_blocks, html_blocks

_HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = (".txt", ".md", *_HTML_SUFFIXES, ".docx")
DEFAULT_MAX_BYTES = 10_000_000


class InputError(Exception):
    """A document that cannot be read; the message names the file and the problem."""


_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
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

# UTF-32 first: its little-endian mark starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Text that is not UTF-8 is taken to be in one of the legacy encodings German text comes in. They differ
# only in 0x80–0x9F (Windows-1252's „“–€ are control codes in Latin-1), so choosing between them is safe;
# charset-normalizer's mess threshold is raised from 0.2 because a short line like "„Grüße“ – 5 €" is
# mostly symbols, while binary data still fails it.
_LEGACY_ENCODINGS = ["cp1252", "latin_1"]
# Control characters other than tab, line and page breaks: in text they are rare, in binary data common.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.1
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Non-blocking, so that opening a named pipe left in a folder cannot hang the batch.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, budget: Budget = UNLIMITED) -> Document:
    """Read a .txt, .md, .html/.htm or .docx file of at most ``max_bytes`` bytes.

    Text files are UTF-8 (with or without BOM), UTF-16/32 with BOM, or Windows-1252/Latin-1; a blank
    line separates paragraphs. HTML pages give their main text, .docx files their body paragraphs.
    `budget` is checked between the megabytes read.
    """
    data = _read_bytes(path, max_bytes, budget)
    if not data:
        raise InputError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        try:
            blocks = docx_blocks(data, max_bytes)
        except FormatError as exc:
            raise InputError(f"{path}: {exc}") from None
    else:
        text = _decode(path, data, declared_charset(data) if suffix in _HTML_SUFFIXES else None)
        blocks = html_blocks(text) if suffix in _HTML_SUFFIXES else _text_blocks(text)
    paragraphs = _paragraphs(blocks)
    if not paragraphs:
        raise InputError(f"{path}: the file has no text")
    return Document(path=path, sha256=hashlib.sha256(data).hexdigest(), paragraphs=paragraphs)


def _read_bytes(path: Path, max_bytes: int, budget: Budget) -> bytes:
    """The file's bytes, once the opened file is known to be a regular file of a supported type and size.

    Checking the opened file (fstat) rather than the name leaves no gap in which it could be swapped.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise InputError(f"{path}: is a directory, not a file")
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"{path}: not a regular file (a device, pipe or socket)")
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise InputError(
                    f"{path}: unsupported file type {path.suffix or '(none)'}; "
                    f"expected one of {', '.join(SUPPORTED_SUFFIXES)}"
                )
            if info.st_size > max_bytes:
                raise InputError(
                    f"{path}: the file is {info.st_size:,} bytes, larger than the limit of "
                    f"{max_bytes:,} bytes (input.max_bytes)"
                )
            data = bytearray()
            while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - len(data))):
                data += chunk
                budget.check()
        finally:
            os.close(fd)
    except OSError as exc:
        raise InputError(f"{path}: {_os_problem(path, exc)}") from None
    if len(data) > max_bytes:  # it grew after the size check; never read a file in part
        raise InputError(f"{path}: the file grew beyond the limit of {max_bytes:,} bytes while being read")
    return bytes(data)


def _os_problem(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (or too many levels of symbolic links)"
    if exc.errno == errno.ENOENT:
        return "broken symbolic link (its target does not exist)" if path.is_symlink() else "no such file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot read the file: {exc.strerror or exc}"


def _decode(path: Path, data: bytes, declared: str | None = None) -> str:
    """The text of ``data``, refusing binary data (see ``_to_text`` for the encodings)."""
    text = _to_text(path, data, declared)
    controls = sum(1 for _ in _CONTROL.finditer(text))
    if "\0" in text or controls > _MAX_CONTROL_SHARE * len(text):
        raise InputError(
            f"{path}: binary data, not text ({controls:,} of {len(text):,} characters are control codes)"
        )
    return text


def _to_text(path: Path, data: bytes, declared: str | None) -> str:
    """Decoded by its byte order mark, else as strict UTF-8, else in the ``declared`` encoding, else in
    the legacy encoding charset-normalizer finds."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}: starts with a {codec.upper()} byte order mark but is not valid "
                    f"{codec.upper()} text (byte {exc.start + len(bom)})"
                ) from None
    if b"\0" in data:
        raise InputError(f"{path}: binary data, not text (NUL bytes; UTF-16 text needs a byte order mark)")
    for codec in filter(None, ("utf-8", declared)):
        try:
            text = data.decode(codec)
        except (LookupError, ValueError):  # not a text codec ("base64", "undefined"), or not its bytes
            continue
        if not _SURROGATE.search(text):  # "utf-7" and the escape codecs can decode to lone surrogates
            return text
    best = charset_normalizer.from_bytes(data, cp_isolation=_LEGACY_ENCODINGS, threshold=0.5).best()
    if best is None:
        raise InputError(f"{path}: not text: the bytes are neither UTF-8 nor Windows-1252/Latin-1 text")
    return str(best)


def parse_paragraphs(text: str) -> list[Paragraph]:
    """Split text into paragraphs at blank lines; list items become paragraphs of their own."""
    return _paragraphs(_text_blocks(text))


def _paragraphs(blocks: Iterable[tuple[str, str]]) -> list[Paragraph]:
    """Paragraphs from the (kind, text) blocks of any format: whitespace collapsed, empty blocks dropped,
    ids p1, p2, … in order."""
    paragraphs: list[Paragraph] = []
    for kind, text in blocks:
        if text := " ".join(text.split()):
            paragraphs.append(Paragraph(id=f"p{len(paragraphs) + 1}", kind=kind, text=text))
    return paragraphs


def _text_blocks(text: str) -> Iterator[tuple[str, str]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for block in re.split(r"\n\s*\n", text):
        # Whitespace runs collapsed first: the patterns below backtrack over them (quadratic time).
        lines = [" ".join(line.split()) for line in block.split("\n") if line and not line.isspace()]
        if lines:
            yield from _classify_block(lines)


def _classify_block(lines: list[str]) -> list[tuple[str, str]]:
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
