"""OCR of one page image: Debian's Tesseract (`tesseract-ocr`, `tesseract-ocr-deu`, Apache-2.0) run as a
command, its TSV output read into words with their boxes, confidences and Tesseract's own block /
paragraph / line numbers (pipeline.readers.ocr_layout makes paragraphs of them).

The command rather than a binding: a thin wrapper over the CLI measured the same as a bare `tesseract`
call on the same image (bench/ocr.py), needs no compiled Python package, and is killed at once when
the run must stop. The settings (`[ocr]`) reach the readers through `using()`, set by the reader core
for the document being read, so that the readers keep one signature.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.budget import UNLIMITED, Budget
from pipeline.config import OcrConfig
from pipeline.readers.base import FormatError

INSTALL = "apt-get install tesseract-ocr tesseract-ocr-deu tesseract-ocr-osd"
# As configs/default.toml's [ocr] (tests/test_ocr.py checks they agree); used by library calls outside a run.
DEFAULTS = OcrConfig(enabled="auto", languages="deu+eng", max_pages=500, page_seconds=120.0, dpi=300)
ENABLED = ("auto", "on", "off")
_settings: contextvars.ContextVar[OcrConfig] = contextvars.ContextVar("ocr", default=DEFAULTS)
# Skew: lines of at least _SKEW_MIN_WORDS words, at least _SKEW_MIN_LINES of them; a page is levelled
# when its lines slope by _MIN_SKEW_DEGREES or more (a level scan measured 0.0–0.1°; bench/ocr.py's 2°
# copies 1.9–2.1°, calibration half), and not past _MAX_SKEW_DEGREES (a slope that steep is a drawing).
_SKEW_MIN_WORDS = 4
_SKEW_MIN_LINES = 3
_MIN_SKEW_DEGREES = 0.5
_MAX_SKEW_DEGREES = 10.0
_BILINEAR = 2  # PIL.Image.Resampling.BILINEAR, without importing Pillow here
# How often a running tesseract is looked at for the stop flag, the deadline and the page's time.
_POLL_SECONDS = 0.1


class OcrUnavailable(FormatError):
    """OCR is needed but off or not installed; the message says which and how to install it."""


class PageTimeout(Exception):
    """One page took longer than ocr.page_seconds; the page is left out, the document goes on."""


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # Tesseract's, 0–100
    block: int
    paragraph: int
    line: int
    left: int
    top: int
    width: int
    height: int


@contextlib.contextmanager
def using(config: OcrConfig | None) -> Iterator[None]:
    """The OCR settings of the document read inside this block (None: the defaults)."""
    token = _settings.set(config or DEFAULTS)
    try:
        yield
    finally:
        _settings.reset(token)


def settings() -> OcrConfig:
    return _settings.get()


def require(what: str) -> None:
    """Raise OcrUnavailable (one line: why, and the one command that installs it) unless OCR can run."""
    config = settings()
    if config.enabled == "off":
        raise OcrUnavailable(f'{what} needs OCR, which is off (ocr.enabled = "off")')
    problem = missing(config.languages)
    if problem:
        raise OcrUnavailable(f"{what} needs OCR: {problem}")


def missing(languages: str) -> str | None:
    """Why Tesseract cannot read `languages` here (not installed, a language model missing), or None."""
    installed = _installed_languages(shutil.which("tesseract"))
    if installed is None:
        return f"Tesseract is not installed ({INSTALL})"
    absent = [lang for lang in languages.split("+") if lang not in installed]
    if absent:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in absent)
        return f"Tesseract has no {'+'.join(absent)} model (apt-get install {packages})"
    return None


@functools.cache
def _installed_languages(command: str | None) -> frozenset[str] | None:
    if command is None:
        return None
    try:
        listed = subprocess.run(
            [command, "--list-langs"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return frozenset(line.strip() for line in listed.splitlines()[1:] if line.strip())


def recognise(image, dpi: int, budget: Budget = UNLIMITED) -> list[Word]:
    """The words Tesseract reads on a page (a Pillow image), in its reading order.

    Page segmentation with orientation detection (--psm 1) reads pages scanned at 90°, 180° or 270° in
    the same call, but finds their paragraphs poorly; such a page (its lines do not run left to right) is
    turned upright and read again, so only turned pages cost a second call. Slight skew Tesseract's line
    finder takes in its stride. Raises PageTimeout after ocr.page_seconds; the budget's Interrupted or
    OverBudget end the command at once."""
    words = _recognise(image, dpi, budget)
    turn = upright_turn(words)
    angle = turn or skew(words)
    if not angle:
        return words
    return _recognise(image.rotate(angle, expand=True, fillcolor=255, resample=_BILINEAR), dpi, budget)


def skew(words: list[Word]) -> float:
    """The counter-clockwise turn in degrees that levels the page's lines (the median slope of the lines
    of _SKEW_MIN_WORDS words or more, each fitted through its words' baselines); 0 when under
    _MIN_SKEW_DEGREES. Tesseract reads a page skewed 2° with its lines in pieces, the columns mixed
    (bench/ocr.py: 12 % CER before, on the calibration half), so such a page is levelled and read again."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault((word.block, word.paragraph, word.line), []).append(word)
    slopes = []
    for line in lines.values():
        if len(line) < _SKEW_MIN_WORDS:
            continue
        xs = [w.left + w.width / 2 for w in line]
        ys = [w.top + w.height for w in line]
        spread = statistics.pvariance(xs)
        if spread:
            mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
            slopes.append(
                sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / len(xs) / spread
            )
    if len(slopes) < _SKEW_MIN_LINES:
        return 0.0
    angle = math.degrees(math.atan(statistics.median(slopes)))
    return round(angle, 2) if _MIN_SKEW_DEGREES <= abs(angle) <= _MAX_SKEW_DEGREES else 0.0


