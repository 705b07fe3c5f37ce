"""Numbers, amounts, dates and percentages that one side of a sentence pair has and the other lacks.

Each number is read in its language's notation (German 1.250,5 = English 1,250.5) and, where the text
also fits the other notation, in that one too: translations often keep the source's notation. A scale
word multiplies it (12,5 Mio. = 12.5 million = €12.5m = 12,500,000), the bare figure counts as well.
Dates and times that fit neither notation count part by part (12.03.2024 is 12, 3 and 2024), and a
month name stands for its number, so 3. Oktober 2023, October 3, 2023 and 10/3/2023 all agree.
Written-out numbers (drei, three, the ordinal third) and month names only ever confirm a figure of the
other side: they are never reported missing, since "ein"/"one" are as often articles or pronouns.

Values are compared as sets: a figure counts as present when its value occurs anywhere on the other
side (precision first: a translation that says a repeated figure once is not flagged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pipeline.addresses import ADDRESS
from pipeline.document import Flag

# A digit run not glued to a word before it (A7, FFP2 are names, see pipeline.review.names). One after
# a word and a hyphen (Formel-1-Saison, COVID-19) is often written apart in English: it only confirms.
# Thousands apart with a space (1 000, 10 000 000) are one number, in either language.
_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]\d)|\d+(?:[.,]\d+)*)")
_APART = re.compile(r"[ \u00a0\u202f]")
# Digits glued to letters (B19, E95, S10): a road, a fuel, a model, often written apart in the other
# language (B 19, E 95): they only confirm a figure of the other side (pipeline.review.names checks
# codes as names).
_GLUED = re.compile(r"(?<=[^\W\d_])\d+(?!\d)")
# Day and month without a year (16.3., 10.02.) or a clock time (14.30): besides its decimal reading,
# each part on its own (16.3. = March 16 = 03/16).
_DAY_MONTH = re.compile(r"\d{1,2}\.\d{1,2}")
# An English clock time before a.m./p.m. written with a point (1.40 a.m., 12.30 pm): hour and minute.
_EN_CLOCK = re.compile(r"\d{1,2}[.:]\d{2}(?=\s*[ap]\.?\s?m\b)", re.IGNORECASE)
_AND_A_HALF = re.compile(r"\s+and\s+a\s+half\b", re.IGNORECASE)
_HYPHENATED = re.compile(r"[^\W\d_]-$")
# A German clock time (21.30 Uhr) is hour and minute, not a decimal.
_CLOCK = re.compile(r"\d{1,2}[.:]\d{2}(?=\s*Uhr\b)")
# A decade (90er Jahre, 20er) is the 1990s or 2090s as much as the '90s: a figure of two digits ending
# in 0 right before -er.
_DECADE = re.compile(r"[1-9]0")
_POINTED = re.compile(r"\d[.,]\d")
# (full-match pattern of one number, thousands separator, decimal point) per notation
_NOTATION = {
    "en": (re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"), ",", "."),
    "de": (re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"), ".", ","),
}
_SCALE = {
    "de": (
        re.compile(r"\s*(Mio|Mrd|Bio|Tsd)\.|\s*(Tausend|Million(?:en)?|Milliarden?|Billion(?:en)?)\b"),
        {
            "tsd": 3,
            "tausend": 3,
            "mio": 6,
            "million": 6,
            "millionen": 6,
            "mrd": 9,
            "milliarde": 9,
            "milliarden": 9,
            "bio": 12,
            "billion": 12,
            "billionen": 12,
        },
    ),
    "en": (
        re.compile(r"\s*(thousand|million|billion|trillion)\b|(m|mn|bn|tn)\b", re.IGNORECASE),
        {"thousand": 3, "million": 6, "m": 6, "mn": 6, "billion": 9, "bn": 9, "trillion": 12, "tn": 12},
    ),
}
_MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "en": "January February March April May June July August September October November December",
}
# Cardinals and ordinals (stems: German endings -e/-en/-er/-es/-em are allowed after them).
_WORDS = {
    "de": {
        "null": 0,
        "ein": 1,
        "eins": 1,
        "zwei": 2,
        "drei": 3,
        "vier": 4,
        "fünf": 5,
        "sechs": 6,
        "sieben": 7,
        "acht": 8,
        "neun": 9,
        "zehn": 10,
        "elf": 11,
        "zwölf": 12,
        "zwanzig": 20,
        "dreißig": 30,
        "vierzig": 40,
        "fünfzig": 50,
        "sechzig": 60,
        "siebzig": 70,
        "achtzig": 80,
        "neunzig": 90,
        "hundert": 100,
        "tausend": 1000,
        "erst": 1,
        "zweit": 2,
        "dritt": 3,
        "viert": 4,
        "fünft": 5,
        "sechst": 6,
        "siebt": 7,
        "neunt": 9,
        "zehnt": 10,
        "beid": 2,
        "dutzend": 12,
        "jänner": 1,
        "halb": 0.5,
        "hälfte": 0.5,
    },
    "en": {
        "zero": 0,
        "one": 1,
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "ten": 10,
        "eleven": 11,
        "twelve": 12,
        "twenty": 20,
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
        "hundred": 100,
        "thousand": 1000,
        "first": 1,
        "second": 2,
        "third": 3,
        "fourth": 4,
        "fifth": 5,
        "sixth": 6,
        "seventh": 7,
        "eighth": 8,
        "ninth": 9,
        "tenth": 10,
        "both": 2,
        "twice": 2,
        "dozen": 12,
        "half": 0.5,
    },
}
_WORD = re.compile(r"[^\W\d_]+")
# Written-out numbers of tens and ones: zweiundsechzig, sixty-two (groups: German ones, tens; English
# tens, ones).
_TENS = {
    "de": "zwanzig dreißig vierzig fünfzig sechzig siebzig achtzig neunzig",
    "en": "twenty thirty forty fifty sixty seventy eighty ninety",
}
_ONES = {
    "de": "ein zwei drei vier fünf sechs sieben acht neun",
    "en": "one two three four five six seven eight nine",
}
_COMPOUND_WORD = {
    "de": re.compile(rf"\b({'|'.join(_ONES['de'].split())})und({'|'.join(_TENS['de'].split())})"),
    "en": re.compile(rf"\b({'|'.join(_TENS['en'].split())})[- ]({'|'.join(_ONES['en'].split())})\b"),
}
_GERMAN_ENDING = re.compile(r"(?:e|en|er|es|em|ens)$")
# An English hour before a.m./p.m. ("2 p.m.", "2:30pm") is also read on the 24-hour clock.
_PM = re.compile(r"(?::\d{2})?\s*p\.?\s?m\b", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    text: str  # as written, for the flag
    values: frozenset[Decimal]
    optional: bool = False  # a word: confirms the other side, never reported missing


def figures(text: str, lang: str) -> list[Figure]:
    """Every number of a text in ``lang`` ("de" or "en"), with the values it may stand for."""
    text = ADDRESS.sub(" ", text)
    found = [_figure(m, text, lang) for m in _NUMBER.finditer(text)]
    found = [f for group in found for f in group]
    found += [
        Figure(m.group(), frozenset({Decimal(m.group())}), optional=True) for m in _GLUED.finditer(text)
    ]
    months = {name.lower(): i for i, name in enumerate(_MONTHS[lang].split(), 1)}
    words = _WORDS[lang]
    lowered = text.lower()
    for m in _COMPOUND_WORD[lang].finditer(lowered):
        tens, ones = (m.group(2), m.group(1)) if lang == "de" else (m.group(1), m.group(2))
        found.append(Figure(m.group(), frozenset({Decimal(words[tens] + words[ones])}), optional=True))
    for word in _WORD.findall(lowered):
        value = months.get(word, words.get(word))
        if value is None and lang == "de":
            value = words.get(_GERMAN_ENDING.sub("", word))
        if value is not None:
            found.append(Figure(word, frozenset({Decimal(str(value))}), optional=True))
    return found


def _figure(match: re.Match, text: str, lang: str) -> list[Figure]:
    token = match.group()
    optional = bool(_HYPHENATED.search(text[: match.start()]))
    if _APART.search(token):
        return [Figure(token, frozenset({Decimal(_APART.sub("", token))}), optional)]
    if re.fullmatch(r"0+", token) and re.search(r"\d[:.]$", text[: match.start()]):
        return [Figure(token, frozenset({Decimal(0)}), optional=True)]  # 14:00 Uhr = 2 PM
    if lang == "en" and "." in token and _EN_CLOCK.match(text, match.start()):
        hour, minute = (Decimal(part) for part in re.split(r"[.:]", token))
        return [
            Figure(token, frozenset({hour, hour + 12}), optional),
            Figure(str(minute), frozenset({minute})),
        ]
    other = "de" if lang == "en" else "en"
    values = {v for notation in (lang, other) if (v := _parse(token, notation)) is not None}
    if lang == "de" and _DECADE.fullmatch(token) and text.startswith("er", match.end()):
        values |= {Decimal(1900 + int(token)), Decimal(2000 + int(token))}
    if values and lang == "de" and _DAY_MONTH.fullmatch(token) and not _CLOCK.match(text, match.start()):
        values |= {Decimal(part) for part in token.split(".")}
    if not values or (lang == "de" and _CLOCK.match(text, match.start())):
        # a date, a time, a version number: each part on its own (a time's zero minutes only confirm)
        parts = re.split(r"[.,]", token)
        return [
            Figure(part, frozenset({Decimal(part)}), optional or (i > 0 and not part.strip("0")))
            for i, part in enumerate(parts)
        ]
    after = text[match.end() :]
    scale = _SCALE[lang][0].match(after)
    if scale:
        exponent = _SCALE[lang][1][(scale.group(1) or scale.group(2)).lower()]
        values |= {v.scaleb(exponent) for v in values}
        token += scale.group()
    if lang == "en" and _PM.match(after) and all(v < 12 for v in values):
        values |= {v + 12 for v in values}
    if lang == "en" and _AND_A_HALF.match(after):  # 3 and a half = 3,5
        values |= {v + Decimal("0.5") for v in values}
    return [Figure(token.strip(), frozenset(v.normalize() for v in values), optional)]


def _parse(token: str, notation: str) -> Decimal | None:
    pattern, group, point = _NOTATION[notation]
    if not pattern.fullmatch(token):
        return None
    try:
        return Decimal(token.replace(group, "").replace(point, "."))
    except InvalidOperation:
        return None


def number_flags(german: str, english: str) -> list[Flag]:
    """A flag for each German figure whose value the English lacks, and each English one the German
    lacks; a German and an English figure left over together are reported as one changed figure. A
    figure with a point or comma written the same on both sides (01.40 for 01.40 Uhr, a version 2.0.1)
    agrees, whatever it stands for: it is taken out of both before they are read."""
    german, english = ADDRESS.sub(" ", german), ADDRESS.sub(" ", english)
    same = {m.group() for m in _NUMBER.finditer(german) if _POINTED.search(m.group())}
    same &= {m.group() for m in _NUMBER.finditer(english)}
    if same:
        german, english = (
            _NUMBER.sub(lambda m: " " if m.group() in same else m.group(), text) for text in (german, english)
        )
    de, en = figures(german, "de"), figures(english, "en")
    de_values = set().union(*(f.values for f in de))
    en_values = set().union(*(f.values for f in en))
    missing = _unique(f.text for f in de if not f.optional and not f.values & en_values)
    added = _unique(f.text for f in en if not f.optional and not f.values & de_values)
    flags = [Flag("number", d, f"{e} in English") for d, e in zip(missing, added, strict=False)]
    flags += [Flag("number", d, "missing in English") for d in missing[len(added) :]]
    flags += [Flag("number", e, "in English, not in German") for e in added[len(missing) :]]
    return flags


def _unique(texts) -> list[str]:
    return list(dict.fromkeys(texts))
