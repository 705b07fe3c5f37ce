"""The team's terminology: a German term and its English, or a German term kept as it is.

A glossary is a UTF-8 TSV file, one term a line: the German term, a tab, the English term. An empty
English side means "do not translate" (names of organisations, products, acronyms): the German term
stays. Blank lines and lines starting with "#" are skipped.

A term matches its inflected forms (Bundestag, Bundestages, Bundestags, Bundestage; umlaut plurals:
Stadtrat, Stadträte; in a term of several words the adjectives too: Deutscher Wetterdienst, des
Deutschen Wetterdienstes), with either case of its first letter, and never inside another word (not in
"Bundestagswahl" nor "Bundestags-Sitzung"). An acronym (all capitals) matches only in capitals.

Enforced through the model without retraining: each occurrence in a German sentence is replaced by a
placeholder, a private-use character the package's vocabulary lacks. The model reads <unk> there, and
replace_unknowns turns its <unk> in the output into the source token it attends to most, the
placeholder, which is then replaced by the chosen English term: in the plural where the German form is
inflected and the plain translation has only the plural of the term's last word (Akkus: "batteries" →
"rechargeable batteries"), with a capital at the start of a sentence. A translation that does not have
every placeholder exactly once, or that lost a word the plain translation copied from the German (a
name, a number), is not used: the sentence keeps its plain translation, and the review flags a term
that is missing from it (pipeline.review.glossary). So a glossary never makes a translation worse than
without it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pipeline.config import ConfigError
from pipeline.tokenizer import Tokenizer

# Endings a German noun takes in its case and plural forms (genitive -s/-es, dative -n/-en, plural -e,
# -er, -ern, -ns). A short term may so match another word ("Rat" in "Raten"): a glossary term is meant
# to be specific.
_NOUN_ENDINGS = "(?:e|en|er|ern|es|n|ns|s)?"
# An attributive adjective before the noun: its stem with the strong and weak endings.
_ADJECTIVE_ENDING = re.compile(r"(?:em|en|er|es|e)$")
_ADJECTIVE_ENDINGS = "(?:e|em|en|er|es)?"
# A plural that umlauts the noun's last vowel (Rat → Räte, Bahnhof → Bahnhöfe, Haus → Häuser): the vowel
# (a, o, u, au) before the final consonants, and the plural endings after it.
_LAST_VOWEL = re.compile(r"(au|Au|[aouAOU])(?=[^aeiouäöüyAEIOUÄÖÜY]*$)")
_UMLAUT = {"a": "ä", "o": "ö", "u": "ü", "au": "äu", "A": "Ä", "O": "Ö", "U": "Ü", "Au": "Äu"}
_UMLAUT_PLURAL_ENDINGS = "(?:e|en|er|ern)"
# Placeholders: private-use characters, the first ones the package does not know.
_PRIVATE_USE = range(0xE000, 0xF8FF)
_WORD = re.compile(r"\w+")
_OPENING = " \"'„“‘‚«»(["  # what may stand before a sentence's first word
# Terms are found through the first characters of their first word, so that a sentence is matched only
# against the few terms its words could start: linear in the text, nearly flat in the glossary's size.
PREFIX = 3
MAX_PLACEHOLDERS = 32  # occurrences masked in one sentence; any further ones are left to the model
# Part of the translation cache key of a translation with a glossary, and of each briefing's fingerprint:
# raise it when matching, masking, restoring or the fallback rules change what a glossary gives.
RULES_VERSION = 2


class GlossaryError(ConfigError):
    """A glossary file that cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class Term:
    german: str
    english: str  # "" = do not translate: the German term stays

    @property
    def rendering(self) -> str:
        """What the English must say for this term."""
        return self.english or self.german

    def written(self, sentence_start: bool, plural: bool = False) -> str:
        """The rendering as written in place: a translated term in the plural if asked ("rechargeable
        batteries"), and one that is all lower case ("public transport") with a capital at the start of a
        sentence; names kept in German ("dpa") stay as they are."""
        if not self.english:
            return self.german
        english = self.english
        if plural:
            *words, last = english.split(" ")
            english = " ".join([*words, english_plural(last)])
        if sentence_start and english.split()[0].islower():
            return english[0].upper() + english[1:]
        return english

    @cached_property
    def pattern(self) -> re.Pattern:
        words = self.german.split()
        forms = r"\s+".join(_word_pattern(word, last=k == len(words) - 1) for k, word in enumerate(words))
        return re.compile(rf"(?<![\w-]){forms}(?![\w-])")

    @cached_property
    def prefixes(self) -> frozenset[str]:
        """How the forms of the term start, folded: up to 3 letters or digits of its first word's stem,
        and of its umlaut plural for a term of one word ("" for a term that starts otherwise, "§ 219a":
        it is looked for in every sentence)."""
        first = self.german.split()[0]
        if " " not in self.german:  # the noun itself
            stems = {first, _umlaut_plural_stem(first) or first}
        elif first.isupper():
            stems = {first}
        else:  # an adjective before the noun
            stems = {_ADJECTIVE_ENDING.sub("", first) or first}
        starts = (re.match(rf"\w{{1,{PREFIX}}}", stem.casefold()) for stem in stems)
        return frozenset(start.group() if start else "" for start in starts)


