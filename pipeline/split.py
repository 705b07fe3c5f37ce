"""Sentence and word segmentation for German and English.

The sentence splitter only ever breaks at whitespace, after a token ending in ``.``, ``!``, ``?`` or an
ellipsis (closing quotes and brackets may follow), or where a line without final punctuation visibly ended
(an address before a capitalised word). Whether that is a sentence end depends on the token
and on the next word: a lowercase next word never starts a sentence; after most abbreviations, initials
and German ordinals the next word must also be a typical sentence opener (``Der``, ``Sie``, ``Dann``,
``The``…), because German nouns — ``am 1. Februar``, ``3 Mio. Euro`` — are capitalised too.
"""

from __future__ import annotations

import re

from pipeline.budget import UNLIMITED, Budget
from pipeline.document import Document, Sentence

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")

_TOKEN = re.compile(r"\S+")
_OPENERS = "\"'„“‘‚»«‹›([{¿¡"
_CLOSERS = "\"'”“’‘»«›‹)]}"
_LEADERS = _OPENERS + "–—-"  # stripped from the next token; a lone dash token is skipped
_END_CHARS = frozenset(".!?…" + _CLOSERS)
_ELLIPSES = ("…", "...")
_LEADING_LETTERS = re.compile(r"[^\W\d_]+")
_LETTER_DOT = re.compile(r"[^\W\d_]\.")  # one piece of a spaced abbreviation or an initial: "z." "M."
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # "J.R.R", "z.B" (without the final period)
_INTEGER = re.compile(r"\d{1,4}")
# A smiley or similar after a sentence belongs to it: ":)", ";-)", ":D", "^^", "xD".
_EMOTICON = re.compile(r"[:;=8xX][-'^o]?[()\[\]DPpOo3|/\\*]+|\^\^|<3")
# A web or e-mail address at the end of a token ("www.x.org", "<jo@x.com>" with its bracket stripped).
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+$|[^\s@]@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}$", re.IGNORECASE)

# Abbreviation kinds: never followed by a sentence end; followed by one only when the next word is a
# sentence opener; usually ending a sentence (any capitalised word may follow).
_NEVER, _OPENER, _ALWAYS = range(3)


def _kinds(never: str, opener: str, always: str) -> dict[str, int]:
    return {key: kind for kind, keys in enumerate((never, opener, always)) for key in keys.split()}


_ABBREVIATIONS = {
    "de": _kinds(
        never="z.b d.h u.u z.t i.d.r v.a dr prof med jur phil rer nat hr hrn fr frl st nr abs abb tab kap "
        "ca vgl bzw ggf evtl inkl sog geb tel bspw insb ehem gem lt zzgl",
        opener="u.a e.v s.o s.u mio mrd tsd mill jh jhd std min sek str art bd hbf co",
        always="usw etc o.ä u.ä u.v.m",
    ),
    "en": _kinds(
        never="mr mrs ms dr prof rev hon gen col lt capt sgt sen rep gov mt vs e.g i.e cf approx viz",
        opener="u.s u.k inc ltd co corp jr sr st ave blvd ft jan feb mar apr jun jul aug sep sept "
        "oct nov dec",
        always="etc a.m p.m",  # English nouns are lowercase: "5 p.m. Tickets…" starts a sentence
    ),
}
_TIME_ZONES = frozenset("ET EST EDT CT CST CDT MT MST MDT PT PST PDT GMT UTC BST CET CEST".split())

# An e-mail's closing and the name under it, run together when the line break is gone ("Best, Jeff",
# "Thanks and regards, Mary Smith"): two units, as UD English EWT has them.
_SIGN_OFF = re.compile(
    r"((?i:(?:(?:best|kind|warm|many|with)\s+)?(?:regards|wishes|thanks|best)(?:\s+again)?|cheers|thank you|"
    r"good luck|sincerely|yours(?: truly| sincerely)?|love|take care|all the best|thanks and regards),)"
    r"\s+([A-Z][\w'’-]*(?:\s+[A-Z][\w.'’-]*){0,2})"
)

