"""Writes corpora/demo/formats/: two demo articles as the files analysts really get (`make demo-formats`).

- `forschung.html`: the research article as a saved news page, with the site's menu, teasers, a
  newsletter box and a footer around it (the reader keeps only the article, through trafilatura);
- `wetter.pdf`: the weather report typeset on two A4 pages with a running header and page numbers,
  its lines wrapped by the typesetter (the PDF reader rebuilds the paragraphs).

Both hold exactly the sentences of corpora/demo/de, so the fixture model translates them to the demo
references (`make demo` evaluates them). Needs fpdf2 (the dev extra). The output is deterministic.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from pipeline.reader import parse_paragraphs

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "corpora" / "demo"
OUT = DEMO / "formats"

PAGE = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>{title} | Stadtanzeiger</title>
<meta name="author" content="Lena Hoffmann">
<meta property="article:published_time" content="2024-03-05T08:00:00+01:00">
<meta property="og:site_name" content="Stadtanzeiger">
<link rel="canonical" href="https://www.stadtanzeiger.example/wissen/neuer-akku">
</head>
<body>
<header class="site-header"><nav><ul>
<li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li>
<li><a href="/wissen">Wissen</a></li><li><a href="/abo">Abo</a></li></ul></nav></header>
<main>
<article>
{body}
</article>
<aside class="teaser"><h3>Mehr zum Thema</h3><ul>
<li><a href="/wissen/solar">Neue Solarzellen aus dem Labor</a></li>
<li><a href="/wissen/wind">Windkraft auf dem Meer wächst</a></li></ul></aside>
<div class="newsletter"><p>Jetzt den Newsletter abonnieren und nichts mehr verpassen!</p>
<form><input type="email" placeholder="E-Mail"><button>Anmelden</button></form></div>
</main>
<footer><p>© 2024 Stadtanzeiger · Impressum · Datenschutz · Kontakt</p></footer>
</body>
</html>
"""


def article_html(paragraphs) -> str:
    tags = {"heading": "h2", "body": "p"}
    first, *rest = paragraphs
    body = [f"<h1>{html.escape(first.text)}</h1>", '<p class="byline">Von Lena Hoffmann</p>']
    body += [f"<{tags[p.kind]}>{html.escape(p.text)}</{tags[p.kind]}>" for p in rest]
    return PAGE.format(title=html.escape(first.text), body="\n".join(body))


class Report(FPDF):
    """A4 pages with the agency's running header and a page number at the foot."""

    def header(self):
        self.set_font("Helvetica", size=8)
        self.text(20, 12, "Deutscher Wetterdienst · Wochenbericht")
        self.text(170, 12, f"Seite {self.page_no()}")

    def footer(self):
        self.set_font("Helvetica", size=9)
        self.text(100, 287, f"- {self.page_no()} -")


def report_pdf(paragraphs) -> bytes:
    doc = Report(format="A4")
    doc.set_title(paragraphs[0].text)
    doc.set_author("Deutscher Wetterdienst")
    doc.set_creation_date(datetime(2024, 3, 5, 8, 0, tzinfo=UTC))
    doc.set_margins(20, 25)
    half = (len(paragraphs) + 1) // 2
    for page in (paragraphs[:half], paragraphs[half:]):
        doc.add_page()
        for paragraph in page:
            heading = paragraph.kind == "heading"
            doc.set_font("Helvetica", "B" if heading else "", 14 if heading else 10)
            doc.multi_cell(w=100, h=5, text=paragraph.text, new_x="LMARGIN", new_y="NEXT")
            doc.ln(5)
    return bytes(doc.output())


def main() -> None:
    OUT.mkdir(exist_ok=True)
    research = parse_paragraphs((DEMO / "de" / "forschung.md").read_text(encoding="utf-8"))
    (OUT / "forschung.html").write_text(article_html(research), encoding="utf-8")
    weather = parse_paragraphs((DEMO / "de" / "wetter.md").read_text(encoding="utf-8"))
    (OUT / "wetter.pdf").write_bytes(report_pdf(weather))
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
