"""Opening a PDF and the limits against bombs: encrypted and damaged files refused clearly, and the
streams pdfminer inflates measured before any page is read; the document's own title, author and date."""

from __future__ import annotations

import io
import re
import zlib

from pipeline.budget import Budget
from pipeline.readers.base import FormatError

# Content, font and object streams (everything pdfminer decompresses to get the text; images are never
# decoded) may unpack to at most this multiple of input.max_bytes, so a PDF whose streams decompress to
# gigabytes is refused after reading at most that much. The four reports in ../shared/real/pdf unpack to
# 0.45–2.9× their file size (the bulletin, with its vector charts, the most); like the .docx check.
PDF_MAX_EXPANSION = 10
_INFLATE_CHUNK = 1 << 20


def open_document(data: bytes):
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    try:
        return PDFDocument(PDFParser(io.BytesIO(data)))
    except PDFPasswordIncorrect:
        raise FormatError("encrypted PDF: it cannot be opened without a password") from None
    except PDFEncryptionError as exc:
        raise FormatError(f"encrypted PDF that cannot be read ({exc})") from None
    except Exception as exc:  # the many types pdfminer raises on a file that is not a PDF or is damaged
        raise FormatError(f"not a valid PDF ({type(exc).__name__}: {exc})") from None


def check_expansion(document, max_bytes: int, budget: Budget) -> None:
    """Refuse a PDF whose non-image streams inflate beyond the limit, measuring without keeping the output."""
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream

    limit = PDF_MAX_EXPANSION * max_bytes
    total = 0
    for xref in document.xrefs:
        for i, objid in enumerate(xref.get_objids()):
            if i % 1000 == 0:
                budget.check()
            if xref.get_pos(objid)[0] is not None:
                continue  # inside an object stream, which is itself measured; streams are never inside one
            try:
                obj = document.getobj(objid)
            except Exception:
                continue  # a broken object fails later, where it is used
            if not isinstance(obj, PDFStream) or _name(obj.get("Subtype")) == "Image":
                continue
            data = obj.rawdata
            if data is None:
                continue
            filters = obj.get_filters()
            if filters and filters[0][0] in LITERALS_FLATE_DECODE:
                if obj.decipher:
                    data = obj.decipher(obj.objid, obj.genno, data, obj.attrs)
                total += _inflated_size(data, limit - total + 1)
            else:
                total += len(data)
            if total > limit:
                raise FormatError(
                    f"the PDF's streams decompress to more than {limit:,} bytes "
                    f"({PDF_MAX_EXPANSION} × input.max_bytes)"
                )


def _inflated_size(data: bytes, stop_after: int) -> int:
    inflater = zlib.decompressobj()
    size = 0
    try:
        chunk = inflater.decompress(data, _INFLATE_CHUNK)
        while chunk:
            size += len(chunk)
            if size >= stop_after:
                break
            chunk = inflater.decompress(inflater.unconsumed_tail, _INFLATE_CHUNK)
    except zlib.error:
        pass  # pdfminer recovers what it can of a corrupt stream; the part counted so far stands
    return size


def _name(value) -> str | None:
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSLiteral

    value = resolve1(value)
    return value.name if isinstance(value, PSLiteral) else None


_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?")


def read_metadata(document) -> dict[str, str]:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    found: dict[str, str] = {}
    info = resolve1(document.info[0]) if document.info else {}
    for key, name in (("title", "Title"), ("author", "Author"), ("date", "CreationDate")):
        value = resolve1(info.get(name)) if isinstance(info, dict) else None
        if isinstance(value, bytes):
            value = decode_text(value)
        if isinstance(value, str) and value.strip():
            found[key] = _iso_date(value.strip()) if key == "date" else value.strip()
    if "date" in found and not found["date"]:
        del found["date"]
    for key, value in _xmp(document).items():
        found.setdefault(key, value)
    return found


def _iso_date(value: str) -> str:
    match = _PDF_DATE.match(value)
    if not match:
        return ""
    year, month, day, hour, minute, second, zone, zone_h, zone_m = match.groups()
    date = f"{year}-{month or '01'}-{day or '01'}"
    if hour is None:
        return date
    date += f"T{hour}:{minute or '00'}:{second or '00'}"
    if zone in ("Z", "z"):
        return date + "Z"
    if zone in ("+", "-") and zone_h:
        return date + f"{zone}{zone_h}:{zone_m or '00'}"
    return date


def _xmp(document) -> dict[str, str]:
    """Title, author and date from the catalog's XMP packet, for files whose info dictionary lacks them."""
    from lxml import etree
    from pdfminer.pdftypes import PDFStream, resolve1

    stream = resolve1(document.catalog.get("Metadata"))
    if not isinstance(stream, PDFStream):
        return {}
    try:
        root = etree.fromstring(stream.get_data(), etree.XMLParser(resolve_entities=False, no_network=True))
    except Exception:
        return {}
    ns = {
        "dc": "http://purl.org/dc/elements/1.1/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "xmp": "http://ns.adobe.com/xap/1.0/",
    }
    found = {}
    for key, path in (
        ("title", "//dc:title//rdf:li"),
        ("author", "//dc:creator//rdf:li"),
        ("date", "//xmp:CreateDate"),
    ):
        values = [el.text.strip() for el in root.xpath(path, namespaces=ns) if el.text and el.text.strip()]
        if values:
            found[key] = ", ".join(values)
    return found
