"""`make bench` (part 2): long documents. Summary time and memory at 300 / 3,000 / 30,000 sentences, the
memory of writing a briefing of a 1 MB and a 10 MB document, one ~10 MB document of distinct sentences
through `pipeline run` next to small ones, and SIGTERM-to-exit.

    .venv/bin/python bench/long_docs.py                      # everything (~25 min on 2 cores)
    .venv/bin/python bench/long_docs.py --parts summarize    # the summary scaling only (~2–5 min)
    .venv/bin/python bench/long_docs.py --parts render       # briefing memory at 1 and 10 MB (~2 min)
    .venv/bin/python bench/long_docs.py --parts sigterm --sigterm-after 120

The render part stands the English in by each German sentence's words reversed (same length, no model),
so it measures writing the briefing, not the translation.

Writes bench/long_docs.json. Sentences come from ../shared/bench/de-sentences.txt, made distinct
(bench/corpus.py `distinct_sentences`); the run uses the benchmark package (argos-sized, slow to
translate) in a temporary home, like bench/run_bench.py.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import corpus as corpora
import run_bench

ROOT = run_bench.ROOT
RESULTS = ROOT / "bench" / "long_docs.json"
SIZES = (300, 3_000, 30_000)
ALGORITHMS = ("lexrank", "lsa", "textrank", "luhn", "lead")
MAX_BYTES = 10_000_000  # input.max_bytes: the document is made just under it
SMALL_DOCUMENTS = 20
PARTS = ("summarize", "render", "run", "sigterm")
RENDER_SIZES = (1_000_000, MAX_BYTES)  # bytes of German text whose briefing the render part writes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {','.join(PARTS)}")
    parser.add_argument("--child", nargs=2, metavar=("SENTENCES", "ALGORITHM"), help=argparse.SUPPRESS)
    parser.add_argument("--render-child", type=int, metavar="BYTES", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sigterm-after",
        type=float,
        default=150.0,
        help="SIGTERM this many seconds after the small documents are done (the long one's reading took "
        "about 60 s here, so by then it is being translated)",
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(summarize_child(int(args.child[0]), args.child[1])))
        return
    if args.render_child:
        print(json.dumps(render_child(args.render_child)))
        return
    results: dict = {"machine": run_bench.machine() | {"loadavg_before": os.getloadavg()}, "complete": False}
    with run_bench.bench_session() as tmp:
        try:
            parts = args.parts.split(",")
            if "summarize" in parts:
                results["summarize"] = measure_summaries()
            if "render" in parts:
                results["render"] = measure_render()
            if "run" in parts:
                results["run"] = measure_long_run(tmp)
            if "sigterm" in parts:
                results["sigterm"] = measure_sigterm(tmp, args.sigterm_after)
            results["complete"] = True
        finally:
            results["machine"]["loadavg_after"] = os.getloadavg()
            RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    show(results)
    print(f"written: {RESULTS.relative_to(ROOT)}")


def long_document(folder: Path, sentences: int) -> Path:
    """A German Markdown document of `sentences` distinct sentences, 5 to a paragraph (cached)."""
    path = folder / f"long-{sentences}.md"
    if not path.exists():
        corpora.long_document(path, corpora.distinct_sentences(sentences))
    return path


def summarize_child(sentences: int, algorithm: str) -> dict:
    """In a fresh process: summarize_document on a German document of `sentences` sentences (no
    translation), median of 3 runs (5 under 1,000 sentences); extra RSS over the prepared document."""
    from pipeline.config import load_config
    from pipeline.detect import LanguageDetector
    from pipeline.steps import prepare
    from pipeline.summarize import Length, summarize_document

    config = load_config()
    doc = prepare(
        long_document(run_bench.CACHE, sentences), LanguageDetector(config.language.candidates), config
    )
    summarize_document(doc, "lead", Length.parse("3"))  # imports sumy, NLTK, NumPy: not timed
    before = _rss_mb()
    runs = []
    for _ in range(5 if sentences < 1000 else 3):
        start = time.perf_counter()
        summarize_document(doc, algorithm, Length.parse(config.summary.length))
        runs.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": sorted(runs)[len(runs) // 2],
        "extra_peak_rss_mb": peak - before,
        "sentences": sentences,
    }


def _rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sized_document(size: int) -> Path:
    """A German Markdown document of distinct sentences, just under `size` bytes (cached)."""
    path = run_bench.CACHE / f"long-{size}-bytes.md"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        sentences = corpora.distinct_sentences(max(1_000, size // 60))
        while len("\n\n".join(sentences).encode()) > size - 10_000:
            sentences = sentences[: int(len(sentences) * 0.98)]
        corpora.long_document(path, sentences)
    return path


def render_child(size: int) -> dict:
    """In a fresh process: a document of `size` bytes prepared, its English stood in (each sentence's
    words reversed), reviewed and summarized (lead), then its briefing written in every format. The
    peak RSS of the writing alone is VmHWM after /proc/self/clear_refs reset it."""
    import gc
    import tempfile

    from pipeline.briefing import write_briefing
    from pipeline.config import load_config
    from pipeline.detect import LanguageDetector
    from pipeline.document import ModelInfo, TargetSentence
    from pipeline.review import review_document
    from pipeline.steps import prepare
    from pipeline.summarize import Length, summarize_document

    config = load_config()
    doc = prepare(sized_document(size), LanguageDetector(config.language.candidates), config)
    for p in doc.paragraphs:
        p.translation = [
            TargetSentence(f"{s.id}.en", s.id, " ".join(s.text.split()[::-1])) for s in p.sentences
        ]
    doc.model = ModelInfo("stand-in", "0", "de", "en", "", settings={"beam_size": 4})
    review_document(doc, min_confidence=config.review.min_confidence)
    summarize_document(doc, "lead", Length.parse(config.summary.length))
    gc.collect()
    before = _rss_mb()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM, the peak RSS, to the current RSS
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        write_briefing(doc, Path(out), "long", ("md", "html", "json"))
        seconds = time.perf_counter() - start
        written = {p.suffix: p.stat().st_size for p in Path(out).iterdir()}
    return {
        "bytes": sized_document(size).stat().st_size,
        "sentences": len(doc.sentences()),
        "rss_before_mb": before,
        "peak_rss_mb": _rss_mb("VmHWM"),
        "seconds": seconds,
        "written_bytes": written,
    }


def measure_render() -> dict:
    figures = {}
    for size in RENDER_SIZES:
        run_bench.log(f"render: a briefing of {size:,} bytes of German")
        child = [sys.executable, __file__, "--render-child", str(size)]
        out = subprocess.run(child, check=True, capture_output=True, text=True).stdout
        figures[str(size)] = json.loads(out)
    small, large = (figures[str(size)]["peak_rss_mb"] for size in RENDER_SIZES)
    figures["peak_ratio"] = large / small
    return figures


def measure_summaries() -> dict:
    figures: dict = {}
    for algorithm in ALGORITHMS:
        figures[algorithm] = {}
        for sentences in SIZES:
            run_bench.log(f"summarize: {algorithm}, {sentences:,} sentences")
            child = [sys.executable, __file__, "--child", str(sentences), algorithm]
            out = subprocess.run(child, check=True, capture_output=True, text=True).stdout
            figures[algorithm][str(sentences)] = json.loads(out)
        small, large = (figures[algorithm][str(n)]["seconds"] / n for n in (SIZES[0], SIZES[-1]))
        figures[algorithm]["per_sentence_ratio"] = large / small
        figures[algorithm]["growth_exponent"] = math.log(large * SIZES[-1] / (small * SIZES[0])) / math.log(
            SIZES[-1] / SIZES[0]
        )
    return figures


def inbox(tmp: Path) -> tuple[Path, int]:
    """Up to SMALL_DOCUMENTS bench documents and, sorted first, one document of distinct sentences just under
    input.max_bytes. Returns the folder and the long document's sentence count."""
    folder = tmp / "inbox"
    if (folder / "count").exists():
        return folder, int((folder / "count").read_text())
    folder.mkdir()
    sentences = corpora.distinct_sentences(150_000)
    while len("\n\n".join(sentences).encode()) > MAX_BYTES - 10_000:
        sentences = sentences[: int(len(sentences) * 0.98)]
    corpora.long_document(folder / "a-long.md", sentences)
    small = sorted(corpora.build_corpus(run_bench.CACHE, 60, seed=5).docs_dir.glob("*.md"))[:SMALL_DOCUMENTS]
    for doc in small:
        (folder / doc.name).write_bytes(doc.read_bytes())
    (folder / "count").write_text(str(len(sentences)))  # not a document: no supported suffix
    return folder, len(sentences)


