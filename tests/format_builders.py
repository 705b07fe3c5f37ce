"""Small, valid files of the formats the pipeline reads, built from their parts (for the tests and
scripts/demo_formats.py). OpenDocument and EPUB are zip packages of XML written here by hand, as the
specifications lay them out; .pptx files are made with python-pptx (the dev extra)."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from html import escape

ODF_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"'
)
# The automatic styles LibreOffice writes for paragraphs in a quote and a caption style.
ODF_STYLES = (
    '<office:automatic-styles><style:style style:name="P1" style:family="paragraph" '
    'style:parent-style-name="Quotations"/><style:style style:name="P2" style:family="paragraph" '
    'style:parent-style-name="Illustration"/></office:automatic-styles>'
)


# Every member gets this time stamp, so that the same parts always give the same bytes.
_ZIP_TIME = (2024, 3, 5, 8, 0, 0)


def zip_package(parts: dict[str, bytes | str], mimetype: str | None = None) -> bytes:
    """A zip of ``parts`` (name → content), with an uncompressed ``mimetype`` first where given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype:
            archive.writestr(
                zipfile.ZipInfo("mimetype", _ZIP_TIME), mimetype, compress_type=zipfile.ZIP_STORED
            )
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def rezipped(data: bytes) -> bytes:
    """The zip ``data`` with every member's time stamp fixed (python-pptx stamps the current time)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return zip_package({name: archive.read(name) for name in archive.namelist()})


def _odf(kind: str, body: str, title: str | None, mimetype: str) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NAMESPACES}>{ODF_STYLES}'
        f"<office:body><office:{kind}>{body}</office:{kind}></office:body></office:document-content>"
    )
    meta = f"<dc:title>{escape(title)}</dc:title>" if title else ""
    meta_xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODF_NAMESPACES}><office:meta>{meta}'
        "<dc:creator>Amt für Statistik</dc:creator><dc:date>2024-05-02T09:30:00</dc:date>"
        "</office:meta></office:document-meta>"
    )
    return zip_package({"content.xml": content, "meta.xml": meta_xml}, mimetype)


def odt(body: str, title: str | None = None) -> bytes:
    """An .odt whose office:text holds ``body`` (ODF XML)."""
    return _odf("text", body, title, "application/vnd.oasis.opendocument.text")


def odp(body: str, title: str | None = None) -> bytes:
    """An .odp whose office:presentation holds ``body`` (draw:page elements)."""
    return _odf("presentation", body, title, "application/vnd.oasis.opendocument.presentation")


def odp_slide(title: str, items: list[str], notes: str | None = None) -> str:
    """A draw:page: a title frame, an outline frame with ``items`` as a list, and speaker notes."""
    listed = "".join(f"<text:list-item><text:p>{escape(i)}</text:p></text:list-item>" for i in items)
    notes_xml = (
        '<presentation:notes><draw:frame presentation:class="page"/>'
        f'<draw:frame presentation:class="notes"><draw:text-box><text:p>{escape(notes)}</text:p>'
        "</draw:text-box></draw:frame></presentation:notes>"
        if notes
        else ""
    )
    return (
        '<draw:page draw:name="Folie">'
        f'<draw:frame presentation:class="outline"><draw:text-box><text:list>{listed}</text:list>'
        "</draw:text-box></draw:frame>"
        f'<draw:frame presentation:class="title"><draw:text-box><text:p>{escape(title)}</text:p>'
        f"</draw:text-box></draw:frame>{notes_xml}</draw:page>"
    )


def pptx(slides: list[tuple[str, list[str], str | None]], title: str | None = None) -> bytes:
    """A .pptx of (title, bullet items, speaker notes) slides, made with python-pptx."""
    from pptx import Presentation

    presentation = Presentation()
    if title:
        presentation.core_properties.title = title
    for heading, items, notes in slides:
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])  # title and content
        slide.shapes.title.text = heading
        frame = slide.placeholders[1].text_frame
        frame.text = items[0]
        for item in items[1:]:
            frame.add_paragraph().text = item
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    presentation.core_properties.modified = presentation.core_properties.created
    buffer = io.BytesIO()
    presentation.save(buffer)
    return rezipped(buffer.getvalue())


def epub(
    chapters: list[tuple[str, str]], spine: list[str], title: str, authors: list[str], nav: bool = True
) -> bytes:
    """An EPUB 3 of (file name, XHTML body) chapters under OEBPS/, read in ``spine`` order (file names);
    with a navigation document (which is in the spine, as many books have it)."""
    items = [(name.split(".")[0], name) for name, _ in chapters]
    manifest = "".join(f'<item id="{i}" href="{n}" media-type="application/xhtml+xml"/>' for i, n in items)
    refs = "".join(f'<itemref idref="{name.split(".")[0]}"/>' for name in spine)
    parts: dict[str, bytes | str] = {
        "META-INF/container.xml": (
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>"
        ),
    }
    if nav:
        manifest += '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        refs = '<itemref idref="nav"/>' + refs
        toc = "".join(f'<li><a href="{n}">{n}</a></li>' for _, n in items)
        parts["OEBPS/nav.xhtml"] = xhtml(f'<nav epub:type="toc"><h1>Inhalt</h1><ol>{toc}</ol></nav>')
    creators = "".join(f"<dc:creator>{escape(a)}</dc:creator>" for a in authors)
    parts["OEBPS/content.opf"] = (
        '<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
        'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:identifier id="id">urn:uuid:0</dc:identifier><dc:title>{escape(title)}</dc:title>{creators}'
        f"<dc:language>de</dc:language><dc:date>2023-11-20</dc:date></metadata><manifest>{manifest}"
        f"</manifest><spine>{refs}</spine></package>"
    )
    for name, body in chapters:
        parts[f"OEBPS/{name}"] = xhtml(body)
    return zip_package(parts, "application/epub+zip")


def xhtml(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops" lang="de"><head><title>Kapitel</title></head>'
        f"<body>{body}</body></html>"
    )


def srt(cues: list[tuple[str, str, str]]) -> str:
    """An .srt of (start, end, text) cues, times as "00:00:01,000"."""
    return "".join(f"{n}\n{a} --> {b}\n{text}\n\n" for n, (a, b, text) in enumerate(cues, 1))


def vtt(cues: list[tuple[str, str, str]]) -> str:
    """A WebVTT file of (start, end, text) cues, times as "00:00:01.000", with a comment block."""
    body = "".join(f"{a} --> {b} align:start\n{text}\n\n" for a, b, text in cues)
    return f"WEBVTT - Nachrichten\n\nNOTE Untertitel der Sendung\n\n{body}"


def eml(
    subject: str,
    text: str | None = None,
    html_body: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> bytes:
    """An e-mail with a plain text and/or HTML body and (file name, content, MIME type) attachments."""
    mail = EmailMessage()
    mail["From"] = "Pressestelle Stadtwerke <presse@stadtwerke.example>"
    mail["To"] = "redaktion@zeitung.example"
    mail["Subject"] = subject
    mail["Date"] = "Tue, 05 Mar 2024 08:15:00 +0100"
    if text is not None:
        mail.set_content(text)
    if html_body is not None:
        if text is None:
            mail.set_content(html_body, subtype="html")
        else:
            mail.add_alternative(html_body, subtype="html")
    for name, content, mime in attachments:
        maintype, subtype = mime.split("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    for n, part in enumerate(p for p in mail.walk() if p.is_multipart()):
        part.set_boundary(f"==boundary-{n}==")  # fixed, so the same mail always gives the same bytes
    return bytes(mail)
