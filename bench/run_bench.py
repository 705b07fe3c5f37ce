"""`make bench`: translation throughput of the pipeline against argostranslate and raw CTranslate2.

Run with the project venv from the repository root: `.venv/bin/python bench/run_bench.py [--quick]`.
The argostranslate baseline runs in `.venv-bench` (see bench/argos_baseline.py). Every figure uses the same
benchmark package (../shared/bench/make_bench_package.py: real size and per-token cost, every sentence
decodes to 28 tokens), beam 4, compute type "auto", and the pipeline's default CTranslate2 threads
(configs/default.toml, resolved for this machine) and batch size.
Prints a table and writes bench/results.json. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import hashlib
import inspect
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import corpus as corpora

ROOT = Path(__file__).resolve().parents[1]
SHARED = corpora.SHARED
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results.json"
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
PIPELINE = ROOT / ".venv" / "bin" / "pipeline"
SETTINGS = {"beam_size": 4, "compute_type": "auto"}  # threads and batch size: the pipeline's defaults
WARMUP = "Das ist ein kurzer Absatz zum Aufwärmen des Modells. Er wird nicht mitgemessen."
TARGETS = {  # figure: (comparison, bound)
    "pipeline_vs_argos": (">=", 4.0),
    "pipeline_vs_ct2": (">=", 0.9),
    "rerun_speedup": (">=", 50.0),
    "help_seconds": ("<=", 0.3),
    "rss_ratio": ("<=", 1.3),
    "share_prepare": ("<=", 0.10),
    "share_summarize": ("<=", 0.10),
    "share_render": ("<=", 0.10),
}
MODES = {
    "full": {"paragraphs": 300, "argos_paragraphs": 100, "repeats": 3, "help_repeats": 5},
    "quick": {"paragraphs": 40, "argos_paragraphs": 12, "repeats": 1, "help_repeats": 3},
}
RSS_DOCS = (100, 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer paragraphs and repeats (development)")
    parser.add_argument("--no-argos", action="store_true", help="skip the argostranslate baseline")
    args = parser.parse_args()
    results: dict = {"mode": "quick" if args.quick else "full", "complete": False}
    with bench_session() as tmp:
        try:
            bench(results, tmp, argos=not args.no_argos)
            results["complete"] = True
        finally:  # an interrupted run still leaves what it measured
            RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    show(results)
    print(f"written: {RESULTS.relative_to(ROOT)}")


@contextmanager
def bench_session() -> Iterator[Path]:
    """One bench process at a time, with argostranslate's and the pipeline's data in a temporary home.

    Yields that home (removed at the end). Two runs at once would slow each other down and write the
    same results.
    """
    if not SHARED.is_dir():
        sys.exit(f"error: {SHARED} not found (the shared/ folder beside the repository)")
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.exit("error: another bench run is in progress (bench/.cache/lock)")
        tmp = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
        # SIGTERM (kill, a CI timeout) unwinds like Ctrl-C: the temporary home is removed, children killed.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        # argostranslate reads these when first imported: set before anything imports it; children
        # inherit them.
        for name in ("ARGOS_PACKAGES_DIR", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            os.environ[name] = str(tmp / name.lower())
        try:
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def bench(r: dict, tmp: Path, argos: bool) -> None:
    """Fills `r` as the measurements come in, the ratios at the end."""
    from pipeline.models import install_file

    mode = r["mode"]
    plan = MODES[mode]
    load_before = os.getloadavg()
    log(f"mode {mode}: {plan}")
    package = Path(install_file(bench_package()).package_path)
    corpus = corpora.build_corpus(CACHE, plan["paragraphs"])
    config = bench_config(cache=False)
    r["settings"] = engine_settings(config)
    r["machine"] = machine() | {"loadavg_before": load_before}
    r["corpus"] = {
        "documents": len(list(corpus.docs_dir.glob("*.md"))),
        "paragraphs": len(corpus.paragraphs),
        "sentences": len(corpus.sentences),
        "source": "../shared/bench/de-sentences.txt",
    }
    r["stages"], translations = measure_stages(corpus, config, plan["repeats"])
    r["ct2"], ct2_outputs = measure_ct2(package, corpus, plan["repeats"], r["settings"])
    # Same model, same beam: the pipeline must produce exactly raw CTranslate2's output for every sentence
    # (a sentence it skipped or cut short would make it look faster than it is).
    matching = sum(translations.get(s) == out for s, out in ct2_outputs.items())
    r["pipeline_outputs_match_ct2"] = matching / len(ct2_outputs)
    r["argos"] = r["argos_own_threads"] = None
    if argos:
        count, repeats = plan["argos_paragraphs"], plan["repeats"]
        r["argos"] = measure_argos(corpus, count, repeats, tmp, r["settings"])
        # What users get today without tuning: argostranslate with its own thread defaults.
        r["argos_own_threads"] = measure_argos(corpus, count, repeats, tmp, r["settings"], own_threads=True)
    r["runs"] = measure_runs(corpus, plan["repeats"], tmp)
    r["rss"] = measure_rss(corpus, tmp)
    r["help"] = measure_help(plan["help_repeats"])
    translate_s = r["stages"]["translate"]["median"]
    per_paragraph = translate_s / len(corpus.paragraphs)
    r["pipeline_translate_seconds"] = translate_s
    r["pipeline_seconds_per_paragraph"] = per_paragraph
    r["ct2_seconds"] = r["ct2"]["median"]
    r["pipeline_vs_ct2"] = r["ct2"]["median"] / translate_s
    r["pipeline_vs_ct2_cpu"] = r["ct2"]["cpu_median"] / r["stages"]["translate"]["cpu_median"]
    if r["argos"]:
        r["argos_paragraphs_timed"] = r["argos"]["paragraphs"]
        r["argos_seconds_per_paragraph"] = r["argos"]["median"] / r["argos"]["paragraphs"]
        r["pipeline_vs_argos"] = r["argos_seconds_per_paragraph"] / per_paragraph
        # The ceiling for pipeline_vs_argos on this machine: raw CTranslate2 against argos.
        r["ct2_vs_argos"] = r["argos_seconds_per_paragraph"] / (r["ct2_seconds"] / len(corpus.paragraphs))
        r["pipeline_vs_argos_cpu"] = (r["argos"]["cpu_median"] / r["argos"]["paragraphs"]) / (
            r["stages"]["translate"]["cpu_median"] / len(corpus.paragraphs)
        )
    if r["argos_own_threads"]:
        own = r["argos_own_threads"]
        r["pipeline_vs_argos_own_threads"] = own["median"] / own["paragraphs"] / per_paragraph
    r["cold_run_seconds"] = r["runs"]["cold"]["median"]
    r["warm_run_seconds"] = r["runs"]["warm"]["median"]
    r["rerun_speedup"] = r["cold_run_seconds"] / r["warm_run_seconds"]
    r["help_seconds"] = r["help"]["median"]
    r["rss_100_mb"], r["rss_1000_mb"] = (r["rss"][str(n)]["peak_rss_mb"] for n in RSS_DOCS)
    r["rss_ratio"] = r["rss_1000_mb"] / r["rss_100_mb"]
    for stage in ("prepare", "summarize", "render"):
        r[f"share_{stage}"] = r["stages"][stage]["median"] / translate_s
    r["targets"] = {name: f"{op} {bound}" for name, (op, bound) in TARGETS.items()}
    r["machine"]["loadavg_after"] = os.getloadavg()


# --- set-up ---------------------------------------------------------------------------------------------


def bench_package() -> Path:
    """The benchmark .argosmodel, built once per version of the shared script (cached)."""
    script = SHARED / "make_bench_package.py"
    out = CACHE / f"package-{hashlib.sha256(script.read_bytes()).hexdigest()[:12]}"
    if not out.exists():
        log("building the benchmark package")
        tmp = out.with_name(out.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run([sys.executable, script, tmp], check=True, stdout=subprocess.DEVNULL)
        tmp.rename(out)
    return out / "translate-de_en-bench.argosmodel"


def engine_settings(config) -> dict:
    """What every measured translator runs with: SETTINGS, and the pipeline's threads resolved as it does."""
    from pipeline.translate import workers

    t = config.translate
    return SETTINGS | {
        "inter_threads": workers(t),
        "intra_threads": t.intra_threads,
        "max_batch_tokens": t.max_batch_tokens,
        # argostranslate's decoding, as the pipeline's defaults (issue 12)
        "num_hypotheses": t.num_hypotheses,
        "length_penalty": t.length_penalty,
        "replace_unknowns": t.replace_unknowns,
    }


