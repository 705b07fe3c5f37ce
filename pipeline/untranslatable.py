"""Characters a package cannot translate, copied through around the translation.

An emoji, a Cyrillic or CJK name, a rare symbol or a private-use character that the package's vocabulary
lacks becomes <unk> in the source, and a model that never learnt to copy <unk> shifts or drops the words
around it (a small model turned "für das Jahr 2024" into "␣␣the year 202␣"). Such runs are taken out of
the sentence before translation and put back into the English at the same relative place, at a word
boundary. Latin letters, digits, punctuation, currency signs and Latin-1 symbols such as "°" are always
left to the model: they are part of words and numbers.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import groupby

from pipeline.tokenizer import Tokenizer


@dataclass(frozen=True)
class Protected:
    """A sentence without its untranslatable runs; each run with its place as a share of the text."""

    text: str
    runs: list[tuple[float, str]] = field(default_factory=list)

    def restore(self, translation: str) -> str:
        """The translation with every run put back at the word boundary nearest its relative place."""
        if not self.runs:
            return translation
        boundaries = [0, *(i for i, c in enumerate(translation) if c == " "), len(translation)]
        pieces, start = [], 0
        for share, run in self.runs:  # in source order, so their places only grow
            wanted = share * len(translation)
            k = bisect_left(boundaries, wanted)
            nearest = min(boundaries[max(k - 1, 0) : k + 1], key=lambda b: abs(b - wanted))
            at = max(start, nearest)
            pieces += [translation[start:at], run]
            start = at
        pieces.append(translation[start:])
        return " ".join(p.strip() for p in pieces if p.strip())


def protect(text: str, tokenizer: Tokenizer) -> Protected:
    """Take out the runs of characters the tokenizer does not know and no model could translate."""
    flags = [_untranslatable(c, tokenizer) for c in text]
    if not any(flags):
        return Protected(text)
    # Marks, joiners and variation selectors belong to the character before them (emoji sequences).
    for i in range(1, len(text)):
        if not flags[i] and flags[i - 1] and unicodedata.category(text[i]) in ("Mn", "Me", "Cf"):
            flags[i] = True
    segments = [
        (flagged, "".join(text[i] for i in group))
        for flagged, group in groupby(range(len(text)), flags.__getitem__)
    ]
    # Only spaces between two runs join them: a name of two words stays together.
    merged: list[list] = []
    for k, (flagged, segment) in enumerate(segments):
        between_runs = 0 < k < len(segments) - 1 and not segment.strip()
        if merged and merged[-1][0] and (flagged or between_runs):
            merged[-1][1] += segment
        else:
            merged.append([flagged, segment])
    words, runs, length = [], [], 0
    for flagged, segment in merged:
        if flagged:
            runs.append((length, segment.strip()))
        elif segment.split():
            words.append(" ".join(segment.split()))
            length += len(words[-1]) + (len(words) > 1)
    return Protected(" ".join(words), [(at / max(length, 1), run) for at, run in runs])


def _untranslatable(char: str, tokenizer: Tokenizer) -> bool:
    category = unicodedata.category(char)
    if char.isspace() or category[0] in "NPZ" or category in ("Cc", "Cf", "Mn", "Me", "Mc"):
        return False
    if category[0] == "L" and unicodedata.name(char, "").startswith("LATIN"):
        return False
    # Currency signs and the symbols below U+2000 (°, ©, ±, µ…) belong to the numbers and words beside
    # them ("40°C", "20 €"): taking them out would move them. Emoji, arrows, dingbats are all above.
    if category == "Sc" or (category[0] == "S" and ord(char) < 0x2000):
        return False
    return tokenizer.is_unknown(char)
