"""Characters a package cannot translate, copied through around the translation.

An emoji, a Cyrillic or CJK name, a rare symbol or a private-use character that the package's vocabulary
lacks becomes <unk> in the source, and a model that never learnt to copy <unk> shifts or drops the words
around it (a small model turned "für das Jahr 2024" into "␣␣the year 202␣"). Such runs are taken out of
the sentence before translation and put back into the English at the same relative place, at a word
boundary. Latin letters, digits and punctuation are always left to the model: they are part of words.
"""

from __future__ import annotations

import unicodedata
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
        if not self.text:
            return " ".join(run for _, run in self.runs)
        for share, run in self.runs:
            boundaries = [0, *(i for i, c in enumerate(translation) if c == " "), len(translation)]
            at = min(boundaries, key=lambda b: abs(b - share * len(translation)))
            if at == 0:
                translation = f"{run} {translation}"
            elif at == len(translation):
                translation = f"{translation} {run}"
            else:
                translation = f"{translation[:at]} {run}{translation[at:]}"
        return translation


def protect(text: str, tokenizer: Tokenizer) -> Protected:
    """Take out the runs of characters the tokenizer does not know and no model could translate."""
    flags = [_untranslatable(c, tokenizer) for c in text]
    if not any(flags):
        return Protected(text)
    # Marks, joiners and variation selectors belong to the character before them (emoji sequences);
    # spaces between two runs join them (a name of two words stays together).
    for i in range(1, len(text)):
        if not flags[i] and flags[i - 1] and unicodedata.category(text[i]) in ("Mn", "Me", "Cf"):
            flags[i] = True
    for i in range(1, len(text) - 1):
        if text[i].isspace() and flags[i - 1]:
            j = i
            while j < len(text) and text[j].isspace():
                j += 1
            if j < len(text) and flags[j]:
                flags[i:j] = [True] * (j - i)
    kept, runs = "", []
    for flagged, group in groupby(range(len(text)), key=flags.__getitem__):
        indices = list(group)
        segment = text[indices[0] : indices[-1] + 1]
        if flagged:
            kept = kept.rstrip()
            runs.append((len(kept), segment))
            kept += " " if kept else ""
        else:
            kept += segment
    kept = kept.strip()
    return Protected(" ".join(kept.split()), [(at / max(len(kept), 1), run) for at, run in runs])


def _untranslatable(char: str, tokenizer: Tokenizer) -> bool:
    category = unicodedata.category(char)
    if char.isspace() or category[0] in "NPZ" or category in ("Cc", "Cf", "Mn", "Me", "Mc"):
        return False
    if category[0] == "L" and unicodedata.name(char, "").startswith("LATIN"):
        return False
    return tokenizer.is_unknown(char)
