"""argostranslate 1.11's own `translate(text, "de", "en")`, called per paragraph: the baseline.

Runs in `.venv-bench` (argostranslate with its real dependencies: stanza, torch, spaCy, minisbd), started
by run_bench.py with ARGOS_PACKAGES_DIR, XDG_* and the ARGOS_* thread/beam settings in the environment.

usage: argos_baseline.py PARAGRAPHS_JSON REPEATS   → prints one JSON object on stdout

Sentence splitter: argostranslate 1.11's default (chunk type ARGOSTRANSLATE) is the package's own
stanza/minisbd model, or else MiniSBD, which downloads an ONNX model at first use; stanza downloads its
model too. Offline, only spaCy works: ARGOS_CHUNK_TYPE=SPACY loads a spaCy pipeline from argostranslate's
cache directory (normally a download of xx_sent_ud_sm) and adds spaCy's rule-based `sentencizer`. We put
a blank German spaCy pipeline there (its `senter` disabled), so splitting is spaCy's German tokenizer plus
the rule-based sentencizer: offline, and cheaper than the neural splitters argostranslate would use.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def prepare_spacy_cache() -> None:
    """A spaCy pipeline where argostranslate's `cache_spacy()` looks, so it never tries to download."""
    import spacy

    target = Path(os.environ["XDG_CACHE_HOME"]) / "argos-translate" / "spacy"
    if (target / "senter" / "model").exists():  # the file cache_spacy() checks for
        return
    nlp = spacy.blank("de")
    nlp.add_pipe("senter")
    nlp.initialize()
    nlp.disable_pipe("senter")  # untrained: saved as disabled, so spacy.load() leaves it off
    nlp.to_disk(target)


def main() -> None:
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    repeats = int(sys.argv[2])
    os.environ["ARGOS_CHUNK_TYPE"] = "SPACY"
    prepare_spacy_cache()
    import argostranslate
    from argostranslate import settings
    from argostranslate.translate import get_translation_from_codes, translate

    paragraphs = data["paragraphs"]
    translate(data["warmup"], "de", "en")  # loads the model and the splitter, outside the timing
    # translate() keeps only the previous call's paragraphs in its cache; consecutive paragraphs differ,
    # so every timed call really translates.
    times, cpu_times = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        for paragraph in paragraphs:
            translate(paragraph, "de", "en")
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - start_cpu)
    sentencizer = get_translation_from_codes("de", "en").underlying.sentencizer
    sentences = sum(len(sentencizer.split_sentences(p)) for p in paragraphs)
    json.dump(
        {
            "times": times,
            "cpu_times": cpu_times,
            "paragraphs": len(paragraphs),
            "sentences": sentences,
            "version": getattr(argostranslate, "__version__", None) or _version("argostranslate"),
            "torch": _version("torch"),
            "chunk_type": settings.chunk_type.name,
            "sentencizer": "spaCy blank('de') tokenizer + rule-based sentencizer (offline)",
            "settings": {
                "inter_threads": settings.inter_threads,
                "intra_threads": settings.intra_threads,
                "beam_size": settings.beam_size,
                "batch_size": settings.batch_size,
                "compute_type": settings.compute_type,
                "packages_dir": str(settings.package_data_dir),
            },
        },
        sys.stdout,
    )


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


if __name__ == "__main__":
    main()
