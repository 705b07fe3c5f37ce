import hashlib
import io
import os
import time
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import ROOT, SAMPLE_ARTICLE

from pipeline.reader import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, InputError, parse_paragraphs, read_document

INPUTS = ROOT / "tests" / "data" / "inputs"


def kinds(text: str) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in parse_paragraphs(text)]


def read_kinds(path: Path, **kwargs) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in read_document(path, **kwargs).paragraphs]


def refused(path: Path, **kwargs) -> str:
    """The message of the InputError reading ``path`` raises; it must start with the path."""
    with pytest.raises(InputError) as err:
        read_document(path, **kwargs)
    message = str(err.value)
    assert message.startswith(f"{path}: "), message
    return message


# --- plain text and Markdown -----------------------------------------------------------------------


def test_sample_article_caption_first_and_five_headings():
    doc = read_document(SAMPLE_ARTICLE)
    assert doc.paragraphs[0].kind == "caption"
    assert "Foto:" in doc.paragraphs[0].text
    headings = [p.text for p in doc.paragraphs if p.kind == "heading"]
    assert len(headings) == 5
    assert all(len(h) < 60 and not h.endswith(".") for h in headings)
    assert [p.id for p in doc.paragraphs] == [f"p{i}" for i in range(1, len(doc.paragraphs) + 1)]
    assert doc.sha256 == hashlib.sha256(SAMPLE_ARTICLE.read_bytes()).hexdigest()


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


def test_heading_keeps_a_hash_that_is_part_of_a_word_and_empty_markers_give_no_paragraph():
    assert kinds("## Über C# und F# ##\n\n>\n\n-  x   y") == [("heading", "Über C# und F#"), ("list", "x y")]


def test_wrapped_lines_crlf_and_lone_cr_join_into_one_paragraph():
    assert kinds("Eine Zeile, die\r\numgebrochen wurde.\r\n\r\nZweiter\rAbsatz hier.\r\rDritter.") == [
        ("body", "Eine Zeile, die umgebrochen wurde."),
        ("body", "Zweiter Absatz hier."),
        ("body", "Dritter."),
    ]


def test_long_line_without_final_punctuation_is_body_not_heading():
    line = " ".join(["Wort"] * 20)
    assert kinds(line) == [("body", line)]


