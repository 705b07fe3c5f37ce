"""A runaway loop: the English repeats a phrase over and over ("salad salad salad salad")."""

from __future__ import annotations

import re

from pipeline.document import Flag

_WORD = re.compile(r"\w+")
MAX_NGRAM = 4
# Repeats in a row from which a loop is reported: 4 for a single word (a "no, no, no" is normal
# speech), 3 for a phrase of 2-4 words; and always more than the German itself repeats.
MIN_REPEATS = {1: 4, 2: 3, 3: 3, 4: 3}


def tandem_repeats(text: str) -> tuple[int, str]:
    """The most times a phrase of 1-4 words follows itself in a row, and that phrase."""
    words = [w.lower() for w in _WORD.findall(text)]
    best, phrase = 1, ""
    for n in range(1, MAX_NGRAM + 1):
        i = 0
        while i + 2 * n <= len(words):
            count = 1
            while words[i + count * n : i + (count + 1) * n] == words[i : i + n]:
                count += 1
            if count > best and count >= MIN_REPEATS[n]:
                best, phrase = count, " ".join(words[i : i + n])
            i += n * (count - 1) + 1 if count > 1 else 1
    return best, phrase


def repetition_flags(german: str, english: str) -> list[Flag]:
    count, phrase = tandem_repeats(english)
    if not phrase or count <= tandem_repeats(german)[0]:
        return []
    return [Flag("repetition", phrase, f"repeated {count} times in a row in English")]
