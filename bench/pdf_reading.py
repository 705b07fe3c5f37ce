"""How well the PDF reader reads the real PDFs in ../shared/real/pdf, per file and per half of the fixed split
(bench/real_split.toml). There is no gold; every measure counts a defect a reader of the output would see:

- ``cut/100``: sentences running across a paragraph boundary per 100 paragraphs: a paragraph ending without
  closing punctuation followed by one starting in lower case (list item → list item not counted), the
  issue's definition and the figure the target is judged on;
- ``rows/100``: the same without table row → table row. A table's rows are cells, not sentences: a
  sub-row "davon …" or "b) soziale Abgaben" under its row is the table read right, as list → list is.
  The cost: a label wrapped onto a second row of its own ("Kasse, Bank: Kurzfristige Verbindlichkeiten" ⏎
  "gegenüber Kreditinstituten | 0,00") is a defect this figure does not see; cut/100 does;
- ``head``: headings that continue a sentence (one that starts in lower case, or is followed by a paragraph
  that does);
- ``marker``: list markers left in the text (a bullet glyph at the start of any paragraph; a number or letter
  marker at the start of a list item);
- ``url``: URLs or e-mail addresses broken by a space: a piece with URL characters after it ("ing.html"),
  or a word after a URL ending in a separator, unless it is a plain lower-case word ("…/mysql/ frei
  erhältlich" is a URL and the sentence going on; "…/Projekte_RKI/ Nowcast" is broken). A lower-case path
  piece without URL characters ("…/ daten") is missed;
- ``lig``, ``acc``: ligature glyphs (ﬁ, ﬀ, …) and loose TeX-style accents (Komplexit¨at);
- ``spaced``: letter-spaced runs ("D e r B u n d"), four or more single letters apart;
- ``label``: page labels left as paragraphs ("Seite 4", "- 4 -");
- ``s/page``: seconds per page of ``pipeline.readers.pdf.extract``.

    PYTHONPATH=$PWD .venv/bin/python bench/pdf_reading.py [--json] [--half calibration|check] [FILE ...]

Before (main's reader at c3b427c) and now, totals per half (measured with this file's measures: the ``url``
rule that lets "…/ frei" pass makes main's calibration figure 1, not 3; shared 2-core machine, load 4–6):

    reader       half         paras  cut/100 rows/100   head marker    url    lig    acc spaced  s/page
    c3b427c      calibration   1158     6.48     6.30     52     96      1      0      0      2   0.21
    c3b427c      check         2691     2.75     2.45     27    644      2     57    198     10   0.33
    now          calibration   1164     1.72     1.12     18      0      1      0      0      0   0.15
    now          check         2502     2.12     1.68     22      5      1      0      0      0   0.14

README.md, "PDF reports", has the same table.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_split import HALVES, REAL, members  # noqa: E402

from pipeline.readers import pdf  # noqa: E402

CLOSING = re.compile(r"[.!?:;…]['\"“”‘’»«)\]]*$")
OPENING = "\"„“‚‘»«'([ "
BULLET_GLYPHS = "•◦▪▫■□●○‣⁃✓✔➢➤►▶→⇒◆◇❖∙·*"
GLYPH_MARKER = re.compile(rf"^[{re.escape(BULLET_GLYPHS)}]|^[–—-]\s")
ITEM_MARKER = re.compile(r"^\(?(?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})[.)]\s")
URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)*", re.IGNORECASE)
# What follows a URL after a space when the space is a line end left in it: a piece with URL characters
# ("ing.html", "de/service"), or anything after a URL that ends in a separator ("…/Projekte_RKI/ Nowcast").
URL_TAIL = re.compile(r"[\w%~-]*(?:[/#?=&]|\.(?:html?|php|aspx?|pdf|de|com|org|net|eu)\b)[\w./#?=&%~-]*")
URL_OPEN_END = re.compile(r"[/_\-=?&#~.@]$")
LIGATURES = re.compile("[\ufb00-\ufb06]")
SPACING_ACCENT = "¨´`ˆ˜ˇ˚¸˘˙˝"
LOOSE_ACCENT = re.compile(
    rf"(?<=[^\W\d_])[{SPACING_ACCENT}]|[{SPACING_ACCENT}](?=[^\W\d_])|(?<![^\W\d_])[\u0300-\u036f]"
)
LETTER_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_](?!\S)")
PAGE_LABEL = re.compile(
    r"^(?:[-–—]\s*\d{1,4}\s*[-–—]|(?:Seite|Page|S\.)\s*\d{1,4}(?:\s*(?:von|/|of)\s*\d+)?)$", re.I
)

MEASURES = ("paras", "cut", "rows", "head", "marker", "url", "lig", "acc", "spaced", "label")


def _starts_lower(text: str) -> bool:
    text = text.lstrip(OPENING)
    return bool(text) and text[0].islower()


def _ends_open(text: str) -> bool:
    return not CLOSING.search(text)


def broken_urls(text: str) -> int:
    count = 0
    for match in URL.finditer(text):
        rest = text[match.end() :]
        if not rest.startswith(" "):
            continue
        after = rest[1:].split(" ", 1)[0]
        url = match.group().rstrip(".,;:)")
        if not after:
            continue
        if URL_OPEN_END.search(url) and url == match.group() and after[0].isalnum():
            word = after.rstrip(".,;:)")
            count += not (word.isalpha() and word.islower())  # "…/ frei" is the sentence going on
        elif URL_TAIL.fullmatch(after.rstrip(".,;:)")) and not after[0].isupper():
            count += 1
    return count


def measure(blocks: list[tuple[str, str]]) -> dict[str, int]:
    """The defect counts of one document's blocks (whitespace collapsed as the reader core does)."""
    blocks = [(kind, " ".join(text.split())) for kind, text in blocks]
    blocks = [(kind, text) for kind, text in blocks if text]
    found = dict.fromkeys(MEASURES, 0)
    found["paras"] = len(blocks)
    for i, (kind, text) in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if following and _ends_open(text) and _starts_lower(following[1]):
            if not (kind == "list" and following[0] == "list"):
                found["cut"] += 1
                found["rows"] += not (kind == "table" and following[0] == "table")
        if kind == "heading" and (_starts_lower(text) or (following and _starts_lower(following[1]))):
            found["head"] += 1
        if GLYPH_MARKER.match(text) or (kind == "list" and ITEM_MARKER.match(text)):
            found["marker"] += 1
        found["url"] += broken_urls(text)
        found["lig"] += len(LIGATURES.findall(text))
        found["acc"] += len(LOOSE_ACCENT.findall(text))
        found["spaced"] += len(LETTER_SPACED.findall(text))
        found["label"] += bool(PAGE_LABEL.match(text))
    return found


