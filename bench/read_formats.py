"""Reading speed of every input kind: seconds per file for a typical document of each, and for the same
text 10× as long, against reading that text as plain .txt (a ratio, so machines compare).

usage: .venv/bin/python bench/read_formats.py

Each kind holds the same German text: the demo corpus's sentences repeated to about 100 paragraphs
(~12,000 characters, a long report) and to 1,000; slides hold 5 items and a note each, subtitles one
sentence over two cues. Files are built by tests/format_builders.py (python-pptx for .pptx, the dev
extra). Each file is read three times and the fastest time kept.
"""

from __future__ import annotations

import html
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import format_builders as build  # noqa: E402

from pipeline.reader import read_document  # noqa: E402


def _sentences() -> list[str]:
    lines = (ROOT / "corpora" / "demo" / "parallel.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line.strip() and line.split("\t")[0].endswith(".")]


def _files(paragraphs: int) -> dict[str, bytes]:
    pool = _sentences()
    texts = [" ".join(pool[(i * 3 + k) % len(pool)] for k in range(3)) for i in range(paragraphs)]
    odt_body = "".join(
        (f'<text:h text:outline-level="2">Abschnitt {i}</text:h>' if i % 10 == 0 else "")
        + f"<text:p>{html.escape(t)}</text:p>"
        for i, t in enumerate(texts)
    )
    slides = [
        (f"Folie {n}", [pool[(n * 6 + k) % len(pool)] for k in range(5)], pool[(n * 6 + 5) % len(pool)])
        for n in range(paragraphs * 3 // 6)
    ]
    chapters = [
        (f"k{c}.xhtml", "".join(f"<p>{html.escape(t)}</p>" for t in texts[c * 10 : c * 10 + 10]))
        for c in range(paragraphs // 10)
    ]
    cues, ms = [], 0
    for t in texts:
        for sentence in t.split(". "):
            words = sentence.split()
            for part in (words[: len(words) // 2], words[len(words) // 2 :]):
                cues.append((_stamp(ms), _stamp(ms + 1900), " ".join(part)))
                ms += 2000
    plain = "\n\n".join(texts)
    return {
        ".txt": plain.encode(),
        ".odt": build.odt(odt_body, title="Bericht"),
        ".odp": build.odp("".join(build.odp_slide(*s) for s in slides)),
        ".pptx": build.pptx(slides),
        ".epub": build.epub(chapters, [name for name, _ in chapters], "Buch", ["A"], nav=False),
        ".srt": build.srt(cues).encode(),
        ".vtt": build.vtt([(a.replace(",", "."), b.replace(",", "."), t) for a, b, t in cues]).encode(),
        ".eml": build.eml("Bericht", text=plain),
        ".eml (HTML)": build.eml("Bericht", html_body="".join(f"<p>{html.escape(t)}</p>" for t in texts)),
    }


def _stamp(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _seconds(path: Path) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        read_document(path)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    lines = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), None)
    cpu = cpu or platform.processor()
    print(f"CPU: {cpu}")
    print(f"{'kind':<12} {'paragraphs':>10} {'file bytes':>11} {'seconds':>8} {'× .txt':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for paragraphs in (100, 1000):
            times = {}
            for kind, data in _files(paragraphs).items():
                path = Path(tmp) / f"bench{kind.split()[0]}"
                path.write_bytes(data)
                times[kind] = _seconds(path)
                ratio = times[kind] / times[".txt"]
                print(f"{kind:<12} {paragraphs:>10} {len(data):>11,} {times[kind]:>8.3f} {ratio:>7.1f}")


if __name__ == "__main__":
    main()
