"""The text of a page's whole body, for pages where trafilatura finds no main text: <main>, else its
<article>s, else <body>, without scripts, styles, navigation and forms. Headings, paragraphs, list
items, quotes and captions keep their kind.
"""

from __future__ import annotations

from html.parser import HTMLParser

from lxml import etree, html

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers.base import Block

_CHECK_EVERY = 256  # elements between looks at the stop flag and the deadline
# Elements below this depth are flattened when libxml2's own limit (256) is reached (`parse`).
MAX_DEPTH = 100
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
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
    """The page's tree (None for a page of nothing but whitespace and comments).

    libxml2 stops reading a page nested more than 256 levels deep (the rest of its text is lost); such
    a page is read again with the elements below MAX_DEPTH flattened (`flatten`), so its text is kept
    at any depth, and every tree walked here and by trafilatura is at most ~256 levels deep."""
    tree, too_deep = _parse(text)
    if too_deep:
        tree, _ = _parse(flatten(text))
    return tree


def _parse(text: str) -> tuple[etree._Element | None, bool]:
    # Passed as UTF-8 bytes with the encoding fixed, so a <meta charset> in the text cannot re-decode it.
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    tree = etree.fromstring(text.encode("utf-8"), parser)
    return tree, any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)


def flatten(text: str) -> str:
    """The page with the tags of elements deeper than MAX_DEPTH taken out: block elements become a
    break between blocks (an empty <hr>), inline ones go; text, and the tags above that depth, stay."""
    flat = _Flattener()
    flat.feed(text)
    flat.close()
    return "".join(flat.out)


class _Flattener(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.open: list[str] = []  # the elements open above this point, outermost first

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            self.out.append(self.get_starttag_text() or "")
        elif len(self.open) < MAX_DEPTH:
            self.open.append(tag)
            self.out.append(self.get_starttag_text() or "")
        else:
            self.open.append(tag)
            self._boundary(tag)

    def handle_endtag(self, tag):
        if tag not in self.open:
            return  # a stray end tag: libxml2 ignores it too
        while self.open:
            closed = self.open.pop()
            if len(self.open) < MAX_DEPTH:
                self.out.append(f"</{closed}>")
            else:
                self._boundary(closed)
            if closed == tag:
                break

    def _boundary(self, tag: str) -> None:
        if (tag in _BLOCKS or tag in _KINDS) and self.out[-1:] != ["<hr>"]:  # one break for a run
            self.out.append("<hr>")

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")


def page_blocks(tree: etree._Element, budget: Budget = UNLIMITED) -> list[Block]:
    """The blocks of ``tree`` (changed in place: forms around the whole page become <div>s); `budget`
    is checked every few hundred elements."""
    for form in tree.iter("form"):
        if next(form.iter("main", "article", "h1"), None) is not None:
            form.tag = "div"  # a form around the whole page (ASP.NET does this), not an input form
    roots, drop = _content_roots(tree), _DROP
    if not roots:
        body = tree.find("body")
        roots, drop = [tree if body is None else body], _DROP | _PAGE_CHROME
    blocks: list[Block] = []
    for root in roots:
        _collect(root, drop, blocks, budget)
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


def _collect(root: etree._Element, drop: frozenset[str], blocks: list[Block], budget: Budget) -> None:
    pending: list[str] = []  # text since the last block boundary
    seen = 0

    def flush(kind: str) -> None:
        blocks.append((kind, "".join(pending)))
        pending.clear()

    # Recursion is bounded: a parsed page nests at most 256 levels (`parse`).
    def walk(el: etree._Element, kind: str) -> None:
        nonlocal seen
        seen += 1
        if seen % _CHECK_EVERY == 0:
            budget.check()
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
