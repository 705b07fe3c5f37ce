"""OCR accuracy and speed on the real PDFs (issue 21): pages with a text layer rendered to images as a
scanner would give them, read back through the pipeline's image reader, compared with the text layer.

For the first --pages pages with text (MIN_REFERENCE_CHARS or more) of every PDF in ../shared/real/pdf
(both halves of bench/real_split.toml): the page's paragraphs as the PDF reader reads them (the
reference), and the page rendered in grey, JPEG-compressed (quality 75), at 300 dpi, at 150 dpi, at
300 dpi turned 90° and at 300 dpi skewed 2°, each read by `read_document` (OCR). Printed per PDF and
variant: character and word error rate (edit distance over the reference's length, whitespace
collapsed, table cell bars dropped; reading order counts), paragraphs matched (reference paragraphs
of 20+ characters with an OCR paragraph within 10 % CER), seconds per page, and how many of the words
flagged for review (under LOW_CONFIDENCE) differ from the text layer; and the pipeline's time against
a bare `tesseract IMAGE OUT -l deu+eng tsv` on the same 300 dpi image, side by side, both with
OMP_THREAD_LIMIT=1.

    python bench/ocr.py [--pages 1] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from real_split import HALVES, REAL, members  # noqa: E402

from pipeline.reader import read_document  # noqa: E402
from pipeline.readers.ocr import environment  # noqa: E402
from pipeline.readers.ocr_layout import LOW_CONFIDENCE  # noqa: E402
from pipeline.readers.pdf.hyphenation import german_words  # noqa: E402

# A page is a reference when the PDF reader finds at least this many characters on it: a title page of a
# few words says little about an error rate.
MIN_REFERENCE_CHARS = 800
VARIANTS = ("300 dpi", "150 dpi", "rotated 90°", "skewed 2°")
_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "–": "-", "—": "-"})


def levenshtein(a, b) -> int:
    """Edit distance of two sequences of ints (numpy, a row at a time; the insertions within a row by a
    running minimum)."""
    a, b = np.asarray(a), np.asarray(b)
    if not len(a) or not len(b):
        return max(len(a), len(b))
    steps = np.arange(len(b) + 1)
    row = steps.copy()
    for x in a:
        best = np.empty_like(row)
        best[0] = row[0] + 1
        best[1:] = np.minimum(row[1:] + 1, row[:-1] + (b != x))
        row = np.minimum.accumulate(best - steps) + steps
    return int(row[-1])


def normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).replace("|", " ")
    return " ".join(text.split())


def error_rates(reference: str, hypothesis: str) -> tuple[float, float, int]:
    ref, hyp = normal(reference), normal(hypothesis)
    cer = levenshtein([ord(c) for c in ref], [ord(c) for c in hyp]) / max(1, len(ref))
    vocab: dict[str, int] = {}
    ref_words = [vocab.setdefault(w, len(vocab)) for w in ref.split()]
    hyp_words = [vocab.setdefault(w, len(vocab)) for w in hyp.split()]
    wer = levenshtein(ref_words, hyp_words) / max(1, len(ref_words))
    return cer, wer, len(ref)


def matched(reference: list[str], hypothesis: list[str]) -> tuple[int, int]:
    wanted = [normal(p) for p in reference if len(normal(p)) >= 20]
    found = [normal(p) for p in hypothesis]
    hits = 0
    for paragraph in wanted:
        codes = [ord(c) for c in paragraph]
        close = (h for h in found if abs(len(h) - len(paragraph)) <= 0.1 * len(paragraph))
        if any(levenshtein(codes, [ord(c) for c in h]) <= 0.1 * len(paragraph) for h in close):
            hits += 1
    return hits, len(wanted)


def page_pdf(document, index: int) -> bytes:
    single = pypdfium2.PdfDocument.new()
    single.import_pages(document, [index])
    buffer = io.BytesIO()
    single.save(buffer)
    single.close()
    return buffer.getvalue()


def variants(page) -> dict[str, Image.Image]:
    high = page.render(scale=300 / 72, grayscale=True).to_pil().convert("L")
    low = page.render(scale=150 / 72, grayscale=True).to_pil().convert("L")
    return {
        "300 dpi": high,
        "150 dpi": low,
        "rotated 90°": high.rotate(90, expand=True),
        "skewed 2°": high.rotate(2, expand=True, fillcolor=255, resample=Image.BILINEAR),
    }


def bare_tesseract(path: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["tesseract", str(path), str(out), "-l", "deu+eng", "tsv"],
        env=environment(),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def bench_pdf(path: Path, pages: int, tmp: Path) -> dict:
    document = pypdfium2.PdfDocument(str(path))
    rows = {
        v: {"cer": [], "wer": [], "chars": [], "hits": 0, "of": 0, "seconds": [], "flagged": [0, 0]}
        for v in VARIANTS
    }
    timing = {"pipeline": 0.0, "bare": 0.0}
    done = 0
    for index in range(len(document)):
        if done == pages:
            break
        single = tmp / f"{path.stem}-{index + 1}.pdf"
        single.write_bytes(page_pdf(document, index))
        try:
            reference = read_document(single, ocr_config=None)
        except Exception:
            continue  # no text layer on this page (or nothing the reader keeps): not a reference
        if reference.notes and any("OCR" in note for note in reference.notes):
            continue  # the page was itself a scan
        if sum(len(p.text) for p in reference.paragraphs) < MIN_REFERENCE_CHARS:
            continue
        ref_text = [p.text for p in reference.paragraphs]
        ref_words = set(normal(" ".join(ref_text)).split())
        done += 1
        for variant, image in variants(document[index]).items():
            image_path = tmp / f"{path.stem}-{index + 1}-{variant.split()[0]}.jpg"
            dpi = 150 if variant == "150 dpi" else 300
            image.save(image_path, quality=75, dpi=(dpi, dpi))
            started = time.perf_counter()
            try:
                ocr = read_document(image_path)
                paragraphs = [p.text for p in ocr.paragraphs]
            except Exception as exc:  # a page OCR finds nothing on counts as all wrong
                print(f"  {path.name} p{index + 1} {variant}: {exc}", file=sys.stderr)
                ocr, paragraphs = None, []
            seconds = time.perf_counter() - started
            row = rows[variant]
            cer, wer, chars = error_rates("\n".join(ref_text), "\n".join(paragraphs))
            row["cer"].append(cer * chars)
            row["wer"].append(wer)
            row["chars"].append(chars)
            hits, of = matched(ref_text, paragraphs)
            row["hits"] += hits
            row["of"] += of
            row["seconds"].append(seconds)
            for p in ocr.paragraphs if ocr else ():
                for word in p.uncertain:
                    row["flagged"][0] += 1
                    row["flagged"][1] += normal(word) not in ref_words
            if variant == "300 dpi":
                timing["pipeline"] += seconds
                timing["bare"] += bare_tesseract(image_path, tmp / "bare")
    document.close()
    return {"rows": rows, "timing": timing, "pages": done}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2, help="pages with text per PDF (default 2)")
    parser.add_argument("--only", nargs="*", help="PDF file names to bench (default: all)")
    args = parser.parse_args()
    if not (REAL / "pdf").is_dir():
        sys.exit(f"{REAL / 'pdf'} is not here: nothing to measure")
    german_words()  # the hyphenation word list, loaded once per process: not part of a page's time
    cpu = platform.processor() or platform.machine()
    print(
        f"# OCR bench: first {args.pages} text pages per PDF; CPU {cpu}, {os.cpu_count()} cores; "
        f"low-confidence words are those under {LOW_CONFIDENCE:g}"
    )
    print("| half | PDF | variant | CER | WER | paragraphs matched | s/page | flagged words wrong |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for half in HALVES:
            totals = {
                v: {"cer": 0.0, "chars": 0, "hits": 0, "of": 0, "seconds": [], "flag": [0, 0]}
                for v in VARIANTS
            }
            timing = {"pipeline": 0.0, "bare": 0.0}
            worst = dict.fromkeys(VARIANTS, 0.0)
            for name in members("pdf", half):
                if args.only and name not in args.only:
                    continue
                result = bench_pdf(REAL / "pdf" / name, args.pages, Path(tmp))
                for key in timing:
                    timing[key] += result["timing"][key]
                for variant, row in result["rows"].items():
                    chars = sum(row["chars"])
                    if not chars:
                        continue
                    cer = sum(row["cer"]) / chars
                    worst[variant] = max(worst[variant], cer)
                    total = totals[variant]
                    total["cer"] += sum(row["cer"])
                    total["chars"] += chars
                    total["hits"] += row["hits"]
                    total["of"] += row["of"]
                    total["seconds"] += row["seconds"]
                    total["flag"][0] += row["flagged"][0]
                    total["flag"][1] += row["flagged"][1]
                    wer = statistics.fmean(row["wer"])
                    flagged = f"{row['flagged'][1]}/{row['flagged'][0]}"
                    print(
                        f"| {half} | {name} | {variant} | {cer:.1%} | {wer:.1%} | {row['hits']}/{row['of']} "
                        f"| {statistics.fmean(row['seconds']):.1f} | {flagged} |",
                        flush=True,
                    )
            for variant, total in totals.items():
                if total["chars"]:
                    print(
                        f"| **{half}** | all (worst PDF {worst[variant]:.1%}) | {variant} | "
                        f"{total['cer'] / total['chars']:.1%} | | {total['hits']}/{total['of']} | "
                        f"{statistics.fmean(total['seconds']):.1f} | {total['flag'][1]}/{total['flag'][0]} |"
                    )
            if timing["bare"]:
                print(
                    f"| **{half}** | pipeline vs bare tesseract, 300 dpi | {timing['pipeline']:.1f} s / "
                    f"{timing['bare']:.1f} s = {timing['pipeline'] / timing['bare']:.2f}× | | | | | |"
                )


if __name__ == "__main__":
    main()
