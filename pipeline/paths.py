"""Names read from files (manifest entries, package metadata) are data, never paths.

Every path the pipeline deletes, writes or creates from such a name goes through `child`: the name must
be one plain path component, so the result lies directly in the folder it belongs to (the output folder,
the cache, the packages directory). Anything else is refused, never followed.
"""

from __future__ import annotations

import re
from pathlib import Path

# What a version string may hold to become part of a file name: letters, digits, ".", "+", "-", "_".
_PLAIN = re.compile(r"[\w.+-]+", re.ASCII)


class UnsafePath(ValueError):
    """A name that would leave its folder (a separator, "..", an absolute path, a link out)."""


def is_plain_name(name: object) -> bool:
    """One path component made of ordinary characters: no separator, not "." or "..", no NUL."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and not any(c in name for c in "/\\\0")
        and len(name) <= 255
    )


def is_plain_token(text: object) -> bool:
    """A short token (a version string) that is safe inside a file name as it stands."""
    return isinstance(text, str) and bool(_PLAIN.fullmatch(text)) and ".." not in text and len(text) <= 64


def child(folder: Path, name: str) -> Path:
    """`folder / name`, when `name` is one plain component, so the path lies directly in `folder`.

    A link at that place is not followed by the callers: unlink and rename act on the link itself,
    never on what it points to."""
    if not is_plain_name(name):
        raise UnsafePath(f"{name!r} is not a plain file name in {folder}")
    return folder / name
