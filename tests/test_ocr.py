"""OCR (issue 21): generated scans read back to their paragraphs, a turned page, an image through
`pipeline run`, scanned pages inside a PDF, the one-line message without Tesseract, and bad images.

Needs Debian's tesseract-ocr and tesseract-ocr-deu (`make ocr`); those tests skip without them."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
import scan_builders as build
from PIL import Image, ImageDraw, ImageFile, ImageFont

from pipeline.config import load_config
from pipeline.document import Document, Paragraph, Sentence, TargetSentence
from pipeline.reader import InputError, read_document
from pipeline.readers import ocr
from pipeline.review import review_document

needs_tesseract = pytest.mark.skipif(
    ocr.missing("deu+eng") is not None, reason=f"OCR needs Tesseract: {ocr.INSTALL} (make ocr)"
)


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[-1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _assert_reads_back(doc: Document) -> None:
    """The heading, then the four paragraphs in column order, each within 2 % edits."""
    expected = [("heading", build.HEADING)] + [("body", text) for text in build.PARAGRAPHS]
    assert [p.kind for p in doc.paragraphs] == [kind for kind, _ in expected]
    for paragraph, (_, text) in zip(doc.paragraphs, expected, strict=True):
        assert _distance(paragraph.text, text) <= 0.02 * len(text), (paragraph.text, text)


def test_defaults_agree_with_the_config_file():
    assert load_config().ocr == ocr.DEFAULTS


@needs_tesseract
def test_generated_two_column_scan_reads_back_to_its_paragraphs(tmp_path: Path):
    doc = read_document(build.save(build.page(), tmp_path / "brief.png"))
    _assert_reads_back(doc)
    assert len(doc.notes) == 1 and "read by OCR" in doc.notes[0] and "mean word confidence" in doc.notes[0]


@needs_tesseract
def test_page_scanned_upside_down_and_skewed_reads_back(tmp_path: Path):
    page = build.page(dpi=150)
    _assert_reads_back(read_document(build.save(page.rotate(180), tmp_path / "turned.png", 150)))
    skewed = page.rotate(2, expand=True, fillcolor=255, resample=Image.BILINEAR)
    _assert_reads_back(read_document(build.save(skewed, tmp_path / "skewed.jpg", 150)))


@needs_tesseract
def test_scanned_page_inside_a_digital_pdf_is_read_in_its_place(tmp_path: Path):
    from fpdf import FPDF

    scan = build.save(build.page(dpi=150), tmp_path / "scan.png", 150)
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(build.FONT))
    pdf.set_font("DejaVu", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Erste Seite mit einer Textebene. Sie wird gelesen, wie sie ist.")
    pdf.add_page()
    pdf.image(str(scan), x=0, y=0, w=210, h=297)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Letzte Seite, wieder mit Text.")
    path = tmp_path / "mixed.pdf"
    pdf.output(str(path))
    doc = read_document(path)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0].startswith("Erste Seite") and texts[-1] == "Letzte Seite, wieder mit Text."
    _assert_reads_back(replace(doc, paragraphs=doc.paragraphs[1:-1]))
    assert any("page 2" in note and "OCR" in note for note in doc.notes)


def test_without_tesseract_a_scan_is_refused_in_one_line(tmp_path: Path, monkeypatch):
    image = build.save(build.page(dpi=72), tmp_path / "scan.png", 72)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no tesseract on the PATH
    with pytest.raises(InputError) as refused:
        read_document(image)
    message = str(refused.value)
    assert "\n" not in message and message.startswith(str(image))
    assert "Tesseract is not installed" in message and "apt-get install tesseract-ocr" in message
    off = replace(ocr.DEFAULTS, enabled="off")
    with pytest.raises(InputError, match="OCR, which is off"):
        read_document(image, ocr_config=off)


@needs_tesseract
def test_image_input_through_pipeline_run(tmp_path: Path, config, translator):
    import json

    from pipeline.run import run

    inputs = tmp_path / "in"
    inputs.mkdir()
    build.save(build.page(dpi=150), inputs / "brief.jpg", 150)
    report = run([inputs], tmp_path / "out", config, translator=translator)
    assert [r.status for r in report.results] == ["ok"]
    briefing = json.loads((tmp_path / "out" / "brief.json").read_text(encoding="utf-8"))
    assert any("read by OCR" in note for note in briefing["document"]["notes"])
    assert any("Wasserversorgung" in json.dumps(p, ensure_ascii=False) for p in briefing["paragraphs"])


def test_low_confidence_words_flag_their_sentence():
    paragraph = Paragraph(
        id="p1",
        kind="body",
        text="Die Kosten betrugen 12.400 Euro. Das Bauamt hilft.",
        sentences=[
            Sentence("p1.s1", "Die Kosten betrugen 12.400 Euro."),
            Sentence("p1.s2", "Das Bauamt hilft."),
        ],
        translation=[
            TargetSentence("p1.s1.en", "p1.s1", "The costs were 12,400 euros."),
            TargetSentence("p1.s2.en", "p1.s2", "The building office helps."),
        ],
        uncertain=["12.400"],
    )
    doc = Document(path=Path("scan.png"), sha256="", paragraphs=[paragraph], lang="de")
    review_document(doc)
    first, second = paragraph.translation
    assert [(f.kind, f.source) for f in first.flags if f.kind == "ocr"] == [("ocr", "12.400")]
    assert "check against the scan" in next(f.detail for f in first.flags if f.kind == "ocr")
    assert not [f for f in second.flags if f.kind == "ocr"]


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


@needs_tesseract
def test_bad_images_are_refused_clearly(tmp_path: Path, monkeypatch):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header_only(1, 1_000_000_000))
    with pytest.raises(InputError, match=r"bomb\.png: the image has more than 100,000,000 pixels"):
        read_document(bomb)
    buffer = io.BytesIO()
    build.page(dpi=100).save(buffer, format="TIFF", compression="tiff_deflate")
    truncated = tmp_path / "truncated.tif"
    truncated.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(InputError, match=r"truncated\.tif: not a readable image \(damaged or cut short"):
        read_document(truncated)
    buffer = io.BytesIO()
    build.page(dpi=100).save(buffer, format="JPEG")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    # WeasyPrint (the pdf output) lets Pillow load truncated images process-wide when it is imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(
        InputError, match=r"cut\.jpg: damaged image, page 1 \(OSError: image file is truncated"
    ):
        read_document(cut)


@needs_tesseract
def test_long_multipage_scan_stops_at_the_page_limit(tmp_path: Path):
    first = Image.new("L", (900, 160), 255)
    font = ImageFont.truetype(str(build.FONT), 40)
    ImageDraw.Draw(first).text((30, 50), "Seite eins des Schreibens.", font=font, fill=0)
    blank = Image.new("L", (40, 40), 255)
    path = tmp_path / "fax.tif"
    first.save(path, save_all=True, append_images=[blank] * 499, dpi=(200, 200))
    doc = read_document(path, ocr_config=replace(ocr.DEFAULTS, max_pages=2))
    assert doc.paragraphs[0].text == "Seite eins des Schreibens."
    assert any("read 2 of the 500 scanned pages (ocr.max_pages)" in note for note in doc.notes)


@needs_tesseract
def test_a_stop_signal_ends_the_running_tesseract(tmp_path: Path):
    import os
    import signal
    import threading

    from pipeline.budget import Budget, Interrupted

    budget = Budget()
    threading.Timer(0.3, budget.stop.stop, args=(signal.SIGTERM,)).start()
    with pytest.raises(Interrupted):
        ocr.recognise(build.page(dpi=300), 300, budget)
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    assert not children.exists() or not children.read_text().split()  # no tesseract left running
