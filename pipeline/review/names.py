"""Names, acronyms, URLs and e-mail addresses of the German sentence that the English lacks.

German capitalises every noun, so a capitalised word is a name only when it is not a common noun. The
common nouns (with all their inflected forms) come from the ``german-nouns`` lexicon (~100,000 nouns
from the German Wiktionary, which also marks first names, surnames, place names and other proper
nouns). A German word counts as a name when it is not at the start of a sentence or quote and is

- an acronym (SPD, AfD, FFP2) or a code with letters and digits (A7, G20): always, or
- a first name or surname of the lexicon (Merkel, Angela), or
- unknown to the lexicon even without German case endings, and neither a compound ending in a known
  noun (Gemüsehof), a capitalised adjective or participle (Europäische, Vereinigten), a derived noun
  (Verfilmung) nor one typing error away from a known noun (Isloation): Machtolsheim, Biden.

Place names and other proper nouns of the lexicon are left out: many have English names of their own
(München, Munich; Wien, Vienna; Europa, Europe). The English side has a name when it contains it,
ignoring case and accents (Müller, Mueller, Muller; São, Sao), with a German ending removed
(Bundestages, Merkels), for words of 6 letters or more a word beginning with its first 5 (Europäische,
European), and for an acronym of 3 letters or more without its last (USA, US). Precision first: each
rule makes the detector miss some dropped names rather than report present ones.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from functools import cache
from importlib import resources

from pipeline.document import Flag

log = logging.getLogger(__name__)

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_][\w&]*(?:-[\w&]+)*")
# A word after one of these (or at the very start) begins a sentence, a quote or a parenthesis.
_OPENERS = set(".:;!?\"„“”»«‹›‚‘'()[]–—-•*")
_ENDINGS = ("ns", "es", "en", "er", "ern", "s", "n", "e")
# Capitalised adjectives and participles (Europäische, Mögliche, 19-Jährige, Vereinigten, Schlimmeres)
# and derived common nouns (Verfilmung, Gesundheit) that the lexicon does not list.
_ADJECTIVE = re.compile(r"(?:isch|ig|lich|bar|sam|haft|los|end|t|er)(?:e|en|er|es|em)$|isch$")
_DERIVED_NOUN = re.compile(r"(?:ung|heit|keit|schaft|tion|ität|ismus|nis|tum)(?:en|s|se)?$")
_LINKS = ("", "s", "es", "n", "en", "e", "er")
# Capitalised function words that are never names (Sie, Ihr: the polite "you").
_FUNCTION_WORDS = {"sie", "ihr", "ihre", "ihren", "ihrem", "ihrer", "ihres", "ihnen", "du", "dich", "dir"}
_PROPER = {"Vorname", "Nachname"}
# Place names often have English names of their own; "Eigenname" covers words like Sonne and Europa.
_PLACE = {"Toponym", "Straßenname", "Eigenname"}
# German place names end so (Merklingen, Machtolsheim, Sindelfingen): a word unknown to the lexicon
# that does is a name, not a compound (Mer|klingen).
_PLACE_SUFFIX = re.compile(
    r"(?:ingen|heim|hausen|dorf|burg|berg|stadt|feld|bach|kirchen|hofen|leben|weiler)$"
)
# The shortest known noun at the end of an unknown word that makes it a compound without a known noun
# before it (Absperr|zaun would need 4): at 5, place names in -heim, -dorf, -burg stay names. Tested
# in tests/test_review.py, measured by bench/review_eval.py.
_MIN_HEAD = 5
# Words this long that are one typing error away from a common noun are taken for that noun (Isloation,
# Grenezn in real news text); shorter ones are too often names (Biden, Boden).
_MIN_TYPO = 7
_ALPHABET = "abcdefghijklmnopqrstuvwxyzäöüß"
_UMLAUT_E = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


@cache
def lexicon() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(common nouns, proper nouns, place names): every inflected form of each, as written.

    Empty when the ``german-nouns`` package is not installed: then only acronyms, codes, URLs and
    e-mail addresses are checked.
    """
    common: set[str] = set()
    proper: set[str] = set()
    place: set[str] = set()
    try:
        table = resources.files("german_nouns").joinpath("nouns.csv").open(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        log.warning("german-nouns is not installed: the name check covers only acronyms, URLs, e-mails")
        return frozenset(), frozenset(), frozenset()
    with table:
        rows = csv.reader(table)
        next(rows)
        for row in rows:
            kinds = set(row[1].split(","))
            target = place if kinds & _PLACE else proper if kinds & _PROPER else common
            target.update(cell for cell in [row[0], *row[7:]] if cell)
    # A word that is also a common noun (Müller: miller) or a place (München, also a surname) is not
    # surely a name that English keeps.
    return frozenset(common), frozenset(proper - common - place), frozenset(place)


def names(german: str) -> list[str]:
    """The names of a German sentence, in order, each once."""
    found = [url.rstrip(".,;:!?)") for url in _URL.findall(german)]
    text = _URL.sub(" ", german)
    for match in _WORD.finditer(text):
        before = text[: match.start()].rstrip()
        initial = not before or before[-1] in _OPENERS
        if len(match.group()) <= 4 and not match.group().isupper() and text.startswith(".", match.end()):
            continue  # an abbreviation: Mio., Nr., Dr.
        found.extend(part for part in match.group().split("-") if _is_name(part, initial))
    return list(dict.fromkeys(found))


def _is_name(word: str, initial: bool) -> bool:
    letters = [c for c in word if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if len(letters) >= 2 and upper >= 2 and upper >= len(letters) - upper:
        return True  # an acronym: SPD, AfD, FFP2
    if letters and any(c.isdigit() for c in word):
        return word[0].isalpha()  # a code: A7, G20 (not 10km)
    if initial or len(word) < 3 or not word[0].isupper() or not word.isalpha():
        return False
    if word.lower() in _FUNCTION_WORDS:
        return False
    common, proper, place = lexicon()
    if not common:
        return False
    stems = [word] + [word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= 3]
    if any(s in proper for s in stems):
        return True
    if any(s in common or s in place for s in stems):
        return False
    if _ADJECTIVE.search(word) or _DERIVED_NOUN.search(word):
        return False
    if _PLACE_SUFFIX.search(word):
        return True
    return not (_compound(word, common) or (len(word) >= _MIN_TYPO and _typo_of(word, common)))


def _compound(word: str, common: frozenset[str]) -> bool:
    """Whether the word ends in a known noun after a known one with its linking letters (Gemüse|hof,
    Landstraßen|abschnitt), or in a known noun of 5 letters or more after 4 letters or more (Absperr|
    zaun: the modifier may be a verb). Merklingen (Mer|klingen) stays a name."""
    for i in range(3, len(word) - 2):
        head = word[i:].capitalize()
        if head not in common:
            continue
        if len(head) >= _MIN_HEAD and i >= 4:
            return True
        modifier = word[:i]
        if any(modifier.endswith(k) and modifier[: len(modifier) - len(k)] in common for k in _LINKS):
            return True
    return False


def _typo_of(word: str, common: frozenset[str]) -> bool:
    """Whether one deleted, swapped, replaced or inserted letter makes the word a common noun."""
    low = word.lower()
    splits = [(low[:i], low[i:]) for i in range(len(low) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    edits |= {a + c + b for a, b in splits for c in _ALPHABET}
    return any(e.capitalize() in common for e in edits)


def present(name: str, english: str) -> bool:
    """Whether the English contains the name in one of the spellings it may take there."""
    text = _fold(english)
    for word in {_fold(name), _fold(name.casefold().translate(_UMLAUT_E))}:
        if word in text:
            return True
        if any(word.endswith(e) and len(word) - len(e) >= 3 and word[: -len(e)] in text for e in _ENDINGS):
            return True
        if len(word) >= 6 and re.search(r"\b" + re.escape(word[:5]), text):
            return True
        if name.isupper() and len(name) >= 3 and word[:-1] in re.findall(r"\w+", text):
            return True  # USA: US, UNO: UN
    return False


def _fold(text: str) -> str:
    """Lower case without accents: São, Sao; Müller, Muller."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss").replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_flags(german: str, english: str) -> list[Flag]:
    """A flag for each name of the German sentence that the English does not contain."""
    return [Flag("name", name, "missing in English") for name in names(german) if not present(name, english)]
