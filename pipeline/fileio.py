"""Writing the output: atomic files with ordinary modes, and one clear error when the output side fails.

A reader (or a crash) never sees a half-written file: each file is written to a temporary file beside
it and renamed into place. A file is created with the mode an ordinary `open()` would give it (0666
less the process umask: 0644 under umask 022, 0640 under 027), not the 0600 of `tempfile.mkstemp`, so
a web server or a colleague in the group can read the briefings.

Files that belong together (the formats of one briefing) are replaced together or not at all
(`replacing`): each is written to a temporary file beside it, streamed by its writer, then every old
file that exists is kept aside (a hard link) and the new ones are renamed in; if one cannot be, the
renamed ones are put back, so the old set stays whole and no new or temporary file is left.

Every OSError on the output side (a full disk, a quota, a read-only filesystem, a missing permission, a
file where a directory should be) becomes one `OutputError` whose message names the directory, or the
file when only that one cannot be replaced (a directory in its place, an immutable file), and the
problem: the caller stops, since the next file would fail the same way.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

_PROBLEMS = {
    errno.ENOSPC: "no space left on the device (the disk is full)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large (over the file system's or the process's file size limit)",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "not a directory",
    errno.EISDIR: "a directory is in its place",
}


def cache_dir() -> Path:
    """The pipeline's folder in the user's cache directory ($XDG_CACHE_HOME/pipeline, else
    ~/.cache/pipeline): the translation cache, the shortlists and the language tables live under it."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pipeline"


class OutputError(Exception):
    """The output directory (or one file in it) cannot be written; the message names it and says why."""

    def __init__(self, directory: Path, exc: OSError, file: Path | None = None):
        if file is None:
            super().__init__(f"cannot write to {directory}: {problem(exc)}")
        elif exc.errno == errno.EPERM:
            super().__init__(f"cannot replace {file}: operation not permitted (immutable? see lsattr)")
        else:
            super().__init__(f"cannot replace {file}: {problem(exc)}")


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
def output_errors(directory: Path, file: Path | None = None) -> Iterator[None]:
    """Turn any OSError inside into an OutputError about `directory` (or `file` in it)."""
    try:
        yield
    except OSError as exc:
        raise OutputError(directory, exc, file) from exc


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
    """Write every file (path → text, or bytes such as a .docx) and replace them all together
    (`replacing`)."""
    with replacing(list(files)) as stage:
        for path, content in files.items():
            stage(path, lambda f, content=content: f.write(content), binary=isinstance(content, bytes))


Writer = Callable[[TextIO], None]  # or BinaryIO, for a file staged with binary=True


@contextmanager
def replacing(paths: list[Path]) -> Iterator[Callable[[Path, Writer], None]]:
    """Replace the files at `paths` together, or none of them.

    Yields `stage(path, writer, binary=False)`: `writer(file)` streams the new text (bytes when
    binary) of `path` into a temporary file beside it. When the block ends, every path must have been
    staged; then all are renamed in together. If anything fails or raises (a full disk, a stop), no new
    or temporary file stays and the old files are untouched. Raises OutputError naming the directory, or
    the file that cannot be replaced.
    """
    mode = file_mode()
    staged: dict[Path, str] = {}  # path → its temporary file

    def stage(path: Path, writer: Writer, binary: bool = False) -> None:
        with output_errors(path.parent):
            path.parent.mkdir(parents=True, exist_ok=True)
            staged[path] = _new_temporary(path)
            text_mode = {"mode": "w", "encoding": "utf-8", "newline": "\n"}
            with open(staged[path], **({"mode": "wb"} if binary else text_mode)) as f:
                os.fchmod(f.fileno(), mode)
                writer(f)
                f.flush()
                os.fsync(f.fileno())

    try:
        yield stage
        missing = [p for p in paths if p not in staged]
        if missing:
            raise ValueError(f"nothing was written for {', '.join(map(str, missing))}")
        _rename_all(staged)
    finally:
        for tmp in staged.values():
            Path(tmp).unlink(missing_ok=True)


def _rename_all(staged: dict[Path, str]) -> None:
    """Rename each temporary file over its path; the old files are linked aside first, so that a rename
    that fails (or a link that cannot be made: a directory or an immutable file in the way) leaves every
    path as it was."""
    kept: dict[Path, str] = {}  # path → a link to its old file
    renamed: list[Path] = []
    try:
        for path in staged:
            if path.is_dir() and not path.is_symlink():  # os.link would say only "not permitted"
                raise OutputError(path.parent, IsADirectoryError(errno.EISDIR, "is a directory"), path)
            if path.exists() or path.is_symlink():
                kept[path] = _new_temporary(path, ".old.tmp")  # .tmp: a killed run's are removed
                Path(kept[path]).unlink()  # os.link makes it anew
                with output_errors(path.parent, path):
                    os.link(path, kept[path], follow_symlinks=False)
        for path, tmp in staged.items():
            with output_errors(path.parent, path):
                os.replace(tmp, path)
            renamed.append(path)
    except BaseException:
        for path in renamed:  # put the old file back, or remove the new one where there was none
            if path in kept:
                os.replace(kept.pop(path), path)
            else:
                path.unlink(missing_ok=True)
        raise
    finally:
        for old in kept.values():
            Path(old).unlink(missing_ok=True)


def _new_temporary(path: Path, suffix: str = ".tmp") -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return tmp
