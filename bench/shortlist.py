"""`make bench-shortlist`: the vocabulary shortlist and the fast profile on the benchmark package.

1. The standard profile translates LEARN sentences of the pool (cache on): what a shortlist learns from.
2. `pipeline.shortlist.build` learns, verifies (held-out cached sentences) and, if needed, enlarges it.
3. Over the bench corpus's sentences (none of them learned from), in one process, in turns: raw CTranslate2
   without a shortlist, the standard profile without and with the shortlist, the fast profile (beam 1 with
   the shortlist) and beam 1 without it; each translation cache off. Ratios are the median over rounds of
   the ratio within a round. Identical output is counted against the standard profile without a shortlist.
4. argostranslate's translate() (in .venv-bench, as bench/run_bench.py runs it) at its own default threads
   and at the pipeline's, beam 4, for the fast profile's ratio.
5. On the fixture package: agreement of fast and standard English over sentences it never saw.

Run from the repository root: `.venv/bin/python bench/shortlist.py [--quick]`. Merges its figures into
bench/results.json under "shortlist". Ratios are within this one run (the machine may be shared: the load
average before and after is recorded).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from pathlib import Path

import corpus as corpora
import run_bench as rb

MODES = {
    # learn: sentences translated to learn from; paragraphs: the timed corpus (~4 sentences each).
    "full": {"learn": 1500, "paragraphs": 60, "repeats": 3, "argos_paragraphs": 30, "fixture": 150},
    "quick": {"learn": 1000, "paragraphs": 15, "repeats": 1, "argos_paragraphs": 8, "fixture": 40},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sentences, one repeat (development)")
    parser.add_argument("--no-argos", action="store_true", help="skip the argostranslate baseline")
    args = parser.parse_args()
    plan = MODES["quick" if args.quick else "full"]
    r: dict = {"mode": "quick" if args.quick else "full", "plan": plan, "complete": False}
    with rb.bench_session() as tmp:
        try:
            bench(r, tmp, plan, argos=not args.no_argos)
            r["complete"] = True
        finally:
            results = json.loads(rb.RESULTS.read_text(encoding="utf-8")) if rb.RESULTS.exists() else {}
            results["shortlist"] = r
            rb.RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    show(r)


def bench(r: dict, tmp: Path, plan: dict, argos: bool) -> None:
    from pipeline.cache import TranslationCache, default_cache_path
    from pipeline.config import load_config
    from pipeline.engine import standard_translators
    from pipeline.models import install_file
    from pipeline.shortlist import active_model_dir, build
    from pipeline.split import split_sentences
    from pipeline.translate import Translator

    r["machine"] = rb.machine() | {"loadavg_before": os.getloadavg()}
    package = install_file(rb.bench_package())
    corpus = corpora.build_corpus(rb.CACHE, plan["paragraphs"])
    timed = [s for p in corpus.paragraphs for s in split_sentences(p, "de")]
    unseen = set(timed)
    learn = [s for s in corpora.sentence_pool(7) if s not in unseen][: plan["learn"]]
    overrides = {f"translate.{k}": v for k, v in rb.SETTINGS.items()}
    standard = load_config(None, overrides)
    fast = load_config(None, {k: v for k, v in overrides.items() if k != "translate.beam_size"}, "fast")
    r["settings"] = rb.engine_settings(standard) | {"fast_beam_size": fast.translate.beam_size}

    cache = TranslationCache(default_cache_path())
    rb.log(f"standard profile: {len(learn)} sentences to learn from (cache on)")
    start = time.perf_counter()
    Translator(package, standard.translate, cache).translate(learn)
    r["learn_translate_seconds"] = time.perf_counter() - start
    rb.log("building and verifying the shortlist")
    start = time.perf_counter()
    record = build(package, standard.shortlist, cache, standard_translators(package, standard))
    r["build"] = dataclasses.asdict(record) | {"total_seconds": time.perf_counter() - start}
    active = active_model_dir(package)
    if active is None:
        sys.exit(f"shortlist stayed off: {record.reason}")
    model_dir = active[0]

    translators = {
        "standard": Translator(package, standard.translate),
        "standard_shortlist": Translator(package, standard.translate, shortlist=model_dir),
        "fast": Translator(package, fast.translate, shortlist=model_dir, profile="fast"),
        "beam1_no_shortlist": Translator(package, fast.translate),
    }
    outputs: dict[str, list[str]] = {}
    timings: dict[str, list[float]] = {name: [] for name in translators}
    for translator in translators.values():
        translator.translate(split_sentences(rb.WARMUP, "de"))
    rb.log(f"{len(timed)} unseen sentences × {plan['repeats']}, in turns: {', '.join(translators)}, raw ct2")
    ct2 = None
    for _ in range(plan["repeats"]):
        for name, translator in translators.items():
            start = time.perf_counter()
            outputs[name] = translator.translate(timed)
            timings[name].append(time.perf_counter() - start)
        figures, ct2_out = rb.measure_ct2(Path(package.package_path), corpus, 1, r["settings"])
        ct2 = (ct2 or []) + figures["runs"]
    r["sentences_timed"] = len(timed)
    r["seconds"] = {name: min(runs) for name, runs in timings.items()} | {"raw_ct2": min(ct2)}
    r["runs"] = timings | {"raw_ct2": ct2}
    reference = outputs["standard"]
    r["identical_to_standard"] = {
        name: sum(a == b for a, b in zip(out, reference, strict=True)) / len(reference)
        for name, out in outputs.items()
    }
    r["standard_equals_raw_ct2"] = sum(
        ct2_out.get(s) == e for s, e in zip(timed, reference, strict=True)
    ) / len(timed)
    s = r["seconds"]
    runs = r["runs"]

    def paired(slow: str, quick: str) -> float:
        """Median over rounds of slow / quick in the same round: on a shared machine the load moves
        between rounds more than within one."""
        return statistics.median(a / b for a, b in zip(runs[slow], runs[quick], strict=True))

    r["shortlist_speedup"] = paired("standard", "standard_shortlist")
    r["shortlist_vs_raw_ct2"] = paired("raw_ct2", "standard_shortlist")
    r["standard_vs_raw_ct2"] = paired("raw_ct2", "standard")
    r["fast_vs_standard"] = paired("standard", "fast")
    r["fast_vs_beam1_no_shortlist"] = paired("beam1_no_shortlist", "fast")
    per_sentence = s["fast"] / len(timed)
    if argos:
        for key, own in (("argos_own_threads", True), ("argos_same_threads", False)):
            a = rb.measure_argos(corpus, plan["argos_paragraphs"], 1, tmp, r["settings"], own_threads=own)
            r[key] = a
            if a:
                r[f"fast_vs_{key}"] = (a["median"] / a["pipeline_sentences"]) / per_sentence
                r[f"standard_vs_{key}"] = (a["median"] / a["pipeline_sentences"]) / (
                    s["standard"] / len(timed)
                )
    r["fixture"] = fixture_agreement(plan["fixture"])
    r["machine"]["loadavg_after"] = os.getloadavg()


def fixture_agreement(count: int) -> dict:
    """Fast (beam 1 with the fixture's shortlist) against standard English, over sentences the fixture
    never saw: how often the triage English is the standard English, and its chrF against it."""
    import sacrebleu

    from pipeline.cache import TranslationCache
    from pipeline.config import load_config
    from pipeline.engine import standard_translators
    from pipeline.models import install_file
    from pipeline.shortlist import active_model_dir, build
    from pipeline.translate import Translator

    package = install_file(rb.ROOT / "tests" / "fixtures" / "translate-de_en-demo.argosmodel")
    demo = [
        line.split("\t")[0]
        for line in (rb.ROOT / "corpora" / "demo" / "parallel.tsv").read_text().splitlines()
    ]
    standard = load_config()
    cache = TranslationCache(rb.translation_cache_file())
    Translator(package, standard.translate, cache).translate(demo)
    # The demo corpus is 52 sentences: far under the default minimum, so this build asks for less.
    settings = dataclasses.replace(standard.shortlist, min_sentences=len(demo) // 2)
    record = build(package, settings, cache, standard_translators(package, standard))
    active = active_model_dir(package)
    known = set(demo)
    sentences = [s for s in corpora.sentence_pool(11) if s not in known][:count]
    plain = Translator(package, standard.translate).translate(sentences)
    fast_config = load_config(profile="fast")
    fast = Translator(package, fast_config.translate, shortlist=active[0] if active else None).translate(
        sentences
    )
    return {
        "sentences": len(sentences),
        "shortlist": record.reason,
        "always_allowed": record.always_allowed,
        "identical": sum(a == b for a, b in zip(fast, plain, strict=True)) / len(sentences),
        "chrf_fast_against_standard": sacrebleu.corpus_chrf(fast, [plain]).score,
    }


def show(r: dict) -> None:
    if "seconds" not in r:
        print(json.dumps(r, indent=2))
        return
    s, b = r["seconds"], r["build"]
    print(f"{r['machine']['cpu']}, {r['machine']['cores']} cores, load {r['machine']['loadavg_before']}")
    print(
        f"shortlist: {b['reason']}; {b['always_allowed']} always + {b['per_source_token']} per token, "
        f"learned from {b['learned_from']}; build {b['build_seconds']:.1f} s, "
        f"verify {b['verify_seconds']:.1f} s"
    )
    for name, seconds in s.items():
        same = r["identical_to_standard"].get(name)
        print(f"  {name:20} {seconds:7.2f} s" + (f"   identical {same:.1%}" if same is not None else ""))
    for key in (
        "shortlist_speedup",
        "shortlist_vs_raw_ct2",
        "standard_vs_raw_ct2",
        "fast_vs_standard",
        "fast_vs_beam1_no_shortlist",
        "fast_vs_argos_own_threads",
        "fast_vs_argos_same_threads",
        "standard_vs_argos_own_threads",
        "standard_vs_argos_same_threads",
    ):
        if r.get(key) is not None:
            print(f"  {key:32} {r[key]:.2f}×")
    print(f"fixture, fast vs standard: {r['fixture']}")


if __name__ == "__main__":
    main()
