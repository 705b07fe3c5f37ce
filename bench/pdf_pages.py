"""Seconds per page of the PDF reader: the real reports in ../shared/real/pdf, and generated two-column
reports of 4, 40 and 400 pages (1×, 10×, 100×), whose per-page time must stay about the same.

    .venv/bin/python bench/pdf_pages.py        (needs fpdf2, from the dev extra)
"""

from __future__ import annotations

import io
import time
from pathlib import Path

from fpdf import FPDF
from pdfminer.pdfpage import PDFPage

from pipeline.readers import pdf

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real" / "pdf"
LINE = "Die Bundesregierung legt dazu den Bericht vor. Er nennt die Preise für Trinkwasser"


def generated(pages: int) -> bytes:
    """Two columns of 48 body lines in paragraphs of 8, a running header and a page number on every page."""
    doc = FPDF(format="A4")
    doc.set_auto_page_break(False)
    for number in range(1, pages + 1):
        doc.add_page()
        doc.set_font("Helvetica", size=8)
        doc.text(20, 12, f"Bericht des Testamts | Seite {number} von {pages}")
        doc.set_font("Helvetica", "B", 12)
        doc.text(20, 25, f"Abschnitt {number}")
        doc.set_font("Helvetica", size=10)
        for x in (20, 110):
            for i in range(48):
                # Every eighth line ends its paragraph, short; some end in a hyphenation.
                text = (
                    "Ende des Absatzes." if i % 8 == 7 else LINE[: 40 + i % 7] + ("-" if i % 9 == 5 else "")
                )
                doc.text(x, 35 + 5 * i, text)
        doc.set_font("Helvetica", size=9)
        doc.text(100, 287, f"- {number} -")
    return bytes(doc.output())


def seconds(data: bytes) -> float:
    start = time.perf_counter()
    pdf.extract(data, len(data) + 10_000_000)
    return time.perf_counter() - start


def main() -> None:
    for path in sorted(REAL.glob("*.pdf")):
        data = path.read_bytes()
        pages = sum(1 for _ in PDFPage.get_pages(io.BytesIO(data)))
        spent = seconds(data)
        print(f"{path.name:52} {pages:3} pages {spent:6.2f} s  {spent / pages:.3f} s/page")
    base = None
    for pages in (4, 40, 400):
        data = generated(pages)
        per_page = seconds(data) / pages
        base = base or per_page
        print(f"generated, {pages:4} pages: {per_page:.3f} s/page ({per_page / base:.2f}× the 4-page figure)")


if __name__ == "__main__":
    main()