# A closing that opens a line of its own ("… see our page Thanks for looking", "-- Regards"): after a
# lower-case word or a dash, capitalised as it is, it cannot continue the sentence ("Thanks to" can).
_CLOSING = re.compile(
    r"(?:(?:Thanks|Regards?)(?! to\b)|Thank you|(?:Best|Kind|Warm) [Rr]egards|Cheers|Sincerely)\b"
)
_DASH = re.compile(r"-{1,3}|[–—]")
_JOINERS = frozenset(("and", "with"))  # inside a closing: "Thanks and Regards", "with Kind Regards"

# Capitalised words that typically open a sentence but are not nouns.
_STARTERS = {
    "de": frozenset(
        "Der Die Das Den Dem Des Ein Eine Einen Einem Einer Eines Er Sie Es Wir Ihr Ich Du Man Dies Diese "
        "Dieser Dieses Diesem Diesen Sein Seine Seinen Seinem Seiner Ihre Ihren Ihrem Ihrer Unser Unsere "
        "Mein Meine Dort Da Dann Danach Davor Damit Dabei Dafür Dagegen Dazu Darauf Daraufhin Darüber Doch "
        "Aber Und Oder Denn Sondern Auch Allerdings Außerdem Also Zudem Trotzdem Deshalb Deswegen Daher "
        "Darum Dennoch Jedoch Zwar So Nun Jetzt Heute Gestern Hier Wie Was Wer Wo Wohin Woher Warum Weshalb "
        "Wann Welche Welcher Welches Nach Vor In Im Am An Auf Aus Bei Beim Mit Seit Ab Für Um Zum Zur Von "
        "Vom Über Unter Durch Gegen Ohne Als Wenn Weil Ob Obwohl Während Bis Schon Noch Nur Erst Viele "
        "Alle Alles Einige Manche Kein Keine Keiner Nicht Nichts Niemand Jeder Jede Jedes Bereits "
        "Insgesamt Laut Zunächst Anschließend Später Inzwischen Mittlerweile Zuvor Gleichzeitig Ebenfalls "
        "Vielleicht Leider Natürlich Immerhin Schließlich Endlich Offenbar Tatsächlich Stattdessen "
        "Hingegen Zuletzt Bisher Damals Seitdem Sofort Oft Manchmal Immer Nie Selbst Sogar Ja Nein".split()
    ),
    "en": frozenset(
        "The A An This That These Those There Here It Its He She They We I You His Her Their Our My Your "
        "But And Or So Yet However Then Now In On At For From With By After Before When While If As Since "
        "Although Though Because Meanwhile Still Also Even Many Most Some All Each Every What Who Why How "
        "Where Which Today Yesterday Tomorrow Later Instead Despite During Only Both Such No Nobody".split()
    ),
}

# German words after which "<number>." is an ordinal: "am 1.", "zum 1000.", "seinen 50.".
_ORDINAL_CONTEXT = frozenset(
    "am im zum zur vom beim ins ans der die das den dem des ein eine einen einem einer eines sein seine "
    "seinen seinem seiner seines ihr ihre ihren ihrem ihrer ihres unser unsere unseren unserem unserer "
    "jeden jeder jedem jedes diese diesen diesem dieser dieses".split()
)


def split_words(text: str) -> list[str]:
    """Words (letters/digits, inner hyphens and apostrophes kept), punctuation dropped."""
    return _WORD.findall(text)


def split_sentences(text: str, lang: str) -> list[str]:
    """Split one paragraph into sentences. lang is 'de' or 'en' (any other code: treat like 'en')."""
    lang = "de" if lang == "de" else "en"
    spans = [m.span() for m in _TOKEN.finditer(text)]
    tokens = [text[start:end] for start, end in spans]
    sentences, first = [], 0
    for i in range(len(tokens) - 1):
        if _is_boundary(tokens, i, lang):
            sentences.append(text[spans[first][0] : spans[i][1]])
            first = i + 1
    if spans:
        sentences.append(text[spans[first][0] : spans[-1][1]])
    if lang == "en" and sentences and (sign_off := _SIGN_OFF.fullmatch(sentences[-1])):
        sentences[-1:] = [sign_off[1], sign_off[2]]
    return sentences