@dataclass(frozen=True)
class Occurrence:
    term: Term
    start: int
    end: int
    text: str  # as it is written in the sentence, e.g. "Bundestages"


@dataclass(frozen=True)
class Masked:
    """A sentence with each term occurrence replaced by a placeholder."""

    text: str
    slots: tuple[tuple[str, Occurrence], ...]  # (placeholder, the term's occurrence) in sentence order

    def restore(self, translation: str, plain: str) -> str | None:
        """The masked sentence's translation with each placeholder replaced by its term's English, or
        None (then the sentence's plain translation is to be used) unless every placeholder is in it
        exactly once and it keeps each word the plain translation copied from the German.

        The second check catches a placeholder written in the wrong place: a model taught to copy may
        put it where another word it copies belongs ("Foto: Jonas Berger/dpa" came back as
        "Photo: Jonas Berger/city hall" for a glossary with Rathaus)."""
        copied = set(_WORD.findall(self.text)) & set(_WORD.findall(plain))
        if not copied <= set(_WORD.findall(translation)):
            return None
        for placeholder, occurrence in self.slots:
            if translation.count(placeholder) != 1:
                return None
            starts = translation.lstrip(_OPENING).startswith(placeholder)
            written = occurrence.term.written(starts, plural=_plural_in(occurrence, plain))
            translation = translation.replace(placeholder, written)
        return " ".join(translation.split())