def test_ten_thousand_word_paragraph_without_punctuation_comes_through_whole(tmp_path: Path):
    words = [f"wort{i}" for i in range(10_000)]
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]  # wrapped, one paragraph
    path = tmp_path / "lang.txt"
    path.write_text("Überschrift\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    doc = read_document(path)
    assert [p.kind for p in doc.paragraphs] == ["heading", "body"]
    assert doc.paragraphs[1].text == " ".join(words)


def test_long_whitespace_runs_are_parsed_in_linear_time():
    # Before whitespace was collapsed, the heading pattern backtracked over the run: minutes, not ms.
    start = time.perf_counter()
    assert kinds("# Titel" + " " * 200_000 + "Ende\n\n- a" + "\t" * 200_000 + "b") == [
        ("heading", "Titel Ende"),
        ("list", "a b"),
    ]
    assert time.perf_counter() - start < 5


# --- encodings -------------------------------------------------------------------------------------

GERMAN = "„Grüße“ aus Köln: Das Frühstück kostet 5 € – mit Soße.\n\nZweiter Absatz, äöüß ÄÖÜ."
LATIN1 = "Grüße aus Köln: Das Frühstück kostet 5 DM, sagt Jörg Müßig.\n\nZweiter Absatz, äöüß ÄÖÜ «»."


@pytest.mark.parametrize(
    "encoding, text",
    [
        ("utf-8", GERMAN),
        ("utf-8-sig", GERMAN),
        ("utf-16", GERMAN),  # Python writes a BOM and the machine's byte order
        ("utf-16-le", "\ufeff" + GERMAN),
        ("utf-16-be", "\ufeff" + GERMAN),
        ("utf-32", GERMAN),
        ("cp1252", GERMAN),
        ("latin-1", LATIN1),
    ],
)
def test_text_encodings_are_detected(tmp_path: Path, encoding, text):
    data = text.replace("\n", "\r\n").encode(encoding)
    path = tmp_path / "text.txt"
    path.write_bytes(data)
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == text.lstrip("\ufeff").split("\n\n")
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


def test_short_cp1252_text_is_detected(tmp_path: Path):
    path = tmp_path / "kurz.md"
    path.write_bytes("„Grüße“ – 5 €".encode("cp1252"))
    assert read_kinds(path) == [("heading", "„Grüße“ – 5 €")]


# --- HTML ------------------------------------------------------------------------------------------


def test_html_main_text_without_page_chrome():
    path = INPUTS / "artikel.html"
    # The <figure> and its caption go, as trafilatura drops figures (the gold of ../shared/real/html
    # counts captions and photo credits as boilerplate).
    assert read_kinds(path) == [
        ("heading", "Innenstädte im Wandel"),
        ("body", "Leerstand, Mieten und neue Ideen: Was Städte jetzt tun."),
        ("body", "Viele Innenstädte kämpfen mit Leerstand."),
        ("body", "Die Stadt plant drei Maßnahmen:"),
        ("list", "Zwischennutzung leerer Läden"),
        ("list", "Mehr Grün"),
        ("quote", "„Wir müssen jetzt handeln“, sagt die Bürgermeisterin."),
        ("heading", "Wie geht es weiter?"),
        ("body", "Der Rat entscheidet im Herbst. Bis dahin wird beraten."),
    ]
    text = " ".join(p.text for p in read_document(path).paragraphs)
    for dropped in ("SCRIPT", "STYLE", "COMMENT", "SVG", "NOSCRIPT", "TEMPLATE", "IFRAME", "ASIDE", "FOOTER"):
        assert dropped not in text
    assert "Politik" not in text and "Suche" not in text and "Startseite" not in text


def test_html_without_main_uses_body_minus_site_header_footer_and_keeps_page_wrapping_form(tmp_path: Path):
    path = tmp_path / "seite.htm"
    path.write_text(
        "<body><form id=aspnet><header><a href=/>Logo</a><h1>Seitenname</h1></header>"
        "<aside><article><h2>Teaser</h2><p>Anderer Artikel.</p></article></aside>"
        "<div class=content><h1>Titel</h1>Text ohne Absatz-Element<p>Ein Absatz.</p>"
        "<div hidden>Versteckt</div><script>var s = '<p>x</p>';</script></div>"
        "<footer>Kontakt</footer></form></body>",
        encoding="utf-8",
    )
    assert read_kinds(path) == [
        ("heading", "Titel"),
        ("body", "Text ohne Absatz-Element"),
        ("body", "Ein Absatz."),
    ]


@pytest.mark.parametrize(
    "declared, encoding",
    [
        ("windows-1252", "cp1252"),
        ("iso-8859-1", "cp1252"),  # browsers (and we) read ISO-8859-1 as its superset Windows-1252
        ("iso-8859-1", "utf-8"),  # a page that lies about its encoding: valid UTF-8 wins
        ("utf-8", "cp1252"),  # the same lie the other way round: detection takes over
    ],
)
def test_html_encoding_from_meta_charset_or_detection(tmp_path: Path, declared, encoding):
    path = tmp_path / "seite.html"
    page = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}"></head>'
    path.write_bytes((page + "<body><p>„Grüße“ für 5 €.</p></body></html>").encode(encoding))
    assert read_kinds(path) == [("body", "„Grüße“ für 5 €.")]


@pytest.mark.parametrize("charset", ["undefined", "base64", "unicode_escape", "utf-7", "nonsense"])
def test_html_charset_label_that_is_no_usable_text_encoding_is_ignored(tmp_path: Path, charset):
    path = tmp_path / "seite.html"
    # Python knows most of these labels, but they raise, decode to lone surrogates or are no text codec.
    path.write_bytes(f'<meta charset="{charset}"><p>+2AA- \\udc80 '.encode() + "Grüße</p>".encode("cp1252"))
    assert read_kinds(path) == [("body", "+2AA- \\udc80 Grüße")]


