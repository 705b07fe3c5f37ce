"""Read a document file into paragraphs with stable ids and a kind (heading, caption, list, quote, body).

Batch jobs run over folders that other people fill, so every file is checked before it is read (kind,
size) and after (encoding, binary content); whatever is wrong becomes an ``InputError`` that names the
file, never a traceback.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from pipeline.budget import UNLIMITED, Budget
from pipeline.config import OcrConfig
from pipeline.document import Document, Paragraph
from pipeline.readers import READERS, SUPPORTED_SUFFIXES, eml, ocr
from pipeline.readers.base import Block, FormatError
from pipeline.readers.text import text_blocks

DEFAULT_MAX_BYTES = 10_000_000


class InputError(Exception):
    """A document that cannot be read; the message names the file and the problem."""


# Non-blocking, so that opening a named pipe left in a folder cannot hang the batch.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_document(
    path: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    budget: Budget = UNLIMITED,
    data: bytes | None = None,
    ocr_config: OcrConfig | None = None,
) -> Document:
    """Read a file of a supported type (``pipeline.readers``) of at most ``max_bytes`` bytes: its
    paragraphs, and what the reader of its format found out about it (metadata, notes).

    `data`, when given, are the file's bytes as `read_bytes` read them elsewhere (another machine).
    `budget` is checked between the megabytes read. Scans are read by OCR with `ocr_config` (`[ocr]`;
    None: its defaults).
    """
    if data is None:
        data = read_bytes(path, max_bytes, budget)
    if not data:
        raise InputError(f"{path}: the file is empty")
    try:
        with ocr.using(ocr_config):
            extraction = READERS[path.suffix.lower()].extract(data, max_bytes, budget)
    except FormatError as exc:
        raise InputError(f"{path}: {exc}") from None
    paragraphs = _paragraphs(extraction.blocks, extraction.uncertain)
    if not paragraphs:
        raise InputError(f"{path}: the file has no text")
    return Document(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        paragraphs=paragraphs,
        metadata=dict(extraction.metadata),
        notes=list(extraction.notes),
        cues=extraction.cues,
    )


def attachment_mail(path: Path) -> Path | None:
    """For ``MAIL.eml/ATTACHMENT``, a mail's attachment planned as an input of its own (pipeline.run),
    the mail's path; else None."""
    mail = path.parent
    return mail if mail.suffix.lower() in eml.SUFFIXES and not mail.is_dir() else None


def read_bytes(path: Path, max_bytes: int, budget: Budget) -> bytes:
    """The file's bytes, once the opened file is known to be a regular file of a supported type and size
    (a mail's attachment: its bytes, taken from the mail).

    Checking the opened file (fstat) rather than the name leaves no gap in which it could be swapped.
    """
    if (mail := attachment_mail(path)) is not None:
        try:
            return eml.attachment_bytes(read_bytes(mail, max_bytes, budget), path.name)
        except FormatError as exc:
            raise InputError(f"{path}: {exc}") from None
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


def parse_paragraphs(text: str) -> list[Paragraph]:
    """Plain text or Markdown already decoded, as a .txt/.md file is read: split into paragraphs at blank
    lines; list items become paragraphs of their own."""
    return _paragraphs(text_blocks(text))


def _paragraphs(blocks: Iterable[Block], uncertain: dict[int, list[str]] | None = None) -> list[Paragraph]:
    """Paragraphs from the (kind, text) blocks of any format: whitespace collapsed, empty blocks dropped,
    ids p1, p2, … in order; `uncertain` (block index → words) from OCR'd pages."""
    paragraphs: list[Paragraph] = []
    for index, (kind, text) in enumerate(blocks):
        if text := " ".join(text.split()):
            words = list((uncertain or {}).get(index, ()))
            paragraphs.append(Paragraph(id=f"p{len(paragraphs) + 1}", kind=kind, text=text, uncertain=words))
    return paragraphs
