"""The PDF reader: generated reports with a known layout, bad files, and the real reports in ../shared.

Generated pages place every line themselves (fpdf2), so line ends, hyphenations, columns and margins are
exactly those a typesetter would produce, and each test checks the blocks a person reading the page sees.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF

from pipeline.readers import ocr, pdf
from pipeline.readers.base import FormatError

MAX_BYTES = 10_000_000
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core
LEADING = 5.0  # mm between the baselines of 10 pt body lines

LEFT_COLUMN = [
    ("heading", ["Einleitung"]),
    (
        "body",
        [
            "Die Bundesregierung hat im vergangenen Jahr die",
            "Versorgung mit Trinkwasser neu geregelt. Die Bundes-",
            "regierung legt dazu diesen Bericht vor, der die Ein-",
            "und Ausfuhr von Wasser beschreibt und die Trink-",
            "wasserpreise nennt.",
        ],
    ),
    (
        "body",
        [
            "Die Nord-",
            "Süd-Achse bleibt wichtig. Die COVID-",
            "19-Impfung der Belegschaft ist abgeschlossen.",
            "Fragen beantwortet das Amt per E-",
            "Mail an jedem Werktag.",
        ],
    ),
]
RIGHT_COLUMN = [
    ("heading", ["Ergebnisse"]),
    (
        "body",
        [
            "Der Verbrauch stieg im Jahr um drei Prozent. Die",
            "Wasserwerke¹ meldeten keine Ausfälle.",
        ],
    ),
    ("list", ["- Erstens wurden die Leitungen geprüft."]),
    ("list", ["- Zweitens wurde der Bericht veröffentlicht und an", "alle Gemeinden verschickt."]),
    ("list", ["1. Neue Pumpen wurden bestellt."]),
]


class Report(FPDF):
    """A4 pages with a running header and a page number, as a ministry's report has them."""

    header_text = "Bericht des Testamts | Ausgabe 3/2026"

    def header(self):
        if self.page_no() in getattr(self, "blank_pages", ()):
            return
        self.set_font("Helvetica", size=8)
        self.text(20, 12, self.header_text)
        self.text(180, 12, f"Seite {self.page_no()} von 4")

    def footer(self):
        if self.page_no() in getattr(self, "blank_pages", ()):
            return
        self.set_font("Helvetica", size=9)
        self.text(100, 287, f"- {self.page_no()} -")

    def lines(self, x: float, y: float, blocks, size: float = 10) -> float:
        """Set each block's lines at x from y down; a blank line between blocks. Returns the next y."""
        for kind, lines in blocks:
            for text in lines:
                if kind == "heading":
                    self.set_font("Helvetica", "B", 12)
                else:
                    self.set_font("Helvetica", size=size)
                indent = 4 if kind == "list" and not re.match(r"[-\d]", text) else 0
                self.superscripted(x + indent, y, text)
                y += LEADING
            y += LEADING
        return y

    def superscripted(self, x: float, y: float, text: str) -> None:
        """Text with "¹" set as a raised small 1, the way word processors set a footnote marker."""
        before, marker, after = text.partition("¹")
        self.text(x, y, before)
        if marker:
            x += self.get_string_width(before)
            size = self.font_size_pt
            self.set_font(size=size * 0.6)
            self.text(x, y - 1.6, "1")
            x += self.get_string_width("1")
            self.set_font(size=size)
            self.text(x, y, after)


def png(width: int = 200, height: int = 280) -> io.BytesIO:
    from PIL import Image  # installed with fpdf2

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 120)).save(out, format="PNG")
    out.seek(0)
    return out


def report(image_page: bool = True) -> bytes:
    doc = Report(format="A4")
    doc.blank_pages = (3,) if image_page else ()
    doc.set_auto_page_break(False)
    doc.set_title("Jahresbericht Wasser")
    doc.set_author("Testamt")
    doc.set_creation_date(datetime(2026, 3, 1, 9, 30, tzinfo=UTC))

    doc.add_page()
    doc.set_font("Helvetica", "B", 18)
    doc.text(20, 30, "Jahresbericht zur Lage der Wasserversorgung")
    doc.lines(20, 45, LEFT_COLUMN)
    doc.lines(110, 45, RIGHT_COLUMN)
    doc.set_font("Helvetica", size=8)
    doc.text(110, 262, "1 Gezählt wurden alle Wasserwerke mit mehr als hundert")
    doc.text(110, 266, "Anschlüssen.")

    doc.add_page()
    y = doc.lines(
        20,
        30,
        [
            ("heading", ["Verbrauch nach Regionen"]),
            ("body", ["Die folgende Übersicht nennt den Verbrauch in den Regionen des Landes."]),
        ],
    )
    doc.set_font("Helvetica", size=10)
    for cells in (("Region", "2024", "2025"), ("Nord", "1.200", "1.250"), ("Süd", "980", "1.010")):
        for x, cell in zip((20, 90, 140), cells, strict=True):
            doc.text(x, y, cell)
        y += LEADING
    doc.lines(20, y + LEADING, [("body", ["Der Süden verbrauchte weniger Wasser als der Norden¹."])])
    doc.set_font("Helvetica", size=8)
    doc.text(20, 266, "1 Quelle: Landesamt für Statistik.")

    doc.add_page()
    if image_page:
        doc.image(png(), x=10, y=10, w=190)
    else:
        doc.lines(20, 30, [("body", ["Ein kurzer Absatz auf der dritten Seite."])])

    doc.add_page()
    doc.lines(20, 30, [("heading", ["Ausblick"]), ("body", ["Im nächsten Jahr folgt ein weiterer Bericht."])])
    return bytes(doc.output())


