"""Language of a short line: a heading, a caption, a list item, a table cell, two words.

langdetect samples a few character n-grams at random, which on two words is a coin toss ("gelingt diese"
came out Dutch, "sollte keine" Finnish). A short line is decided here instead, by two packaged models
scored together over the candidate languages:

* py3langid (BSD, a Naive Bayes over byte n-grams of 97 languages, 4.5 MB; numpy is already installed for
  sumy), restricted to the candidates: its log-probability of the line in each language;
* pyspellchecker's word frequency lists (already installed for the PDF reader) for the languages that have
  one: the log-probability of the line's words under each of the TOP languages py3langid ranks highest.
  A language without a list gets every word at the floor, what an unseen word gets in one that has a list.

Both load on the first short line (about 1 s for py3langid, 0.2-1.6 s a word list, each list only for a
language ranked in a TOP), never at start-up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache, lru_cache

from pipeline.split import split_words

# How many of py3langid's best languages the word lists judge between, and the weight of the word lists'
# log-probability against py3langid's. Calibrated on the calibration half of ../shared/real/langid (word
# pairs: weights 0.3/1/3 gave 121/123/121 of 130 scoring every candidate; TOP 3/5/8/16 gave 119/122/123/123
# with weight 1, and 5 loads fewer word lists than 8); re-check with `make bench-linguistic`.
TOP = 5
WORD_WEIGHT = 1.0
# Counts added to every word's frequency (an unseen word is not impossible), and the floor a word gets in
# a language without a list: as unseen as in a list of ten million words.
SMOOTHING = 0.5
FLOOR = math.log(SMOOTHING / 1e7)


@lru_cache(maxsize=4)
def _identifier(candidates: tuple[str, ...]):
    """py3langid restricted to the candidates it knows (langdetect's zh-cn and zh-tw are its zh)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    identifier.set_languages([lang for lang in candidates if lang in identifier.nb_classes])
    return identifier


@cache
def _word_list(lang: str):
    """(frequency counter, total) of pyspellchecker's list for `lang`, or None when it has none."""
    from spellchecker import SpellChecker

    try:
        frequency = SpellChecker(language=lang, distance=1).word_frequency
    except ValueError:
        return None
    return frequency.dictionary, frequency.total_words


def short_text_language(text: str, candidates: Sequence[str]) -> tuple[str, float] | None:
    """The language of a short text among `candidates`, and the share of the evidence for it (0-1 among
    the TOP languages); None when the text has no letters."""
    words = [w.lower() for w in split_words(text) if any(c.isalpha() for c in w)]
    if not words or not candidates:
        return None
    identifier = _identifier(tuple(sorted(candidates)))
    ranked = sorted(identifier.rank(text), key=lambda pair: -pair[1])[:TOP]
    scores = {lang: score + WORD_WEIGHT * _words_log_probability(words, lang) for lang, score in ranked}
    best = max(scores, key=scores.__getitem__)
    total = sum(math.exp(score - scores[best]) for score in scores.values())
    return best, 1 / total


def _words_log_probability(words: Sequence[str], lang: str) -> float:
    word_list = _word_list(lang)
    if word_list is None:
        return FLOOR * len(words)
    counts, total = word_list
    return sum(math.log((counts.get(word, 0) + SMOOTHING) / total) for word in words)
