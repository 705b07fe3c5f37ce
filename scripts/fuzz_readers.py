"""Fuzz the readers: mutated real-shaped files must each end as "ok" or one clear per-file error.

Seeds are the demo corpus (Markdown, a saved web page, a PDF report), tests/data/inputs and .docx files
made from the demo articles. Each case mutates one seed (bytes flipped, truncated, a slice repeated,
random bytes inserted; inside a .docx its body XML; for HTML deep nesting and repeated tags) with a
fixed seed, and reads it through the reader core (`pipeline.reader.read_document`) against a
per-document deadline. Outcomes: ok, an InputError (the file named, the problem stated) or the
deadline's OverBudget. Anything else (a traceback) is a finding, printed with its case and seed.

With `--run N` the first N cases also go through a whole `pipeline run` (the installed de→en package)
into an output folder; every result must be ok or failed with a message that is not an internal
error, and nothing may be written outside the output folder.

    python scripts/fuzz_readers.py --seed 20 --cases 40 --run 8      # CI size (tests/test_hostile.py)
    make fuzz                                                         # longer: 2,000 cases
Prints one JSON summary line; exit 1 on a finding.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.budget import Budget, OverBudget, StopFlag  # noqa: E402
from pipeline.reader import InputError, read_document  # noqa: E402

MAX_BYTES = 2_000_000  # per mutated file: keeps a CI run small; the limits scale with it


def seeds() -> list[tuple[str, bytes]]:
    """(suffix, bytes) of every real-shaped seed file."""
    found = []
    for folder in (
        ROOT / "corpora" / "demo" / "de",
        ROOT / "corpora" / "demo" / "formats",
        ROOT / "tests" / "data" / "inputs",
    ):
        for path in sorted(folder.iterdir()):
            if path.suffix in (".md", ".txt", ".html", ".pdf", ".docx"):
                found.append((path.suffix, path.read_bytes()))
    import docx

    for path in sorted((ROOT / "corpora" / "demo" / "de").glob("*.md")):
        document = docx.Document()
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            if block.startswith("#"):
                document.add_heading(block.strip("# \n"), level=1)
            elif block.strip():
                document.add_paragraph(block.strip())
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Stadtrat"
        table.cell(1, 1).text = "Haushalt"
        buffer = io.BytesIO()
        document.save(buffer)
        found.append((".docx", buffer.getvalue()))
    return found


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    kind = rng.choice(("flip", "truncate", "repeat", "insert", "delete"))
    if not data:
        return bytes(rng.randbytes(rng.randint(1, 64)))
    at = rng.randrange(len(data))
    if kind == "flip":
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == "truncate":
        del data[at:]
    elif kind == "repeat":
        piece = data[at : at + rng.randint(1, 400)]
        times = min(rng.choice((2, 10, 1000, 100_000)), MAX_BYTES // max(1, len(piece)) // 2)
        data[at:at] = piece * times
    elif kind == "insert":
        data[at:at] = rng.randbytes(rng.randint(1, 200))
    else:
        del data[at : at + rng.randint(1, 2000)]
    return bytes(data)


def mutate_html(data: bytes, rng: random.Random) -> bytes:
    kind = rng.choice(("nest", "tags", "bytes"))
    if kind == "nest":
        depth = rng.choice((50, 300, 5000, 50_000))
        tag = rng.choice((b"div", b"span", b"blockquote", b"li", b"table", b"x-y"))
        at = data.find(b"<body")
        at = data.find(b">", at) + 1 if at >= 0 else 0
        return data[:at] + b"<%s>" % tag * depth + data[at:] + b"</%s>" % tag * depth
    if kind == "tags":
        tag = rng.choice((b"<p>", b"<br>", b"<div>", b"<td>", b"<li>", b"<!--", b"<![CDATA[", b"&#"))
        return data + tag * rng.choice((10, 1000, 100_000))
    return mutate_bytes(data, rng)


def mutate_docx(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.3:
        return mutate_bytes(data, rng)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                if rng.random() < 0.5:
                    start = content.find(b"<w:p>")
                    start = content.find(b"<w:p ") if start < 0 else start
                    end = content.find(b"</w:p>", start) + len(b"</w:p>")
                    if start >= 0 and end > start:
                        times = rng.choice((10, 1000, 50_000))
                        content = content[:end] + content[start:end] * times + content[end:]
                else:
                    content = mutate_bytes(content, rng)
            elif rng.random() < 0.1:
                content = mutate_bytes(content, rng)
            target.writestr(info.filename, content)
    return out.getvalue()


def mutate(suffix: str, data: bytes, rng: random.Random) -> bytes:
    if suffix == ".html":
        return mutate_html(data, rng)
    if suffix == ".docx":
        return mutate_docx(data, rng)
    return mutate_bytes(data, rng)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=20.0, help="each file's deadline")
    parser.add_argument("--run", type=int, default=0, help="cases that also go through `pipeline run`")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = seeds()
    outcomes = {"ok": 0, "error": 0, "over budget": 0}
    findings = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        for case in range(args.cases):
            suffix, data = corpus[rng.randrange(len(corpus))]
            path = inputs / f"case{case:05d}{suffix}"
            path.write_bytes(mutate(suffix, data, rng)[:MAX_BYTES])
            budget = Budget(StopFlag()).for_document(args.seconds)
            try:
                read_document(path, max_bytes=MAX_BYTES, budget=budget)
                outcomes["ok"] += 1
            except InputError as exc:
                outcomes["error"] += 1
                if str(path) not in str(exc) or "\n" in str(exc):
                    findings.append({"case": case, "problem": f"unclear message: {exc}"})
            except OverBudget:
                outcomes["over budget"] += 1
            except Exception:  # noqa: BLE001 — the finding this script looks for
                findings.append({"case": case, "suffix": suffix, "traceback": traceback.format_exc()[-1500:]})
            if case >= args.run:
                path.unlink()
        if args.run:
            findings += run_pipeline(Path(tmp), inputs, args.seconds)
    summary = {
        "seed": args.seed,
        "cases": args.cases,
        "outcomes": outcomes,
        "run": args.run,
        "findings": findings,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary))
    return 1 if findings else 0


def run_pipeline(tmp: Path, inputs: Path, seconds: float) -> list[dict]:
    """The kept cases through a whole run: clear outcomes, and no file written outside `out`."""
    from dataclasses import replace

    from pipeline.config import load_config
    from pipeline.run import run

    config = load_config()
    config = replace(
        config,
        input=replace(config.input, max_bytes=MAX_BYTES),
        limits=replace(config.limits, document_seconds=seconds),
        translate=replace(config.translate, cache=False),
    )
    before = {p for p in tmp.rglob("*")}
    report = run([inputs], tmp / "out", config)
    findings = [
        {"source": str(r.source), "problem": f"{r.status}: {r.error}"}
        for r in report.results
        if r.status not in ("ok", "failed") or "internal error" in (r.error or "")
    ]
    outside = [str(p) for p in tmp.rglob("*") if p not in before and tmp / "out" not in (p, *p.parents)]
    findings += [{"problem": f"written outside the output folder: {p}"} for p in outside]
    return findings


if __name__ == "__main__":
    sys.exit(main())
