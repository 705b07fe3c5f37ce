"""What a line's text looks like: a list marker, a caption, a table cell, a sentence end, a contents entry;
shared by the layout and the paragraph builder."""

from __future__ import annotations

import re

MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
# Bullet glyphs, Word's Symbol-font ones in the private use area too; a glyph the font maps to no letter
# ("(cid:N)") at a line's start is a symbol-font bullet as well.
BULLETS = "•◦▪▫■□●○‣⁃–—\\-*·✓✔✗➢➤►▶→⇒◆◇❖∙>\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0e0"
# "16. März" at the start of a line is a date, not item 16.
LIST_MARKER = re.compile(
    rf"^(?:[{BULLETS}]|\(cid:\d+\)|\(?(?:\d{{1,2}}|[a-z]{{1,2}}|[ivx]{{1,4}})[.)])\s+(?!(?:{MONTHS})\b)\S"
)
# A bulleted item (not a numbered one): never a heading, however large it is set (a slide's first level).
BULLET_ITEM = re.compile(rf"^(?:[{BULLETS}]|\(cid:\d+\))\s+\S")
# The marker itself, which leaves the item's text (the item keeps its kind, "list").
ITEM_MARKER = re.compile(
    rf"^(?:[{BULLETS}]|\(cid:\d+\)|\(?(?:\d{{1,2}}|[a-zA-Z]{{1,2}}|[ivxIVX]{{1,4}})[.)])\s+(?!(?:{MONTHS})\b)"
)
# "Abb. 1 | …", "Tabelle 2: …"; not "Tab. 1 (S. 15)" or "Abb. 4)." continuing a sentence.
CAPTION = re.compile(
    r"^(?:Abb\.|Abbildung|Tab\.|Tabelle|Grafik|Figure|Fig\.)\s*\d+[a-z]?(?:\s*[:|.–-]\s|\s*[:|.]?$)",
    re.IGNORECASE,
)
NUMERIC_CELL = re.compile(r"^[-–+]?[\d\s.,%€$()/–-]*\d[\d\s.,%€$()/–-]*(?:T?EUR|T€|Mio\.?|Mrd\.?)?$")
SENTENCE_END = re.compile(r"[.!?:;…]['\"“”‘’»«)]*$")
REFERENCE_LABEL = re.compile(r"\[[^\]\s]{1,12}\]")
OPENING_QUOTE = re.compile(r"[\"„“‚‘»«']")
# A table of contents entry: "Bilanz zum 31. Dezember 2021 . . . . . . 2"; the leader and page go.
CONTENTS_ENTRY = re.compile(r"(?:\s*[.…·]){4,}\s*\d{0,4}$")