def _is_boundary(tokens: list[str], i: int, lang: str) -> bool:
    if tokens[i][-1] in _END_CHARS or _EMOTICON.fullmatch(tokens[i]):
        return _ends_sentence(tokens, i, lang)
    return _ends_unpunctuated_line(tokens, i, lang)


def _ends_sentence(tokens: list[str], i: int, lang: str) -> bool:
    """Whether the sentence ends after tokens[i] (judged on the token before a smiley: "cool. :) See")."""
    end = i - 1 if _EMOTICON.fullmatch(tokens[i]) else i
    if end < 0 or _EMOTICON.fullmatch(tokens[end]):
        return False
    token = tokens[end]
    core = token.rstrip(_CLOSERS)
    if not core or core[-1] not in ".!?…" or (token[0] in "([" and token[-1] in ")]"):
        return False  # no final punctuation, or a one-token aside such as "(!)", "[…]"
    after = _next_word(tokens, i + 1)
    if not after or _EMOTICON.fullmatch(after):
        return False  # "It's well cool. :)" — a smiley closes the sentence before it
    if after[0].islower():
        return lang == "en" and _ends_before_lowercase(token, core)
    if core.endswith(_ELLIPSES):
        # German nouns after a pause ("… Wahnsinn") are capitalised as well.
        return _is_starter(after, lang) if lang == "de" else not after[0].isdigit()
    if core[-1] in "!?":
        return True
    word = core[:-1]
    if word and word[-1] in _CLOSERS:
        return True  # the period follows a quote or bracket: "(S. 12)." / „…“.
    return _ends_after_period(tokens, end, word.lstrip(_OPENERS), after, lang)


def _ends_unpunctuated_line(tokens: list[str], i: int, lang: str) -> bool:
    """A line without final punctuation whose end the reader's joined lines hide, where the words show it.
    A web or e-mail address that ends a header or signature line ("E-Mail: jo@x.com Dear Mr. Lay:", "at
    www.x.org PS - we…") is followed by a new line's capitalised word (in German, where nouns are
    capitalised, a sentence opener) or by another address (a list of links). In English, a closing
    (``_CLOSING``) after a lower-case word or a dash starts a line. On UD English EWT (calibration half)
    each such address (5 of 5) and closing (2 of 2) started a line; re-check with
    ``bench/linguistic.py --only sentences``."""
    word = tokens[i]
    if lang == "en" and (_DASH.fullmatch(word) or word.isalpha() and word.islower() and word not in _JOINERS):
        return _CLOSING.match(" ".join(tokens[i + 1 : i + 3])) is not None
    if not _ADDRESS.search(word.rstrip(">")):
        return False
    after = _next_word(tokens, i + 1)
    if _ADDRESS.search(after.rstrip(_CLOSERS + ">")):
        return True
    return after[:1].isupper() if lang == "en" else _is_starter(after, lang)


def _ends_before_lowercase(token: str, core: str) -> bool:
    """English web and e-mail text starts sentences in lower case ("no. i got her number"): a lowercase
    word after "!", "?" or a period that ends a plain word starts a sentence. Not after an ellipsis ("on a
    Gmail account... you have"), an abbreviation ("e.g. the", "etc. and", "5 p.m. today"), an initial or a
    closing quote or bracket ('"Really?" she asked', "(why?) and")."""
    if token[-1] in _CLOSERS or core.endswith(_ELLIPSES):
        return False
    if core[-1] in "!?":
        return True
    word = core[:-1].lstrip(_OPENERS)
    if not word:
        return True  # a period spaced off its sentence: "flooded with enron folks . can't go"
    if len(word) < 2 or "." in word or word.lower() in _ABBREVIATIONS["en"]:
        return False  # "e.g", "U.S", a single letter (an initial, a list label "a.")
    return _WORD.fullmatch(word) is not None