@pytest.fixture(scope="module")
def extraction() -> pdf.Extraction:
    return pdf.extract(report(), MAX_BYTES)


def texts(extraction, kind=None) -> list[str]:
    return [text for k, text in extraction.blocks if kind is None or k == kind]


def test_generated_report_reads_as_a_person_reads_it(extraction):
    assert extraction.blocks[:4] == [
        ("heading", "Jahresbericht zur Lage der Wasserversorgung"),
        ("heading", "Einleitung"),
        (
            "body",
            "Die Bundesregierung hat im vergangenen Jahr die Versorgung mit Trinkwasser neu geregelt. Die "
            "Bundesregierung legt dazu diesen Bericht vor, der die Ein- und Ausfuhr von Wasser beschreibt "
            "und die Trinkwasserpreise nennt.",
        ),
        (
            "body",
            "Die Nord-Süd-Achse bleibt wichtig. Die COVID-19-Impfung der Belegschaft ist abgeschlossen. "
            "Fragen beantwortet das Amt per E-Mail an jedem Werktag.",
        ),
    ]


def test_right_column_follows_the_left_one(extraction):
    all_text = " ".join(texts(extraction))
    assert all_text.index("an jedem Werktag.") < all_text.index("Der Verbrauch stieg")
    assert ("heading", "Ergebnisse") in extraction.blocks


# A newsletter page in three columns of 55 mm under a title across them; each column two paragraphs.
THREE_COLUMNS = [
    [
        (
            "body",
            [
                "Die Gemeinde hat im vergangenen",
                "Jahr neue Leitungen verlegt und",
                "zwei Pumpwerke erneuert.",
            ],
        ),
        ("body", ["Die Arbeiten im Norden dauerten", "länger als geplant, weil der", "Boden gefroren war."]),
    ],
    [
        (
            "body",
            [
                "Der Verbrauch stieg im Sommer",
                "leicht an und blieb doch unter",
                "dem Mittel der letzten Jahre.",
            ],
        ),
        ("body", ["Im Herbst wurde an drei Tagen", "mehr Wasser abgegeben als je", "zuvor an einem Tag."]),
    ],
    [
        ("body", ["Für das nächste Jahr plant die", "Gemeinde ein neues Becken am", "Rand des Ortes."]),
        ("body", ["Die Kosten trägt zur Hälfte das", "Land, den Rest die Gemeinde", "aus ihren Rücklagen."]),
    ],
]


def test_three_columns_are_read_one_after_another():
    doc = Report(format="A4")
    doc.blank_pages = (1,)  # no running header or page number: a single sheet
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.set_font("Helvetica", "B", 16)
    doc.text(20, 30, "Gemeindebrief Sommer")
    for x, column in zip((15, 80, 145), THREE_COLUMNS, strict=True):
        doc.lines(x, 45, column)
    blocks = pdf.extract(bytes(doc.output()), MAX_BYTES).blocks
    expected = [(kind, " ".join(lines)) for column in THREE_COLUMNS for kind, lines in column]
    assert blocks == [("heading", "Gemeindebrief Sommer"), *expected]


def test_running_headers_and_page_numbers_are_removed(extraction):
    for text in texts(extraction):
        assert "Testamt" not in text and "Seite" not in text
        assert not re.fullmatch(r"-\s*\d+\s*-", text)


def test_footnote_marker_leaves_the_sentence_and_the_note_is_its_own_block(extraction):
    assert (
        "body",
        "Der Verbrauch stieg im Jahr um drei Prozent. Die Wasserwerke meldeten keine Ausfälle.",
    ) in (extraction.blocks)
    assert texts(extraction, "footnote") == [
        "1 Gezählt wurden alle Wasserwerke mit mehr als hundert Anschlüssen.",
        "1 Quelle: Landesamt für Statistik.",
    ]
    # The note comes after the paragraphs of its page, not inside them.
    order = texts(extraction)
    assert order.index(texts(extraction, "footnote")[0]) > order.index("Neue Pumpen wurden bestellt.")


