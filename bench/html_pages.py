"""Speed of the HTML reader: seconds per page on the real German pages, and growth with page size.

usage: .venv/bin/python bench/html_pages.py [PAGES_DIR]   (default ../shared/real/html)

Growth: an article of 100 distinct paragraphs (a typical page), then 10× and 100× as many, and a page
near input.max_bytes (10 MB); each is read twice and the faster time is kept. Also pages of nothing
but short <p>, <div> or <li> elements, the shapes that are slowest for trafilatura: just under
pipeline.readers.html.MAX_BLOCK_ELEMENTS_WITH_FALLBACKS and MAX_BLOCK_ELEMENTS (read by trafilatura
with and without its fallback extractors) and near the size limit (read whole).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from pipeline.reader import DEFAULT_MAX_BYTES, read_document
from pipeline.readers.html import MAX_BLOCK_ELEMENTS
from pipeline.readers.html import MAX_BLOCK_ELEMENTS_WITH_FALLBACKS as LIMIT_WITH_FALLBACKS


def _seconds(path: Path) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        read_document(path)
        best = min(best, time.perf_counter() - start)
    return best


def _paragraph(i: int) -> str:
    return (
        f"<p>Absatz {i}: Der Stadtrat hat am Dienstag nach einer langen Debatte den Haushalt Nummer {i} "
        f"beschlossen. Die Opposition kritisierte die Kürzungen bei {i} Schwimmbädern.</p>"
    )


def _page(body: str) -> str:
    nav = "<nav>" + "".join(f"<a href=/{w}>{w}</a>" for w in ("Politik", "Sport", "Kultur")) + "</nav>"
    return f"<!doctype html><html lang=de><head><title>Haushalt</title></head><body>{nav}{body}</body></html>"


def main() -> None:
    pages_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/real/html")
    pages = sorted(pages_dir.glob("*.html"))
    if pages:
        read_document(pages[0])  # imports and trafilatura's first-use set-up are not per page
        times = [_seconds(p) for p in pages]
        print(
            f"{len(pages)} pages in {pages_dir}: mean {statistics.mean(times):.3f} s, median "
            f"{statistics.median(times):.3f} s, max {max(times):.3f} s per page"
        )
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        for count in (100, 1_000, 10_000, 45_000):
            path = Path(tmp) / f"article-{count}.html"
            path.write_text(
                _page("<article><h1>Haushalt</h1>" + "".join(map(_paragraph, range(count)))), "utf-8"
            )
            if path.stat().st_size > DEFAULT_MAX_BYTES:
                continue
            seconds, doc = _seconds(path), read_document(path)
            per_byte = seconds / path.stat().st_size
            base = base or per_byte
            print(
                f"article of {count:>6,} paragraphs, {path.stat().st_size / 1e6:5.2f} MB: {seconds:6.2f} s, "
                f"{per_byte / base:4.2f}× the time per byte of the smallest; "
                f"{len(doc.paragraphs):,} paragraphs read; notes: {doc.notes or 'none'}"
            )
        for tag in ("p", "div", "li"):
            item = f"<{tag}>Eintrag Nummer {{}}.</{tag}>"
            for count in (
                LIMIT_WITH_FALLBACKS - 10,
                MAX_BLOCK_ELEMENTS - 10,
                DEFAULT_MAX_BYTES // (len(item) + 4),
            ):
                path = Path(tmp) / f"many-{tag}-{count}.html"
                path.write_text(_page("<main>" + "".join(item.format(i) for i in range(count))), "utf-8")
                start = time.perf_counter()
                doc = read_document(path)
                print(
                    f"{count:,} short <{tag}> elements, {path.stat().st_size / 1e6:5.2f} MB: "
                    f"{time.perf_counter() - start:6.2f} s, {len(doc.paragraphs):,} paragraphs read; "
                    f"notes: {doc.notes or 'none'}"
                )


if __name__ == "__main__":
    main()
