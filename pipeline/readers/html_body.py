"""The text of a page's whole body, for pages where trafilatura finds no main text: <main>, else its
<article>s, else <body>, without scripts, styles, navigation and forms. Headings, paragraphs, list
items, quotes and captions keep their kind.
"""

from __future__ import annotations

from lxml import etree, html

from pipeline.readers.base import Block

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


def parse(text: str) -> etree._Element | None:
    """The page's tree (None for a page of nothing but whitespace and comments)."""
    # Passed as UTF-8 bytes with the encoding fixed, so a <meta charset> in the text cannot re-decode it.
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    return etree.fromstring(text.encode("utf-8"), parser)


def page_blocks(tree: etree._Element) -> list[Block]:
    """The blocks of ``tree`` (changed in place: forms around the whole page become <div>s)."""
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
