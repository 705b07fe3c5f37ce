"""Subtitles (.srt, .vtt): the cues' text joined into paragraphs, so that a sentence spoken across two
or three cues is one sentence to translate, and every cue's time span kept with where its text lies in
its paragraph (``Document.cues``); ``pipeline.subtitles`` writes the English back cue by cue.

A paragraph ends after a cue that ends a sentence and is followed by a pause, or once it has
``SOFT_CUES`` cues and a sentence ends; captions without punctuation are cut every ``HARD_CUES`` cues.
Styling tags (``<i>``, ``<v Speaker>``, ``{\\an8}``), a line's leading dialogue dash and WebVTT's NOTE,
STYLE and REGION blocks are left out; a cue left without text is dropped.
"""

from __future__ import annotations

import html
import re

from pipeline.budget import UNLIMITED, Budget
from pipeline.document import Cue
from pipeline.readers.base import Block, Extraction, FormatError
from pipeline.readers.decode import decode

SUFFIXES = (".srt", ".vtt")

# Not calibrated on real subtitles (../shared/real has none yet): a pause of 1.5 s between sentences is
# a change of speaker or scene in broadcast subtitles; 12 cues are about 40 s of speech, a paragraph
# the briefing can show side by side. Re-check on a real set when one exists: paragraphs should end
# where the topic or the speaker changes.
PAUSE_MS = 1_500
SOFT_CUES = 12
HARD_CUES = 30
CHECK_EVERY = 1_000

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_DASH = re.compile(r"^\s*[-–—]\s*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”“’»«)\]]*$")
_VTT_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    vtt = text.lstrip().startswith("WEBVTT")
    cues = _cues(text, vtt, budget)
    if not cues:
        raise FormatError(
            "no subtitle cues found (expected timing lines like '00:00:01,000 --> 00:00:03,500')"
        )
    return _paragraphs(cues)


def _milliseconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(fraction.ljust(3, "0"))


def _cues(text: str, vtt: bool, budget: Budget) -> list[tuple[int, int, str]]:
    """(start, end, text) of every cue with text, in file order."""
    cues = []
    for number, block in enumerate(re.split(r"\n[ \t]*\n", text)):
        if number % CHECK_EVERY == 0:
            budget.check()
        lines = block.strip("\n").split("\n")
        if vtt and (number == 0 or lines[0].split(" ")[0] in _VTT_SKIPPED_BLOCKS):
            continue  # the header block, comments, styles and regions
        timing = next((i for i, line in enumerate(lines[:3]) if "-->" in line), None)
        match = None if timing is None else _TIMING.match(lines[timing])
        if match is None:
            continue  # an index or text without a timing line: nothing to show when
        start, end = _milliseconds(*match.groups()[:4]), _milliseconds(*match.groups()[4:])
        words = " ".join(_DASH.sub("", html.unescape(_TAG.sub("", line))) for line in lines[timing + 1 :])
        if words := " ".join(words.split()):
            cues.append((start, end, words))
    return cues


def _paragraphs(cues: list[tuple[int, int, str]]) -> Extraction:
    blocks: list[Block] = []
    kept: list[Cue] = []
    pending: list[tuple[int, int, str]] = []

    def flush() -> None:
        paragraph, parts, first = f"p{len(blocks) + 1}", [], 0
        for start, end, words in pending:
            parts.append(words)
            kept.append(Cue(start, end, paragraph, first, first + len(words)))
            first += len(words) + 1
        blocks.append(("body", " ".join(parts)))
        pending.clear()

    for i, cue in enumerate(cues):
        pending.append(cue)
        following = cues[i + 1] if i + 1 < len(cues) else None
        ends_sentence = bool(_SENTENCE_END.search(cue[2]))
        if (
            following is None
            or len(pending) >= HARD_CUES
            or (ends_sentence and (following[0] - cue[1] >= PAUSE_MS or len(pending) >= SOFT_CUES))
        ):
            flush()
    return Extraction(blocks=blocks, cues=kept)
