"""Glossary violations: a term of the team's glossary in the German whose chosen English is missing.

A sentence whose glossary placeholders did not come through the model keeps its plain translation
(pipeline.glossary); this flags the terms that translation does not render as the glossary says. The
same check runs on an existing translation (pipeline align). English plurals and possessives count
("councils", "batteries", "council's", "councils'"); a do-not-translate term counts in any of its
German forms.
"""

from __future__ import annotations

import re

from pipeline.document import Flag
from pipeline.glossary import Glossary, Term, english_plural


def glossary_flags(german: str, english: str, glossary: Glossary) -> list[Flag]:
    flags, seen = [], set()
    for occurrence in glossary.find(german):
        term = occurrence.term
        if term in seen or _rendered(term, english):
            continue
        seen.add(term)
        flags.append(Flag("glossary", occurrence.text, f"should be “{term.rendering}” in English"))
    return flags


def _rendered(term: Term, english: str) -> bool:
    if not term.english:
        return bool(term.pattern.search(english))
    *words, last = term.english.split()
    forms = f"(?:{re.escape(last)}|{re.escape(english_plural(last))})"
    phrase = r"\s+".join([*(re.escape(word) for word in words), forms])
    return bool(re.search(rf"(?<![\w-]){phrase}(?:'s|’s|')?(?![\w-])", english, re.IGNORECASE))