def test_html_nested_deeper_than_the_parser_allows(tmp_path: Path):
    path = tmp_path / "tief.html"
    path.write_text(
        "<p>Vorher.</p>" + "<div>" * 100_000 + "Ganz tief." + "</div>" * 100_000, encoding="utf-8"
    )
    assert read_kinds(path)[0] == ("body", "Vorher.")


def test_html_utf16_with_bom(tmp_path: Path):
    path = tmp_path / "seite.html"
    path.write_bytes('<meta charset="utf-16"><h1>Grüße</h1><p>Text.</p>'.encode("utf-16"))
    assert read_kinds(path) == [("heading", "Grüße"), ("body", "Text.")]


def test_html_with_only_scripts_and_navigation_has_no_text(tmp_path: Path):
    path = tmp_path / "leer.html"
    path.write_text("<!-- x --><script>alert('hallo')</script><nav>Menü</nav>", encoding="utf-8")
    assert "no text" in refused(path)


# --- .docx -----------------------------------------------------------------------------------------


def test_docx_paragraphs_in_order_with_kinds(tmp_path: Path):
    document = docx.Document()
    document.add_heading("Jahresbericht", level=0)
    document.add_heading("Umsatz 2024", level=1)
    document.add_paragraph("Der Umsatz stieg\tdeutlich.")
    document.add_paragraph("erster Punkt", style="List Bullet")
    document.add_paragraph("zweiter Punkt", style="List Number")
    document.add_paragraph("„Ein Zitat.“", style="Quote")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Kopfzeile über zwei Spalten"
    table.cell(1, 0).text = "links"
    table.cell(1, 1).text = "rechts"
    document.add_paragraph("Schluss.")
    document.sections[0].header.paragraphs[0].text = "Kopfzeile der Seite"
    path = tmp_path / "bericht.docx"
    document.save(path)
    doc = read_document(path)
    assert [(p.kind, p.text) for p in doc.paragraphs] == [
        ("heading", "Jahresbericht"),
        ("heading", "Umsatz 2024"),
        ("body", "Der Umsatz stieg deutlich."),
        ("list", "erster Punkt"),
        ("list", "zweiter Punkt"),
        ("quote", "„Ein Zitat.“"),
        ("body", "Kopfzeile über zwei Spalten"),
        ("body", "links"),
        ("body", "rechts"),
        ("body", "Schluss."),
    ]
    assert [p.id for p in doc.paragraphs] == [f"p{i}" for i in range(1, 11)]
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _unsupported_zip_version(archive: bytes) -> bytes:
    at = archive.index(b"PK\x01\x02") + 6  # "version needed to extract" in the central directory
    return archive[:at] + b"\xff\x00" + archive[at + 2 :]


@pytest.mark.parametrize(
    "content",
    [
        b"Das ist nur Text.",
        _zip(**{"word/document.xml": b"<w:document/>"}),  # a zip, but no Word package
        _zip(**{"[Content_Types].xml": b"<Types", "word/document.xml": b"<<<"}),  # broken XML
        _unsupported_zip_version(_zip(**{"[Content_Types].xml": b"<Types/>"})),
    ],
)
def test_invalid_docx_is_refused(tmp_path: Path, content):
    path = tmp_path / "kaputt.docx"
    path.write_bytes(content)
    assert "not a valid .docx" in refused(path)


