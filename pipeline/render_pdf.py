"""The print-ready PDF briefing: the HTML briefing (``render.render_html``) printed by WeasyPrint (BSD)
with a print stylesheet: A4, the document's title running at the head of every page after the first,
"page N of M" at the foot, the German | English grid kept on every page, a row (a paragraph pair) never
split across pages unless it is longer than a page.

The same font on every machine: DejaVu Sans (Debian's fonts-dejavu-core; `make test` installs it as
root), named explicitly; a machine without it gets a clear error rather than a PDF set in whatever font
fontconfig substitutes.

WeasyPrint is an extra (`pip install '.[pdf]'`): imported only when a PDF is made.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.document import Document
from pipeline.fileio import write_atomic
from pipeline.render import render_html

FONTS = ("DejaVu Sans",)
PRINT_CSS = """
@page {
  size: A4;
  margin: 18mm 15mm 18mm 15mm;
  @top-center { content: string(title); font: 8pt "DejaVu Sans"; color: #555; }
  @bottom-center {
    content: "page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans"; color: #555;
  }
}
@page :first { @top-center { content: none; } }
html { font-size: 10pt; }
body { max-width: none; margin: 0; padding: 0; }
body, body * { font-family: "DejaVu Sans" !important; }
h1 { string-set: title content(); font-size: 18pt; }
.row, .summary li { break-inside: avoid; }
.cols { break-after: avoid; }
.row h2 { break-after: avoid; }
.flag .why, .review label, script { display: none; }
.flag { display: inline; width: auto; padding: 0 .2em; border: 1px solid #000; }
a { color: inherit; text-decoration: none; }
"""


class FontError(Exception):
    """The fonts the PDF is set in are not installed."""


def render_pdf(doc: Document) -> bytes:
    """The PDF briefing of ``doc`` as bytes."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    _check_fonts()
    fonts = FontConfiguration()
    html = HTML(string=render_html(doc))
    # The PDF's title is the page's <title>, the briefing's title.
    return html.write_pdf(stylesheets=[CSS(string=PRINT_CSS, font_config=fonts)], font_config=fonts)


def write_pdf(doc: Document, path: Path) -> None:
    """Write the PDF briefing of ``doc`` to ``path`` atomically (pipeline.fileio)."""
    write_atomic(path, render_pdf(doc))


_checked = False


def _check_fonts() -> None:
    global _checked
    if _checked:
        return
    import subprocess

    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    missing = [font for font in FONTS if font not in listed]
    if missing:
        raise FontError(
            f"the PDF briefing needs the fonts {', '.join(missing)}; install them "
            "(Debian: apt-get install fonts-dejavu-core)"
        )
    _checked = True
