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
from pipeline.subtitles import subtitle_files

# How many pieces a writer sends between two looks at the stop flag (a piece is a paragraph of the JSON
# or a few template lines: thousands a second), so a stop is honoured within a fraction of a second.
CHUNKS_PER_CHECK = 256


WRITERS: dict[str, Callable[[Document], Iterator[str]]] = {
    "md": markdown_chunks,
    "html": html_chunks,
    "json": json_chunks,
}


def _render_docx(doc: Document) -> bytes:
    from pipeline.render_docx import render_docx  # python-docx: only for a run that asks for it

    return render_docx(doc)


def _render_pdf(doc: Document) -> bytes:
    from pipeline.render_pdf import render_pdf  # WeasyPrint (the pdf extra): likewise

    return render_pdf(doc)


# Formats whose libraries build the whole file in memory (a .docx is a zip, a PDF is laid out whole);
# written as bytes, replaced together with the streamed ones.
BINARY_WRITERS: dict[str, Callable[[Document], bytes]] = {"docx": _render_docx, "pdf": _render_pdf}


def render_briefing(doc: Document, name: str, formats: Sequence[str]) -> dict[str, str | bytes]:
    """Every format of one briefing in memory, and English subtitles for a subtitle file:
    file name → text, or bytes (small documents, tests)."""
    files: dict[str, str | bytes] = {
        f"{name}.{fmt}": BINARY_WRITERS[fmt](doc) if fmt in BINARY_WRITERS else "".join(WRITERS[fmt](doc))
        for fmt in formats
    }
    return files | subtitle_files(doc, name)


def write_briefing(
    doc: Document, out_dir: Path, name: str, formats: Sequence[str], budget: Budget = UNLIMITED
) -> list[str]:
    """Every format of one briefing streamed to `out_dir` and replaced together: all or none of them.

    Returns the file names. Raises OutputError (naming the folder, or the one file that cannot be
    replaced), NotJSON, or the budget's Interrupted; then the old briefing, if any, is untouched.
    """
    subtitles = {out_dir / output: text for output, text in subtitle_files(doc, name).items()}
    paths = [out_dir / f"{name}.{fmt}" for fmt in formats] + list(subtitles)
    with replacing(paths) as stage:
        for fmt, path in zip(formats, paths, strict=False):
            if fmt in BINARY_WRITERS:
                budget.check()
                content = BINARY_WRITERS[fmt](doc)
                stage(path, lambda f, content=content: f.write(content), binary=True)
            else:
                stage(path, lambda f, writer=WRITERS[fmt]: _write(f, writer(doc), budget))
        for path, text in subtitles.items():  # NAME.en.srt / .vtt beside the briefing of a subtitle file
            stage(path, lambda f, text=text: f.write(text))
    return [path.name for path in paths]


def _write(f: TextIO, chunks: Iterator[str], budget: Budget) -> None:
    for i, chunk in enumerate(chunks):
        if i % CHUNKS_PER_CHECK == 0:
            budget.check()
        f.write(chunk)
