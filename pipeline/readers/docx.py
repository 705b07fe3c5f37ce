"""Word .docx: the paragraphs and table cells of the body in order, with kinds from their styles;
headers, footers and notes are left out."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers.base import Block, Extraction, FormatError

SUFFIXES = (".docx",)

# A .docx is a zip archive; refuse one that would unpack to far more than the file itself (a zip bomb).
DOCX_MAX_EXPANSION = 10
# Style-name prefixes (python-docx reports built-in styles by their English names in any Word language).
_DOCX_STYLE_KINDS = (
    ("heading", "heading"),
    ("title", "heading"),
    ("subtitle", "heading"),
    ("list", "list"),
    ("quote", "quote"),
    ("intense quote", "quote"),
    ("caption", "caption"),
)


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    import docx  # python-docx; imported here as only .docx files need it
    from docx.table import Table

    def items(container) -> Iterator[Block]:
        for item in container.iter_inner_content():
            if isinstance(item, Table):
                seen = set()  # a merged cell is returned once for every grid cell it spans
                for row in item.rows:
                    for cell in row.cells:
                        if cell._tc not in seen:
                            seen.add(cell._tc)
                            yield from items(cell)
            else:
                yield _docx_kind(item), item.text

    limit = DOCX_MAX_EXPANSION * max_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > limit:
            raise FormatError(
                f"the .docx unpacks to {unpacked:,} bytes, more than the limit of {limit:,} "
                f"({DOCX_MAX_EXPANSION} × input.max_bytes)"
            )
        return Extraction(blocks=list(items(docx.Document(io.BytesIO(data)))))
    except FormatError:
        raise
    # zipfile and python-docx fail on damaged packages with many types (BadZipFile, NotImplementedError,
    # zlib.error, KeyError, lxml's errors, …); to the reader they all mean the same.
    except Exception as exc:
        raise FormatError(f"not a valid .docx ({type(exc).__name__}: {exc})") from None


def _docx_kind(paragraph) -> str:
    style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    for prefix, kind in _DOCX_STYLE_KINDS:
        if style.startswith(prefix):
            return kind
    # Numbered or bulleted through direct formatting rather than a list style.
    p_pr = paragraph._p.pPr
    return "list" if p_pr is not None and p_pr.numPr is not None else "body"
