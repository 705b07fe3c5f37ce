"""OpenDocument presentations (.odp, LibreOffice Impress): one group of blocks per slide, its title a
heading first, then its text boxes, lists and tables in order, then its speaker notes (kind ``notes``);
title, author and date from meta.xml."""

from __future__ import annotations

from lxml import etree

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers import odf
from pipeline.readers.base import Extraction, FormatError
from pipeline.readers.package import Package

SUFFIXES = (".odp",)

_CLASS = f"{{{odf.PRESENTATION}}}class"
_TITLES = ("title", "subtitle")
# Placeholders that hold no text of the slide: the slide thumbnail on a notes page, page numbers, …
_SKIPPED_CLASSES = ("page", "header", "footer", "date-time", "page-number", "handout")


class _SlideWalker(odf.Walker):
    def frame(self, frame: etree._Element, kind: str) -> None:
        cls = frame.get(_CLASS)
        if cls in _SKIPPED_CLASSES:
            return
        if cls in _TITLES:
            for p in frame.iter(f"{{{odf.TEXT}}}p", f"{{{odf.TEXT}}}h"):
                self.paragraph(p, "heading")
            return
        # An outline placeholder is the slide's bullet list, even where a paragraph sits outside a list.
        self.walk(frame, "list" if cls == "outline" and kind == "body" else kind)


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    package = Package(data, max_bytes, budget, "an .odp")
    body = package.xml("content.xml").find(f"{{{odf.OFFICE}}}body/{{{odf.OFFICE}}}presentation")
    if body is None:
        raise FormatError("not an OpenDocument presentation (content.xml has no office:presentation body)")
    walker = _SlideWalker(odf.styles(package, "styles.xml", "content.xml"), budget.check)
    notes_tag = f"{{{odf.PRESENTATION}}}notes"
    for page in body.iter(f"{{{odf.DRAW}}}page"):
        budget.check()
        shapes = [el for el in page if el.tag != notes_tag]
        # The title first, wherever it sits in the drawing order.
        shapes.sort(key=lambda el: el.get(_CLASS) != "title")
        for shape in shapes:
            if shape.tag == f"{{{odf.DRAW}}}frame":
                walker.frame(shape, "body")
            elif isinstance(shape.tag, str):  # custom shapes, groups: text boxes of their own
                walker.walk(shape, "body")
        for notes in page.iter(notes_tag):
            walker.walk(notes, "notes")
    return Extraction(blocks=walker.blocks, metadata=odf.metadata(package))
