"""The print-ready PDF briefing: A4 pages rendered to images, page numbers and the running title, every
paragraph pair on one page, no text outside the page, the same embedded font everywhere."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import demo_pairs

from pipeline.document import Document, ModelInfo, Paragraph, Sentence, TargetSentence

pytest.importorskip("weasyprint", reason="the PDF briefing needs the pdf extra: pip install '.[pdf]'")
pdfium = pytest.importorskip("pypdfium2", reason="the dev extra renders the pages: pip install '.[dev]'")

from pipeline.render_pdf import render_pdf, write_pdf  # noqa: E402

A4 = (595.3, 841.9)  # points
TITLE = "Stadtrat beschließt neuen Haushalt"


def _long_doc(paragraphs: int = 60) -> Document:
    pairs = [(de, en) for de, en in demo_pairs() if de.endswith(".")]
    built = [
        Paragraph(
            "p1",
            "heading",
            TITLE,
            "de",
            sentences=[Sentence("p1.s1", TITLE)],
            translation=[TargetSentence("p1.s1.en", "p1.s1", "City council approves new budget")],
        )
    ]
    for n in range(2, paragraphs + 2):
        # A numbered first sentence on each side tells the paragraph's rows apart.
        chosen = [(f"Absatz {n}.", f"Paragraph {n}.")] + [pairs[(n * 3 + k) % len(pairs)] for k in range(3)]
        built.append(
            Paragraph(
                f"p{n}",
                "heading" if n % 12 == 0 else "body",
                " ".join(de for de, _ in chosen),
                "de",
                sentences=[Sentence(f"p{n}.s{k}", de) for k, (de, _) in enumerate(chosen, 1)],
                translation=[
                    TargetSentence(f"p{n}.s{k}.en", f"p{n}.s{k}", en) for k, (_, en) in enumerate(chosen, 1)
                ],
            )
        )
    return Document(
        path=Path("eingang/haushalt.odt"),
        sha256="ab" * 32,
        lang="de",
        paragraphs=built,
        model=ModelInfo("translate-de_en", "1.0", "de", "en", "/x"),
    )


def _page_texts(data: bytes) -> list[list[tuple[tuple[float, float, float, float], str]]]:
    """Per page: (bounding box, text) of every text line pdfminer finds."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer, LTTextLine

    pages = []
    for page in extract_pages(io.BytesIO(data)):
        lines = []
        for box in page:
            if isinstance(box, LTTextContainer):
                lines += [
                    (line.bbox, line.get_text().strip()) for line in box if isinstance(line, LTTextLine)
                ]
        pages.append(lines)
    return pages


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(_long_doc())


def test_pages_are_a4_and_render_to_images(pdf):
    document = pdfium.PdfDocument(pdf)
    assert len(document) >= 3
    for index in range(len(document)):
        page = document[index]
        assert page.get_size() == pytest.approx(A4, abs=0.5)
        image = page.render(scale=0.5).to_pil().convert("L")
        assert image.getextrema()[0] < 128  # something is printed on every page


def test_page_numbers_running_title_and_no_text_outside_the_page(pdf):
    pages = _page_texts(pdf)
    for number, lines in enumerate(pages, 1):
        texts = [text for _, text in lines]
        assert f"page {number} of {len(pages)}" in texts
        assert (TITLE in texts) if number > 1 else texts[0] == TITLE  # the running head from page 2
        for (x0, y0, x1, y1), text in lines:
            assert 0 <= x0 and x1 <= A4[0] and 0 <= y0 and y1 <= A4[1], text


def test_every_paragraph_pair_is_on_one_page(pdf):
    pages = [" ".join(" ".join(text for _, text in lines).split()) for lines in _page_texts(pdf)]
    for paragraph in _long_doc().paragraphs[1:]:
        german, english = paragraph.sentences[0].text, paragraph.translation[0].text  # "Absatz 7."
        (on,) = [i for i, page in enumerate(pages) if f"{german} " in f"{page} "]
        assert f"{english} " in f"{pages[on]} ", paragraph.id


def test_one_embedded_font_on_every_machine(pdf, tmp_path: Path):
    fonts = {font.split("+", 1)[-1] for font in _fonts(pdf)}
    assert fonts <= {"DejaVu-Sans", "DejaVu-Sans-Bold", "DejaVu-Sans-Oblique", "DejaVu-Sans-BoldOblique"}
    write_pdf(_long_doc(3), tmp_path / "kurz.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["kurz.pdf"]


def _fonts(data: bytes) -> set[str]:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    names = set()
    for page in PDFPage.create_pages(document):
        for font in (resolve1(page.resources.get("Font")) or {}).values():
            names.add(resolve1(font)["BaseFont"].name)
    return names
