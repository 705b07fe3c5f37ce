"""Bilingual briefings of one document (Markdown, HTML, JSON) and the index of a run.

The JSON is the stable interface (``SCHEMA``); the Markdown and HTML templates render that same
structure, so the three formats cannot disagree about what a document contains. The structure's long
lists (paragraphs, links, the counterpart's paragraphs) are `Items`, made one element at a time as they
are written, so a briefing streams to its file (pipeline.briefing) and never exists whole in memory;
`briefing_dict` and the `render_*` functions give it whole, for small uses. The JSON is strict: a NaN
raises NotJSON (pipeline.jsonstream), and the document fails with that message.

A document aligned with an existing English version (``Document.links``) gets two more keys, ``links``
and ``counterpart`` (the English document), and is laid out one row per link instead of one row per
paragraph.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from pipeline.document import Document, Link, Paragraph, SummaryItem, TargetSentence
from pipeline.jsonstream import Items, chunks, whole

SCHEMA = "briefing/1"
LANG_NAMES = {"de": "Deutsch", "en": "English"}


@dataclass(frozen=True)
class IndexEntry:
    name: str  # output file stem: the briefing is <name>.html / <name>.md / <name>.json
    source_path: str
    title: str
    source_lang: str | None
    status: str  # "ok", "failed", ...
    paragraphs: int
    error: str | None = None
    flags: int = 0
    outputs: tuple[str, ...] = ()  # every file of the briefing (each format, English subtitles), linked
    # the morning digest's fields (pipeline.digest); empty for a failed input or a briefing without JSON
    title_en: str = ""
    date: str = ""
    site: str = ""
    summary: str = ""
    arrived: str = ""


def document_title(doc: Document) -> str:
    """The document's own title: a heading that opens it, else the title its file declares (HTML
    `<title>`, PDF or Word metadata), else the file name; never a section heading from further down."""
    first = doc.paragraphs[0] if doc.paragraphs else None
    if first is not None and first.kind == "heading" and first.text.strip():
        return " ".join(first.text.split())
    declared = " ".join(doc.metadata.get("title", "").split())
    return declared or doc.path.name


def briefing_dict(doc: Document) -> dict[str, Any]:
    """The JSON briefing as one plain structure."""
    return whole(briefing_parts(doc))


def briefing_parts(doc: Document) -> dict[str, Any]:
    """The JSON briefing, its long lists as `Items`."""
    model = doc.model
    summary = doc.summary
    data = {
        "schema": SCHEMA,
        "document": {
            "path": str(doc.path),
            "sha256": doc.sha256,
            "source_lang": doc.lang,
            "target_lang": doc.target_lang,
            "lang_confidence": doc.lang_confidence,
            "metadata": dict(doc.metadata),
            "notes": list(doc.notes),
        },
        # The model's path is left out on purpose: it is machine-specific.
        "model": None
        if model is None
        else {
            "package": model.package,
            "version": model.version,
            "from_code": model.from_code,
            "to_code": model.to_code,
            "settings": model.settings,
            # Optional keys, left out for a standard translation without a shortlist.
            **({"profile": model.profile} if model.profile != "standard" else {}),
            **({"shortlist": True} if model.shortlist else {}),
        },
        "paragraphs": Items(lambda: map(_paragraph, doc.paragraphs)),
        "summary": None
        if summary is None
        else {
            "source": _summary_items(summary.source),
            "target": _summary_items(summary.target),
            "algorithm": summary.algorithm,
            "length": summary.length,
            "mode": summary.mode,
            "agreement": summary.agreement,
        },
    }
    if doc.links is not None and doc.counterpart is not None:
        other, links = doc.counterpart, doc.links
        data["links"] = Items(lambda: link_dicts(links))
        data["counterpart"] = {
            "path": str(other.path),
            "sha256": other.sha256,
            "lang": other.lang,
            "lang_confidence": other.lang_confidence,
            "paragraphs": Items(lambda: ({"id": p.id, "kind": p.kind, **_text(p)} for p in other.paragraphs)),
        }
    return data


def _paragraph(p: Paragraph) -> dict[str, Any]:
    return {
        "id": p.id,
        "kind": p.kind,
        "source": _text(p),
        "target": None
        if p.translation is None
        else {"text": p.translated_text, "sentences": [_target_sentence(t) for t in p.translation]},
    }


def link_dicts(links: Sequence[Link]) -> list[dict[str, Any]]:
    return [{"source": list(k.source), "target": list(k.target), "score": k.score} for k in links]


def _target_sentence(t: TargetSentence) -> dict[str, Any]:
    data: dict[str, Any] = {"id": t.id, "source_id": t.source_id, "text": t.text}
    if t.flags:  # optional: briefings without review flags stay as they were
        data["flags"] = [{"kind": f.kind, "source": f.source, "detail": f.detail} for f in t.flags]
    return data


def _text(p: Paragraph) -> dict[str, Any]:
    return {"lang": p.lang, "text": p.text, "sentences": [{"id": s.id, "text": s.text} for s in p.sentences]}


def _summary_items(items: list[SummaryItem]) -> list[dict[str, Any]]:
    return [{"sentence_id": i.sentence_id, "text": i.text, "counterpart_id": i.counterpart_id} for i in items]


def render_json(doc: Document) -> str:
    return "".join(json_chunks(doc))


def render_markdown(doc: Document) -> str:
    return "".join(markdown_chunks(doc))


def render_html(doc: Document) -> str:
    return "".join(html_chunks(doc))


def json_chunks(doc: Document) -> Iterator[str]:
    """The JSON briefing, a paragraph at a time (pipeline.jsonstream): strict JSON, so a NaN or an
    infinity anywhere raises NotJSON, which names where it is."""
    yield from chunks(briefing_parts(doc))
    yield "\n"


def markdown_chunks(doc: Document) -> Iterator[str]:
    """The Markdown briefing, a piece at a time (Jinja's `generate`)."""
    return _env().get_template("briefing.md.j2").generate(_context(doc))


def html_chunks(doc: Document) -> Iterator[str]:
    """The HTML briefing, a piece at a time (Jinja's `generate`)."""
    return _env().get_template("briefing.html.j2").generate(_context(doc))


def render_index(entries: Sequence[IndexEntry], fmt: str) -> str:
    if fmt not in ("html", "md"):
        raise ValueError(f"unknown index format {fmt!r} (expected 'html' or 'md')")
    return _env().get_template(f"index.{fmt}.j2").render(days=digest_days(entries), entries=entries)


def digest_days(entries: Sequence[IndexEntry]) -> list[tuple[str, list[IndexEntry]]]:
    """The entries grouped by the day their document arrived, newest day first, and within a day the
    newest document first; failed inputs (no briefing, no day) first of all, under "failed"."""
    days: dict[str, list[IndexEntry]] = {}
    for e in entries:
        days.setdefault("failed" if e.status == "failed" else e.arrived or "unknown day", []).append(e)
    dated = sorted((d for d in days if d not in ("failed", "unknown day")), reverse=True)
    order = [d for d in ("failed",) if d in days] + dated + [d for d in ("unknown day",) if d in days]
    by_title = {d: sorted(days[d], key=lambda e: (e.title_en or e.title).casefold()) for d in order}
    return [(d, sorted(by_title[d], key=lambda e: e.date, reverse=True)) for d in order]  # stable: A–Z a day


def day_heading(day: str) -> str:
    """A group of the digest as its heading: "Friday, 2026-12-04", "Failed", "Day unknown"."""
    if day == "failed":
        return "Failed"
    try:
        return f"{datetime.date.fromisoformat(day):%A}, {day}"
    except ValueError:
        return day.capitalize()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&])")
# At the start of a list item "1. " / "1) " / "-" / "+" would open a nested list or a thematic break.
_MD_BLOCK_START = re.compile(r"^(\d+(?=[.)](?: |$))|(?=[-+]))")


def md_escape(text: object) -> str:
    """``text`` as inert Markdown on one line: every character that could start emphasis, code, a link,
    an image, raw HTML, an entity or a table cell is backslash-escaped, and whitespace runs (newlines
    included) become one space. Bare URLs stay text, but GFM renderers may still autolink them."""
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _MD_BLOCK_START.sub(r"\1\\", text)


@pass_context
def _finalize(context: Context, value: object) -> object:
    # Markdown gets escape-by-default just like autoescaped HTML: in a .md.j2 template every {{ }} is
    # document text, and all Markdown syntax is written literally in the template.
    return md_escape(value) if (context.name or "").endswith(".md.j2") else value


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("pipeline", "templates"),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters["day_heading"] = day_heading
    return env


def _lang_name(code: str | None) -> str:
    return LANG_NAMES.get(code or "", code or "unknown")


class _Pairs:
    """Source sentence id → ids of the sentences translated from it (normally exactly one). Made one
    paragraph at a time as the template asks for them in document order, so never for the whole
    document at once; a question out of order starts again from the first paragraph."""

    def __init__(self, paragraphs: list[Paragraph]):
        self._paragraphs = paragraphs
        self._ahead = iter(paragraphs)
        self._known: dict[str, list[str]] = {}

    def get(self, sentence_id: str, default: Any = None) -> Any:
        if sentence_id not in self._known and not self._find(sentence_id):
            self._ahead = iter(self._paragraphs)
            self._find(sentence_id)
        return self._known.get(sentence_id, default)

    def _find(self, sentence_id: str) -> bool:
        for p in self._ahead:
            self._known = {s.id: [] for s in p.sentences}
            for t in p.translation or []:
                self._known.setdefault(t.source_id, []).append(t.id)
            if sentence_id in self._known:
                return True
        return False


def _context(doc: Document) -> dict[str, Any]:
    b = briefing_parts(doc)
    # not doc.target_sentences(): a list of every sentence, when only the flagged ones are kept
    flagged = {
        t.id: _target_sentence(t)["flags"] for p in doc.paragraphs for t in p.translation or [] if t.flags
    }
    return {
        "b": b,
        "title": document_title(doc),
        "src_label": _lang_name(doc.lang),
        "tgt_label": _lang_name(doc.target_lang),
        "pairs": _Pairs(doc.paragraphs),
        "rows": _rows(b),
        # English sentence id -> its review flags, and how many there are in all
        "flagged": flagged,
        "flag_count": sum(len(f) for f in flagged.values()),
        "url": link_url(doc.metadata.get("url")),
    }


def link_url(url: str | None) -> str | None:
    """``url`` fit for a link in a briefing: only http(s), with characters that could end a Markdown
    link destination or an HTML attribute percent-encoded; None for anything else."""
    if not url or urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    return urllib.parse.quote(url, safe=":/?#[]@!$&'*+,;=%~")


def _rows(b: dict[str, Any]) -> list[dict[str, Any]] | None:
    """For an aligned document, one row per link: its German and English paragraphs, each with kind,
    lang, text and sentences. None for a translated document, which has one row per paragraph."""
    if "links" not in b:
        return None
    german = {p["id"]: {"kind": p["kind"], **p["source"]} for p in b["paragraphs"]}
    english = {p["id"]: p for p in b["counterpart"]["paragraphs"]}
    rows = []
    for link in b["links"]:
        source, target = [german[i] for i in link["source"]], [english[i] for i in link["target"]]
        rows.append({"link": link, "kind": (source or target)[0]["kind"], "source": source, "target": target})
    return rows
