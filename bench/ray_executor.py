"""`make bench` (part 3): the Ray executor against the local one, on the benchmark package and corpus.

    .venv/bin/python bench/ray_executor.py                    # 120 paragraphs (~6 min on 2 cores)
    .venv/bin/python bench/ray_executor.py --paragraphs 300

Measures, in one process on this machine: the local executor's whole run, Ray's start-up
(`ray.init` of a local cluster), the Ray executor's run with 1 and 2 translation actors (1 CPU and
1 CTranslate2 thread each; the local run uses the default 2 workers × 1 thread), the ratio local/Ray
(target ≥ 0.8) and the briefings per second the driver writes (its ceiling when actors are many).
Every run is cold: empty output folder, translation cache off. Writes bench/ray_executor.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import time
from pathlib import Path

import corpus as corpora
import run_bench

RESULTS = run_bench.ROOT / "bench" / "ray_executor.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=120)
    args = parser.parse_args()
    os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
    results: dict = {"machine": run_bench.machine() | {"loadavg_before": os.getloadavg()}}
    with run_bench.bench_session() as tmp:
        results |= measure(tmp, args.paragraphs)
    results["machine"]["loadavg_after"] = os.getloadavg()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


def measure(tmp: Path, paragraphs: int) -> dict:
    import ray

    from pipeline.engine import load_translator
    from pipeline.models import install_file
    from pipeline.run import run

    install_file(run_bench.bench_package())
    corpus = corpora.build_corpus(run_bench.CACHE, paragraphs)
    config = run_bench.bench_config(cache=False)
    r: dict = {"paragraphs": len(corpus.paragraphs), "sentences": len(corpus.sentences)}

    def timed_run(name: str, cfg) -> float:
        out = tmp / name
        started = time.perf_counter()
        report = run([corpus.docs_dir], out, cfg, translator=load_translator(cfg))
        seconds = time.perf_counter() - started
        assert {x.status for x in report.results} == {"ok"}, name
        run_bench.log(f"{name}: {seconds:.1f} s")
        return seconds

    r["local_seconds"] = timed_run("local", config)
    started = time.perf_counter()
    ray.init(include_dashboard=False, object_store_memory=256 * 1024 * 1024, logging_level="error")
    r["ray_startup_seconds"] = time.perf_counter() - started
    try:
        for actors in (1, 2):
            executor = dataclasses.replace(config.executor, kind="ray", actors=actors)
            seconds = timed_run(f"ray-{actors}", dataclasses.replace(config, executor=executor))
            r[f"ray_{actors}_actors_seconds"] = seconds
            r[f"ray_{actors}_actors_sentences_per_second"] = len(corpus.sentences) / seconds
    finally:
        ray.shutdown()
    r["local_vs_ray_2_actors"] = r["local_seconds"] / r["ray_2_actors_seconds"]
    r["driver_briefings_per_second"] = driver_write_rate(tmp / "local", tmp / "rewrite")
    return r


def driver_write_rate(briefings: Path, out: Path) -> float:
    """Briefings per second that the driver's record side writes (all formats, atomically)."""
    from pipeline.fileio import write_all_atomic

    names = sorted({p.stem for p in briefings.glob("[!.]*.json")})
    files = {
        n: {f"{n}.{f}": (briefings / f"{n}.{f}").read_text("utf-8") for f in ("md", "html", "json")}
        for n in names
    }
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    started = time.perf_counter()
    for name in names:
        write_all_atomic({out / file: text for file, text in files[name].items()})
    return len(names) / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
