"""What the morning digest (index.html / index.md) shows of a briefing beyond the manifest: the
English title, the document's date, its site or author, the first sentence of the English summary and
the day it arrived. Taken from the JSON briefing when the search index reads it (pipeline.search), so a
run never re-reads the whole archive for its index page.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Digest:
    title_en: str  # the translated title ("" when the title was not translated: an English document)
    date: str  # the document's own date, else its file's (YYYY-MM-DD)
    site: str  # site name, else author, else the host of its URL
    summary: str  # the first sentence of the English summary
    arrived: str  # the day the input file arrived (its modification time; YYYY-MM-DD)

    def as_dict(self) -> dict:
        return asdict(self)


def _day(path: Path) -> str | None:
    try:
        return datetime.date.fromtimestamp(path.stat().st_mtime).isoformat()
    except (OSError, ValueError, OverflowError):
        return None


def digest_of(briefing: dict, title: str, source: Path, json_path: Path) -> Digest:
    document = briefing.get("document") or {}
    metadata = document.get("metadata") or {}
    arrived = _day(source) or _day(json_path) or ""
    date = str(metadata.get("date") or "")[:10]
    date = date if _ISO_DATE.match(date) else arrived
    host = urllib.parse.urlsplit(str(metadata.get("url") or "")).hostname or ""
    site = str(metadata.get("sitename") or metadata.get("author") or host).strip()
    english_title = ""
    for paragraph in briefing.get("paragraphs") or []:
        if paragraph.get("kind") == "heading" and " ".join(paragraph["source"]["text"].split()) == title:
            english_title = " ".join(((paragraph.get("target") or {}).get("text") or "").split())
        break  # only a heading that opens the document is its title (render.document_title)
    summary = briefing.get("summary") or {}
    side = summary.get("source") if document.get("source_lang") == "en" else summary.get("target")
    first = " ".join(side[0]["text"].split()) if side else ""
    return Digest(english_title, date, site, first, arrived)
