"""HTML pages: the main text found by trafilatura, with its structure and the page's metadata.

trafilatura's XML keeps the structure the briefing needs (``head``, ``p``, ``list``/``item``, ``quote``,
``table``/``row``/``cell``), mapped here to the paragraph kinds. A page where it finds no main text
(a very short page, a page that is all markup) is read by ``pipeline.readers.html_body`` instead, and the
briefing says so.
"""

from __future__ import annotations

import logging

from lxml import etree

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers import html_body
from pipeline.readers.base import Block, Extraction, FormatError
from pipeline.readers.decode import declared_charset, decode
from pipeline.readers.text import CREDIT

SUFFIXES = (".html", ".htm")

FALLBACK_NOTE = "trafilatura found no main text in the page; the text of its whole body was used"
# trafilatura asks libxml2 for "//p//text()" (of the page, and of its result, where <div>s and list
# items may have become <p>), which takes time quadratic in the number of those elements: on this
# project's loaded 2-core test machine a page of 20,000 short <div>s takes 3.9 s, of 40,000 13 s, of
# 80,000 51 s (re-check with bench/html_pages.py). The 40 real pages of ../shared/real/html have at most
# 916 such elements; a page with more than this many is read by the whole-body reader.
MAX_BLOCK_ELEMENTS = 20_000
# Above this many, trafilatura runs without its fallback extractors (readability, jusText; its
# "fast" mode): jusText's neighbour search is quadratic too, a page of 4,000 short list items took 4 s
# and one of 20,000 took 209 s. Twice the most of the real pages; with fallbacks they score recall
# 0.961, without 0.906, so pages of an ordinary size keep them.
MAX_BLOCK_ELEMENTS_WITH_FALLBACKS = 2_000
# At most one element per this many bytes of input.max_bytes (2.5 million for the default 10 MB): the
# smallest element, "<b>", takes 3 bytes, and libxml2 adds few of its own (html, body, implied <p>s).
HTML_BYTES_PER_ELEMENT = 4
_BLOCK_TAGS = (
    "p div li dd dt section article blockquote pre h1 h2 h3 h4 h5 h6 address details summary figcaption"
).split()
TOO_LARGE_NOTE = (
    "the page has {count:,} block elements (paragraphs, divisions, list items, …), more than trafilatura "
    f"reads in reasonable time ({MAX_BLOCK_ELEMENTS:,}); the text of its whole body was used"
)
# Passed to trafilatura.bare_extraction. Calibrated on the 40 German pages of ../shared/real/html
# (re-check: ../shared/real/html/score.py .venv/bin/pipeline split, or tests/test_html_real.py).
TRAFILATURA_OPTIONS = {
    "output_format": "xml",
    "include_tables": True,
    "include_comments": False,
    "include_images": False,
    "include_formatting": False,
    "include_links": False,
    "favor_precision": False,
    "favor_recall": False,
    "with_metadata": True,
}
_METADATA = ("title", "author", "date", "sitename", "url")
_KINDS = {"head": "heading", "p": "body", "item": "list", "quote": "quote"}
_CELL_SEPARATOR = " | "
# How far down the title heading may be: below a kicker, a date line and a photo credit.
_TITLE_SEARCH_BLOCKS = 5

