"""The readers of OpenDocument, PowerPoint, EPUB, subtitle and e-mail files: generated files of each kind
give exactly their paragraphs and kinds, and damaged or hostile ones one clear error naming the file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import format_builders as build
import pytest

from pipeline.reader import InputError, read_document


def read(path: Path, data: bytes | str, **kwargs) -> list[tuple[str, str]]:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return [(p.kind, p.text) for p in read_document(path, **kwargs).paragraphs]


def refused(path: Path, data: bytes | str, **kwargs) -> str:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    with pytest.raises(InputError) as err:
        read_document(path, **kwargs)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and "\n" not in message, message
    return message


# --- .odt ------------------------------------------------------------------------------------------

ODT_BODY = (
    '<text:sequence-decls><text:sequence-decl text:name="Table"/></text:sequence-decls>'
    "<text:table-of-content><text:index-body><text:p>Inhalt 1</text:p></text:index-body>"
    "</text:table-of-content>"
    '<text:h text:outline-level="1">Haushalt 2024</text:h>'
    '<text:p>Die Stadt plant<text:s text:c="2"/>neue Ausgaben.'
    '<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
    "<text:note-body><text:p>Laut Beschluss vom März.</text:p></text:note-body></text:note>"
    " Der Rat stimmt <text:span>im Mai</text:span> ab.</text:p>"
    "<text:tracked-changes><text:changed-region><text:deletion><text:p>Gelöschter Satz.</text:p>"
    "</text:deletion></text:changed-region></text:tracked-changes>"
    "<text:list><text:list-item><text:p>Schulen</text:p></text:list-item>"
    "<text:list-item><text:p>Straßen<text:line-break/>und Brücken</text:p></text:list-item></text:list>"
    '<text:p text:style-name="P1">Wir sparen nicht an der Bildung.</text:p>'
    "<table:table><table:table-row><table:table-cell><text:p>Posten</text:p></table:table-cell>"
    "<table:table-cell><text:p>Betrag</text:p></table:table-cell></table:table-row>"
    "<table:table-row><table:table-cell><text:p>Schulen</text:p></table:table-cell>"
    "<table:table-cell><text:p>4 Mio. Euro</text:p></table:table-cell></table:table-row></table:table>"
    '<text:p>Siehe Abbildung.<draw:frame><draw:text-box><text:p text:style-name="P2">Abbildung 1: Ausgaben'
    "</text:p></draw:text-box></draw:frame></text:p>"
    "<text:p><office:annotation><text:p>Kommentar der Kollegin</text:p></office:annotation>Ende.</text:p>"
)


def test_odt_headings_paragraphs_lists_tables_footnotes_and_title(tmp_path: Path):
    path = tmp_path / "haushalt.odt"
    assert read(path, build.odt(ODT_BODY, title="Haushaltsplan der Stadt")) == [
        ("heading", "Haushalt 2024"),
        ("body", "Die Stadt plant neue Ausgaben. Der Rat stimmt im Mai ab."),
        ("footnote", "Laut Beschluss vom März."),
        ("list", "Schulen"),
        ("list", "Straßen und Brücken"),
        ("quote", "Wir sparen nicht an der Bildung."),
        ("table", "Posten | Betrag"),
        ("table", "Schulen | 4 Mio. Euro"),
        ("body", "Siehe Abbildung."),
        ("caption", "Abbildung 1: Ausgaben"),
        ("body", "Ende."),
    ]
    doc = read_document(path)
    assert doc.metadata == {
        "title": "Haushaltsplan der Stadt",
        "author": "Amt für Statistik",
        "date": "2024-05-02",
    }


# --- .odp and .pptx ----------------------------------------------------------------------------------

SLIDES = [
    ("Bilanz 2023", ["Umsatz gestiegen", "Neue Kunden gewonnen"], "Zuerst die guten Nachrichten nennen."),
    ("Ausblick", ["Mehr Personal"], None),
]
SLIDE_PARAGRAPHS = [
    ("heading", "Bilanz 2023"),
    ("list", "Umsatz gestiegen"),
    ("list", "Neue Kunden gewonnen"),
    ("notes", "Zuerst die guten Nachrichten nennen."),
    ("heading", "Ausblick"),
    ("list", "Mehr Personal"),
]


def test_odp_one_group_per_slide_title_first_and_speaker_notes(tmp_path: Path):
    body = "".join(build.odp_slide(*slide) for slide in SLIDES)
    path = tmp_path / "bilanz.odp"
    assert read(path, build.odp(body, title="Jahresbilanz")) == SLIDE_PARAGRAPHS
    assert read_document(path).metadata["title"] == "Jahresbilanz"


def test_pptx_one_group_per_slide_title_first_and_speaker_notes(tmp_path: Path):
    path = tmp_path / "bilanz.pptx"
    assert read(path, build.pptx(SLIDES, title="Jahresbilanz")) == SLIDE_PARAGRAPHS
    assert read_document(path).metadata["title"] == "Jahresbilanz"


def test_pptx_table_rows_and_text_boxes(tmp_path: Path):
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])  # title only
    slide.shapes.title.text = "Zahlen"
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
    box.text_frame.text = "Stand: Ende März."
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(3), Inches(4), Inches(1)).table
    for (row, col), text in {(0, 0): "Jahr", (0, 1): "Umsatz", (1, 0): "2023", (1, 1): "12 Mio."}.items():
        table.cell(row, col).text = text
    buffer = io.BytesIO()
    presentation.save(buffer)
    assert read(tmp_path / "zahlen.pptx", buffer.getvalue()) == [
        ("heading", "Zahlen"),
        ("body", "Stand: Ende März."),
        ("table", "Jahr | Umsatz"),
        ("table", "2023 | 12 Mio."),
    ]


# --- .epub -----------------------------------------------------------------------------------------


def test_epub_chapters_in_spine_order_without_the_table_of_contents(tmp_path: Path):
    chapters = [
        (
            "kap2.xhtml",
            "<h2>Zweites Kapitel</h2><p>Der Zug fuhr&nbsp;ab.</p><blockquote><p>Lebewohl!</p></blockquote>",
        ),
        ("kap1.xhtml", "<h1>Erstes Kapitel</h1><p>Es war einmal.</p><ul><li>Ein Hund</li></ul>"),
    ]
    data = build.epub(chapters, ["kap1.xhtml", "kap2.xhtml"], "Die Reise", ["Anna Berg", "Max Roth"])
    path = tmp_path / "reise.epub"
    assert read(path, data) == [
        ("heading", "Erstes Kapitel"),
        ("body", "Es war einmal."),
        ("list", "Ein Hund"),
        ("heading", "Zweites Kapitel"),
        ("body", "Der Zug fuhr ab."),
        ("quote", "Lebewohl!"),
    ]
    assert read_document(path).metadata == {
        "title": "Die Reise",
        "author": "Anna Berg, Max Roth",
        "date": "2023-11-20",
    }


def test_epub_reference_out_of_the_package_is_refused(tmp_path: Path):
    data = build.epub([("kap1.xhtml", "<p>Text.</p>")], ["kap1.xhtml"], "T", ["A"], nav=False)
    data = _replace_part(
        data, "OEBPS/content.opf", lambda xml: xml.replace(b'href="kap1.xhtml"', b'href="../../etc/passwd"')
    )
    assert "reference that leaves the package: '../../etc/passwd'" in refused(tmp_path / "boese.epub", data)


def _replace_part(data: bytes, name: str, change) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts[name] = change(parts[name])
    return build.zip_package(parts)


# --- .srt and .vtt ---------------------------------------------------------------------------------

CUES = [
    ("00:00:01,000", "00:00:03,200", "<i>Guten Abend,</i> meine Damen"),
    ("00:00:03,300", "00:00:05,000", "und Herren."),
    ("00:00:08,000", "00:00:10,500", "- Der Bundestag hat heute\nüber den Haushalt"),
    ("00:00:10,600", "00:00:12,000", "abgestimmt. Die Mehrheit war knapp."),
]


def test_srt_cues_join_into_sentences_and_keep_their_times(tmp_path: Path):
    path = tmp_path / "nachrichten.srt"
    assert read(path, build.srt(CUES)) == [
        ("body", "Guten Abend, meine Damen und Herren."),  # a pause of 3 s after it
        ("body", "Der Bundestag hat heute über den Haushalt abgestimmt. Die Mehrheit war knapp."),
    ]
    doc = read_document(path)
    assert [(c.start_ms, c.end_ms, c.paragraph) for c in doc.cues] == [
        (1000, 3200, "p1"),
        (3300, 5000, "p1"),
        (8000, 10500, "p2"),
        (10600, 12000, "p2"),
    ]
    texts = {p.id: p.text for p in doc.paragraphs}
    assert [texts[c.paragraph][c.first : c.last] for c in doc.cues] == [
        "Guten Abend, meine Damen",
        "und Herren.",
        "Der Bundestag hat heute über den Haushalt",
        "abgestimmt. Die Mehrheit war knapp.",
    ]


def test_vtt_header_notes_settings_voice_tags_and_entities(tmp_path: Path):
    cues = [(a.replace(",", "."), b.replace(",", "."), t) for a, b, t in CUES[:2]]
    cues[1] = (cues[1][0], cues[1][1], "<v Sprecherin>und Herren &amp; Gäste.</v>")
    path = tmp_path / "nachrichten.vtt"
    assert read(path, build.vtt(cues)) == [("body", "Guten Abend, meine Damen und Herren & Gäste.")]


# --- .eml ------------------------------------------------------------------------------------------


def test_eml_plain_text_subject_sender_date_and_attachments_listed(tmp_path: Path):
    data = build.eml(
        "Neue Tarife ab Juli",
        text="Sehr geehrte Damen und Herren,\n\ndie Preise steigen ab Juli.\n\n- Strom\n- Gas\n",
        attachments=[
            ("anlage.odt", build.odt("<text:p>Anlage.</text:p>"), "application/vnd.oasis.opendocument.text")
        ],
    )
    path = tmp_path / "mail.eml"
    assert read(path, data) == [
        ("heading", "Neue Tarife ab Juli"),
        ("body", "Sehr geehrte Damen und Herren,"),
        ("body", "die Preise steigen ab Juli."),
        ("list", "Strom"),
        ("list", "Gas"),
    ]
    doc = read_document(path)
    assert doc.metadata == {
        "title": "Neue Tarife ab Juli",
        "author": "Pressestelle Stadtwerke <presse@stadtwerke.example>",
        "date": "2024-03-05T08:15:00+01:00",
    }
    assert len(doc.notes) == 1 and doc.notes[0].startswith("attachments: anlage.odt (application/vnd.oasis")


def test_eml_html_body_goes_through_the_html_reader(tmp_path: Path):
    html_body = (
        "<html><body><h1>Einladung</h1><p>Wir laden Sie herzlich ein.</p>"
        "<ul><li>Ort: Rathaus</li></ul></body></html>"
    )
    assert read(tmp_path / "einladung.eml", build.eml("Einladung", html_body=html_body)) == [
        ("heading", "Einladung"),
        ("body", "Wir laden Sie herzlich ein."),
        ("list", "Ort: Rathaus"),
    ]


# --- damaged and hostile files -----------------------------------------------------------------------

ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + "]>"
)


def _zip_bomb(name: str) -> bytes:
    return build.zip_package({name: b"<a>" + b" " * 3_000_000 + b"</a>"})


@pytest.mark.parametrize(
    "name, data, problem",
    [
        ("kaputt.odt", build.odt("<text:p>Text</text:p>")[:200], "not a valid zip archive"),
        ("kaputt.pptx", build.pptx(SLIDES)[:-300], "not a valid zip archive"),
        (
            "kaputt.epub",
            build.epub([("k.xhtml", "<p>Text.</p>")], ["k.xhtml"], "T", [])[:300],
            "not a valid zip",
        ),
        ("text.odt", "Nur ein Text, keine OpenDocument-Datei.", "not an .odt (not a valid zip archive"),
        ("leer.odp", build.odt("<text:p>Text</text:p>"), "not an OpenDocument presentation"),
        ("word.pptx", build.zip_package({"word/document.xml": "<w/>"}), "not a PowerPoint presentation"),
        ("buch.epub", build.zip_package({"a.txt": "x"}), "not an EPUB book"),
        ("bombe.odt", _zip_bomb("content.xml"), "a possible zip bomb"),
        ("bombe.pptx", _zip_bomb("ppt/presentation.xml"), "a possible zip bomb"),
        ("bombe.epub", _zip_bomb("META-INF/container.xml"), "a possible zip bomb"),
        (
            "entitaeten.odt",
            build.zip_package({"content.xml": ENTITY_BOMB + "<r>&i;</r>"}),
            "declares XML entities, which this format never needs: refused as a possible entity bomb",
        ),
        (
            "entitaeten.epub",
            build.zip_package({"META-INF/container.xml": ENTITY_BOMB + "<r>&i;</r>"}),
            "refused as a possible entity bomb",
        ),
        (
            "extern.odp",
            build.zip_package(
                {"content.xml": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'}
            ),
            "refused as a possible entity bomb",
        ),
        (
            "kaputt.odt",
            build.zip_package({"content.xml": "<office:document-content>"}),
            "not well-formed XML",
        ),
        ("ohne.odt", build.zip_package({"meta.xml": "<a/>"}), "the part 'content.xml' is missing"),
        ("bild.srt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary"),
        ("text.srt", "Ein Text ohne Zeitangaben.\n\nNoch einer.", "no subtitle cues found"),
        ("text.vtt", "WEBVTT\n\nNOTE nur ein Kommentar\n", "no subtitle cues found"),
        ("text.eml", "Nur ein Text, keine Mail.\n", "not an e-mail message"),
    ],
)
def test_damaged_and_hostile_files_give_one_clear_error(tmp_path: Path, name, data, problem):
    assert problem in refused(tmp_path / name, data, max_bytes=100_000)


def test_a_package_of_millions_of_tiny_elements_is_refused_while_parsing(tmp_path: Path):
    content = "<office:document-content>" + "<a/>" * 100_000 + "</office:document-content>"
    data = build.zip_package({"content.xml": content})
    assert len(data) < 10_000
    message = refused(tmp_path / "viele.odt", data, max_bytes=100_000)
    assert "more XML elements than the limit" in message