def has_cache_option() -> bool:
    from pipeline.config import TranslateConfig

    return "cache" in {f.name for f in dataclasses.fields(TranslateConfig)}


def bench_config(cache: bool):
    from pipeline.config import load_config

    overrides = {f"translate.{key}": value for key, value in SETTINGS.items()}
    if has_cache_option():
        overrides["translate.cache"] = cache
    return load_config(None, overrides)


def timing(fn, repeats: int, setup=None) -> dict:
    """Median and every run of `fn()` in wall-clock seconds, `setup()` (untimed) before each.

    `cpu_median`: CPU time of this process (all threads) and of the children it waited for. On a busy
    machine it moves less than wall time.
    """
    runs, cpu = [], []
    for _ in range(repeats):
        if setup:
            setup()
        start, start_cpu = time.perf_counter(), cpu_seconds()
        fn()
        runs.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - start_cpu)
    return {"median": statistics.median(runs), "runs": runs, "cpu_median": statistics.median(cpu)}


def cpu_seconds() -> float:
    return sum(os.times()[:4])  # user + system, of this process and of its waited-for children


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- measurements ---------------------------------------------------------------------------------------


def measure_stages(corpus: corpora.Corpus, config, repeats: int) -> tuple[dict, dict[str, str]]:
    """(c) and (g): the stages of a run called one by one over the corpus, translation cache off.

    Translation goes in the groups that `pipeline.run.run` uses. Returns the timings and the translations.
    """
    from pipeline import run as run_module
    from pipeline import steps
    from pipeline.detect import LanguageDetector
    from pipeline.engine import load_translator
    from pipeline.render import render_html, render_json, render_markdown
    from pipeline.split import split_sentences
    from pipeline.summarize import Length, summarize_document
    from pipeline.translate import translate_documents

    paths = [s.path for s in run_module.collect_sources([corpus.docs_dir])]
    group = steps.DOCUMENTS_PER_BATCH
    docs: list = []

    def prepare():
        detector = LanguageDetector()  # once per run, as in run()
        docs[:] = [steps.prepare(path, detector, config) for path in paths]

    def translate():
        for start in range(0, len(docs), group):
            translate_documents(docs[start : start + group], translator, config.language.source)

    def summarize():
        length = Length.parse(config.summary.length)
        for doc in docs:
            summarize_document(doc, config.summary.algorithm, length)

    def render():
        for doc in docs:
            for renderer in (render_markdown, render_html, render_json):
                renderer(doc)

    log("stages: prepare")
    stages = {"prepare": timing(prepare, repeats)}
    translator = load_translator(config)
    translator.translate(split_sentences(WARMUP, "de"))
    log("stages: translate (pipeline translate stage, cache off)")
    stages["translate"] = timing(translate, repeats)
    log("stages: summarize, render")
    stages["summarize"] = timing(summarize, repeats)
    stages["render"] = timing(render, repeats)
    stages["documents_per_translate_call"] = group
    translations = {
        s.text: t.text
        for d in docs
        for p in d.paragraphs
        for s, t in zip(p.sentences, p.translation, strict=True)
    }
    return stages, translations


def measure_ct2(
    package: Path, corpus: corpora.Corpus, repeats: int, settings: dict
) -> tuple[dict, dict[str, str]]:
    """(b): CTranslate2 translate_batch over all sentences, pre-split and pre-tokenized: the engine limit.

    One call with every sentence: CTranslate2 sorts them by length, cuts token batches and spreads them
    over its inter_threads workers itself.
    """
    import ctranslate2
    import sentencepiece

    from pipeline.split import split_sentences

    sentences = [s for p in corpus.paragraphs for s in split_sentences(p, "de")]
    sp = sentencepiece.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    tokens = sp.encode(sentences, out_type=str)
    translator = ctranslate2.Translator(
        str(package / "model"),
        device="cpu",
        compute_type=settings["compute_type"],
        inter_threads=settings["inter_threads"],
        intra_threads=settings["intra_threads"],
    )
    batch_tokens = settings["max_batch_tokens"]
    results: list = []

    def translate(batch=tokens):
        results[:] = translator.translate_batch(
            batch,
            beam_size=max(settings["num_hypotheses"], settings["beam_size"]),
            num_hypotheses=settings["num_hypotheses"],
            length_penalty=settings["length_penalty"],
            replace_unknowns=settings["replace_unknowns"],
            max_batch_size=batch_tokens,
            batch_type="tokens",
        )

    translate(sp.encode(split_sentences(WARMUP, "de"), out_type=str))
    log(f"raw CTranslate2: {len(sentences)} sentences")
    figures = timing(translate, repeats) | {"sentences": len(sentences), "max_batch_size": batch_tokens}
    figures["output_tokens_mean"] = statistics.mean(len(r.hypotheses[0]) for r in results)
    return figures, {s: sp.decode(r.hypotheses[0]) for s, r in zip(sentences, results, strict=True)}


def measure_argos(
    corpus: corpora.Corpus, count: int, repeats: int, tmp: Path, settings: dict, own_threads: bool = False
) -> dict | None:
    """(a): argostranslate's translate() per paragraph, in .venv-bench, on `count` spread-out paragraphs.

    Same beam and compute type as the others, and the same threads unless `own_threads` (then its own
    defaults: inter_threads 1, intra_threads 0). Its batch size stays its own (ARGOS_BATCH_SIZE).
    """
    from pipeline.split import split_sentences

    if not BENCH_PYTHON.exists():
        log(f"argos baseline skipped: {BENCH_PYTHON.relative_to(ROOT)} missing (make bench creates it)")
        return None
    count = min(count, len(corpus.paragraphs))
    step = len(corpus.paragraphs) / count
    subset = [corpus.paragraphs[int(i * step)] for i in range(count)]
    job = tmp / "argos-input.json"
    job.write_text(json.dumps({"warmup": WARMUP, "paragraphs": subset}), encoding="utf-8")
    threads = {
        "ARGOS_INTER_THREADS": settings["inter_threads"],
        "ARGOS_INTRA_THREADS": settings["intra_threads"],
    }
    env = {k: v for k, v in os.environ.items() if k not in threads} | {
        "ARGOS_BEAM_SIZE": str(settings["beam_size"]),
        "ARGOS_COMPUTE_TYPE": settings["compute_type"],
    }
    if not own_threads:
        env |= {k: str(v) for k, v in threads.items()}
    which = "its own default threads" if own_threads else "the same threads"
    log(f"argostranslate baseline, {which}: {count} paragraphs × {repeats} (a minute or more per repeat)")
    proc = subprocess.run(
        [BENCH_PYTHON, ROOT / "bench" / "argos_baseline.py", job, str(repeats)],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        sys.exit(f"argos baseline failed:\n{proc.stderr[-3000:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    runs, cpu = figures.pop("times"), figures.pop("cpu_times")
    return {
        "median": statistics.median(runs),
        "runs": runs,
        "cpu_median": statistics.median(cpu),
        "pipeline_sentences": sum(len(split_sentences(p, "de")) for p in subset),
    } | figures


def measure_runs(corpus: corpora.Corpus, repeats: int, tmp: Path) -> dict:
    """(d): pipeline.run.run over the corpus: cold (empty output folder and translation cache), then re-runs
    on the unchanged corpus with the same output folder and cache."""
    from pipeline.run import run

    config = bench_config(cache=True)
    out = tmp / "briefings"
    cache_dir = translation_cache_file().parent

    def phase(name: str, setup=None, **options) -> None:
        statuses: Counter = Counter()  # document statuses of the last run (ok, skipped, …)

        def whole():
            report = run([corpus.docs_dir], out, config, **options)
            if report.failed:
                sys.exit(f"run failed: {report.failed[0].error}")
            statuses.clear()
            statuses.update(r.status for r in report.results)

        log(f"whole runs: {name} × {repeats}")
        figures[name] = timing(whole, repeats, setup) | {"statuses": dict(statuses)}

    def empty():
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache_dir, ignore_errors=True)

    figures: dict = {"translation_cache": has_cache_option()}
    phase("cold", setup=empty)
    phase("warm")
    if "force" in inspect.signature(run).parameters:
        # Every document processed again, translations from the cache: the cache alone, without skipping.
        phase("warm_forced", force=True)
    return figures


def translation_cache_file() -> Path:
    from pipeline.cache import default_cache_path

    return default_cache_path()


def measure_rss(corpus: corpora.Corpus, tmp: Path) -> dict:
    """(f): peak RSS of `pipeline run` (a child process) over 100 and 1,000 small documents.

    Each run starts from a copy of the translation cache the whole runs left (warm for the corpus's
    sentences); one group of documents, the last full one, has sentences outside it (see build_small_docs).
    """
    from pipeline.steps import DOCUMENTS_PER_BATCH

    config_file = tmp / "bench.toml"
    config_file.write_text("[translate]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in SETTINGS.items()))
    warm = translation_cache_file()
    figures: dict = {"warm_cache": warm.exists(), "translated_documents": DOCUMENTS_PER_BATCH}
    for count in RSS_DOCS:
        docs = corpora.build_small_docs(CACHE, count, corpus, DOCUMENTS_PER_BATCH)
        home = tmp / f"rss-{count}"
        if warm.exists():
            copy = home / warm.relative_to(os.environ["XDG_CACHE_HOME"])
            copy.parent.mkdir(parents=True)
            with sqlite3.connect(warm) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)  # consistent even with a WAL file beside the database
        log(f"peak RSS: pipeline run over {count} documents")
        command = [PIPELINE, "run", docs, "--out", home / "out", "--config", config_file, "--quiet"]
        with open(home.with_suffix(".log"), "w+") as errors:
            start = time.perf_counter()
            proc = subprocess.Popen(command, env=os.environ | {"XDG_CACHE_HOME": str(home)}, stderr=errors)
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (ru_maxrss in KiB on Linux)
            seconds = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode:
                errors.seek(0)
                sys.exit(f"pipeline run over {count} documents failed:\n{errors.read()[-3000:]}")
        figures[str(count)] = {"peak_rss_mb": usage.ru_maxrss / 1024, "seconds": seconds}
        if warm.exists():  # what the run added to the cache: the sentences it really translated
            before, after = cached_rows(warm), cached_rows(copy)
            figures[str(count)]["translated_sentences"] = None if None in (before, after) else after - before
    return figures


def cached_rows(path: Path) -> int | None:
    try:  # the pipeline's cache table: an internal detail, so a changed schema gives None
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(*) FROM translations").fetchone()[0]
    except sqlite3.Error:
        return None


def measure_help(repeats: int) -> dict:
    """(e): start-up of the command line, one untimed call first (disk cache)."""
    command = [PIPELINE, "--help"]
    subprocess.run(command, capture_output=True, check=True)
    return timing(lambda: subprocess.run(command, capture_output=True, check=True), repeats)


def machine() -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor(),
    )
    versions = {}
    for name in ("ctranslate2", "sentencepiece", "argostranslate"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "versions": versions,
    }


