"""Sentence splitting and short-text language ID on the real gold in ../shared/real, per half.

usage: .venv/bin/python bench/linguistic.py [--json PATH]      (make bench-linguistic)

Sentences (``sentences/``: UD German GSD and PUD, UD English EWT): each gold paragraph is fed to
``split_sentences`` as the pipeline sees a paragraph, its lines joined by one space (the readers collapse
every line break inside a paragraph), so a headline or sign-off without final punctuation inside a gold
paragraph can only be found by the splitter itself. Score: boundary F1 over every
sentence end, located by its count of non-space characters so that splitters that keep the text compare
exactly (the issue's measure: the paragraph's own end counts, as in most sentence-splitting benchmarks), and
in brackets the F1 over the ends inside a paragraph only, which no splitter gets for free.

Language ID (``langid/langid_real.tsv``: sentences and word pairs in 9 languages): each line is a
document of its own, read as a .txt line and detected by ``detect_document`` with the default
``language.candidates``; a line is right when its paragraph gets the gold language.

Anchors, beside the project's figures: pysbd and SoMaJo (sentences), lingua (language ID, built with the
same candidate languages). They are not run-time dependencies (SoMaJo is GPL, lingua's wheel is ~100 MB);
they run in ``.venv-bench`` (``make bench-linguistic`` installs them there), through this same file
started with ``--anchors``. An anchor that is not installed is left out. The split into halves is
bench/real_split.toml (sentences: paragraphs alternate; langid: lines alternate within language and kind).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_split import HALVES, REAL, halves  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
SENTENCE_SETS = {
    "GSD": ("de_ud_gold.txt", "de"),
    "PUD": ("de_pud_gold.txt", "de"),
    "EWT": ("en_ud_gold.txt", "en"),
}
LANGID_FILE = REAL / "langid" / "langid_real.sources.tsv"
LANGID_KINDS = ("sentences", "word-pairs")


# --- the gold ------------------------------------------------------------------------------------------


def sentence_gold(name: str) -> dict[str, list[list[str]]]:
    """A sentence set's paragraphs (each a list of gold sentences), by half."""
    file, _ = SENTENCE_SETS[name]
    text = (REAL / "sentences" / file).read_text(encoding="utf-8")
    paragraphs = [block.splitlines() for block in text.strip().split("\n\n")]
    return halves("sentences", [[line.strip() for line in p if line.strip()] for p in paragraphs])


def langid_gold() -> dict[str, dict[str, list[tuple[str, str]]]]:
    """(lang, text) lines of the language-ID set by kind, then half (alternating within language and kind)."""
    rows = [line.split("\t") for line in LANGID_FILE.read_text(encoding="utf-8").splitlines()[1:]]
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for lang, kind, _file, _line, text in rows:
        groups.setdefault((lang, kind), []).append((lang, text))
    out = {kind: {half: [] for half in HALVES} for kind in LANGID_KINDS}
    for (_lang, kind), lines in groups.items():
        for half, members in halves("langid", lines).items():
            out[kind][half].extend(members)
    return out


def default_candidates() -> list[str]:
    import tomllib

    with open(ROOT / "configs" / "default.toml", "rb") as f:
        return tomllib.load(f)["language"]["candidates"]


# --- scores --------------------------------------------------------------------------------------------


def _ends(sentences: Sequence[str]) -> set[int]:
    """Sentence ends, as counts of non-space characters before them."""
    ends, count = set(), 0
    for sentence in sentences:
        count += sum(not c.isspace() for c in sentence)
        ends.add(count)
    return ends