def test_list_items_are_their_own_blocks_without_their_markers(extraction):
    assert texts(extraction, "list") == [
        "Erstens wurden die Leitungen geprüft.",
        "Zweitens wurde der Bericht veröffentlicht und an alle Gemeinden verschickt.",
        "Neue Pumpen wurden bestellt.",
    ]


def test_table_rows_are_table_blocks_never_body_text(extraction):
    assert texts(extraction, "table") == ["Region | 2024 | 2025", "Nord | 1.200 | 1.250", "Süd | 980 | 1.010"]
    for text in texts(extraction, "body"):
        assert "1.250" not in text
    order = texts(extraction)
    assert order.index("Region | 2024 | 2025") > order.index(
        "Die folgende Übersicht nennt den Verbrauch in den Regionen des Landes."
    )
    assert order.index("Süd | 980 | 1.010") < order.index(
        "Der Süden verbrauchte weniger Wasser als der Norden."
    )


def test_image_only_page_is_reported_and_the_rest_is_read(extraction):
    # Read by OCR where Tesseract is installed (it finds no text in the picture), else left out.
    assert extraction.notes in (
        ["page 3 has no text layer (scanned?) and was left out: " + str(ocr.missing("deu+eng"))],
        ["page 3 has no text layer, and OCR found no text on it (a picture?)"],
    )
    assert texts(extraction)[-2:] == ["Ausblick", "Im nächsten Jahr folgt ein weiterer Bericht."]


def test_metadata_from_the_info_dictionary(extraction):
    assert extraction.metadata == {
        "title": "Jahresbericht Wasser",
        "author": "Testamt",
        "date": "2026-03-01T09:30:00Z",
    }


def test_a_pdf_of_images_only_is_refused_as_scanned():
    doc = FPDF()
    for _ in range(2):
        doc.add_page()
        doc.image(png(), x=10, y=10, w=190)
    # Images without text: OCR (when installed) finds none; without OCR the message says what to install.
    with pytest.raises(FormatError, match=r"^no text layer \(a scanned PDF\?\)"):
        pdf.extract(bytes(doc.output()), MAX_BYTES)


def test_an_encrypted_pdf_is_refused_clearly():
    doc = FPDF()
    doc.set_encryption(owner_password="eigner", user_password="geheim")
    doc.add_page()
    doc.set_font("Helvetica", size=10)
    doc.text(20, 20, "Vertraulicher Bericht.")
    with pytest.raises(FormatError, match="encrypted PDF: it cannot be opened without a password"):
        pdf.extract(bytes(doc.output()), MAX_BYTES)


def test_a_pdf_encrypted_only_against_changes_is_read():
    doc = FPDF()
    doc.set_encryption(owner_password="eigner")  # empty user password: opens without asking
    doc.add_page()
    doc.set_font("Helvetica", size=10)
    doc.text(20, 20, "Ein offener Bericht.")
    assert pdf.extract(bytes(doc.output()), MAX_BYTES).blocks == [("body", "Ein offener Bericht.")]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"%PDF-1.7\n" + b"\x00\xff" * 200,  # a header and nothing of a PDF after it
        lambda data: data[: len(data) // 3],  # cut off in transfer
        lambda data: b"<html><body>Kein PDF</body></html>",  # misnamed
    ],
    ids=["garbage", "truncated", "not-a-pdf"],
)
def test_a_damaged_pdf_is_refused_clearly(damage):
    with pytest.raises(FormatError, match=r"^(not a valid PDF|damaged PDF|no text layer)"):
        pdf.extract(damage(report()), MAX_BYTES)


