"""Writing one briefing: every format streamed to a file of its own, and the files replaced together.

Each writer sends its format to the file a piece at a time (pipeline.render): the Markdown and HTML
templates through Jinja's `generate`, the JSON paragraph by paragraph. So memory does not grow with the
document beyond the document itself. The formats are first written to temporary files beside their
places and then renamed in together (pipeline.fileio.replacing): a briefing is never a mix of old and
new files, and a stop (SIGTERM) while writing leaves the old one whole.

The JSON is strict: a value JSON cannot hold (NaN, infinity) is refused with NotJSON, naming where it
is, rather than written as the bare `NaN` other parsers reject; the document then fails with that message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from pipeline.budget import UNLIMITED, Budget
from pipeline.document import Document
from pipeline.fileio import replacing
from pipeline.render import html_chunks, json_chunks, markdown_chunks

# How many pieces a writer sends between two looks at the stop flag (a piece is a paragraph of the JSON
# or a few template lines: thousands a second), so a stop is honoured within a fraction of a second.
CHUNKS_PER_CHECK = 256


WRITERS: dict[str, Callable[[Document], Iterator[str]]] = {
    "md": markdown_chunks,
    "html": html_chunks,
    "json": json_chunks,
}


def render_briefing(doc: Document, name: str, formats: Sequence[str]) -> dict[str, str]:
    """Every format of one briefing in memory, file name → text (small documents, tests)."""
    return {f"{name}.{fmt}": "".join(WRITERS[fmt](doc)) for fmt in formats}


def write_briefing(
    doc: Document, out_dir: Path, name: str, formats: Sequence[str], budget: Budget = UNLIMITED
) -> list[str]:
    """Every format of one briefing streamed to `out_dir` and replaced together: all or none of them.

    Returns the file names. Raises OutputError (naming the folder, or the one file that cannot be
    replaced), NotJSON, or the budget's Interrupted; then the old briefing, if any, is untouched.
    """
    files = {out_dir / f"{name}.{fmt}": WRITERS[fmt] for fmt in formats}
    with replacing(list(files)) as stage:
        for path, writer in files.items():
            stage(path, lambda f, writer=writer: _write(f, writer(doc), budget))
    return [path.name for path in files]


def _write(f: TextIO, chunks: Iterator[str], budget: Budget) -> None:
    for i, chunk in enumerate(chunks):
        if i % CHUNKS_PER_CHECK == 0:
            budget.check()
        f.write(chunk)