def pipeline_run(tmp: Path, name: str, signal_after: float | None = None) -> dict:
    """`pipeline run` over the inbox as a child: wall time, peak RSS, when each document was logged,
    and with `signal_after`, SIGTERM that many seconds after the small documents were logged (the long
    one is then being translated) and how long the child took to exit."""
    from pipeline.models import install_file

    install_file(run_bench.bench_package())
    folder, sentences = inbox(tmp)
    small_documents = len(list(folder.glob("*.md"))) - 1
    command = [run_bench.PIPELINE, "run", folder, "--out", tmp / name, "--log-json", "--no-cache"]
    start = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    records: list[dict] = []

    def read_log() -> None:  # each document's record, with when it came
        for line in proc.stdout:
            records.append(json.loads(line) | {"logged_at": round(time.monotonic() - start, 1)})

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    signalled = small_done = None
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)  # the child's own rusage (ru_maxrss in KiB)
        if pid:
            break
        if len(records) >= small_documents and small_done is None:
            small_done = time.monotonic()
        if (
            signal_after is not None
            and small_done
            and not signalled
            and time.monotonic() > small_done + signal_after
        ):
            proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
        time.sleep(0.05)
    ended = time.monotonic()
    reader.join(timeout=10)
    return {
        "long_document": {"bytes": (folder / "a-long.md").stat().st_size, "sentences": sentences},
        "exit_code": os.waitstatus_to_exitcode(status),
        "seconds": ended - start,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "sigterm_to_exit_seconds": None if signalled is None else ended - signalled,
        "stderr_tail": proc.stderr.read()[-500:],
        "documents": records,
    }


