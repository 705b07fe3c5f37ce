"""BLEU and chrF of a translation against a reference translation (``pipeline eval HYP REF``), by sacrebleu.

HYP and REF are two files or two directories. Documents (.txt, .md, …) are read like any input and
compared paragraph by paragraph, each paragraph one segment. A hypothesis can also be a briefing JSON from
``pipeline run``: its paragraphs' translations, or their source text where a paragraph was not translated.
A directory that holds JSON files is read as the output of ``pipeline run``: its briefings are the
hypotheses, its Markdown and HTML renderings are not. Directories are paired by relative path without the
suffix, nested folders flattened to ``sub--name`` as ``pipeline run`` names its briefings.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sacrebleu.metrics import BLEU, CHRF

from pipeline.inputs import safe_name
from pipeline.reader import SUPPORTED_SUFFIXES, InputError, read_document

BRIEFING_SCHEMA = "briefing/1"


class EvalError(ValueError):
    """Inputs that cannot be compared; the message names the file."""


@dataclass(frozen=True)
class DocumentScore:
    name: str
    hyp: Path
    ref: Path
    segments: int
    bleu: float
    chrf: float


@dataclass(frozen=True)
class EvalReport:
    documents: list[DocumentScore]
    # Corpus level: computed from the statistics of all segments, not averaged over documents.
    segments: int
    bleu: float
    chrf: float
    signatures: dict[str, str]  # sacrebleu's, to report with the scores


def evaluate(hyp: Path, ref: Path) -> EvalReport:
    """Scores of each hypothesis document against its reference, and of all of them together."""
    bleu, chrf = BLEU(), CHRF()
    documents, all_hyp, all_ref = [], [], []
    for name, hyp_path, ref_path in _pairs(hyp, ref):
        hyp_segments, ref_segments = _hypothesis(hyp_path), _paragraphs(ref_path)
        if len(hyp_segments) != len(ref_segments):
            raise EvalError(
                f"{hyp_path} has {len(hyp_segments)} paragraphs but its reference {ref_path} has "
                f"{len(ref_segments)}: they cannot be compared paragraph by paragraph"
            )
        documents.append(
            DocumentScore(
                name,
                hyp_path,
                ref_path,
                len(hyp_segments),
                bleu.corpus_score(hyp_segments, [ref_segments]).score,
                chrf.corpus_score(hyp_segments, [ref_segments]).score,
            )
        )
        all_hyp += hyp_segments
        all_ref += ref_segments
    return EvalReport(
        documents,
        len(all_hyp),
        bleu.corpus_score(all_hyp, [all_ref]).score,
        chrf.corpus_score(all_hyp, [all_ref]).score,
        {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())},
    )


def report_json(report: EvalReport) -> dict[str, Any]:
    def scores(segments: int, bleu: float, chrf: float) -> dict[str, Any]:
        return {"segments": segments, "bleu": round(bleu, 2), "chrf": round(chrf, 2)}

    return {
        "documents": [
            {"name": d.name, "hyp": str(d.hyp), "ref": str(d.ref), **scores(d.segments, d.bleu, d.chrf)}
            for d in report.documents
        ],
        "corpus": scores(report.segments, report.bleu, report.chrf),
        "signatures": report.signatures,
    }


def format_table(report: EvalReport) -> str:
    rows = [(d.name, d.segments, d.bleu, d.chrf) for d in report.documents]
    rows.append(("corpus", report.segments, report.bleu, report.chrf))
    width = max(len("document"), *(len(name) for name, *_ in rows))
    lines = [f"{'document':<{width}}  segments    BLEU    chrF"]
    lines += [f"{name:<{width}}  {n:>8}  {b:>6.2f}  {c:>6.2f}" for name, n, b, c in rows]
    lines.insert(-1, "-" * len(lines[0]))
    return "\n".join(lines)


def _pairs(hyp: Path, ref: Path) -> list[tuple[str, Path, Path]]:
    """(name, hypothesis, reference) for two files, or for the documents of two directories."""
    for path in (hyp, ref):
        if not path.exists():
            raise EvalError(f"{path}: no such file or directory")
    if hyp.is_file() and ref.is_file():
        return [(ref.stem, hyp, ref)]
    if not (hyp.is_dir() and ref.is_dir()):
        raise EvalError(f"{hyp} and {ref}: give two files or two directories")
    hyps = _documents(hyp, (".json",) if any(_files(hyp, (".json",))) else SUPPORTED_SUFFIXES)
    refs = _documents(ref, SUPPORTED_SUFFIXES)
    for name in sorted(hyps.keys() ^ refs.keys()):
        if name in refs:
            raise EvalError(f"{hyp}: no hypothesis for the reference {refs[name]}")
        raise EvalError(f"{ref}: no reference for the hypothesis {hyps[name]}")
    if not refs:
        raise EvalError(f"{hyp}, {ref}: no documents to compare")
    return [(name, hyps[name], refs[name]) for name in sorted(refs)]


def _documents(directory: Path, suffixes: tuple[str, ...]) -> dict[str, Path]:
    """The directory's files with these suffixes, by name: relative path without suffix, `sub--name`."""
    documents: dict[str, Path] = {}
    for path in _files(directory, suffixes):
        name = safe_name("--".join(path.relative_to(directory).with_suffix("").parts))
        if name in documents:
            raise EvalError(f"{documents[name]} and {path}: two documents named {name}")
        documents[name] = path
    return documents


def _files(directory: Path, suffixes: tuple[str, ...]):
    """Files under `directory` with one of the suffixes, in a stable order; hidden ones left out."""
    for folder, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and Path(name).suffix.lower() in suffixes:
                yield Path(folder) / name


def _hypothesis(path: Path) -> list[str]:
    return _briefing_paragraphs(path) if path.suffix.lower() == ".json" else _paragraphs(path)


def _paragraphs(path: Path) -> list[str]:
    try:
        return [p.text for p in read_document(path).paragraphs]
    except InputError as exc:
        raise EvalError(str(exc)) from None


def _briefing_paragraphs(path: Path) -> list[str]:
    """Each paragraph's translation, or its source text where it was not translated."""
    try:
        briefing = json.loads(path.read_text(encoding="utf-8"))
        if briefing.get("schema") != BRIEFING_SCHEMA:
            raise ValueError(f"not a {BRIEFING_SCHEMA} briefing")
        return [(p["target"] or p["source"])["text"] for p in briefing["paragraphs"]]
    except (OSError, ValueError, AttributeError, KeyError, TypeError) as exc:
        raise EvalError(f"{path}: cannot read the briefing: {exc}") from None