def raw_pdf(content: bytes, filters: bytes = b"/Filter /FlateDecode", fonts: list[bytes] = ()) -> bytes:
    """A one-page PDF with the given page content stream; fonts are objects 5, 6, … (the first is /F1)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d %s >>\nstream\n" % (len(content), filters) + content + b"\nendstream",
        *fonts,
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_that_decompresses_to_far_more_than_the_limit_is_refused():
    # 50 MB of spaces in 50 kB: with a 100 kB input limit the reader stops after 1 MB.
    bomb = raw_pdf(zlib.compress(b" " * 50_000_000, 9))
    assert len(bomb) < 100_000
    with pytest.raises(
        FormatError, match=r"decompress to more than 1,000,000 bytes \(10 × input.max_bytes\)"
    ):
        pdf.extract(bomb, 100_000)


def test_a_pdf_whose_font_maps_no_glyph_to_a_letter_is_refused():
    # A CID font without a ToUnicode map: pdfminer sees glyph numbers only, "(cid:65)(cid:66)…".
    fonts = [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Geheim /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Geheim"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
    ]
    glyphs = raw_pdf(b"BT /F1 12 Tf 72 700 Td <0041004200430044004500460047> Tj ET", b"", fonts)
    # (With OCR on, the page is read from its picture instead: tests/test_ocr.py.)
    with (
        ocr.using(dataclasses.replace(ocr.DEFAULTS, enabled="off")),
        pytest.raises(FormatError, match="the text layer cannot be read: its fonts do not say which letters"),
    ):
        pdf.extract(glyphs, MAX_BYTES)


def test_a_pdf_over_the_page_limit_is_refused(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGES", 3)
    with pytest.raises(FormatError, match="the PDF has 4 pages, more than the limit of 3"):
        pdf.extract(report(), MAX_BYTES)


# --- the real reports in ../shared/real/pdf ---------------------------------------------------------

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real" / "pdf"


def real(name: str) -> pdf.Extraction:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared real-report folder is not checked out here)")
    return pdf.extract(path.read_bytes(), MAX_BYTES)


def hyphen_fragments(extraction: pdf.Extraction) -> list[str]:
    """ "Bundes-regierung" where the document also writes "Bundesregierung": a line-end split left in."""
    text = " ".join(text for kind, text in extraction.blocks if kind != "table")
    words = {word.lower() for word in re.findall(r"[^\W\d_]+", text)}
    return [
        f"{stem}-{tail}"
        for stem, tail in re.findall(r"(?<![\w-])([^\W\d_]+)-([a-zäöüß]+)\b", text)
        if (stem + tail).lower() in words
    ]


def page_furniture(extraction: pdf.Extraction, header: str) -> list[str]:
    """Blocks that are a page number ("- 3 -", "Seite 3 von 10", "11") or hold the running header."""
    return [
        text
        for _, text in extraction.blocks
        if re.fullmatch(r"[-–]?\s*\d{1,3}\s*[-–]?|Seite \d+( von \d+)?", text) or header in text
    ]


def test_real_bulletin_two_columns_in_order_without_header_or_split_words():
    bulletin = real("rki_epibull_2020-17_nowcasting.pdf")
    assert page_furniture(bulletin, "Epidemiologisches Bulletin |") == []
    assert hyphen_fragments(bulletin) == []
    text = " ".join(text for _, text in bulletin.blocks)
    # Page 2: the left column's last paragraph runs on into the right column, which is read after it.
    assert text.index("Als Verfahren für das Ersetzen") < text.index("dass 50 % der Fälle nach 7 Tagen")
    assert (
        "dass 50 % der Fälle nach 7 Tagen übermittelt wurden. Für die meisten Fälle liegt diese Dauer" in text
    )
    assert text.index("liegt diese Dauer zwischen 5 und 10 Tagen") < text.index(
        "Zur Durchführung der multiplen"
    )
    # The footnote marker left the sentence; the note is a block of its own.
    assert "multiple Imputation durchgeführt, bei der die fehlenden" in text
    assert any(
        kind == "footnote" and text.startswith("Anmerkung: Eine Dauer von 0 Tagen")
        for kind, text in bulletin.blocks
    )
    assert ("heading", "Imputation von fehlenden Werten zum Erkrankungsbeginn") in bulletin.blocks
    # The line charts' legends, axis ticks and axis titles are no text of the report.
    assert not any(
        text.startswith(("Stand Nowcast:", "Datenstand:", "4 | 6.000")) for text in texts(bulletin)
    )
    assert ("heading", "Datum des Erkrankungbeginns") not in bulletin.blocks


def test_real_draft_regulation_without_page_headers_or_split_words():
    draft = real("bmg_referentenentwurf_coronaimpfv_2021-12-21.pdf")
    assert page_furniture(draft, "- 2 -") == []
    assert hyphen_fragments(draft) == []
    assert ("heading", "A. Problem und Ziel") in draft.blocks
    assert ("list", "Absatz 2 wird aufgehoben.") in draft.blocks
    # A paragraph broken across pages after "am 9." is one paragraph.
    assert any("bereits am 9. Dezember 2021 in einer Mitteilung" in text for _, text in draft.blocks)


def test_real_annual_accounts_report_the_image_pages_and_read_the_notes_in_column_order():
    accounts = real("tsb_jahresabschluss_2021.pdf")
    # Two pages are pictures of the city (no text layer; OCR, where installed, finds no text in them).
    assert accounts.notes in (
        ["pages 2 and 19 have no text layer (scanned?) and were left out: " + str(ocr.missing("deu+eng"))],
        ["pages 2 and 19 have no text layer, and OCR found no text on them (pictures?)"],
    )
    # The running section titles above the text, as this PDF's small capitals come out.
    assert page_furniture(accounts, "AnhAnG zum JAhReSABSchL") == []
    assert page_furniture(accounts, "ORGAne DeR STiFTunG") == []
    assert hyphen_fragments(accounts) == []
    text = " ".join(text for _, text in accounts.blocks)
    left_last = text.index("Finanzanlagen werden zu Anschaffungskosten")
    assert left_last < text.index("Forderungen und sonstige Vermögensgegenstände sowie Geldbestände")
    assert ("heading", "I. Allgemeine Angaben") in accounts.blocks
    # The section's title and its item share one ruled cell beside the figures.
    assert ("table", "I. Immaterielle Vermögensgegenstände Software | 4.932,00 | 4.400,00") in accounts.blocks


@pytest.mark.parametrize(
    "name",
    [
        "bmg_referentenentwurf_coronaimpfv_2021-12-21.pdf",
        "gi_lni_paper_example_de.pdf",
        "rki_epibull_2020-17_nowcasting.pdf",
        "tsb_jahresabschluss_2021.pdf",
    ],
)
def test_real_reports_have_no_space_before_a_period_or_comma(name):
    # The annual accounts' font maps its period to " .": 416 amounts and abbreviations came out as
    # "4 .932,00" and "§ 62 Abs . 1" (an ellipsis, "Vom ...", keeps its space).
    blocks = real(name).blocks
    assert [m.group() for _, text in blocks for m in re.finditer(r"\w+ [.,](?!\.)\S*", text)] == []


def test_real_paper_headings_and_metadata():
    paper = real("gi_lni_paper_example_de.pdf")
    assert paper.metadata["title"].startswith("Ein sehr langer Titel")
    assert paper.blocks[0] == ("heading", paper.metadata["title"])
    assert ("heading", "1 Verwendung") in paper.blocks
    assert ("heading", "3.1 Literaturverzeichnis") in paper.blocks
    # References set with a hanging indent are one block each.
    references = [text for _, text in paper.blocks if text.startswith("[")]
    assert (
        references[0]
        == "[AB00] Abel, K.; Bibel, U.: Formatierungsrichtlinien für Tagungsbände. Format-Verlag, Bonn, 2000."
    )
    assert len(references) == 9
    assert hyphen_fragments(paper) == []


def test_a_typeset_demo_article_goes_through_the_whole_run_like_its_text(tmp_path, config, translator):
    """A PDF of a demo article (wrapped lines, running header, page numbers) translates to the demo
    reference paragraph for paragraph; a damaged PDF beside it fails alone, naming the file."""
    from conftest import DEMO

    from pipeline.reader import parse_paragraphs
    from pipeline.run import run

    article = parse_paragraphs((DEMO / "de" / "wetter.md").read_text(encoding="utf-8"))
    doc = Report(format="A4")
    doc.header_text = "Wetterdienst aktuell"
    doc.set_title("Sturm und Regen zum Wochenende")
    doc.set_margins(20, 25)
    for page in (article[:4], article[4:]):
        doc.add_page()
        for paragraph in page:
            heading = paragraph.kind == "heading"
            doc.set_font("Helvetica", "B" if heading else "", 14 if heading else 10)
            doc.multi_cell(w=90, h=LEADING, text=paragraph.text, new_x="LMARGIN", new_y="NEXT")
            doc.ln(LEADING)
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "wetter.pdf").write_bytes(bytes(doc.output()))
    (inputs / "kaputt.pdf").write_bytes(report()[:2000])

    report_ = run([inputs], tmp_path / "out", config, translator=translator)

    status = {r.name: (r.status, r.error) for r in report_.results}
    assert status["wetter"] == ("ok", None)
    assert status["kaputt"][0] == "failed" and str(inputs / "kaputt.pdf") in status["kaputt"][1]
    briefing = json.loads((tmp_path / "out" / "wetter.json").read_text(encoding="utf-8"))
    reference = parse_paragraphs((DEMO / "en" / "wetter.md").read_text(encoding="utf-8"))
    assert [(p["kind"], p["target"]["text"]) for p in briefing["paragraphs"]] == [
        (p.kind, p.text) for p in reference
    ]
    assert briefing["document"]["metadata"]["title"] == "Sturm und Regen zum Wochenende"


def test_a_stop_or_the_time_limit_ends_the_reading_of_a_pdf_between_pages():
    """A 300-page report takes a minute to read: a stop signal or limits.document_seconds must end it
    at the next page, as themselves, never as "damaged PDF"."""
    import signal

    from pipeline.budget import Budget, Interrupted, OverBudget, StopFlag

    stopped = StopFlag()
    stopped.stop(signal.SIGTERM)
    with pytest.raises(Interrupted):
        pdf.extract(report(), MAX_BYTES, Budget(stopped))
    with pytest.raises(OverBudget, match="limits.document_seconds"):
        pdf.extract(report(), MAX_BYTES, Budget(StopFlag()).for_document(limit=1.0, spent=2.0))


class CountingStop:
    """A run's stop flag that is set (as SIGTERM's handler would set it) at the reader's n-th look."""

    def __init__(self, at: int):
        from pipeline.budget import StopFlag

        self.flag, self.at, self.looks = StopFlag(), at, 0

    def is_set(self) -> bool:
        self.looks += 1
        if self.looks == self.at:
            self.flag.stop(15)
        return self.flag.is_set()

    @property
    def signum(self) -> int:
        return self.flag.signum


