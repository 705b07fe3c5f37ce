"""The two review checks that need the model: confidence calibration and the glossary's effect.

``python bench/review_model.py [--package DIR] [--glossary FILE] [--json]``, with the test fixture
package by default (or an installed package directory: a real package needs its own calibration).

- **Confidence**: the log-probability per token (pipeline.translate) of the demo-corpus sentences, which
  the fixture knows, against 500 seeded off-corpus sentences of ``../shared/bench/de-sentences.txt``
  (read in place), which it turns into garbage; for several thresholds, how many of each are under it.
  With a real package, compare sentences it translates well with ones it breaks instead.
- **Glossary** (configs/glossary-example.tsv by default) over the demo corpus: sentences with a term,
  how many had their terms come through (enforced) or fell back to their plain translation, how much
  less sure the model was of the masked translations, and the glossary flags of the result. The fixture
  was taught the example glossary's terms (corpora/demo/terms.tsv); a glossary of other terms shows
  what happens to terms a model does not copy well.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "translate-de_en-demo.argosmodel"
OFF_CORPUS = ROOT.parent / "shared" / "bench" / "de-sentences.txt"
THRESHOLDS = (-0.1, -0.3, -0.5, -1.0, -1.5)
SEED, OFF_SAMPLE = 13, 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, help="an unpacked package directory (default: the fixture)")
    parser.add_argument("--glossary", type=Path, default=ROOT / "configs" / "glossary-example.tsv")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp())  # argostranslate makes dirs on import
    from argostranslate.package import Package

    from pipeline.config import load_config
    from pipeline.glossary import Glossary
    from pipeline.review.glossary import glossary_flags
    from pipeline.translate import Translator

    package = Package(args.package or unpacked_fixture())
    settings = load_config().translate
    demo = [
        line.split("\t")[0] for line in (ROOT / "corpora/demo/parallel.tsv").read_text("utf-8").splitlines()
    ]
    demo = [s for s in demo if s.strip()]
    report: dict = {"package": str(package.package_path)}
    if OFF_CORPUS.is_file():
        off = [s for s in OFF_CORPUS.read_text("utf-8").splitlines() if s.strip() and s not in set(demo)]
        off = random.Random(SEED).sample(off, min(OFF_SAMPLE, len(off)))
        plain = Translator(package, settings)
        on_scores = [t.log_prob for t in plain.translate_scored(demo)]
        off_scores = [t.log_prob for t in plain.translate_scored(off)]
        report["confidence"] = {
            "demo": summary(on_scores),
            "off_corpus": summary(off_scores),
            "under": {
                str(t): {"demo": sum(s < t for s in on_scores), "off_corpus": sum(s < t for s in off_scores)}
                for t in THRESHOLDS
            },
        }
    terms = Glossary.load(args.glossary)
    translator = Translator(package, settings, glossary=terms)
    english = translator.translate(demo)
    flags = [f for de, en in zip(demo, english, strict=True) for f in glossary_flags(de, en, terms)]
    report["glossary"] = {
        "terms": len(terms.terms),
        "sentences_with_terms": sum(bool(terms.find(s)) for s in demo),
        "occurrences": sum(len(terms.find(s)) for s in demo),
        "enforced": translator.glossary_enforced,
        "fallbacks": translator.glossary_fallbacks,
        # how much less sure the model is of a masked translation than of the plain one (per token):
        # what pipeline.translate.GLOSSARY_MAX_CONFIDENCE_DROP is calibrated on
        "confidence_drop": summary(translator.glossary_confidence_drops),
        "flags": [f"{f.source}: {f.detail}" for f in flags],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2 if not args.json else None))


def summary(scores: list[float]) -> dict:
    return {
        "n": len(scores),
        "min": round(min(scores), 4),
        "median": round(statistics.median(scores), 4),
        "max": round(max(scores), 4),
    }


def unpacked_fixture() -> Path:
    directory = Path(tempfile.mkdtemp())
    with zipfile.ZipFile(FIXTURE) as archive:
        archive.extractall(directory)
    return next(p for p in directory.iterdir() if p.is_dir())


if __name__ == "__main__":
    sys.exit(main())
