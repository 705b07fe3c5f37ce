"""E-books (.epub 2 and 3): the chapters in the order of the book's spine, each read like a web page's
whole body (``pipeline.readers.html_body``: headings, paragraphs, lists, quotes, captions); title,
author and date from the package document (OPF).

Read with zipfile and lxml (the common EPUB library, ebooklib, is AGPL), through
``pipeline.readers.package`` and its limits. The navigation document (the table of contents) is left
out: it repeats the headings. A book whose chapters are encrypted (DRM) is refused.
"""

from __future__ import annotations

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers import html_body
from pipeline.readers.base import Block, Extraction, FormatError
from pipeline.readers.package import Package

SUFFIXES = (".epub",)

CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
ENCRYPTION = "http://www.w3.org/2001/04/xmlenc#"
_CHAPTER_TYPES = ("application/xhtml+xml", "text/html")


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    package = Package(data, max_bytes, budget, "an .epub")
    if not package.has("META-INF/container.xml"):
        raise FormatError("not an EPUB book (no META-INF/container.xml)")
    rootfile = package.xml("META-INF/container.xml").find(f".//{{{CONTAINER}}}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise FormatError("damaged .epub: META-INF/container.xml names no package document")
    opf_name = package.resolve("", rootfile.get("full-path"))
    opf = package.xml(opf_name)
    encrypted = _encrypted(package)
    manifest = {
        item.get("id"): item for item in opf.iterfind(f"{{{OPF}}}manifest/{{{OPF}}}item") if item.get("id")
    }
    blocks: list[Block] = []
    for itemref in opf.iterfind(f"{{{OPF}}}spine/{{{OPF}}}itemref"):
        budget.check()
        item = manifest.get(itemref.get("idref"))
        if item is None or item.get("media-type") not in _CHAPTER_TYPES:
            continue  # a spine entry without a chapter (an image page, a broken reference)
        if "nav" in (item.get("properties") or "").split():
            continue
        chapter = package.resolve(opf_name, item.get("href", ""))
        if chapter in encrypted:
            raise FormatError("the .epub's chapters are encrypted (DRM); it cannot be read")
        blocks.extend(html_body.page_blocks(package.html(chapter)))
    return Extraction(blocks=blocks, metadata=_metadata(opf))


def _encrypted(package: Package) -> set[str]:
    """The parts that META-INF/encryption.xml lists (fonts are often obfuscated this way; harmless)."""
    if not package.has("META-INF/encryption.xml"):
        return set()
    refs = package.xml("META-INF/encryption.xml").iter(f"{{{ENCRYPTION}}}CipherReference")
    return {ref.get("URI", "") for ref in refs}


def _metadata(opf) -> dict[str, str]:
    meta = opf.find(f"{{{OPF}}}metadata")
    if meta is None:
        return {}
    authors = [
        " ".join(a.text.split()) for a in meta.iterfind(f"{{{DC}}}creator") if a.text and a.text.strip()
    ]
    found = {
        "title": meta.findtext(f"{{{DC}}}title"),
        "author": ", ".join(authors),
        "date": (meta.findtext(f"{{{DC}}}date") or "")[:10],
    }
    return {key: " ".join(value.split()) for key, value in found.items() if value and value.strip()}