def test_a_stop_arriving_during_the_reading_ends_it_within_a_page():
    """The stop flag is looked at within a page too (every few thousand glyphs), not only between pages:
    a stop set at the third look ends the read of a one-page sheet of 6,000 glyphs."""
    from pipeline.budget import Budget, Interrupted

    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=4)
    for i in range(60):
        doc.text(10, 10 + 4.5 * i, "Die Bundesregierung legt dazu den Bericht vor. " * 2 + f"Zeile {i}.")
    stop = CountingStop(at=3)
    with pytest.raises(Interrupted):
        pdf.extract(bytes(doc.output()), MAX_BYTES, Budget(stop))
    assert stop.looks == 3


def one_sheet(draw) -> list[tuple[str, str]]:
    doc = FPDF(format="A4")
    doc.set_auto_page_break(False)
    doc.add_page()
    draw(doc)
    return pdf.extract(bytes(doc.output()), MAX_BYTES).blocks


def test_a_pdf_with_one_line_per_page_at_the_same_place_keeps_its_text():
    """Issue 20, case 8: each page's only line stands where a running header would; it is the text."""
    doc = FPDF()
    doc.set_font("Helvetica", size=10)
    for text in ("Erste Seite mit einer Zeile.", "Zweite Seite mit anderem Text."):
        doc.add_page()
        doc.text(20, 20, text)
    blocks = pdf.extract(bytes(doc.output()), MAX_BYTES).blocks
    joined = " ".join(text for _, text in blocks)
    assert joined == "Erste Seite mit einer Zeile. Zweite Seite mit anderem Text."


