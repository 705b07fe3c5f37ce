"""Writing the output: atomic files with ordinary modes, and one clear error when the output side fails.

A reader (or a crash) never sees a half-written file: each file is written to a temporary file beside
it and renamed into place. A file is created with the mode an ordinary `open()` would give it (0666
less the process umask: 0644 under umask 022, 0640 under 027), not the 0600 of `tempfile.mkstemp`, so
a web server or a colleague in the group can read the briefings.

Every OSError on the output side (a full disk, a quota, a read-only filesystem, a missing permission, a
file where a directory should be) becomes one `OutputError` whose message names the directory and the
problem: the caller stops, since the next file would fail the same way.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

_PROBLEMS = {
    errno.ENOSPC: "no space left on the device (the disk is full)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large (over the file system's or the process's file size limit)",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "not a directory",
}


class OutputError(Exception):
    """The output directory cannot be written; the message names it and says why."""

    def __init__(self, directory: Path, exc: OSError):
        super().__init__(f"cannot write to {directory}: {problem(exc)}")


def problem(exc: OSError) -> str:
    """What went wrong, in words a user acts on (the directory is named by the caller)."""
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and exc.filename:
        # mkdir over a file (EEXIST) or through one (ENOTDIR): name the file that is in the way.
        return f"{_file_in_the_way(Path(exc.filename))} is a file, not a directory"
    return _PROBLEMS.get(exc.errno, exc.strerror or str(exc))


def _file_in_the_way(path: Path) -> Path:
    """The first existing non-directory on the way to `path` (for "is a file, not a directory")."""
    for candidate in (*reversed(path.parents), path):
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return path


@contextmanager
def output_errors(directory: Path) -> Iterator[None]:
    """Turn any OSError inside into an OutputError about `directory`."""
    try:
        yield
    except OSError as exc:
        raise OutputError(directory, exc) from exc


def make_directory(directory: Path) -> None:
    """Create the output directory (and its parents) if needed; OutputError if that is impossible."""
    with output_errors(directory):
        directory.mkdir(parents=True, exist_ok=True)


def current_umask() -> int:
    """The process umask, read without changing it where Linux allows (os.umask can only set it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    # Elsewhere: set and restore at once (another thread creating a file in between would get 0o077).
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode `open()` gives a new file under the current umask."""
    return 0o666 & ~current_umask()


def write_atomic(path: Path, text: str | bytes) -> None:
    write_all_atomic({path: text})


def write_all_atomic(files: Mapping[Path, str | bytes]) -> None:
    """Write every file to a temporary file first, then rename them all into place.

    If any write fails (a full disk), none of the files is replaced and no temporary file is left, so a
    briefing never has only some of its formats. Raises OutputError naming the directory.
    """
    mode = file_mode()
    pending: list[tuple[str, Path]] = []  # temporary files not yet renamed into place
    try:
        for path, text in files.items():
            with output_errors(path.parent):
                path.parent.mkdir(parents=True, exist_ok=True)
                pending.append((_write_temporary(path, text, mode), path))
        while pending:
            tmp, path = pending[0]
            with output_errors(path.parent):
                os.replace(tmp, path)
            pending.pop(0)
    finally:
        for tmp, _ in pending:
            Path(tmp).unlink(missing_ok=True)


def _write_temporary(path: Path, text: str | bytes, mode: int) -> str:
    """``text`` as UTF-8 with Unix line ends; bytes (a .docx) as they are."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    binary = isinstance(text, bytes)
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            os.fchmod(f.fileno(), mode)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp
