"""The one data model that flows through every stage.

Ids are given when a document is read and never change: paragraph ``p3``, its sentences ``p3.s1``,
``p3.s2``…, and the English sentence translated from ``p3.s2`` is ``p3.s2.en``. Everything later
(translation, summaries, alignment, rendering) refers to text through these ids, so the English side
is aligned to the German by construction.

A German document can instead be aligned with an existing English version (``pipeline.align``): then
``counterpart`` holds that document, whose sentence ids carry the prefix ``en:`` (``en:p2.s1``), and
``links`` pair the paragraphs of the two; the English sentences have no source sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# "notes": a presentation's speaker notes; "formula" and "code": see VERBATIM_KINDS.
PARAGRAPH_KINDS = (
    "heading",
    "caption",
    "list",
    "quote",
    "body",
    "table",
    "footnote",
    "notes",
    "formula",
    "code",
)
# Kinds shown in the briefing as they are and never sent to the model: a formula or a program's code has
# no German to translate, and the model would only garble it.
VERBATIM_KINDS = ("formula", "code")


@dataclass
class Sentence:
    id: str
    text: str


@dataclass(frozen=True)
class Flag:
    """Something an editor should check in a sentence pair (see pipeline.review); never changes the text."""

    kind: str  # "number", "name", "untranslated", "repetition", "length", "confidence", "glossary", "ocr"
    source: str  # the text the flag is about, e.g. the number "2024"
    detail: str  # why, for the reader: "missing in English"


@dataclass
class TargetSentence:
    id: str
    source_id: str | None  # None in a document aligned with an existing translation
    text: str
    flags: list[Flag] = field(default_factory=list)
    # The decoder's mean log-probability per token (pipeline.translate); None for a human translation.
    log_prob: float | None = None


@dataclass
class Paragraph:
    id: str
    kind: str
    text: str
    lang: str | None = None
    lang_confidence: float | None = None
    sentences: list[Sentence] = field(default_factory=list)
    # None until translated, and stays None for a paragraph that is passed through untranslated.
    translation: list[TargetSentence] | None = None
    # Read by OCR: the words it was unsure of (their sentences get the review flag `ocr`).
    uncertain: list[str] = field(default_factory=list)

    @property
    def translated_text(self) -> str | None:
        if self.translation is None:
            return None
        return " ".join(s.text for s in self.translation)


@dataclass
class SummaryItem:
    sentence_id: str
    text: str
    counterpart_id: str | None


@dataclass
class Summary:
    source: list[SummaryItem]
    target: list[SummaryItem]
    algorithm: str
    length: str
    mode: str = "independent"
    # Share of the English summary translated from the German summary (None without sentence pairs).
    agreement: float | None = None


@dataclass
class ModelInfo:
    """The argos package that produced the translation."""

    package: str
    version: str
    from_code: str
    to_code: str
    path: str
    # The decoding settings of the translation (the `[translate]` keys that change the English).
    settings: dict = field(default_factory=dict)
    shortlist: bool = False  # decoded with a verified vocabulary shortlist (pipeline/shortlist.py)
    profile: str = "standard"  # the `--profile` the run used


@dataclass(frozen=True)
class Cue:
    """One subtitle of a subtitle file: its time span and where its text lies in its paragraph (cues are
    joined into paragraphs, so that sentences run across them; see pipeline.readers.subtitles)."""

    start_ms: int
    end_ms: int
    paragraph: str  # paragraph id
    first: int  # the cue's text is paragraph.text[first:last]
    last: int


@dataclass(frozen=True)
class Link:
    """German paragraphs and the English paragraphs they correspond to (1–1, 2–1, 1–2, 1–0 or 0–1)."""

    source: tuple[str, ...]  # paragraph ids, e.g. ("p3", "p4")
    target: tuple[str, ...]
    score: float  # 1 for a sure match, near 0 for a doubtful one (see pipeline.align)


@dataclass
class Document:
    path: Path
    sha256: str
    paragraphs: list[Paragraph]
    lang: str | None = None
    lang_confidence: float | None = None
    target_lang: str = "en"
    model: ModelInfo | None = None
    summary: Summary | None = None
    # What the file says about itself (title, author, date, sitename, url: only those found) and what the
    # briefing's reader should know about how its text was got (see pipeline.readers.base.Extraction).
    metadata: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Set only for a subtitle file: its cues in order (English subtitles are written from them).
    cues: list[Cue] | None = None
    # Set only for a document aligned with an existing translation (see the module docstring).
    counterpart: Document | None = None
    links: list[Link] | None = None

    @property
    def name(self) -> str:
        return self.path.stem

    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    def target_sentences(self) -> list[TargetSentence]:
        return [t for p in self.paragraphs for t in (p.translation or [])]

    @property
    def needs_translation(self) -> bool:
        return self.lang != self.target_lang