def pages_of(data: bytes) -> int:
    from pdfminer.pdfpage import PDFPage

    return sum(1 for _ in PDFPage.get_pages(io.BytesIO(data)))


def read(path: Path) -> dict:
    data = path.read_bytes()
    start = time.perf_counter()
    blocks = pdf.extract(data, len(data) + 10_000_000).blocks
    seconds = time.perf_counter() - start
    return {"file": path.name, "pages": pages_of(data), "seconds": seconds, **measure(blocks)}


def total(rows: list[dict]) -> dict:
    out = {key: sum(row[key] for row in rows) for key in ("pages", "seconds", *MEASURES)}
    out["files"] = len(rows)
    return out


def per_100(row: dict, key: str = "cut") -> float:
    return 100 * row[key] / row["paras"] if row["paras"] else 0.0


HEADER = f"{'':44} {'pages':>5} {'paras':>6} {'cut':>4} {'cut/100':>7} {'rows/100':>8} " + " ".join(
    f"{m:>6}" for m in MEASURES[3:]
)


def line(name: str, row: dict) -> str:
    return (
        f"{name[:44]:44} {row['pages']:5} {row['paras']:6} {row['cut']:4} {per_100(row):7.2f} "
        f"{per_100(row, 'rows'):8.2f} "
        + " ".join(f"{row[m]:6}" for m in MEASURES[3:])
        + f" {row['seconds'] / max(row['pages'], 1):6.3f} s/page"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--half", choices=HALVES, help="one half only")
    parser.add_argument("files", nargs="*", type=Path, help="other PDFs instead of the real set")
    args = parser.parse_args()
    if args.files:
        groups = {"files": list(args.files)}
    else:
        if not (REAL / "pdf").is_dir():
            sys.exit(f"{REAL / 'pdf'} is absent: nothing to measure")
        groups = {
            h: [REAL / "pdf" / name for name in members("pdf", h)] for h in HALVES if args.half in (h, None)
        }
    result = {}
    for half, paths in groups.items():
        rows = [read(path) for path in paths]
        result[half] = {"files": rows, "total": total(rows)}
        for row in [*rows, result[half]["total"]]:
            row["cut_per_100"], row["rows_per_100"] = per_100(row), per_100(row, "rows")
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for half, found in result.items():
        print(f"== {half}")
        print(HEADER)
        for row in found["files"]:
            print(line(row["file"], row))
        print(line(f"TOTAL ({found['total']['files']} files)", found["total"]))


if __name__ == "__main__":
    main()
