"""OpenDocument text (.odt, LibreOffice Writer and the German public sector's default): headings,
paragraphs, lists, tables and footnotes in document order; title, author and date from meta.xml."""

from __future__ import annotations

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers import odf
from pipeline.readers.base import Extraction, FormatError
from pipeline.readers.package import Package

SUFFIXES = (".odt",)


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    package = Package(data, max_bytes, budget, "an .odt")
    body = package.xml("content.xml").find(f"{{{odf.OFFICE}}}body/{{{odf.OFFICE}}}text")
    if body is None:
        raise FormatError("not an OpenDocument text (content.xml has no office:text body)")
    walker = odf.Walker(odf.styles(package, "styles.xml", "content.xml"), budget.check)
    walker.walk(body)
    return Extraction(blocks=walker.blocks, metadata=odf.metadata(package))
