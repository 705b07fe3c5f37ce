"""PowerPoint (.pptx): one group of blocks per slide in the presentation's order, its title a heading
first, then the text of its shapes (bulleted paragraphs as list items) and table rows in drawing order,
then its speaker notes (kind ``notes``); title, author and date from docProps/core.xml.

Read with lxml from the package's XML (python-pptx is only needed to make test files), through
``pipeline.readers.package`` and its limits.
"""

from __future__ import annotations

import posixpath

from lxml import etree

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers.base import Block, Extraction, FormatError
from pipeline.readers.package import Package

SUFFIXES = (".pptx",)

P = "http://schemas.openxmlformats.org/presentationml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
_NOTES_REL = "/notesSlide"
CELL_SEPARATOR = " | "
_TITLES = ("title", "ctrTitle", "subTitle")
# Placeholders whose text the slide master fills in (slide number, date, footer): not slide text.
_SKIPPED = ("sldNum", "dt", "ftr", "hdr", "sldImg")
# Placeholders whose paragraphs are bullets unless a paragraph says otherwise (<a:buNone/>): the body
# placeholder, and a content placeholder (no type, only an index).
_BULLETED = ("body", "obj", None)


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    package = Package(data, max_bytes, budget, "a .pptx")
    main = "ppt/presentation.xml"
    if not package.has(main):
        raise FormatError("not a PowerPoint presentation (no ppt/presentation.xml)")
    slides = _related(package, main)
    blocks: list[Block] = []
    for sld_id in package.xml(main).iterfind(f"{{{P}}}sldIdLst/{{{P}}}sldId"):
        budget.check()
        target = slides.get(sld_id.get(f"{{{R}}}id"))
        if target is None:
            raise FormatError("damaged .pptx: a slide of the presentation is missing")
        slide = package.xml(target)
        blocks.extend(_shapes(slide, budget, notes=False))
        for rel_type, notes in _related(package, target, with_type=True).values():
            if rel_type.endswith(_NOTES_REL):
                blocks.extend(_shapes(package.xml(notes), budget, notes=True))
    return Extraction(blocks=blocks, metadata=_core(package))


def _related(package: Package, part: str, with_type: bool = False) -> dict:
    """Relationship id → the part it names (with its type when ``with_type``), external links left out."""
    rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if not package.has(rels):
        return {}
    found = {}
    for rel in package.xml(rels).iter(f"{{{RELS}}}Relationship"):
        if rel.get("TargetMode") == "External" or not rel.get("Target"):
            continue
        target = package.resolve(part, rel.get("Target"))
        found[rel.get("Id")] = (rel.get("Type", ""), target) if with_type else target
    return found


def _placeholder(shape: etree._Element) -> tuple[bool, str | None]:
    """Whether the shape is a placeholder, and its type."""
    ph = shape.find(f"{{{P}}}nvSpPr/{{{P}}}nvPr/{{{P}}}ph")
    return (ph is not None, None if ph is None else ph.get("type"))


def _shapes(slide: etree._Element, budget: Budget, notes: bool) -> list[Block]:
    """The blocks of a slide (its title first) or of a notes page (its body placeholder only)."""
    tree = slide.find(f"{{{P}}}cSld/{{{P}}}spTree")
    if tree is None:
        return []
    titles: list[Block] = []
    blocks: list[Block] = []
    for shape in tree.iter(f"{{{P}}}sp", f"{{{P}}}graphicFrame"):
        budget.check()
        if shape.tag == f"{{{P}}}graphicFrame":
            if not notes:
                blocks.extend(_table_rows(shape))
            continue
        is_placeholder, ph_type = _placeholder(shape)
        if ph_type in _SKIPPED or (notes and ph_type != "body"):
            continue
        body = shape.find(f"{{{P}}}txBody")
        if body is None:
            continue
        if not notes and ph_type in _TITLES:
            titles.append(("heading", " ".join(_paragraph_text(p) for p in body.iter(f"{{{A}}}p"))))
            continue
        bulleted = is_placeholder and ph_type in _BULLETED
        for p in body.iter(f"{{{A}}}p"):
            kind = "notes" if notes else ("list" if _is_bullet(p, bulleted) else "body")
            blocks.append((kind, _paragraph_text(p)))
    return titles + blocks


def _is_bullet(p: etree._Element, bulleted: bool) -> bool:
    props = p.find(f"{{{A}}}pPr")
    if props is None:
        return bulleted
    if props.find(f"{{{A}}}buNone") is not None:
        return False
    own = props.find(f"{{{A}}}buChar") is not None or props.find(f"{{{A}}}buAutoNum") is not None
    return own or bulleted


def _paragraph_text(p: etree._Element) -> str:
    parts = []
    for el in p.iter(f"{{{A}}}t", f"{{{A}}}br", f"{{{A}}}tab"):
        parts.append(el.text or "" if el.tag == f"{{{A}}}t" else " ")
    return "".join(parts)


def _table_rows(frame: etree._Element) -> list[Block]:
    rows = []
    for row in frame.iter(f"{{{A}}}tr"):
        cells = (
            " ".join(" ".join(map(_paragraph_text, tc.iter(f"{{{A}}}p"))).split())
            for tc in row.iterfind(f"{{{A}}}tc")
        )
        rows.append(("table", CELL_SEPARATOR.join(filter(None, cells))))
    return rows


def _core(package: Package) -> dict[str, str]:
    """Title, author and date from the package's core properties (only those found)."""
    if not package.has("docProps/core.xml"):
        return {}
    core = package.xml("docProps/core.xml")
    found = {
        "title": core.findtext(f"{{{DC}}}title"),
        "author": core.findtext(f"{{{DC}}}creator"),
        "date": (core.findtext(f"{{{DCTERMS}}}created") or "")[:10],
    }
    return {key: " ".join(value.split()) for key, value in found.items() if value and value.strip()}
