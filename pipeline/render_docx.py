"""The bilingual Word briefing (.docx) editors correct and pass on: title, metadata and notes, both
summaries, then a two-column table German | English, one row per paragraph (per link for a document
aligned with an existing translation). Headings, list items, quotes, captions, footnotes and speaker
notes keep Word's own styles in both columns; every review flag is a Word comment on its English
sentence, with the reason. Each column's runs carry their language, so Word and LibreOffice check the
spelling of each side in its own language. Built with python-docx (MIT) from ``render.briefing_dict``,
the same structure the other formats render.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pipeline.document import Document
from pipeline.fileio import write_atomic
from pipeline.render import LANG_NAMES, briefing_dict, document_title, link_url

COMMENT_AUTHOR = "pipeline review"
# The built-in styles of python-docx's default template a paragraph kind is set in.
_STYLES = {
    "heading": "Heading 2",
    "list": "List Bullet",
    "quote": "Quote",
    "caption": "Caption",
}
_LANGUAGES = {"de": "de-DE", "en": "en-GB"}
_SMALL_PT, _NOTES_PT = 8.5, 10


def render_docx(doc: Document) -> bytes:
    """The .docx briefing of ``doc`` as bytes."""
    import docx  # python-docx, imported by the functions here: only this format needs it (0.3 s)

    b = briefing_dict(doc)
    word = docx.Document()
    _page(word)
    title = document_title(doc)
    word.core_properties.title = title
    word.core_properties.language = _LANGUAGES.get(b["document"]["source_lang"] or "", "")
    from docx.shared import Pt

    word.add_paragraph(title, style="Title")
    for line in _header_lines(b, doc):
        word.add_paragraph(line).runs[0].font.size = Pt(9)
    if b["summary"]:
        sides = (("source", b["document"]["source_lang"]), ("target", b["document"]["target_lang"]))
        for side, lang in sides:
            if b["summary"][side]:
                word.add_paragraph(f"Summary ({_lang_name(lang)})", style="Heading 1")
                for item in b["summary"][side]:
                    _language(word.add_paragraph(item["text"], style="List Bullet").runs[0], lang)
    word.add_paragraph("Full text", style="Heading 1")
    _table(word, b)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def write_docx(doc: Document, path: Path) -> None:
    """Write the .docx briefing of ``doc`` to ``path`` atomically (pipeline.fileio)."""
    write_atomic(path, render_docx(doc))


def _page(word) -> None:
    """A4 portrait with 2 cm margins: two columns of about 8.5 cm."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))


def _lang_name(code: str | None) -> str:
    return LANG_NAMES.get(code or "", code or "unknown")


def _header_lines(b: dict[str, Any], doc: Document) -> list[str]:
    meta = b["document"]["metadata"]
    model = b["model"]
    source = f"Source: {b['document']['path']} · {_lang_name(b['document']['source_lang'])} → "
    source += _lang_name(b["document"]["target_lang"])
    if model:
        source += f" · Model: {model['package']} {model['version']}"
    lines = [source]
    page = [meta.get("author") and f"By {meta['author']}", meta.get("date"), meta.get("sitename")]
    page.append(link_url(meta.get("url")))
    if any(page):
        lines.append(" · ".join(filter(None, page)))
    lines += [f"Note: {note}" for note in b["document"]["notes"]]
    return lines


def _table(word, b: dict[str, Any]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt

    source_lang, target_lang = b["document"]["source_lang"], b["document"]["target_lang"]
    table = word.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    for cell, lang in zip(header.cells, (source_lang, target_lang), strict=True):
        cell.paragraphs[0].add_run(_lang_name(lang)).bold = True
    if "links" in b:
        german = {p["id"]: p for p in b["paragraphs"]}
        english = {p["id"]: p for p in b["counterpart"]["paragraphs"]}
        for link in b["links"]:
            cells = table.add_row().cells
            for pid in link["source"]:
                source = german[pid]
                _paragraph(word, cells[0], source["kind"], source["source"]["sentences"], source_lang)
            for pid in link["target"]:
                _paragraph(word, cells[1], english[pid]["kind"], english[pid]["sentences"], target_lang)
    else:
        for p in b["paragraphs"]:
            cells = table.add_row().cells
            lang = p["source"]["lang"] or source_lang
            _paragraph(word, cells[0], p["kind"], p["source"]["sentences"], lang)
            if p["target"] is None:
                cell = _paragraph(word, cells[1], p["kind"], p["source"]["sentences"], lang)
                note = cell.add_run(f" (not translated: {lang or 'unknown'})")
                note.italic, note.font.size = True, Pt(_SMALL_PT)
            else:
                _paragraph(word, cells[1], p["kind"], p["target"]["sentences"], target_lang)
    for row in table.rows:
        _row_property(row, "w:cantSplit")  # a paragraph pair is not split across pages
        for cell in row.cells:
            cell.width = Cm(8.5)
    _row_property(header, "w:tblHeader")  # the German | English row repeats on every page


def _paragraph(word, cell, kind: str, sentences: list[dict[str, Any]], lang: str | None):
    """One paragraph of ``sentences`` in ``cell`` (its first, empty paragraph if still unused), styled
    for ``kind``; a flagged sentence gets a comment. Returns the Word paragraph."""
    from docx.shared import Pt

    paragraph = cell.paragraphs[-1]
    if paragraph.text or paragraph.runs:
        paragraph = cell.add_paragraph()
    if kind in _STYLES:
        paragraph.style = word.styles[_STYLES[kind]]
    if kind == "notes":
        label = paragraph.add_run("Notes: ")
        label.bold = True
    for i, sentence in enumerate(sentences):
        run = paragraph.add_run(("" if i == 0 else " ") + sentence["text"])
        if kind in ("footnote", "notes", "table"):
            run.font.size = Pt(_SMALL_PT if kind == "footnote" else _NOTES_PT)
        if kind == "notes":
            run.italic = True
        _language(run, lang)
        if sentence.get("flags"):
            reasons = "; ".join(f"{f['kind']}: {f['source']} — {f['detail']}" for f in sentence["flags"])
            word.add_comment(run, text=reasons, author=COMMENT_AUTHOR, initials="PR")
    return paragraph


def _language(run, lang: str | None) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if lang in _LANGUAGES:
        props = run._r.get_or_add_rPr()
        element = OxmlElement("w:lang")
        element.set(qn("w:val"), _LANGUAGES[lang])
        props.append(element)


def _row_property(row, tag: str) -> None:
    """Switch on a row property; cantSplit before tblHeader, as the schema orders them."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)