def boundary_scores(paragraphs: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict:
    """Boundary precision/recall/F1 of predicted sentence lists against the gold ones: over every sentence
    end (as the issue measured), and over the ends inside a paragraph only (``inner_f1``, stricter)."""
    counts = {"all": [0, 0, 0], "inner": [0, 0, 0]}
    for gold, guess in zip(paragraphs, predicted, strict=True):
        g, p = _ends(gold), _ends(guess)
        for key, (gk, pk) in {"all": (g, p), "inner": (g - {max(g)}, p - {max(g)})}.items():
            c = counts[key]
            c[0], c[1], c[2] = c[0] + len(gk & pk), c[1] + len(pk - gk), c[2] + len(gk - pk)
    out = {}
    for key, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        prefix = "" if key == "all" else "inner_"
        out |= {f"{prefix}precision": precision, f"{prefix}recall": recall, f"{prefix}f1": f1}
    return out


def paragraph_text(sentences: Sequence[str]) -> str:
    return " ".join(sentences)


# --- the project ---------------------------------------------------------------------------------------


def pipeline_split(lang: str) -> Callable[[str], list[str]]:
    from pipeline.split import split_sentences

    return lambda text: split_sentences(text, lang)


def pipeline_langid(candidates: Sequence[str]) -> Callable[[str], str | None]:
    """The language the pipeline gives a line read as a .txt document of its own."""
    from pipeline.detect import LanguageDetector, detect_document
    from pipeline.document import Document
    from pipeline.reader import parse_paragraphs

    detector = LanguageDetector(candidates)

    def detect(text: str) -> str | None:
        doc = Document(path=Path("line.txt"), sha256="", paragraphs=parse_paragraphs(text))
        detect_document(doc, detector)
        return doc.paragraphs[0].lang

    return detect


def sentence_figures(split_for: Callable[[str], Callable[[str], list[str]]]) -> dict:
    figures = {}
    for name, (_, lang) in SENTENCE_SETS.items():
        split = split_for(lang)
        for half, paragraphs in sentence_gold(name).items():
            predicted = [split(paragraph_text(p)) for p in paragraphs]
            figures[f"{name}/{half}"] = boundary_scores(paragraphs, predicted)
    return figures


def langid_figures(detect: Callable[[str], str | None]) -> dict:
    figures = {}
    for kind, by_half in langid_gold().items():
        for half, lines in by_half.items():
            wrong = [(lang, text, got) for lang, text in lines if (got := detect(text)) != lang]
            right = len(lines) - len(wrong)
            figures[f"{kind}/{half}"] = {"right": right, "lines": len(lines), "wrong": wrong}
    return figures


# --- the anchors (run in .venv-bench) ------------------------------------------------------------------


def _pysbd_split(lang: str) -> Callable[[str], list[str]]:
    import pysbd

    segmenter = pysbd.Segmenter(language=lang, clean=False)
    return lambda text: [s.strip() for s in segmenter.segment(text) if s.strip()]


def _somajo_split(lang: str) -> Callable[[str], list[str]]:
    from somajo import SoMaJo

    tokenizer = SoMaJo("de_CMC" if lang == "de" else "en_PTB", character_offsets=True)

    def split(text: str) -> list[str]:
        sentences = tokenizer.tokenize_text([text])
        return [text[s[0].character_offset[0] : s[-1].character_offset[1]] for s in sentences]

    return split


def _lingua_detect(candidates: Sequence[str]) -> Callable[[str], str | None]:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    # lingua has Norwegian as Bokmål and Nynorsk; langdetect's "no" is written Bokmål.
    codes = [getattr(IsoCode639_1, "NB" if code == "no" else code.upper()) for code in candidates]
    detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()

    def detect(text: str) -> str | None:
        language = detector.detect_language_of(text)
        code = language.iso_code_639_1.name.lower() if language else None
        return "no" if code in ("nb", "nn") else code

    return detect


def anchors() -> dict:
    """Every installed anchor's figures (this process runs in .venv-bench)."""
    out: dict[str, dict] = {}
    for name, make in (("pysbd", _pysbd_split), ("SoMaJo", _somajo_split)):
        try:
            out[name] = sentence_figures(make)
        except ImportError:
            pass
    try:
        out["lingua"] = langid_figures(_lingua_detect(default_candidates()))
    except ImportError:
        pass
    return out


def run_anchors() -> dict:
    if not BENCH_PYTHON.exists():
        print(f"(anchors skipped: no {BENCH_PYTHON}; make bench-linguistic installs them)", file=sys.stderr)
        return {}
    proc = subprocess.run(
        [str(BENCH_PYTHON), __file__, "--anchors"],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": ""},
    )
    if proc.returncode:
        print(f"(anchors failed: {proc.stderr.strip()[-500:]})", file=sys.stderr)
        return {}
    return json.loads(proc.stdout)


# --- report --------------------------------------------------------------------------------------------


def table(ours: dict, others: dict) -> str:
    names = [name for name in ("pysbd", "SoMaJo", "lingua") if name in others]
    lines = [f"{'set/half':<26}{'project':>16}" + "".join(f"{n:>16}" for n in names)]
    for key, figure in ours.items():
        row = f"{key:<26}{_cell(figure):>16}"
        row += "".join(f"{_cell(others[n][key]) if key in others[n] else '':>16}" for n in names)
        lines.append(row)
    return "\n".join(lines)


def _cell(figure: dict) -> str:
    if "f1" in figure:
        return f"{figure['f1']:.3f} ({figure['inner_f1']:.3f})"
    return f"{figure['right']}/{figure['lines']} {figure['right'] / figure['lines']:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--anchors", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write every figure (and each miss) here")
    parser.add_argument("--misses", action="store_true", help="print the language-ID misses")
    parser.add_argument("--only", choices=("sentences", "langid"), help="one kind of set only")
    parser.add_argument("--no-anchors", action="store_true", help="the project's figures only")
    args = parser.parse_args()
    if not REAL.is_dir():
        sys.exit(f"{REAL} is absent: the real gold is not checked out beside the repository")
    if args.anchors:
        print(json.dumps(anchors()))
        return
    ours = {} if args.only == "langid" else sentence_figures(pipeline_split)
    if args.only != "sentences":
        ours |= langid_figures(pipeline_langid(default_candidates()))
    others = {} if args.no_anchors else run_anchors()
    print(table(ours, others))
    if args.misses:
        for key, figure in ours.items():
            for lang, text, got in figure.get("wrong", []):
                print(f"{key}: {text!r} {lang} → {got}")
    if args.json:
        figures = json.dumps({"project": ours} | others, indent=1, ensure_ascii=False)
        args.json.write_text(figures, encoding="utf-8")


if __name__ == "__main__":
    main()