# trafilatura and htmldate log every page they discard; the fallback note says it once, in the briefing.
for _name in ("trafilatura", "htmldate"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    import trafilatura  # imported here: it takes a while, and only HTML pages need it
    from trafilatura.settings import set_date_params

    tree = html_body.parse(decode(data, declared_charset(data)))
    if tree is None:
        return Extraction(blocks=[])
    budget.check()
    limit = max_bytes // HTML_BYTES_PER_ELEMENT
    if (elements := sum(1 for _ in tree.iter())) > limit:
        raise FormatError(
            f"the page has {elements:,} elements, more than {limit:,} (input.max_bytes / "
            f"{HTML_BYTES_PER_ELEMENT}); raise input.max_bytes to read it"
        )
    if (count := sum(1 for _ in tree.iter(*_BLOCK_TAGS))) > MAX_BLOCK_ELEMENTS:
        blocks = html_body.page_blocks(tree, budget)
        return Extraction(blocks=blocks, notes=[TOO_LARGE_NOTE.format(count=count)])
    # htmldate's extensive search hands leftover date-like strings to dateparser, whose first use loads
    # every locale (about 5 s on a loaded 2-core machine). On the 40 pages of ../shared/real/html it found
    # 4 more dates than without, 3 of them a bare year read as 1 January; without it the 40 pages take
    # 4.5 s instead of 12 s.
    result = trafilatura.bare_extraction(
        _drop_unseen(tree),
        fast=count > MAX_BLOCK_ELEMENTS_WITH_FALLBACKS,
        date_extraction_params=set_date_params(extensive=False),
        **TRAFILATURA_OPTIONS,
    )
    budget.check()
    metadata = {} if result is None else _metadata(result)
    body = None if result is None else result.body
    blocks = [] if body is None else _blocks(body)
    if not _is_main_text(body, blocks):  # trafilatura copies its input: ``tree`` is still the whole page
        blocks = html_body.page_blocks(tree, budget)
        return Extraction(blocks=blocks, metadata=metadata, notes=[FALLBACK_NOTE])
    title = metadata.get("title")
    if title and not _has_title(blocks, title):
        blocks.insert(0, ("heading", title))
    return Extraction(blocks=blocks, metadata=metadata)


def _is_main_text(body: etree._Element | None, blocks: list[Block]) -> bool:
    """Whether trafilatura found main text: not when its result is below its own minimum
    (MIN_EXTRACTED_SIZE, 250 characters), nor when it is the page's text without structure: text
    without elements (from its readability fallback) or one <p> with lines joined by line breaks (its
    baseline, which its own paragraphs never hold). The whole-body reader then keeps at least headings
    and paragraphs apart."""
    from trafilatura.settings import DEFAULT_CONFIG

    if body is None or len(body) == 0:
        return False
    if len(body) == 1 and body[0].tag == "p" and "\n" in (body[0].text or ""):
        return False
    return sum(len(text.strip()) for _, text in blocks) >= DEFAULT_CONFIG.getint(
        "DEFAULT", "MIN_EXTRACTED_SIZE"
    )


def _drop_unseen(tree: etree._Element) -> etree._Element:
    """``tree`` without what a browser does not show: trafilatura keeps ``hidden`` elements and the text
    of templates (the whole-body reader skips both anyway)."""
    for el in tree.xpath("//template | //*[@hidden]"):
        el.drop_tree()  # its tail is text of the parent and stays
    return tree


def _metadata(result) -> dict[str, str]:
    found = {key: " ".join(str(getattr(result, key, None) or "").split()) for key in _METADATA}
    return {key: value for key, value in found.items() if value}


def _has_title(blocks: list[Block], title: str) -> bool:
    """Whether a heading near the top is the page title (trafilatura's title often adds " - Site")."""
    title = " ".join(title.split()).casefold()
    for kind, text in blocks[:_TITLE_SEARCH_BLOCKS]:
        text = " ".join(text.split()).casefold()
        if kind == "heading" and text and (text in title or title in text):
            return True
    return False


def _blocks(body: etree._Element) -> list[Block]:
    blocks: list[Block] = []
    pending: list[str] = []  # text since the last block boundary

    def flush(kind: str) -> None:
        text = "".join(pending)
        pending.clear()
        if kind in ("body", "heading") and CREDIT.search(" ".join(text.split())):
            kind = "caption"  # "Foto: Name/dpa" under a picture, often marked up as a small heading
        blocks.append((kind, text))

    # Recursion is bounded: trafilatura's output nests only lists and quotes, a few levels deep.
    def walk(el: etree._Element, kind: str) -> None:
        if el.tag == "row":
            flush(kind)
            cells = (" ".join("".join(cell.itertext()).split()) for cell in el.iter("cell"))
            blocks.append(("table", _CELL_SEPARATOR.join(filter(None, cells))))
            pending.append(el.tail or "")
            return
        own = _KINDS.get(el.tag)
        if own is not None or el.tag in ("list", "table"):
            flush(kind)
            if own is not None and (own != "body" or kind == "body"):  # a <p> in an item stays a list item
                kind = own
        pending.append(" " if el.tag == "lb" else el.text or "")
        for child in el:
            walk(child, kind)
        if own is not None or el.tag in ("list", "table"):
            flush(kind)
        pending.append(el.tail or "")

    walk(body, "body")
    flush("body")  # text after the last block
    return blocks
