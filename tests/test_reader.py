from pathlib import Path

import pytest
from conftest import SAMPLE_ARTICLE

from pipeline.reader import InputError, parse_paragraphs, read_document


def kinds(text: str) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in parse_paragraphs(text)]


def test_sample_article_caption_first_and_five_headings():
    doc = read_document(SAMPLE_ARTICLE)
    assert doc.paragraphs[0].kind == "caption"
    assert "Foto:" in doc.paragraphs[0].text
    headings = [p.text for p in doc.paragraphs if p.kind == "heading"]
    assert len(headings) == 5
    assert all(len(h) < 60 and not h.endswith(".") for h in headings)
    assert [p.id for p in doc.paragraphs] == [f"p{i}" for i in range(1, len(doc.paragraphs) + 1)]
    assert len(doc.sha256) == 64


def test_markdown_structures():
    text = (
        "# Der Titel\n\nEin normaler Absatz, der mit einem Punkt endet.\n\n"
        "- erster Punkt\n- zweiter Punkt\n\n"
        "> Ein Zitat über\n> zwei Zeilen.\n\nZwischenzeile ohne Punkt\n\nBild: dpa"
    )
    assert kinds(text) == [
        ("heading", "Der Titel"),
        ("body", "Ein normaler Absatz, der mit einem Punkt endet."),
        ("list", "erster Punkt"),
        ("list", "zweiter Punkt"),
        ("quote", "Ein Zitat über zwei Zeilen."),
        ("heading", "Zwischenzeile ohne Punkt"),
        ("caption", "Bild: dpa"),
    ]


def test_wrapped_lines_and_crlf_join_into_one_paragraph():
    assert kinds("Eine Zeile, die\r\numgebrochen wurde.\r\n\r\nZweiter Absatz hier.") == [
        ("body", "Eine Zeile, die umgebrochen wurde."),
        ("body", "Zweiter Absatz hier."),
    ]


def test_long_line_without_final_punctuation_is_body_not_heading():
    line = " ".join(["Wort"] * 20)
    assert kinds(line) == [("body", line)]


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("leer.txt", b"", "no text"),
        ("blank.md", b"  \n\n \t\n", "no text"),
        ("latin.txt", "Grüße".encode("cp1252"), "UTF-8"),
        ("bild.png", b"\x89PNG", "unsupported file type"),
    ],
)
def test_unreadable_input_names_file_and_problem(tmp_path: Path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_document(path)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_utf8_bom_is_accepted(tmp_path: Path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffÜberschrift hier\n\nText mit Umlauten: äöü.".encode())
    assert [p.text for p in read_document(path).paragraphs] == ["Überschrift hier", "Text mit Umlauten: äöü."]