class Glossary:
    def __init__(self, terms: list[Term], sha256: str, path: Path):
        self.terms = terms
        self.sha256 = sha256
        self.path = path
        self._by_prefix: dict[str, list[Term]] = {}
        for term in terms:
            for prefix in term.prefixes:
                self._by_prefix.setdefault(prefix, []).append(term)

    @classmethod
    def load(cls, path: Path) -> Glossary:
        try:
            data = path.read_bytes()
            text = data.decode("utf-8-sig")
        except FileNotFoundError:
            raise GlossaryError(f"{path}: glossary file not found") from None
        except OSError as exc:
            raise GlossaryError(f"{path}: cannot read glossary: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise GlossaryError(f"{path}, line {line}: not UTF-8 text") from None
        terms: dict[str, Term] = {}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            columns = line.split("\t")
            where = f"{path}, line {number}"
            if len(columns) > 2:
                raise GlossaryError(
                    f"{where}: expected 'German term<TAB>English term', got {len(columns)} columns"
                )
            german = " ".join(columns[0].split())
            english = " ".join(columns[1].split()) if len(columns) == 2 else ""
            if not german or not re.search(r"\w", german):
                raise GlossaryError(f"{where}: the German term is empty")
            if german.casefold() in terms:
                raise GlossaryError(f"{where}: '{german}' is in the glossary twice")
            terms[german.casefold()] = Term(german, english)
        if not terms:
            raise GlossaryError(f"{path}: the glossary has no terms")
        return cls(list(terms.values()), hashlib.sha256(data).hexdigest(), path)

    def find(self, text: str) -> list[Occurrence]:
        """The term occurrences in a German text, in order, none overlapping (where two overlap, the one
        that starts first, and of two that start at the same place the longer)."""
        prefixes = {""} | {w[:n].casefold() for w in _WORD.findall(text) for n in range(1, PREFIX + 1)}
        candidates = {t: None for prefix in prefixes for t in self._by_prefix.get(prefix, ())}
        matches = sorted(
            (
                (m.start(), -m.end(), term, m.group())
                for term in candidates
                for m in term.pattern.finditer(text)
            ),
            key=lambda match: match[:2],
        )
        found, end = [], 0
        for start, negative_end, term, text_found in matches:
            if start >= end:
                found.append(Occurrence(term, start, -negative_end, text_found))
                end = -negative_end
        return found

    def mask(self, text: str, tokenizer: Tokenizer) -> Masked | None:
        """The sentence with its terms replaced by placeholders, or None when it has no term."""
        occurrences = self.find(text)[:MAX_PLACEHOLDERS]
        if not occurrences:
            return None
        pieces, slots, start = [], [], 0
        for occurrence, placeholder in zip(occurrences, placeholders(tokenizer, text), strict=False):
            pieces += [text[start : occurrence.start], placeholder]
            slots.append((placeholder, occurrence))
            start = occurrence.end
        pieces.append(text[start:])
        return Masked("".join(pieces), tuple(slots))


def placeholders(tokenizer: Tokenizer, text: str = "") -> Iterator[str]:
    """The private-use characters the package's vocabulary lacks, in order, but for those in `text`."""
    return (chr(c) for c in _PRIVATE_USE if chr(c) not in text and tokenizer.is_unknown(chr(c)))


def _word_pattern(word: str, last: bool) -> str:
    if len(word) > 1 and word.isupper():
        return re.escape(word) + "s?"  # an acronym: des BNDs
    if not last:
        return _either_case(_ADJECTIVE_ENDING.sub("", word) or word) + _ADJECTIVE_ENDINGS
    umlauted = _umlaut_plural_stem(word)
    forms = _either_case(word) + _NOUN_ENDINGS
    return f"(?:{forms}|{_either_case(umlauted)}{_UMLAUT_PLURAL_ENDINGS})" if umlauted else forms


def _either_case(stem: str) -> str:
    """The stem with either case of its first letter, as a pattern."""
    first = stem[0]
    return f"[{re.escape(first.upper())}{re.escape(first.lower())}]{re.escape(stem[1:])}"


def _umlaut_plural_stem(noun: str) -> str | None:
    """The noun with its last vowel umlauted (Stadtrat → Stadträt), or None for an acronym or a noun
    with no vowel to umlaut."""
    vowels = list(_LAST_VOWEL.finditer(noun))
    if not vowels or (len(noun) > 1 and noun.isupper()):
        return None
    vowel = vowels[-1]
    return noun[: vowel.start()] + _UMLAUT[vowel.group()] + noun[vowel.end() :]


def _plural_in(occurrence: Occurrence, plain: str) -> bool:
    """Whether a translated term is to be written in the plural: its German is inflected, and the plain
    translation has the plural of the English's last word and not that word itself."""
    term = occurrence.term
    if not term.english or occurrence.text.casefold() == term.german.casefold():
        return False
    last = term.english.split()[-1]
    words = {w.casefold() for w in _WORD.findall(plain)}
    return english_plural(last).casefold() in words and last.casefold() not in words


def english_plural(word: str) -> str:
    """The regular English plural (battery → batteries, bus → buses, council → councils)."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(?:s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"