def test_docx_that_unpacks_to_far_more_than_the_limit_is_refused(tmp_path: Path):
    path = tmp_path / "bombe.docx"
    path.write_bytes(_zip(**{"word/document.xml": b" " * 2_000_000}))
    assert path.stat().st_size < 100_000
    assert "unpacks to 2,000,000 bytes" in refused(path, max_bytes=100_000)


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("leer.txt", b"", "the file is empty"),
        ("blank.md", b"  \r\n\n \t\n\r", "no text"),
        ("blank.txt", "\ufeff \u00a0\u2003\n\n".encode(), "no text"),
        ("leer.docx", b"", "the file is empty"),
        ("bild.svg", b"<svg/>", "unsupported file type .svg"),
        ("ohne", b"Text", "unsupported file type (none)"),
    ],
)
def test_empty_and_unsupported_files(tmp_path: Path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    assert problem in refused(path)


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)),  # a PNG renamed .txt
        _zip(**{"a.txt": b"Hallo"}),  # a zip archive renamed .txt
        bytes(range(1, 32)) * 10 + b"ein wenig Text",  # valid UTF-8, but mostly control codes
        "\ufeffText\x00mit NUL".encode("utf-16-le"),  # NUL after decoding
    ],
)
def test_binary_data_is_refused(tmp_path: Path, content):
    path = tmp_path / "daten.txt"
    path.write_bytes(content)
    assert "binary data" in refused(path)


def test_bytes_in_no_text_encoding_are_refused(tmp_path: Path):
    path = tmp_path / "rauschen.txt"
    path.write_bytes(bytes(range(1, 256)) * 4)
    assert "not text" in refused(path)


def test_broken_utf16_is_refused(tmp_path: Path):
    path = tmp_path / "halb.txt"
    path.write_bytes(b"\xff\xfeA\x00\x00\xd8")  # a lone surrogate
    assert "not valid UTF-16-LE" in refused(path)


def test_file_over_the_limit_is_refused_before_reading(tmp_path: Path):
    path = tmp_path / "gross.txt"
    path.write_bytes(b"x" * 1001)
    message = refused(path, max_bytes=1000)
    assert "1,001 bytes" in message and "limit of 1,000 bytes" in message
    assert read_document(path, max_bytes=1001).paragraphs[0].text == "x" * 1001

    huge = tmp_path / "riesig.txt"
    with huge.open("wb") as file:
        file.truncate(10**12)  # sparse: reading it would take hours, the size check takes nothing
    assert f"1,000,000,000,000 bytes, larger than the limit of {DEFAULT_MAX_BYTES:,}" in refused(huge)


def test_symlink_loop_is_refused(tmp_path: Path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    assert "symbolic link loop" in refused(tmp_path / "a.txt")


def test_broken_symlink_is_refused(tmp_path: Path):
    (tmp_path / "weg.txt").symlink_to(tmp_path / "gibt-es-nicht.txt")
    assert "broken symbolic link" in refused(tmp_path / "weg.txt")


def test_symlink_to_a_file_is_read(tmp_path: Path):
    (tmp_path / "echt.txt").write_text("Ein Satz.", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "echt.txt")
    assert read_kinds(tmp_path / "link.txt") == [("body", "Ein Satz.")]


@pytest.mark.parametrize("name", ["ordner.txt", "ordner"])
def test_directory_is_refused(tmp_path: Path, name):
    (tmp_path / name).mkdir()
    assert "is a directory" in refused(tmp_path / name)


def test_missing_file_is_refused(tmp_path: Path):
    assert "no such file" in refused(tmp_path / "fehlt.md")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.txt")
    assert "not a regular file" in refused(tmp_path / "pipe.txt")


@pytest.mark.permissions
def test_unreadable_file_is_refused(tmp_path: Path):
    path = tmp_path / "geheim.txt"
    path.write_text("Geheim.", encoding="utf-8")
    path.chmod(0)
    try:
        assert "permission denied" in refused(path)
    finally:
        path.chmod(0o600)


def test_supported_suffixes():
    assert set(SUPPORTED_SUFFIXES) == {
        *(".txt", ".md", ".html", ".htm", ".docx", ".pdf"),
        *(".odt", ".odp", ".pptx", ".epub", ".srt", ".vtt", ".eml"),
        *(".png", ".jpg", ".jpeg", ".tif", ".tiff"),
    }
