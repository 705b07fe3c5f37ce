"""`make bench-sweep`: the pipeline's translate stage under several thread and batch-size settings.

This is how `translate.inter_threads`, `intra_threads` and `max_batch_tokens` in configs/default.toml were
chosen, and how to choose them on another machine. Every setting translates the same sentences of the
benchmark corpus with the benchmark package (see run_bench.py), in a fresh process, so its peak RSS is its
own. The settings take turns, round after round, so a slow spell of the machine falls on all of them; the
median of the rounds is reported. Writes bench/sweep.json.

usage: .venv/bin/python bench/sweep.py [--sentences N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import corpus as corpora
import run_bench

SWEEP = run_bench.ROOT / "bench" / "sweep.json"
BATCH_TOKENS = (32, 128, 256, 512, 1024, 4096)  # 32: argostranslate's own batch size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=240, help="sentences translated per setting")
    parser.add_argument("--rounds", type=int, default=2, help="times each setting runs")
    parser.add_argument(
        "--one", nargs=3, type=int, metavar=("INTER", "INTRA", "TOKENS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:  # a child: one setting, one measurement, printed as JSON
        print(json.dumps(measure(*args.one, args.sentences)))
        return
    from pipeline.models import install_file
    from pipeline.translate import available_cores

    cores = available_cores()
    # One worker using every core, or one single-threaded worker per core; each with every batch size.
    grid = [(workers, cores // workers, tokens) for workers in sorted({1, cores}) for tokens in BATCH_TOKENS]
    runs: dict[tuple[int, int, int], list[dict]] = {setting: [] for setting in grid}
    with run_bench.bench_session():
        install_file(run_bench.bench_package())
        corpora.build_corpus(run_bench.CACHE, 300)  # built here, once, not in the timed children
        for round_ in range(1, args.rounds + 1):
            for setting in grid:
                run_bench.log(
                    f"round {round_}/{args.rounds}: inter {setting[0]}, intra {setting[1]}, "
                    f"{setting[2]} tokens"
                )
                command = [
                    sys.executable,
                    __file__,
                    "--one",
                    *map(str, setting),
                    "--sentences",
                    str(args.sentences),
                ]
                child = subprocess.run(command, capture_output=True, text=True)
                if child.returncode:
                    sys.exit(f"setting {setting} failed:\n{child.stderr[-3000:]}")
                runs[setting].append(json.loads(child.stdout.strip().splitlines()[-1]))
    rows = [summarize(setting, measured) for setting, measured in runs.items()]
    rows.sort(key=lambda row: row["seconds"])
    SWEEP.write_text(
        json.dumps({"machine": run_bench.machine(), "sentences": args.sentences, "settings": rows}, indent=2)
        + "\n",
        encoding="utf-8",
    )
    show(rows, args.sentences)
    print(f"written: {SWEEP.relative_to(run_bench.ROOT)}")


def measure(inter: int, intra: int, tokens: int, count: int) -> dict:
    """Translate the first `count` corpus sentences with these settings (cache off), after a warm-up."""
    from pipeline.config import load_config
    from pipeline.engine import load_translator
    from pipeline.split import split_sentences

    corpus = corpora.build_corpus(run_bench.CACHE, 300)
    sentences = [s for p in corpus.paragraphs for s in split_sentences(p, "de")][:count]
    overrides = {f"translate.{k}": v for k, v in run_bench.SETTINGS.items()} | {
        "translate.inter_threads": inter,
        "translate.intra_threads": intra,
        "translate.max_batch_tokens": tokens,
        "translate.cache": False,
    }
    translator = load_translator(load_config(None, overrides))
    translator.translate(split_sentences(run_bench.WARMUP, "de"))
    start, start_cpu = time.perf_counter(), run_bench.cpu_seconds()
    translator.translate(sentences)
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": run_bench.cpu_seconds() - start_cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "sentences": len(sentences),
        "loadavg": os.getloadavg()[0],
    }


def summarize(setting: tuple[int, int, int], measured: list[dict]) -> dict:
    inter, intra, tokens = setting
    return {
        "inter_threads": inter,
        "intra_threads": intra,
        "max_batch_tokens": tokens,
        "seconds": statistics.median(m["seconds"] for m in measured),
        "cpu_seconds": statistics.median(m["cpu_seconds"] for m in measured),
        "peak_rss_mb": max(m["peak_rss_mb"] for m in measured),
        "runs": [m["seconds"] for m in measured],
    }


def show(rows: list[dict], sentences: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from pipeline.config import load_config

    default = run_bench.engine_settings(load_config())
    chosen = (default["inter_threads"], default["intra_threads"], default["max_batch_tokens"])
    table = Table(title=f"translate stage, {sentences} sentences, fastest first (median of the rounds)")
    for column in ("inter × intra", "batch tokens", "seconds", "ms / sentence", "vs fastest", "peak RSS"):
        table.add_column(column, justify="right")
    fastest = rows[0]["seconds"]
    for row in rows:
        setting = (row["inter_threads"], row["intra_threads"], row["max_batch_tokens"])
        table.add_row(
            f"{setting[0]} × {setting[1]}" + (" (default)" if setting == chosen else ""),
            str(setting[2]),
            f"{row['seconds']:.2f}",
            f"{1000 * row['seconds'] / sentences:.0f}",
            f"{row['seconds'] / fastest:.2f}",
            f"{row['peak_rss_mb']:.0f} MB",
        )
    Console(width=None if sys.stdout.isatty() else 110).print(table)


if __name__ == "__main__":
    main()
