"""The text of structured documents (HTML, .docx) as ``(kind, text)`` blocks, in reading order.

The reader turns blocks into paragraphs the same way for every format. Kinds are the paragraph kinds of
``pipeline.document``; text is raw (the reader collapses whitespace and drops empty blocks).
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator

from lxml import etree, html

Block = tuple[str, str]


class FormatError(Exception):
    """A file that is not a valid document of its format; the message states the problem."""


# --- HTML ------------------------------------------------------------------------------------------

# Never document text: the head, code, embedded objects, page chrome, forms and their controls.
_DROP = frozenset(
    "head script style noscript template nav aside form svg iframe object embed canvas "
    "button select textarea".split()
)
# The ARIA roles of the same chrome, for pages built from <div>s.
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
# Dropped only when the page has no <main>/<article>: then they are the site's banner and footer, while
# inside an article a <header> holds its title.
_PAGE_CHROME = frozenset({"header", "footer"})
_KINDS = {
    **{f"h{level}": "heading" for level in range(1, 7)},
    "p": "body",
    "li": "list",
    "blockquote": "quote",
    "figcaption": "caption",
    "caption": "caption",
}
# Block elements without a kind of their own: they end the text before them, and their text takes the
# kind of the block around them (a <div> inside a <blockquote> is still quoted).
_BLOCKS = frozenset(
    "address article body center dd details dialog div dl dt fieldset figure footer header hgroup hr html "
    "legend main menu ol pre section summary table tbody td tfoot th thead tr ul".split()
)
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# WHATWG encoding labels that do not mean what Python's codec of the same name does.
_CHARSET_ALIASES = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",  # a real UTF-16 page starts with a byte order mark, which wins over <meta>
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}


def declared_charset(data: bytes) -> str | None:
    """The Python codec for the page's ``<meta charset>`` (searched for near the start, as browsers do)."""
    match = _META_CHARSET.search(data, 0, 4096)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(name, name)


def html_blocks(text: str) -> list[Block]:
    """The main text of a page: <main>, else its <article>s, else <body>, without scripts, styles,
    navigation and forms. Headings, paragraphs, list items, quotes and captions keep their kind."""
    # Passed as UTF-8 bytes with the encoding fixed, so a <meta charset> in the text cannot re-decode it.
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    tree = etree.fromstring(text.encode("utf-8"), parser)
    if tree is None:  # nothing but whitespace and comments
        return []
    for form in tree.iter("form"):
        if next(form.iter("main", "article", "h1"), None) is not None:
            form.tag = "div"  # a form around the whole page (ASP.NET does this), not an input form
    roots, drop = _content_roots(tree), _DROP
    if not roots:
        body = tree.find("body")
        roots, drop = [tree if body is None else body], _DROP | _PAGE_CHROME
    blocks: list[Block] = []
    for root in roots:
        _collect(root, drop, blocks)
    return blocks


def _content_roots(tree: etree._Element) -> list[etree._Element]:
    for tag in ("main", "article"):
        roots = [
            el
            for el in tree.iter(tag)
            if not any(a.tag == tag or _dropped(a, _DROP) for a in el.iterancestors())
        ]
        if roots:
            return roots
    return []


def _dropped(el: etree._Element, drop: frozenset[str]) -> bool:
    return el.tag in drop or el.get("role") in _DROP_ROLES or el.get("hidden") is not None


def _collect(root: etree._Element, drop: frozenset[str], blocks: list[Block]) -> None:
    pending: list[str] = []  # text since the last block boundary

    def flush(kind: str) -> None:
        blocks.append((kind, "".join(pending)))
        pending.clear()

    # Recursion is bounded: libxml2 caps the nesting of a parsed page at 256 levels.
    def walk(el: etree._Element, kind: str) -> None:
        own = _KINDS.get(el.tag)
        is_block = own is not None or el.tag in _BLOCKS
        if is_block:
            flush(kind)
            if own not in (None, "body"):  # a <p> inside a list item or quote stays list or quote
                kind = own
        pending.append(" " if el.tag == "br" else el.text or "")
        for child in el:
            if not _dropped(child, drop):
                walk(child, kind)
            pending.append(child.tail or "")
        if is_block:
            flush(kind)

    walk(root, "body")


# --- .docx -----------------------------------------------------------------------------------------

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


def docx_blocks(data: bytes, max_bytes: int) -> list[Block]:
    """Paragraphs and table cells of the document body in order; headers, footers and notes are left out."""
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
        return list(items(docx.Document(io.BytesIO(data))))
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
