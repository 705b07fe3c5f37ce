"""OpenDocument's text model, shared by the .odt and .odp readers: paragraphs, headings, lists, tables,
notes and text boxes as blocks, and the metadata in meta.xml.

ODF keeps its text in ``text:h`` / ``text:p`` elements, nested in lists, tables, sections, frames and
(presentations) draw pages. A footnote (``text:note``) sits inside its paragraph: its body becomes a
``footnote`` block after the paragraph, and its citation mark leaves the sentence. Deleted text of
tracked changes, comments and generated indexes (a table of contents repeats the headings) are left out.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from pipeline.readers.base import Block
from pipeline.readers.package import Package

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
PRESENTATION = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
DC = "http://purl.org/dc/elements/1.1/"
NS = {"text": TEXT, "table": TABLE, "draw": DRAW, "style": STYLE, "office": OFFICE, "dc": DC, "meta": META}

CELL_SEPARATOR = " | "
# Paragraph styles (the names LibreOffice and Word give them in .odt, spaces written "_20_") → kind.
_STYLE_KINDS = {
    "title": "heading",
    "subtitle": "heading",
    "quotations": "quote",
    "quote": "quote",
    "caption": "caption",
    "illustration": "caption",
    "figure": "caption",
    "drawing": "caption",
    "table": "caption",  # LibreOffice's caption category for tables (cell text is "Table_20_Contents")
}
# Never document text, or text the document repeats elsewhere.
_SKIP = frozenset(
    f"{{{TEXT}}}{tag}"
    for tag in (
        "tracked-changes table-of-content illustration-index table-index object-index user-index "
        "alphabetical-index bibliography sequence-decls variable-decls user-field-decls note-citation"
    ).split()
) | {f"{{{OFFICE}}}annotation", f"{{{OFFICE}}}annotation-end", f"{{{DRAW}}}image"}


def styles(package: Package, *parts: str) -> dict[str, str]:
    """Every automatic style's name → the name of the style it is based on (``P3`` → ``Quotations``),
    from ``parts`` (content.xml, styles.xml)."""
    parents: dict[str, str] = {}
    for part in parts:
        if package.has(part):
            for style in package.xml(part).iter(f"{{{STYLE}}}style"):
                name, parent = style.get(f"{{{STYLE}}}name"), style.get(f"{{{STYLE}}}parent-style-name")
                if name and parent:
                    parents[name] = parent
    return parents


def metadata(package: Package) -> dict[str, str]:
    """Title, author and date from meta.xml (only those found)."""
    if not package.has("meta.xml"):
        return {}
    meta = package.xml("meta.xml").find(f"{{{OFFICE}}}meta")
    if meta is None:
        return {}
    found = {
        "title": meta.findtext(f"{{{DC}}}title"),
        "author": meta.findtext(f"{{{DC}}}creator") or meta.findtext(f"{{{META}}}initial-creator"),
        "date": (meta.findtext(f"{{{DC}}}date") or meta.findtext(f"{{{META}}}creation-date") or "")[:10],
    }
    return {key: " ".join(value.split()) for key, value in found.items() if value and value.strip()}


class Walker:
    """Collects the blocks of ODF text elements in document order. ``frame`` decides what a
    ``draw:frame`` holds (presentations give titles and notes their kinds); ``check`` is the budget's."""

    def __init__(self, parents: dict[str, str], check: Callable[[], None]):
        self.parents = parents
        self.check = check
        self.blocks: list[Block] = []

    def style_kind(self, el: etree._Element, default: str) -> str:
        name = el.get(f"{{{TEXT}}}style-name") or ""
        for _ in range(10):  # a chain of automatic styles; real ones are one or two deep
            if name not in self.parents:
                break
            name = self.parents[name]
        key = name.replace("_20_", " ").split(" ")[0].lower()
        return _STYLE_KINDS.get(key, default) if default in ("body", "list") else default

    def walk(self, el: etree._Element, kind: str = "body") -> None:
        """The blocks inside container ``el`` (body, section, list, cell, text box, …)."""
        for child in el:
            if child.tag in _SKIP or not isinstance(child.tag, str):
                continue
            self.check()
            tag = child.tag
            if tag == f"{{{TEXT}}}h":
                self.paragraph(child, "heading")
            elif tag == f"{{{TEXT}}}p":
                self.paragraph(child, self.style_kind(child, kind))
            elif tag in (f"{{{TEXT}}}list", f"{{{TEXT}}}list-item", f"{{{TEXT}}}list-header"):
                self.walk(child, "list" if kind == "body" else kind)
            elif tag == f"{{{TABLE}}}table":
                self.table(child)
            elif tag == f"{{{DRAW}}}frame":
                self.frame(child, kind)
            else:  # sections, text boxes, draw pages, groups, …
                self.walk(child, kind)

    def frame(self, frame: etree._Element, kind: str) -> None:
        self.walk(frame, kind)

    def table(self, table: etree._Element) -> None:
        """One ``table`` block per row: its cells' text joined (nested tables flattened into their cell)."""
        for row in table.iter(f"{{{TABLE}}}table-row"):
            if any(a.tag == f"{{{TABLE}}}table-cell" for a in row.iterancestors()):
                continue  # a row of a nested table: part of its outer cell's text
            self.check()
            cells = []
            for cell in row:
                if cell.tag == f"{{{TABLE}}}table-cell":
                    texts = (self.inline(p)[0] for p in cell.iter(f"{{{TEXT}}}p", f"{{{TEXT}}}h"))
                    cells.append(" ".join(" ".join(texts).split()))
            self.blocks.append(("table", CELL_SEPARATOR.join(filter(None, cells))))

    def paragraph(self, p: etree._Element, kind: str) -> None:
        text, after = self.inline(p)
        self.blocks.append((kind, text))
        for block_kind, container in after:
            self.walk(container, block_kind)

    def inline(self, p: etree._Element) -> tuple[str, list[tuple[str, etree._Element]]]:
        """The text of paragraph ``p``, and the containers inside it that are blocks of their own
        (a footnote's body, a text box), with their kind."""
        parts: list[str] = []
        after: list[tuple[str, etree._Element]] = []

        def visit(el: etree._Element) -> None:
            parts.append(el.text or "")
            for child in el:
                if not isinstance(child.tag, str) or child.tag in _SKIP:
                    pass
                elif child.tag == f"{{{TEXT}}}s":
                    parts.append(" " * min(int(child.get(f"{{{TEXT}}}c", "1") or 1), 100))
                elif child.tag in (f"{{{TEXT}}}tab", f"{{{TEXT}}}line-break"):
                    parts.append(" ")
                elif child.tag == f"{{{TEXT}}}note":
                    body = child.find(f"{{{TEXT}}}note-body")
                    if body is not None:
                        after.append(("footnote", body))
                elif child.tag == f"{{{DRAW}}}frame":
                    after.append(("body", child))
                else:  # spans, links, fields, bookmarks
                    visit(child)
                parts.append(child.tail or "")

        visit(p)
        return "".join(parts), after