def measure_long_run(tmp: Path) -> dict:
    run_bench.log("pipeline run: one ~10 MB document and small ones (default limits)")
    return pipeline_run(tmp, "out-run")


def measure_sigterm(tmp: Path, after: float) -> dict:
    run_bench.log(f"pipeline run again, SIGTERM after {after:g} s")
    return pipeline_run(tmp, "out-sigterm", signal_after=after)


def show(r: dict) -> None:
    print(f"\nsummarize_document, German, no translation ({r['machine'].get('cpu', '?')}):")
    header = "".join(f"{n:>10,} s" for n in SIZES)
    print(f"{'algorithm':<10}{header}  per sentence ×  exponent  extra RSS at {SIZES[-1]:,}")
    for algorithm, f in r.get("summarize", {}).items():
        times = "".join(f"{f[str(n)]['seconds']:>12.3f}" for n in SIZES)
        rss = f[str(SIZES[-1])]["extra_peak_rss_mb"]
        ratio, exponent = f["per_sentence_ratio"], f["growth_exponent"]
        print(f"{algorithm:<10}{times}  {ratio:>13.2f}  {exponent:>8.2f}  {rss:>5.0f} MB")
    if "render" in r:
        print("\nwriting one briefing (md, html, json), English stood in; peak RSS while writing:")
        for size in RENDER_SIZES:
            f = r["render"][str(size)]
            print(
                f"  {f['bytes']:>12,} bytes, {f['sentences']:>7,} sentences: {f['peak_rss_mb']:>6.0f} MB "
                f"({f['rss_before_mb']:.0f} MB before), {f['seconds']:.1f} s"
            )
        print(f"  peak at {RENDER_SIZES[-1]:,} / at {RENDER_SIZES[0]:,}: {r['render']['peak_ratio']:.2f}")
    for key in ("run", "sigterm"):
        if key not in r:
            continue
        run, long = r[key], r[key]["long_document"]
        small = [d["logged_at"] for d in run["documents"] if d["name"] != "a-long"]
        print(
            f"\n{key}: exit {run['exit_code']}, {run['seconds']:.1f} s, peak RSS {run['peak_rss_mb']:.0f} MB"
        )
        print(f"  long document: {long['bytes']:,} bytes, {long['sentences']:,} sentences")
        print(f"  {len(small)} small documents logged by {max(small, default=0)} s")
        for d in run["documents"]:
            if d["name"] == "a-long":
                print(f"  long document {d['status']} at {d['logged_at']} s {d['error'] or ''}")
        if run["sigterm_to_exit_seconds"] is not None:
            print(f"  SIGTERM to exit: {run['sigterm_to_exit_seconds']:.2f} s")


if __name__ == "__main__":
    main()