# --- report ---------------------------------------------------------------------------------------------


def show(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    def met(name: str) -> str:
        if r.get(name) is None:
            return "–"
        op, bound = TARGETS[name]
        return "[green]yes[/]" if (r[name] >= bound if op == ">=" else r[name] <= bound) else "[red]no[/]"

    def target(name: str) -> str:
        op, bound = TARGETS[name]
        return f"{'≥' if op == '>=' else '≤'} {bound:g}" if not name.startswith("share") else f"≤ {bound:.0%}"

    table = Table(
        title=f"pipeline benchmark ({r['mode']}) — {r['machine']['cpu']}, {r['machine']['cores']} cores"
    )
    for column in ("figure", "value", "target", "met"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    c, a, runs = r["corpus"], r.get("argos"), r["runs"]
    rows = [
        ("corpus", f"{c['documents']} docs, {c['paragraphs']} paragraphs, {c['sentences']} sentences", None),
        (
            "(a) argostranslate translate()/paragraph",
            f"{r['argos_seconds_per_paragraph']:.3f} s ({a['paragraphs']} paragraphs timed)"
            if a
            else "skipped",
            None,
        ),
        ("(b) raw CTranslate2 translate_batch", f"{r['ct2_seconds']:.2f} s", None),
        ("(c) pipeline translate stage", f"{r['pipeline_translate_seconds']:.2f} s", None),
        ("pipeline_vs_argos (speed)", _x(r.get("pipeline_vs_argos")), "pipeline_vs_argos"),
        ("  vs argos at its own default threads", _x(r.get("pipeline_vs_argos_own_threads")), None),
        ("pipeline_vs_ct2 (speed)", _x(r["pipeline_vs_ct2"]), "pipeline_vs_ct2"),
        ("ct2_vs_argos (engine ceiling)", _x(r.get("ct2_vs_argos")), None),
        ("(d) whole run, cold", f"{r['cold_run_seconds']:.2f} s", None),
        ("(d) whole run, warm re-run", f"{r['warm_run_seconds']:.3f} s", None),
    ]
    if "warm_forced" in runs:
        rows.append(("(d) re-run, --force (cache only)", f"{runs['warm_forced']['median']:.2f} s", None))
    rows += [
        ("rerun_speedup (cold / warm)", _x(r["rerun_speedup"]), "rerun_speedup"),
        ("(e) pipeline --help", f"{r['help_seconds']:.3f} s", "help_seconds"),
        ("(f) peak RSS, 100 documents", f"{r['rss_100_mb']:.0f} MB", None),
        ("(f) peak RSS, 1,000 documents", f"{r['rss_1000_mb']:.0f} MB", None),
        ("rss_ratio", f"{r['rss_ratio']:.2f}", "rss_ratio"),
    ]
    for stage in ("prepare", "summarize", "render"):
        seconds = r["stages"][stage]["median"]
        rows.append(
            (f"(g) {stage} / translate", f"{r[f'share_{stage}']:.1%} ({seconds:.2f} s)", f"share_{stage}")
        )
    for label, value, name in rows:
        table.add_row(label, value, target(name) if name else "", met(name) if name else "")
    console = Console(width=None if sys.stdout.isatty() else 110)
    console.print(table)
    s = r["settings"]
    console.print(
        f"settings: beam {s['beam_size']}, inter_threads {s['inter_threads']}, intra_threads "
        f"{s['intra_threads']}, batches ≤ {s['max_batch_tokens']} tokens, compute_type {s['compute_type']}; "
        f"pipeline output = raw CTranslate2 output for "
        f"{r['pipeline_outputs_match_ct2']:.0%} of sentences"
        + (
            f"; argos splitter: {a['sentencizer']}, {a['sentences']} sentences in its "
            f"{a['paragraphs']} paragraphs"
            if a
            else ""
        )
    )


def _x(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


if __name__ == "__main__":
    main()
