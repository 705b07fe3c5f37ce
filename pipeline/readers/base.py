"""What every format reader returns, and the error it raises.

A reader module (one per format) has ``SUFFIXES`` (the file name endings it reads, lower case, with the
dot) and ``extract(data: bytes, max_bytes: int, budget: Budget) -> Extraction``. It sees only bytes,
never the path: the reader core names the file in every message, so a reader raises ``FormatError``
with the problem alone. A reader whose work can take long (PDF: a page at a time) calls
``budget.check()`` in its loop, so a stop signal or the document's time limit ends it within seconds;
the others finish in a few seconds at most and may leave it unused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document import Cue

# (kind, text): kind is one of pipeline.document.PARAGRAPH_KINDS; text is raw (the core collapses
# whitespace and drops empty blocks).
Block = tuple[str, str]


class FormatError(Exception):
    """A file that is not a valid document of its format; the message states the problem."""


@dataclass
class Extraction:
    blocks: list[Block]
    # What the file says about itself, only the keys found: title, author, date (ISO 8601), sitename, url.
    metadata: dict[str, str] = field(default_factory=dict)
    # What the reader of the briefing should know about how the text was got, e.g. "trafilatura found
    # no main text; the whole page was used". Shown in the briefing header.
    notes: list[str] = field(default_factory=list)
    # A subtitle file's cues; their paragraph ids are those the blocks get (each block one paragraph).
    cues: list[Cue] | None = None
    # Pages read by OCR: block index → the words of that block the OCR was unsure of (review flag `ocr`).
    uncertain: dict[int, list[str]] = field(default_factory=dict)