def test_inline_bold_and_italic_stay_in_their_paragraph_and_a_bold_heading_stands_apart():
    def draw(doc):
        doc.set_font("Helvetica", "B", 10)
        doc.text(20, 30, "Fragen zum Antrag")
        y = 40
        for parts in (
            [("", "Bitte senden Sie den Antrag an Ihre Ansprechperson im")],
            [("B", "NKR-Sekretariat, spätestens mit der Einleitung")],
            [("", "der Ressortabstimmung. Die Frist beträgt "), ("I", "vier Wochen"), ("", " ab Eingang.")],
            [("B", "Bei Fragen"), ("", " wenden Sie sich an das Sekretariat, das Ihnen gern")],
            [("", "weiterhilft.")],
        ):
            x = 20
            for style, text in parts:
                doc.set_font("Helvetica", style, 10)
                doc.text(x, y, text)
                x += doc.get_string_width(text)
            y += LEADING

    assert one_sheet(draw) == [
        ("heading", "Fragen zum Antrag"),
        (
            "body",
            "Bitte senden Sie den Antrag an Ihre Ansprechperson im NKR-Sekretariat, spätestens mit der "
            "Einleitung der Ressortabstimmung. Die Frist beträgt vier Wochen ab Eingang. Bei Fragen wenden "
            "Sie sich an das Sekretariat, das Ihnen gern weiterhilft.",
        ),
    ]


def test_a_boxed_sidebar_inside_a_sentence_is_read_after_the_text_it_sits_in():
    """A shaded box in the middle of a column, the sentence before it going on after it; and a pull
    quote that the text of the next page wraps around."""

    def draw(doc):
        doc.set_font("Helvetica", size=10)
        y = 30
        for text in (
            "Die Stadt hat im vergangenen Jahr den Ausbau der Netze",
            "beschlossen und die Förderung",
        ):
            doc.text(20, y, text)
            y += LEADING
        doc.set_fill_color(220, 230, 240)
        doc.rect(18, y - 2, 120, 3 * LEADING + 2, style="DF")
        doc.set_font("Helvetica", "B", 10)
        doc.text(22, y + 3, "Gut zu wissen")
        doc.set_font("Helvetica", size=10)
        doc.text(22, y + 3 + LEADING, "Anträge stellen Sie online beim Bürgeramt.")
        y += 3 * LEADING + 4
        for text in ("für private Haushalte auf zwei Jahre verlängert. Der Rat", "stimmte einstimmig zu."):
            doc.text(20, y, text)
            y += LEADING
        doc.add_page()
        doc.set_fill_color(200, 30, 40)
        doc.rect(20, 30, 40, 4 * LEADING, style="F")
        doc.set_font("Helvetica", "B", 10)
        doc.text(22, 30 + LEADING, "JÄHRLICH")
        doc.text(22, 30 + 2 * LEADING, "0,5 FM JE HA")
        doc.set_font("Helvetica", size=10)
        for i, text in enumerate(
            (
                "Jede Forstwirtschaft ist ein Prozess",
                "nachhaltiger Pflege und Nutzung,",
                "die Resthölzer ergibt.",
            )
        ):
            doc.text(64, 30 + (i + 1) * LEADING, text)

    assert one_sheet(draw) == [
        (
            "body",
            "Die Stadt hat im vergangenen Jahr den Ausbau der Netze beschlossen und die Förderung für "
            "private Haushalte auf zwei Jahre verlängert. Der Rat stimmte einstimmig zu.",
        ),
        ("heading", "Gut zu wissen"),
        ("body", "Anträge stellen Sie online beim Bürgeramt."),
        (
            "body",
            "Jede Forstwirtschaft ist ein Prozess nachhaltiger Pflege und Nutzung, die Resthölzer ergibt.",
        ),
        ("heading", "JÄHRLICH 0,5 FM JE HA"),
    ]


