"""HTML pages through trafilatura: kinds, the title, metadata, boilerplate, and the whole-body fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.reader import read_document
from pipeline.readers.html import (
    FALLBACK_NOTE,
    MAX_BLOCK_ELEMENTS,
    MAX_BLOCK_ELEMENTS_WITH_FALLBACKS,
    TOO_LARGE_NOTE,
)
from pipeline.render import render_json, render_markdown

BODY = (
    "<p>Der Stadtrat hat am Dienstag nach einer langen Debatte den Haushalt für das kommende Jahr "
    "beschlossen. Die Opposition kritisierte vor allem die geplanten Kürzungen bei den Schwimmbädern.</p>"
    "<p>Kämmerin Petra Schulz verteidigte den Entwurf. Ohne die Einsparungen drohe der Stadt im Jahr 2027 "
    "ein Defizit von mehr als zwölf Millionen Euro, sagte sie vor den Abgeordneten.</p>"
)
HEAD = (
    "<head><meta charset=utf-8><title>Haushalt beschlossen: Stadtrat streitet über Bäder | Stadtanzeiger"
    "</title><meta name=author content='Jana Becker'>"
    "<meta property='article:published_time' content='2024-03-05T10:00:00+01:00'>"
    "<meta property='og:site_name' content='Stadtanzeiger'>"
    "<link rel=canonical href='https://www.stadtanzeiger.example/politik/haushalt-2024'></head>"
)
NAV = (
    "<header><nav><ul>"
    + "".join(f"<li><a href=/{w}>{w}</a></li>" for w in ("Politik", "Sport", "Kultur", "Abo"))
    + "</ul></nav></header>"
)
FOOTER = (
    "<div class=teaser><h3>Mehr zum Thema</h3><ul><li><a href=/a>Neues Schwimmbad eröffnet</a></li>"
    "<li><a href=/b>Streit um Parkgebühren geht weiter</a></li></ul></div>"
    "<div class=newsletter><p>Newsletter abonnieren und nichts mehr verpassen!</p>"
    "<form><input name=mail><button>Anmelden</button></form></div>"
    "<footer><p><a href=/impressum>Impressum</a> · <a href=/datenschutz>Datenschutz</a>"
    " · © 2024 Stadtanzeiger</p></footer>"
)


def page(tmp_path: Path, body: str, head: str = HEAD, name: str = "seite.html") -> Path:
    path = tmp_path / name
    path.write_text(f"<!doctype html><html lang=de>{head}<body>{NAV}{body}{FOOTER}</body></html>", "utf-8")
    return path


def kinds(path: Path) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in read_document(path).paragraphs]


def test_structure_maps_to_paragraph_kinds(tmp_path: Path):
    body = (
        "<main><article><h1>Haushalt beschlossen</h1>" + BODY + "<h2>Was sich ändert</h2>"
        "<ul><li>Das Hallenbad Nord schließt im Sommer.</li><li>Die Musikschule wird teurer.</li></ul>"
        "<blockquote><p>„Wir sparen an der falschen Stelle“, sagte der Fraktionschef.</p></blockquote>"
        "<table><tr><th>Posten</th><th>2024</th></tr><tr><td>Bäder</td><td>3,1 Mio. €</td></tr></table>"
        "<p>Foto: Max Muster/dpa</p></article></main>"
    )
    got = kinds(page(tmp_path, body))
    assert got[0] == ("heading", "Haushalt beschlossen")
    assert ("heading", "Was sich ändert") in got
    assert got[1][0] == got[2][0] == "body" and got[1][1].startswith("Der Stadtrat hat am Dienstag")
    assert ("list", "Das Hallenbad Nord schließt im Sommer.") in got
    assert ("list", "Die Musikschule wird teurer.") in got
    assert ("quote", "„Wir sparen an der falschen Stelle“, sagte der Fraktionschef.") in got
    assert ("table", "Posten | 2024") in got and ("table", "Bäder | 3,1 Mio. €") in got
    assert ("caption", "Foto: Max Muster/dpa") in got
    assert not read_document(page(tmp_path, body)).notes


def test_menus_teasers_newsletter_and_footer_are_gone(tmp_path: Path):
    text = " ".join(
        t
        for _, t in kinds(
            page(tmp_path, "<div class=content><h1>Haushalt beschlossen</h1>" + BODY + "</div>")
        )
    )
    assert "Defizit von mehr als zwölf Millionen Euro" in text
    for boilerplate in ("Politik", "Abo", "Mehr zum Thema", "Parkgebühren", "Newsletter", "Impressum", "©"):
        assert boilerplate not in text, boilerplate


def test_page_title_is_the_first_heading_when_the_body_lacks_it(tmp_path: Path):
    got = kinds(page(tmp_path, "<article>" + BODY + "</article>"))
    # trafilatura's title, without the site name the <title> adds
    assert got[0] == ("heading", "Haushalt beschlossen: Stadtrat streitet über Bäder")
    assert [k for k, _ in got[1:]] == ["body", "body"]
    # a body that has the title keeps it once
    got = kinds(page(tmp_path, "<article><h1>Haushalt beschlossen: Stadtrat streitet über Bäder</h1>" + BODY))
    assert [t for _, t in got].count("Haushalt beschlossen: Stadtrat streitet über Bäder") == 1
    assert got[0][0] == "heading" and "Stadtanzeiger" not in got[0][1]


def test_page_metadata_reaches_the_briefing(tmp_path: Path):
    doc = read_document(page(tmp_path, "<article><h1>Haushalt beschlossen</h1>" + BODY + "</article>"))
    assert doc.metadata == {
        "title": "Haushalt beschlossen",  # trafilatura prefers the page's <h1> to its <title>
        "author": "Jana Becker",
        "date": "2024-03-05",
        "sitename": "Stadtanzeiger",
        "url": "https://www.stadtanzeiger.example/politik/haushalt-2024",
    }
    assert json.loads(render_json(doc))["document"]["metadata"] == doc.metadata
    md = render_markdown(doc)
    assert (
        "By Jana Becker · 2024-03-05 · Stadtanzeiger · [https://www.stadtanzeiger.example/politik/haushalt-2024]"
        "(https://www.stadtanzeiger.example/politik/haushalt-2024)"
    ) in md


def test_page_without_main_text_falls_back_to_the_whole_body_with_a_note(tmp_path: Path):
    path = tmp_path / "termine.html"
    path.write_text(
        f"<title>Termine</title><body>{NAV}<div><h1>Termine</h1><p>Sitzung am 5. März.</p></div>"
        "<footer>Impressum</footer></body>",
        "utf-8",
    )
    doc = read_document(path)
    assert [(p.kind, p.text) for p in doc.paragraphs] == [
        ("heading", "Termine"),
        ("body", "Sitzung am 5. März."),
    ]
    assert doc.notes == [FALLBACK_NOTE]
    assert json.loads(render_json(doc))["document"]["notes"] == [FALLBACK_NOTE]
    assert f"Note: {FALLBACK_NOTE}" in render_markdown(doc)


def test_page_with_more_block_elements_than_trafilatura_handles_is_read_whole_with_a_note(tmp_path: Path):
    count = MAX_BLOCK_ELEMENTS  # and the <article>
    path = tmp_path / "liste.html"
    items = "".join(
        f"<{('p', 'div', 'li')[i % 3]}>Eintrag {i}.</{('p', 'div', 'li')[i % 3]}>" for i in range(count)
    )
    path.write_text(f"<body><article>{items}", "utf-8")
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == [f"Eintrag {i}." for i in range(count)]
    assert doc.notes == [TOO_LARGE_NOTE.format(count=count + 1)]
    assert "20,001 block elements" in doc.notes[0]


@pytest.mark.parametrize("count", [300, MAX_BLOCK_ELEMENTS_WITH_FALLBACKS + 100])
def test_page_trafilatura_can_only_dump_whole_is_read_by_paragraph_with_a_note(tmp_path: Path, count):
    # A bare list: trafilatura's answer is the page's text in one run (from its readability fallback, or
    # without fallbacks from its baseline), which would be one huge paragraph.
    path = tmp_path / "liste.html"
    items = "".join(f"<li>Eintrag Nummer {i}.</li>" for i in range(count))
    path.write_text(f"<title>Liste</title><body>{NAV}<main>{items}</main></body>", "utf-8")
    doc = read_document(path)
    assert [(p.kind, p.text) for p in doc.paragraphs] == [
        ("list", f"Eintrag Nummer {i}.") for i in range(count)
    ]
    assert doc.notes == [FALLBACK_NOTE]
