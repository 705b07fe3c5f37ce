"""Glyph text as a reader sees it: ligatures as letters, TeX-style loose accents composed, doubled
mathematical letters collapsed, letter-spaced words joined, and which lines are set as program code or as
a formula (by their fonts)."""

from __future__ import annotations

import functools
import re
import statistics
import unicodedata

from pipeline.readers.pdf.hyphenation import german_words

# U+FB00–FB06: ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ.
_LIGATURE = re.compile("[\ufb00-\ufb06]")
# A ligature glyph whose advance is wider than its letters makes pdfminer see a space after it
# ("deﬁ nieren"); the space goes where the joined form is a word and the left part is not.
_LIGATURE_GAP = re.compile(r"([^\W\d_]*[\ufb00-\ufb06]) ([a-zäöüß]+)")
# TeX sets an accent as a glyph of its own before the letter it stands over ("Universit¨at", "Gonz´ales").
_SPACING_ACCENTS = {
    "¨": "\u0308",
    "´": "\u0301",
    "`": "\u0300",
    "ˆ": "\u0302",
    "˜": "\u0303",
    "ˇ": "\u030c",
    "˚": "\u030a",
    "¸": "\u0327",
    "˘": "\u0306",
    "˙": "\u0307",
    "˝": "\u030b",
}
_LOOSE_ACCENT_BEFORE = re.compile(rf"([{''.join(_SPACING_ACCENTS)}]) ?([^\W\d_])")
_LOOSE_ACCENT_AFTER = re.compile(rf"([^\W\d_]) ?([{''.join(_SPACING_ACCENTS)}])(?![^\W\d_])")
# Mathematical alphanumerics (U+1D400–1D7FF), which Word's equations draw twice ("𝐸𝐸𝑡𝑡" for E_t).
_MATH_LETTER = "\U0001d400-\U0001d7ff"
_DOUBLED_MATH = re.compile(rf"([{_MATH_LETTER}])\1")
_MATH_RUN = re.compile(rf"[{_MATH_LETTER}]+")
# Four or more single letters apart: a letter-spaced word (after the gaps have been measured, a run
# that is still spaced is one whose gaps are all alike).
LETTER_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_](?!\S)")
# Between the letters of a letter-spaced word the gaps are alike; a gap this many font sizes wider than
# their median is a word space. Calibrated on the calibration half of bench/real_split.toml (a spaced
# heading in the guidance sheet) with generated spaced lines; re-check: bench/pdf_reading.py's "spaced".
_WORD_GAP_SIZES = 0.12
# Fonts that set program code and formulas (TeX's cmtt/cmmi/cmsy/cmex, Word's Cambria Math, …).
_MONO_FONT = re.compile(r"mono|courier|consol|typewriter|cmtt|sfmono|inconsolata|menlo|code", re.IGNORECASE)
_MATH_FONT = re.compile(r"math|cmmi|cmsy|cmex|msbm|msam|symbol|stix|mathjax", re.IGNORECASE)


def normalise(text: str) -> str:
    """Text as typed: ligatures and loose accents resolved, doubled mathematical letters single, NFC."""
    if _LIGATURE.search(text):
        text = _LIGATURE_GAP.sub(_join_ligature_gap, text)
        text = _LIGATURE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    if any(accent in text for accent in _SPACING_ACCENTS):
        text = _LOOSE_ACCENT_BEFORE.sub(lambda m: m.group(2) + _SPACING_ACCENTS[m.group(1)], text)
        text = _LOOSE_ACCENT_AFTER.sub(lambda m: m.group(1) + _SPACING_ACCENTS[m.group(2)], text)
    if _MATH_RUN.search(text):
        text = _DOUBLED_MATH.sub(r"\1", text)
        text = _MATH_RUN.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return unicodedata.normalize("NFC", text)


def _join_ligature_gap(match: re.Match) -> str:
    left, right = (unicodedata.normalize("NFKC", part) for part in match.groups())
    words = german_words()
    joined = (left + right).lower()
    if joined in words and left.lower() not in words:
        return match.group(1) + match.group(2)
    return match.group()


def spaced_text(chars) -> str | None:
    """The text of a line whose letters are set apart (pdfminer puts a space between every two), with
    spaces only where the gap is wider than the letters' usual gap; None for a line set normally."""
    gaps = [b.x0 - a.x1 for a, b in zip(chars, chars[1:], strict=False)]
    if len(gaps) < 4:
        return None
    usual = statistics.median(gaps)
    size = statistics.median(c.size for c in chars)
    if usual < 0.1 * size:
        return None  # letters set close: pdfminer's own spaces stand
    parts = [chars[0].get_text()]
    for gap, char in zip(gaps, chars[1:], strict=True):
        if gap > usual + _WORD_GAP_SIZES * size:
            parts.append(" ")
        parts.append(char.get_text())
    return "".join(parts)


@functools.cache
def is_mono(fontname: str) -> bool:
    return bool(_MONO_FONT.search(fontname))


@functools.cache
def is_math_font(fontname: str) -> bool:
    return bool(_MATH_FONT.search(fontname))


def is_math(fontname: str, text: str) -> bool:
    if "\uf000" <= text <= "\uf0ff":
        return False  # a Symbol-font bullet or arrow (Word maps them to the private use area)
    return is_math_font(fontname) or "\U0001d400" <= text <= "\U0001d7ff"


# A formula set in text fonts: a relation sign and hardly any words ("1 = 4 − 3 (1)", "R = E / N").
_RELATION = re.compile(r"[=≤≥≈≠∑∏∫√]")
_FORMULA_MAX_WORDS = 2


def is_formula(text: str) -> bool:
    if not _RELATION.search(text):
        return False
    words = re.findall(r"[^\W\d_]{3,}", text)
    return len(words) <= _FORMULA_MAX_WORDS and len(text) <= 200


def mend_case(font) -> None:
    """Give back the capitals that a simple font's ToUnicode map writes in lower case.

    Some subsetters write one ToUnicode entry per letter, not per glyph: the codes of "U" and "u" both
    map to "u" ("unsere zielsetzung", "mazars Gmbh"), though the font's encoding names the glyphs "U" and
    "u" and their widths differ. Where the map gives two codes the same letter and the encoding tells
    them apart by case only, the encoding's letter is the one drawn. A font without an encoding of its
    own (a CID font) or whose map keeps the cases apart is left alone.
    """
    unicode_map = getattr(font, "unicode_map", None)
    encoding = getattr(font, "cid2unicode", None)
    mapped = getattr(unicode_map, "cid2unichr", None)
    if not mapped or not encoding:
        return
    drawn_as: dict[str, set[str]] = {}
    for cid, text in mapped.items():
        drawn_as.setdefault(text, set()).add(encoding.get(cid, ""))
    for cid, text in list(mapped.items()):
        named = encoding.get(cid, "")
        if len(text) == 1 and named != text and named.swapcase() == text and text in drawn_as[text]:
            mapped[cid] = named
