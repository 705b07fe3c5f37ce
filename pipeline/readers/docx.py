"""Word .docx: the paragraphs and table cells of the body in order, with kinds from their styles;
headers, footers and notes are left out."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from pipeline.budget import UNLIMITED, Budget, Interrupted, OverBudget
from pipeline.readers.base import Block, Extraction, FormatError

SUFFIXES = (".docx",)

# A .docx is a zip archive; refuse one that would unpack to far more than the file itself (a zip bomb).
DOCX_MAX_EXPANSION = 10
# At most one XML element of the body (word/document.xml) per this many bytes of input.max_bytes:
# 1,000,000 for the default 10 MB, whatever the file's own size. python-docx holds every element in
# memory (~0.3 KB each) and reads ~6,000 paragraphs a second; a 359 kB file of a million copies of one
# paragraph has 3 million. Measured on corpora/de's article as a python-docx document with a bold run in
# every third sentence: 0.05 elements per byte of .docx, so a file of input.max_bytes of such text stays
# 2× under the limit (re-check: tests/test_hostile.py::test_docx_element_density).
DOCX_BYTES_PER_ELEMENT = 10
_BODY_PART = "word/document.xml"
_CHECK_EVERY = 256  # paragraphs between looks at the stop flag and the deadline
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
                    budget.check()
                    for cell in row.cells:
                        if cell._tc not in seen:
                            seen.add(cell._tc)
                            yield from items(cell)
            else:
                yield _docx_kind(item, styles), item.text

    limit = DOCX_MAX_EXPANSION * max_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > limit:
                raise FormatError(
                    f"the .docx unpacks to {unpacked:,} bytes, more than the limit of {limit:,} "
                    f"({DOCX_MAX_EXPANSION} × input.max_bytes)"
                )
            _check_elements(archive, max_bytes, budget)
        document = docx.Document(io.BytesIO(data))
        styles = _paragraph_styles(document)
        blocks = []
        for block in items(document):
            blocks.append(block)
            if len(blocks) % _CHECK_EVERY == 0:
                budget.check()
        return Extraction(blocks=blocks)
    except (FormatError, Interrupted, OverBudget):
        raise
    # zipfile and python-docx fail on damaged packages with many types (BadZipFile, NotImplementedError,
    # zlib.error, KeyError, lxml's errors, …); to the reader they all mean the same.
    except Exception as exc:
        raise FormatError(f"not a valid .docx ({type(exc).__name__}: {exc})") from None


def _check_elements(archive: zipfile.ZipFile, max_bytes: int, budget: Budget) -> None:
    """Refuse a body of more XML elements than DOCX_BYTES_PER_ELEMENT allows (counted as the part is
    unpacked, a megabyte at a time, before python-docx parses it)."""
    limit = max_bytes // DOCX_BYTES_PER_ELEMENT
    try:
        part = archive.open(_BODY_PART)
    except KeyError:
        return  # python-docx names the problem
    elements, previous = 0, b""
    with part:
        while chunk := part.read(1 << 20):
            budget.check()
            # Start tags: every "<" but those of end tags, declarations and comments (one may straddle
            # two chunks: off by one at most).
            text = previous + chunk
            elements += text.count(b"<") - text.count(b"</") - text.count(b"<?") - text.count(b"<!")
            elements -= previous.count(b"<") - previous.count(b"</")
            previous = chunk[-1:]
            if elements > limit:
                raise FormatError(
                    f"the .docx body has more than {limit:,} XML elements (input.max_bytes / "
                    f"{DOCX_BYTES_PER_ELEMENT}); raise input.max_bytes to read it"
                )


def _paragraph_styles(document) -> dict[str | None, str]:
    """Style id → lower-case name of every paragraph style, None → the default one. python-docx looks
    a paragraph's style up by a scan of all styles each time (about 1 ms a paragraph), so once here."""
    from docx.enum.style import WD_STYLE_TYPE

    paragraph = WD_STYLE_TYPE.PARAGRAPH
    styles = {s.style_id: (s.name or "").lower() for s in document.styles if s.type == paragraph}
    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    styles[None] = (default.name or "").lower() if default is not None else ""
    return styles


def _docx_kind(paragraph, styles: dict[str | None, str]) -> str:
    p_pr = paragraph._p.pPr
    style_id = p_pr.pStyle.val if p_pr is not None and p_pr.pStyle is not None else None
    style = styles.get(style_id, styles[None])  # an unknown id means the default, as in Word
    for prefix, kind in _DOCX_STYLE_KINDS:
        if style.startswith(prefix):
            return kind
    # Numbered or bulleted through direct formatting rather than a list style.
    return "list" if p_pr is not None and p_pr.numPr is not None else "body"