def upright_turn(words: list[Word]) -> int:
    """The counter-clockwise turn (0, 90, 180, 270) that makes most lines run left to right, judged by
    where each line's last word lies from its first."""
    votes = dict.fromkeys((0, 90, 180, 270), 0)
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault((word.block, word.paragraph, word.line), []).append(word)
    for line in lines.values():
        if len(line) < 2:
            continue
        first, last = line[0], line[-1]
        dx = (last.left + last.width / 2) - (first.left + first.width / 2)
        dy = (last.top + last.height / 2) - (first.top + first.height / 2)
        if abs(dx) >= abs(dy):
            votes[0 if dx > 0 else 180] += len(line)
        else:
            votes[270 if dy < 0 else 90] += len(line)
    return max(votes, key=lambda turn: (votes[turn], turn == 0))


def _recognise(image, dpi: int, budget: Budget) -> list[Word]:
    config = settings()
    command = shutil.which("tesseract")
    if command is None:
        raise OcrUnavailable(f"Tesseract is not installed ({INSTALL})")
    psm = "1" if "osd" in (_installed_languages(command) or ()) else "3"
    with tempfile.TemporaryDirectory(prefix="pipeline-ocr-") as tmp:
        source, output = Path(tmp) / "page.pnm", Path(tmp) / "page"
        image.save(source)  # PNM: written and read without compression
        args = [command, str(source), str(output), "-l", config.languages, "--psm", psm, "--dpi", str(dpi)]
        _run(args + ["tsv"], config.page_seconds, budget, Path(tmp) / "stderr")
        return parse_tsv((Path(tmp) / "page.tsv").read_text(encoding="utf-8", errors="replace"))


def environment() -> dict[str, str]:
    """Tesseract's environment: one thread per page. Its OpenMP threads made a page 5× slower (26 s
    against 5 s at 300 dpi) on the project's busy 2-core machine; parallel work is the run's business."""
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _run(args: list[str], seconds: float, budget: Budget, log: Path) -> None:
    started = time.monotonic()
    with open(log, "wb") as stderr:  # a file, not a pipe: nothing can block on a full pipe
        process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=environment()
        )
    try:
        while True:
            try:
                process.wait(timeout=_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                budget.check()
                if time.monotonic() - started > seconds:
                    raise PageTimeout(f"took longer than {seconds:g} s (ocr.page_seconds)") from None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0:
        last = log.read_text("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {process.returncode}"]
        raise FormatError(f"Tesseract failed: {last[0]}")


def parse_tsv(tsv: str) -> list[Word]:
    """Tesseract's TSV (level, page, block, paragraph, line, word, left, top, width, height, conf, text):
    the recognised words (level 5 with a confidence and text)."""
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            numbers = [int(cell) for cell in cells[2:5] + cells[6:10]]
            confidence = float(cells[10])
        except ValueError:
            continue
        if confidence < 0:
            continue
        block, paragraph, line, left, top, width, height = numbers
        words.append(Word(cells[11].strip(), confidence, block, paragraph, line, left, top, width, height))
    return words