def test_a_ruled_table_row_keeps_its_label_lines_around_the_figures_in_one_row():
    """Annual accounts: a label on two or three lines, the figures set beside its middle (or between its
    lines), each row between two rules; a row whose figures stand beside one line of a longer label; and
    the text after the table."""

    def draw(doc):
        doc.set_font("Helvetica", size=9)
        doc.set_line_width(0.3)
        y = 30
        doc.line(18, y, 190, y)
        rows = [
            (["Periodenergebnis (Konzernjahresüberschuss", "einschließlich Ergebnisanteile anderer)"], 0.5),
            (
                [
                    "Zunahme/Abnahme der Vorräte, der Forderungen",
                    "und Leistungen sowie anderer Aktiva,",
                    "die nicht der Investitionstätigkeit zuzuordnen sind",
                ],
                1,
            ),
            (["Sonstige Beteiligungserträge"], 0),
        ]
        for number, (label, at) in enumerate(rows, start=1):
            for i, text in enumerate(label):
                doc.text(30, y + 5 + i * 4, text)
            figure_y = y + 5 + at * 4
            doc.text(20, figure_y, f"{number}.")  # the item's number beside the figures
            doc.text(140, figure_y, f"{number}.234,5{number}")
            doc.text(170, figure_y, f"{number}.111,0{number}")
            y += 4 * len(label) + 4
            doc.line(18, y, 190, y)
        doc.set_font("Helvetica", size=10)
        doc.text(20, y + 10, "Die Übersicht zeigt die Zahlungsströme des Jahres.")

    assert one_sheet(draw) == [
        (
            "table",
            "1. | Periodenergebnis (Konzernjahresüberschuss einschließlich Ergebnisanteile anderer) | "
            "1.234,51 | 1.111,01",
        ),
        (
            "table",
            "2. Zunahme/Abnahme der Vorräte, der Forderungen und Leistungen sowie anderer Aktiva, die nicht "
            "der Investitionstätigkeit zuzuordnen sind | 2.234,52 | 2.111,02",
        ),
        ("table", "3. Sonstige Beteiligungserträge | 3.234,53 | 3.111,03"),
        ("body", "Die Übersicht zeigt die Zahlungsströme des Jahres."),
    ]


def test_a_url_broken_at_a_line_end_is_joined_without_a_space():
    def draw(doc):
        doc.set_font("Helvetica", size=10)
        lines = [
            "Die Ergebnisse stehen unter https://www.rki.de/DE/Content/InfAZ/N/Projekte_RKI/Nowcast",
            "ing.html und werden täglich erneuert. Fragen an die Adresse nowcast@rki.",
            "de beantworten wir gern. Die Zahlen stehen auch unter https://www.example.org/",
            "daten/fallzahlen.csv zum Herunterladen bereit.",
        ]
        for i, text in enumerate(lines):
            doc.text(20, 30 + LEADING * i, text)

    assert one_sheet(draw) == [
        (
            "body",
            "Die Ergebnisse stehen unter https://www.rki.de/DE/Content/InfAZ/N/Projekte_RKI/Nowcasting.html "
            "und werden täglich erneuert. Fragen an die Adresse nowcast@rki.de beantworten wir gern. Die "
            "Zahlen stehen auch unter https://www.example.org/daten/fallzahlen.csv zum Herunterladen bereit.",
        )
    ]


