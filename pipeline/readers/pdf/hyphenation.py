"""Line joining: a word hyphenated at a line end is joined only where the joined form is a word."""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Iterable

HYPHENS = "-\u00ad\u2010"
_WORD = re.compile(r"[^\W\d_]+")
# After "Ein-" a conjunction means a suspended compound ("Ein- und Ausfuhr"): the hyphen and space stay.
_SUSPENSION_WORDS = frozenset({"und", "oder", "bzw", "sowie", "bis", "als", "wie", "noch", "u", "resp"})
# A compound is a word when it splits into two known words (the first may end in a linking "s"), each at
# least this long: "Erkrankungs|datum", "Korrektur|verteilung". On ../shared/real/pdf this joins 20 more
# of the ~300 line-end hyphenations; re-check with the real-report tests in tests/test_pdf.py.
_COMPOUND_PART_MIN = 4


class Vocabulary:
    """Known words, to tell a line-end hyphenation from a real hyphen: those the document writes
    unhyphenated, and pyspellchecker's German frequency list (340,000 forms, inflections included)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words = set()
        for text in texts:
            self.words.update(word.lower() for word in _WORD.findall(text.rstrip(HYPHENS)))

    def _known(self, word: str) -> bool:
        return word in self.words or word in german_words()

    def __contains__(self, word: str) -> bool:
        word = word.lower()
        if self._known(word):
            return True
        for i in range(_COMPOUND_PART_MIN, len(word) - _COMPOUND_PART_MIN + 1):
            head, tail = word[:i], word[i:]
            if self._known(tail) and (self._known(head) or (head.endswith("s") and self._known(head[:-1]))):
                return True
        return False


@functools.cache
def german_words() -> frozenset[str]:
    from importlib.resources import files

    with (files("spellchecker") / "resources" / "de.json.gz").open("rb") as packed:
        return frozenset(json.loads(gzip.decompress(packed.read())))


def join_lines(texts: list[str], vocabulary: Vocabulary) -> str:
    """One paragraph from its lines; each line end is decided on that line alone (linear in the lines)."""
    parts = [texts[0]]
    for text in texts[1:]:
        left, separator = _line_end(parts[-1], text, vocabulary)
        parts[-1] = left
        parts += [separator, text]
    return "".join(parts)


# A URL or e-mail address at a line's end, and what may continue it on the next line: a piece with URL
# characters inside ("ing.html", "de/service"), or anything after a URL broken at a separator.
_URL_END = re.compile(r"(?:https?://|www\.)\S*$|\S+@\S*$", re.IGNORECASE)
_URL_PIECE = re.compile(r"[\w%~-]*(?:[/#?=&@]|\.(?:[a-z]{2,4})\b)[\w./#?=&%~@-]*")
_URL_SEPARATOR_END = re.compile(r"[/_.=?&#~@-]$")
_URL_START = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)


def _continues_url(left: str, right: str) -> bool:
    piece = right.split(" ", 1)[0].rstrip(".,;:)")
    if not piece or not piece[0].isalnum() or _URL_START.match(piece):
        return False  # the next line starts a URL of its own
    if _URL_PIECE.fullmatch(piece):
        return True
    domain = left.rsplit("@", 1)[-1] if "@" in left.rsplit(" ", 1)[-1] else ""
    if domain.endswith(".") and "." not in domain[:-1] and re.fullmatch(r"[a-z]{2,6}", piece):
        return True  # "name@amt." ⏎ "de": an address has its top-level domain
    return (
        bool(_URL_SEPARATOR_END.search(left)) and piece[0].islower() and piece.lower() not in german_words()
    )


def _line_end(left: str, right: str, vocabulary: Vocabulary) -> tuple[str, str]:
    """The left line as it stays, and what goes between it and the right one."""
    if _URL_END.search(left) and _continues_url(left, right):
        return left, ""
    if len(left) < 2 or left[-1] not in HYPHENS or not left[-2].isalnum():
        return left, " "
    stem = left[:-1]
    head = re.match(r"[^\W\d_]+", right)
    last = re.search(r"[^\W\d_]+$", stem)
    if head is None or last is None:
        return stem + "-", ""  # "COVID-19-⏎Impfung", "COVID-⏎19-Impfung"
    word = last.group(0) + head.group(0)
    if right[0].isupper():
        # "Nord-⏎Süd-Achse", "E-⏎Mail" stay; an acronym split in two ("CO-⏎VID") is joined.
        acronym = last.group(0).isupper() and head.group(0).isupper()
        return (stem, "") if acronym and word in vocabulary else (stem + "-", "")
    if head.group(0) in _SUSPENSION_WORDS:
        return stem + "-", " "  # "Ein- und Ausfuhr"
    return (stem, "") if word in vocabulary else (stem + "-", "")