def _ends_after_period(tokens: list[str], i: int, word: str, after: str, lang: str) -> bool:
    kind = _abbreviation_kind(tokens, i, word, lang)
    if kind == _NEVER:
        return False
    if kind == _OPENER:
        return _is_starter(after, lang)
    if kind == _ALWAYS:
        return _first_word(after) not in _TIME_ZONES
    if len(word) == 1 and word.isalpha():  # an initial ("Angela M. Schulz") or a lone "b." / "S."
        return word.isupper() and _is_starter(after, lang)
    if lang == "en":
        # "No. 10", "(pop. 256,000)", "vol. 3": a word and a period before a number abbreviate it.
        return not after[0].isdigit() or not (word == "No" or word.islower())
    if _INTEGER.fullmatch(word):
        return _ends_after_german_number(tokens, i, word, after)
    return True


def _ends_after_german_number(tokens: list[str], i: int, number: str, after: str) -> bool:
    """'am 1. Februar', 'im 19. Jahrhundert' are ordinals; 'Platz 3. Meister wurde…' and 'schloss 2018.
    Bergbau…' are sentence ends."""
    if after[0].isdigit():
        return False  # a date written with spaces: "3. 4. 1980"
    if _is_starter(after, "de"):
        return True
    previous = tokens[i - 1] if i else ""
    if previous.lower() in _ORDINAL_CONTEXT:
        return False
    if previous[:1].isupper() and previous.isalpha() and previous not in _STARTERS["de"]:
        return True  # a capitalised noun labels a cardinal: "Platz 3.", "Seite 12."
    return len(number) == 4  # a bare year ends the sentence; a small bare number reads as an ordinal


def _abbreviation_kind(tokens: list[str], i: int, word: str, lang: str) -> int | None:
    table = _ABBREVIATIONS[lang]
    key = word.lower()
    if len(word) == 1:
        # A spaced abbreviation such as "i. d. R." arrives one letter at a time: try the longest run.
        letters = [key]
        for previous in reversed(tokens[max(0, i - 3) : i]):
            previous = previous.lstrip(_OPENERS)
            if not _LETTER_DOT.fullmatch(previous):
                break
            letters.insert(0, previous[0].lower())
        for start in range(len(letters) - 1):
            kind = table.get(".".join(letters[start:]))
            if kind is not None:
                return kind
    if lang == "de" and key.endswith("str") and len(key) > 3:
        return _OPENER  # street names: "Hauptstr. 5"
    return table.get(key, _OPENER if _DOTTED.fullmatch(word) else None)


def _next_word(tokens: list[str], j: int) -> str:
    """The next token without opening quotes, brackets and dashes."""
    for token in tokens[j : j + 2]:
        word = token.lstrip(_LEADERS)
        if word:
            return word
    return ""


def _first_word(text: str) -> str:
    match = _LEADING_LETTERS.match(text)
    return match[0] if match else ""


def _is_starter(word: str, lang: str) -> bool:
    first = _first_word(word)
    # "I." or "A." is an initial ("J. I. Packer"), not the pronoun or article.
    return first in _STARTERS[lang] and not word[len(first) :].startswith(".")


# A heading, a caption or a table row is one unit, translated as a whole, whatever punctuation it holds.
UNSPLIT_KINDS = ("heading", "caption", "table")


def split_document(doc: Document, budget: Budget = UNLIMITED) -> None:
    """Give every paragraph its sentences, with ids p<n>.s<k>, in the paragraph's language."""
    for paragraph in doc.paragraphs:
        budget.check()
        lang = paragraph.lang or doc.lang or "de"
        texts = [paragraph.text] if paragraph.kind in UNSPLIT_KINDS else split_sentences(paragraph.text, lang)
        paragraph.sentences = [Sentence(id=f"{paragraph.id}.s{k}", text=t) for k, t in enumerate(texts, 1)]
