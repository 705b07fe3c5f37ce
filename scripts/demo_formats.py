"""Writes corpora/demo/formats/: two demo articles as the files analysts really get (`make demo-formats`).

- `forschung.html`: the research article as a saved news page, with the site's menu, teasers, a
  newsletter box and a footer around it (the reader keeps only the article, through trafilatura);
- `wetter.pdf`: the weather report typeset on two A4 pages with a running header and page numbers,
  its lines wrapped by the typesetter (the PDF reader rebuilds the paragraphs).

and one file of each further input kind, all from the demo articles' sentences:

- `stadtrat-bericht.odt` (OpenDocument text: headings, a captioned photo, a quote),
- `stadtrat-folien.odp` and `stadtrat-praesentation.pptx` (a slide per section, speaker notes),
- `forschung-buch.epub` (a chapter per section, spine order differing from the file order),
- `wetter-nachrichten.srt` and `wetter-untertitel.vtt` (the body's sentences, each over two cues),
- `stadtrat-mail.eml` (a press office's mail, the .odt attached).

All hold exactly the sentences of corpora/demo/de, so the fixture model translates them to the demo
references (`make demo` evaluates the page and the PDF). Needs fpdf2 and python-pptx (the dev extra) and
tests/format_builders.py. The output is deterministic.
"""

from __future__ import annotations

import html
import sys
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from pipeline.reader import parse_paragraphs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import format_builders as build  # noqa: E402 — the test helpers that lay out each format

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


def sections(paragraphs) -> list[tuple[str, list[str]]]:
    """(heading, sentences of the body paragraphs under it) for every heading."""
    from pipeline.split import split_sentences

    found: list[tuple[str, list[str]]] = []
    for p in paragraphs:
        if p.kind == "heading":
            found.append((p.text, []))
        elif p.kind == "body" and found:
            found[-1][1].extend(split_sentences(p.text, "de"))
    return found


def council_odt(paragraphs) -> bytes:
    body = []
    for p in paragraphs:
        text = html.escape(p.text)
        if p.kind == "heading":
            body.append(f'<text:h text:outline-level="{1 if not body else 2}">{text}</text:h>')
        elif p.kind == "caption":
            body.append(f'<text:p text:style-name="P2">{text}</text:p>')
        elif p.text.startswith("„"):
            body.append(f'<text:p text:style-name="P1">{text}</text:p>')
        else:
            body.append(f"<text:p>{text}</text:p>")
    return build.odt("".join(body), title=paragraphs[0].text)


def slides(paragraphs) -> list[tuple[str, list[str], str | None]]:
    """A slide per section: its sentences but the last as items, the last as the speaker notes."""
    return [(heading, items[:-1], items[-1]) for heading, items in sections(paragraphs)]


def research_epub(paragraphs) -> bytes:
    chapters = []
    for n, (heading, sentences) in enumerate(sections(paragraphs), 1):
        text = "".join(f"<p>{html.escape(s)}</p>" for s in sentences)
        chapters.append((f"kapitel{n}.xhtml", f"<h1>{html.escape(heading)}</h1>{text}"))
    spine = [name for name, _ in chapters]
    return build.epub(chapters[::-1], spine, paragraphs[0].text, ["Lena Hoffmann"])


def cues(paragraphs, separator: str) -> list[tuple[str, str, str]]:
    """Each sentence of the body paragraphs (subtitles have no headings) over two cues of 2 s; a 2 s
    pause after each paragraph."""
    from pipeline.split import split_sentences

    found, ms = [], 1000

    def stamp(t: int) -> str:
        return f"00:{t // 60000:02d}:{t // 1000 % 60:02d}{separator}{t % 1000:03d}"

    for p in (p for p in paragraphs if p.kind == "body"):
        for sentence in split_sentences(p.text, "de"):
            words = sentence.split()
            for part in (words[: (len(words) + 1) // 2], words[(len(words) + 1) // 2 :]):
                if part:
                    found.append((stamp(ms), stamp(ms + 1900), " ".join(part)))
                    ms += 2000
        ms += 2000
    return found


def main() -> None:
    OUT.mkdir(exist_ok=True)
    research = parse_paragraphs((DEMO / "de" / "forschung.md").read_text(encoding="utf-8"))
    (OUT / "forschung.html").write_text(article_html(research), encoding="utf-8")
    weather = parse_paragraphs((DEMO / "de" / "wetter.md").read_text(encoding="utf-8"))
    (OUT / "wetter.pdf").write_bytes(report_pdf(weather))
    council = parse_paragraphs((DEMO / "de" / "stadtrat.md").read_text(encoding="utf-8"))
    report = council_odt(council)
    (OUT / "stadtrat-bericht.odt").write_bytes(report)
    deck = slides(council)
    body = "".join(build.odp_slide(*slide) for slide in deck)
    (OUT / "stadtrat-folien.odp").write_bytes(build.odp(body, title=council[0].text))
    (OUT / "stadtrat-praesentation.pptx").write_bytes(build.pptx(deck, title=council[0].text))
    (OUT / "forschung-buch.epub").write_bytes(research_epub(research))
    (OUT / "wetter-nachrichten.srt").write_text(build.srt(cues(weather, ",")), encoding="utf-8")
    (OUT / "wetter-untertitel.vtt").write_text(build.vtt(cues(weather, ".")), encoding="utf-8")
    text = "\n\n".join(p.text for p in council[2:] if p.kind == "body")
    attachment = [("stadtrat-bericht.odt", report, "application/vnd.oasis.opendocument.text")]
    (OUT / "stadtrat-mail.eml").write_bytes(build.eml(council[0].text, text=text, attachments=attachment))
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