def test_bullets_leave_the_item_text_which_stays_a_list_item():
    if not DEJAVU.exists():
        pytest.skip(f"{DEJAVU} is absent (a font with bullet glyphs is needed to set them)")

    def draw(doc):
        doc.add_font("DejaVu", fname=DEJAVU)
        doc.set_font("DejaVu", size=10)
        doc.text(20, 30, "Vor dem Termin:")
        for i, text in enumerate(
            ["• Nutzen Sie das Formular.", "▪ Legen Sie die Belege bei.", "2. Unterschreiben Sie den Antrag."]
        ):
            doc.text(20, 30 + LEADING * (i + 1), text)

    assert one_sheet(draw) == [
        ("body", "Vor dem Termin:"),
        ("list", "Nutzen Sie das Formular."),
        ("list", "Legen Sie die Belege bei."),
        ("list", "Unterschreiben Sie den Antrag."),
    ]


def test_a_bulleted_line_set_large_is_a_list_item_and_a_url_after_a_url_stays_apart():
    """A slide: its title, first-level items set_larger than the second level, a web address on each line."""

    def draw(doc):
        doc.set_font("Helvetica", "B", 24)
        doc.text(20, 30, "Über mich")
        y = 50
        for size, text in (
            (18, "> Autor, Sprecher und Trainer"),
            (12, "- dotnetpro, heise Developer, MSDN Magazin"),
            (12, "- prio.conference, dotnetpro Powerday"),
            (18, "> Kontakt"),
            (12, "Blog und Termine: www.goloroden.de"),
            (12, "www.des-eisbaeren-blog.de"),
        ):
            doc.set_font("Helvetica", size=size)
            doc.text(20 if size > 12 else 30, y, text)
            y += 10

    assert one_sheet(draw) == [
        ("heading", "Über mich"),
        ("list", "Autor, Sprecher und Trainer"),
        ("list", "dotnetpro, heise Developer, MSDN Magazin"),
        ("list", "prio.conference, dotnetpro Powerday"),
        ("list", "Kontakt"),
        ("body", "Blog und Termine: www.goloroden.de www.des-eisbaeren-blog.de"),
    ]


def test_a_formula_and_program_code_get_kinds_of_their_own():
    def draw(doc):
        doc.set_font("Helvetica", size=10)
        doc.text(20, 30, "Die Reproduktionszahl ergibt sich aus dem Verhältnis der Fälle:")
        doc.text(40, 30 + 2 * LEADING, "R = E / N (1)")
        doc.text(20, 30 + 4 * LEADING, "Das Programm gibt sie so aus:")
        doc.set_font("Courier", size=10)
        doc.text(20, 30 + 6 * LEADING, "print(faelle / vorwoche)")
        doc.text(20, 30 + 7 * LEADING, "return wert")

    assert one_sheet(draw) == [
        ("body", "Die Reproduktionszahl ergibt sich aus dem Verhältnis der Fälle:"),
        ("formula", "R = E / N (1)"),
        ("body", "Das Programm gibt sie so aus:"),
        ("code", "print(faelle / vorwoche) return wert"),
    ]


def test_ligatures_loose_accents_and_letter_spacing_come_out_as_words():
    if not DEJAVU.exists():
        pytest.skip(f"{DEJAVU} is absent (a font with ligature glyphs is needed to set them)")

    def draw(doc):
        doc.add_font("DejaVu", fname=DEJAVU)
        doc.set_font("DejaVu", size=10)
        doc.text(20, 30, "Die Komplexit¨atstheorie ist betroﬀen; wir ﬁnden es.")

    def spaced(doc):
        doc.add_font("DejaVu", fname=DEJAVU)
        doc.set_font("DejaVu", size=10)
        doc.set_char_spacing(4)
        doc.text(20, 30, "Der Bundespräsident")

    assert one_sheet(draw) == [("body", "Die Komplexitätstheorie ist betroffen; wir finden es.")]
    assert one_sheet(spaced) == [("body", "Der Bundespräsident")]


@pytest.mark.parametrize(("half", "most"), [("check", 2.15), ("calibration", 1.75)])
def test_real_pdfs_keep_sentences_whole(half, most):
    """The fragment figure of bench/pdf_reading.py per half of bench/real_split.toml (the check half: no
    constant was tuned on it): cut sentences per 100 paragraphs 2.75 (check) and 6.48 (calibration)
    before this reader, 2.12 and 1.72 now; no ligature or loose accent; at most one letter-spaced run per
    document; at most one broken URL per half."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from pdf_reading import measure
    from real_split import members

    if not REAL.is_dir():
        pytest.skip(f"{REAL} is absent (the shared real-report folder is not checked out here)")
    cut = paragraphs = urls = 0
    for name in members("pdf", half):
        found = measure(real(name).blocks)
        cut, paragraphs, urls = cut + found["cut"], paragraphs + found["paras"], urls + found["url"]
        assert (found["lig"], found["acc"]) == (0, 0), name
        assert found["spaced"] <= 1, name
    # Check half: the one URL left is the seminar paper's "index de.htm", whose underscore glyph is not in
    # the text. Calibration half: the newsletter's URL whose second line stands in a column read later.
    assert urls <= 1
    assert 100 * cut / paragraphs <= most
