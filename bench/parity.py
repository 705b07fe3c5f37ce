"""`make bench-parity`: the pipeline's English against argostranslate's own, sentence by sentence.

For N sentences of `../shared/bench/de-sentences.txt` that the fixture package never saw (seeded sample,
none from the demo corpus), the pipeline's Translator (its batching, defaults from configs/default.toml)
and argostranslate 1.11's `apply_packaged_translation` on each sentence alone (bench/argos_parity.py, in
`.venv-bench`) translate with the same package: the test fixture (SentencePiece), its BPE twin, and
the benchmark package. On the demo corpus any decoding gives the fixture's reference; off it the output
depends on every decoding option, which is what this compares.

One known difference is not counted as a mismatch but listed: argostranslate's SentencePiece decoder turns
every "_" of a translation into a space; the pipeline keeps it.

Run with the project venv from the repository root: `.venv/bin/python bench/parity.py [--sentences N]`.
Prints the figures and merges them into bench/results.json under "parity". Exit 1 if any sentence differs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import corpus as corpora
from run_bench import BENCH_PYTHON, RESULTS, ROOT, bench_package, bench_session, log

FIXTURES = ROOT / "tests" / "fixtures"
PACKAGES = {
    "fixture": FIXTURES / "translate-de_en-demo.argosmodel",
    "fixture-bpe": FIXTURES / "translate-de_en-demo-bpe.argosmodel",
    "bench": None,  # built by ../shared/bench/make_bench_package.py
}
SEED = 12


def unseen_sentences(count: int) -> list[str]:
    """A seeded sample of de-sentences.txt without any German sentence of the demo corpus."""
    seen = {
        line.split("\t")[0]
        for line in (ROOT / "corpora" / "demo" / "parallel.tsv").read_text(encoding="utf-8").splitlines()
    }
    lines = corpora.SENTENCES.read_text(encoding="utf-8").splitlines()
    pool = sorted({line.strip() for line in lines if line.strip()} - seen)
    return random.Random(SEED).sample(pool, count)


def compare(name: str, archive: Path, sentences: list[str], tmp: Path) -> dict:
    from pipeline.config import load_config
    from pipeline.models import install_file
    from pipeline.translate import Translator

    config = load_config(None, {"translate.cache": False})
    package = install_file(archive)
    log(f"{name}: pipeline, {len(sentences)} sentences")
    ours = Translator(package, config.translate).translate(sentences)
    log(f"{name}: argostranslate apply_packaged_translation, one sentence at a time")
    job = tmp / f"{name}-sentences.json"
    job.write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(
        [BENCH_PYTHON, ROOT / "bench" / "argos_parity.py", package.package_path, job],
        env={**os.environ, "ARGOS_COMPUTE_TYPE": config.translate.compute_type},
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        sys.exit(f"argostranslate reference failed:\n{proc.stderr[-3000:]}")
    theirs = json.loads(proc.stdout)
    identical, underscore, differ = 0, [], []
    for de, mine, argos in zip(sentences, ours, theirs, strict=True):
        if mine == argos:
            identical += 1
        elif "_" in mine and mine.replace("_", " ") == argos:
            underscore.append({"source": de, "pipeline": mine, "argostranslate": argos})
        else:
            differ.append({"source": de, "pipeline": mine, "argostranslate": argos})
    return {
        "sentences": len(sentences),
        "identical": identical,
        "identical_share": round(identical / len(sentences), 4),
        "argos_underscore_damage": underscore,
        "different": differ,
        "settings": {
            k: getattr(config.translate, k)
            for k in (
                "beam_size",
                "num_hypotheses",
                "length_penalty",
                "replace_unknowns",
                "use_target_prefix",
            )
        }
        | {"compute_type": config.translate.compute_type},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=150, help="sentences per package (default 150)")
    args = parser.parse_args()
    if not BENCH_PYTHON.exists():
        sys.exit(f"error: {BENCH_PYTHON.relative_to(ROOT)} missing (make bench-parity creates it)")
    with bench_session() as tmp:
        sentences = unseen_sentences(args.sentences)
        results = {}
        for name, archive in PACKAGES.items():
            with tempfile.TemporaryDirectory(dir=tmp) as work:
                results[name] = compare(name, archive or bench_package(), sentences, Path(work))
    merged = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    merged["parity"] = results
    RESULTS.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, r in results.items():
        print(
            f"{name:12} {r['identical']}/{r['sentences']} identical ({r['identical_share']:.1%}), "
            f"{len(r['argos_underscore_damage'])} where argostranslate turned '_' into ' ', "
            f"{len(r['different'])} different"
        )
        for case in r["different"][:5]:
            print(f"    {case['source']}\n      pipeline: {case['pipeline']}")
            print(f"      argos:    {case['argostranslate']}")
    print(f"written: {RESULTS.relative_to(ROOT)} (parity)")
    if any(r["different"] for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
