"""Search index benchmark (not a test): build time and query time at 1,000 and 10,000 briefings.

Synthetic briefings from the demo corpus: each is one of the demo documents with its English reference
as the translation, its paragraphs shuffled and numbered so no two briefings are the same text. Run:
`python bench/search_bench.py [COUNTS…]`; prints a Markdown table (build seconds, µs per briefing, and
the median of 20 runs of each query). Figures depend on the CPU; compare ratios.
"""

from __future__ import annotations

import json
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.manifest import Entry, Manifest  # noqa: E402
from pipeline.search import search, update_index  # noqa: E402

DEMO = ROOT / "corpora" / "demo"
QUERIES = [("Temperatur", None), ("Haushalt", "de"), ("delay", "en"), ("Sturm Samstag", None)]


def demo_paragraphs() -> list[tuple[str, str]]:
    pairs = []
    for german in sorted((DEMO / "de").glob("*.md")):
        de = [p.strip("# \n") for p in german.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        en = [p.strip("# \n") for p in (DEMO / "en" / german.name).read_text(encoding="utf-8").split("\n\n")]
        pairs.extend(zip(de, en, strict=False))
    return pairs


def make_archive(out: Path, count: int, pairs: list[tuple[str, str]]) -> Manifest:
    rng = random.Random(count)
    manifest = Manifest(out)
    for n in range(count):
        chosen = rng.sample(pairs, k=min(8, len(pairs)))
        paragraphs = [
            {
                "id": f"p{i}",
                "kind": "text",
                "source": {"lang": "de", "text": f"{de} Nr. {n}"},
                "target": {"text": f"{en} No. {n}"},
            }
            for i, (de, en) in enumerate(chosen, 1)
        ]
        name = f"doc{n:05d}"
        (out / f"{name}.json").write_text(json.dumps({"paragraphs": paragraphs}, ensure_ascii=False), "utf-8")
        manifest.entries[name] = Entry(
            f"/in/{name}.md", "0" * 64, "c", "m", "ok", (f"{name}.json",), title=name
        )
    manifest.save()
    return manifest


def main(counts: list[int]) -> None:
    pairs = demo_paragraphs()
    print(f"CPU: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(
        "| briefings | build s | build µs/briefing | no-change sync s | "
        + " | ".join(f"`{q}`{' --lang ' + lang if lang else ''} ms" for q, lang in QUERIES)
        + " |"
    )
    print("| ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in QUERIES) + " |")
    for count in counts:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            manifest = make_archive(out, count, pairs)
            started = time.perf_counter()
            update_index(out, manifest)
            build = time.perf_counter() - started
            started = time.perf_counter()
            update_index(out, manifest)
            sync = time.perf_counter() - started
            times = []
            for query, lang in QUERIES:
                search(out, query, lang)  # warm
                runs = []
                for _ in range(20):
                    started = time.perf_counter()
                    hits = search(out, query, lang)
                    runs.append(time.perf_counter() - started)
                assert hits, query
                times.append(statistics.median(runs) * 1000)
        print(
            f"| {count:,} | {build:.2f} | {build / count * 1e6:.0f} | {sync:.3f} | "
            + " | ".join(f"{t:.1f}" for t in times)
            + " |"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
