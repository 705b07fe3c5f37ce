"""Which files a run reads: the documents named on the command line or found in folders, each with a
unique output name, and the content hash that tells a changed input from an unchanged one.

Batch jobs run over folders other people fill, so nothing found there is trusted:
- Only regular files are read. A named pipe, a device or a socket (or a link to one, such as a link to
  /dev/zero) is skipped with one line: opening or hashing it could block or never end.
- Symbolic links, to files and to folders alike, are followed only when their target lies inside the
  input folder they were found in, unless `input.follow_links = true`; a link pointing elsewhere is
  skipped with one line naming it and its target. A link to a folder inside the input folder is not
  followed either (its files are read in their own place), and with `follow_links` no folder is read
  twice, so links cannot loop. A broken link or a link loop is kept: its reader reports it.
- A path named on the command line is read as given (the user chose it), if it is a regular file.
- A file is hashed only when it is a regular file within `input.max_bytes`; the reader reports the others.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.attachments import with_attachments
from pipeline.budget import StopFlag
from pipeline.reader import SUPPORTED_SUFFIXES, InputError, attachment_mail

# Opened without blocking: a file swapped for a named pipe after it was listed cannot hang the hash.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


@dataclass(frozen=True)
class Source:
    path: Path
    name: str  # output file stem, unique within the run


@dataclass(frozen=True)
class Ignored:
    """An entry of an input folder that is not read, and why (one line for the user)."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}; skipped"


def collect_sources(
    inputs: Sequence[Path], follow_links: bool = False, ignored: list[Ignored] | None = None
) -> list[Source]:
    """Supported files named directly or found under folders, each with a unique output name.

    What is not read (see the module's rules) is appended to `ignored`."""
    ignored = [] if ignored is None else ignored
    files: list[tuple[Path, Path]] = []  # (file, the input it came from)
    for given in inputs:
        if given.is_dir():
            files.extend((path, given) for path in _walk(given, follow_links, ignored))
        elif given.is_file() or given.is_symlink():
            files.append((given, given.parent))
        elif given.exists():
            ignored.append(Ignored(given, _kind(given)))
        else:
            raise InputError(f"{given}: no such file or directory")
    files = with_attachments(files)
    sources, taken = [], set()
    for path, root in files:
        relative = path.relative_to(root).with_suffix("")
        if attachment_mail(path):  # MAIL.eml/ANLAGE.pdf → MAIL--ANLAGE
            relative = relative.parent.with_suffix("") / relative.name
        name = safe_name("--".join(relative.parts))
        if name in taken:
            name = safe_name(f"{name}-{path.suffix.lstrip('.')}")
        while name in taken:
            name += "_"
        taken.add(name)
        sources.append(Source(path, name))
    return sources


def _walk(root: Path, follow_links: bool, ignored: list[Ignored]) -> Iterator[Path]:
    """The supported files under `root`, in name order, by the rules of the module docstring."""
    real_root = root.resolve()
    seen = {real_root}  # folders read (resolved): with follow_links, a link back is not read again

    def walk(folder: Path) -> Iterator[Path]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            ignored.append(Ignored(folder, f"cannot read the folder ({exc.strerror or exc})"))
            return
        for entry in entries:
            path = Path(entry.path)
            wanted = path.suffix.lower() in SUPPORTED_SUFFIXES
            try:
                info = os.stat(path)  # follows links; never opens the file
            except OSError:  # a broken link or a loop: kept, the reader names the problem
                if wanted:
                    yield path
                continue
            if not (stat.S_ISDIR(info.st_mode) or wanted):
                continue
            if entry.is_symlink():
                target = path.resolve()
                if stat.S_ISDIR(info.st_mode) and target.is_relative_to(real_root) and not follow_links:
                    ignored.append(Ignored(path, f"a link to the folder {target}, read in its own place"))
                    continue
                if not follow_links and not target.is_relative_to(real_root):
                    ignored.append(
                        Ignored(path, f"a link to {target}, outside the input folder (input.follow_links)")
                    )
                    continue
            if stat.S_ISDIR(info.st_mode):
                real = path.resolve()
                if real in seen:
                    ignored.append(Ignored(path, f"a link to the folder {real}, which is read already"))
                    continue
                seen.add(real)
                yield from walk(path)
            elif stat.S_ISREG(info.st_mode):
                yield path
            else:
                ignored.append(Ignored(path, _kind(path)))

    yield from walk(root)


def _kind(path: Path) -> str:
    mode = path.stat().st_mode
    what = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "something other than a file"
    )
    return f"{what}, not a regular file"


def safe_name(text: str) -> str:
    """A file stem that stays inside the output directory, whatever the input file was called."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[^\w.-]+", "_", text).strip("._") or "document"
    return text[:120]


def file_sha256(path: Path, max_bytes: int, stop: StopFlag | None = None) -> str | None:
    """The content hash of a regular file of at most `max_bytes`; None for anything else (the reader
    then reports the problem). Checked on the opened file, so a swapped file is caught too; a stop
    signal ends the hashing between megabytes. A mail's attachment is unchanged while its mail is."""
    path = attachment_mail(path) or path
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        digest = hashlib.sha256()
        read = 0
        while block := os.read(fd, 1 << 20):
            read += len(block)
            if read > max_bytes or (stop is not None and stop.is_set()):
                return None
            digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)
