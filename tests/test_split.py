import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.split import split_sentences, split_words

GOLD = json.loads((Path(__file__).parent / "data" / "split_gold.json").read_text(encoding="utf-8"))


def _case_id(case: dict) -> str:
    # ASCII only: pytest escapes other characters in ids, which makes German ids unreadable.
    text = unicodedata.normalize("NFKD", case["text"][:50]).encode("ascii", "ignore").decode()
    return f"{case['lang']}:{text}"


def test_gold_set_covers_both_languages():
    langs = [case["lang"] for case in GOLD]
    assert langs.count("de") >= 45 and langs.count("en") >= 25


@pytest.mark.parametrize("case", GOLD, ids=_case_id)
def test_gold(case):
    assert split_sentences(case["text"], case["lang"]) == case["sentences"]


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
def test_empty_input(text):
    assert split_sentences(text, "de") == []


def test_sentences_are_stripped_substrings_in_order():
    text = "  Erster Satz.\n\nZweiter   Satz!  Dritter\tSatz?  "
    sentences = split_sentences(text, "de")
    assert sentences == ["Erster Satz.", "Zweiter   Satz!", "Dritter\tSatz?"]
    position = 0
    for sentence in sentences:
        position = text.index(sentence, position) + len(sentence)
    assert " ".join(sentences).split() == text.split()


def test_paragraph_without_final_punctuation():
    assert split_sentences("Der Rat tagt heute. Ergebnisse folgen", "de") == [
        "Der Rat tagt heute.",
        "Ergebnisse folgen",
    ]
    assert split_sentences("No punctuation at all here", "en") == ["No punctuation at all here"]


def test_long_paragraph_without_punctuation_is_one_sentence():
    text = " ".join(["Wort", "und", "noch", "ein", "Wort"] * 20_000)
    assert split_sentences(text, "de") == [text]


def test_unknown_language_is_treated_like_english():
    text = "The meeting ended in 2023. Die Sitzung endete."
    assert (
        split_sentences(text, "fr")
        == split_sentences(text, "en")
        == [
            "The meeting ended in 2023.",
            "Die Sitzung endete.",
        ]
    )


_PIECES = st.sampled_from(
    [
        " ",
        "  ",
        "\n",
        ".",
        "!",
        "?",
        "…",
        "...",
        "„",
        "“",
        "”",
        '"',
        "(",
        ")",
        "[…]",
        "–",
        "z.",
        "B.",
        "usw.",
        "Dr.",
        "1.",
        "2023.",
        "Der",
        "Sie",
        "das",
        "M.",
        "No.",
        "a.m.",
        "Mio.",
        "Euro",
        "The",
        "U.S.",
    ]
)


@given(st.one_of(st.text(), st.lists(_PIECES).map("".join)), st.sampled_from(["de", "en", "xx"]))
def test_no_text_is_lost(text, lang):
    sentences = split_sentences(text, lang)
    assert " ".join(sentences).split() == text.split()
    assert all(sentence and sentence == sentence.strip() for sentence in sentences)


def test_split_words_drops_punctuation():
    assert split_words("Es ist 14.30 Uhr, sagt Anne-Marie.") == [
        "Es",
        "ist",
        "14",
        "30",
        "Uhr",
        "sagt",
        "Anne-Marie",
    ]
