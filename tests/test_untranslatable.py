"""Characters the package cannot translate are copied through and never cost the words around them."""

import pytest

from pipeline.untranslatable import protect

SENTENCE = "Der Stadtrat hat am Montag den Haushalt für das Jahr 2024 beschlossen."
ENGLISH = "The city council approved the budget for the year 2024 on Monday."


@pytest.mark.parametrize(
    "insert",
    ["😀", "👍🏽", "Путин", "習近平", "\ue000", "☂ ☃", "👨‍👩‍👧"],
    ids=["emoji", "skin tone", "cyrillic name", "cjk name", "private use", "two symbols", "zwj family"],
)
def test_unknown_characters_keep_every_english_word(translator, insert):
    german = SENTENCE.replace("Stadtrat hat", f"Stadtrat {insert} hat")
    [english] = translator.translate([german])
    assert "for the year 2024" in english
    assert english.replace(insert, "").split() == ENGLISH.split()


def test_the_issue_sentence_keeps_the_year(translator):
    german = "Der Stadtrat 😀 hat am Montag den Haushalt für das Jahr 2024 beschlossen."
    [english] = translator.translate([german])
    assert "for the year 2024" in english and "😀" in english


@pytest.mark.parametrize("where", ["start", "end"])
def test_runs_at_the_edges_stay_at_the_edges(translator, where):
    german = f"😀 {SENTENCE}" if where == "start" else f"{SENTENCE} 😀"
    [english] = translator.translate([german])
    assert english == (f"😀 {ENGLISH}" if where == "start" else f"{ENGLISH} 😀")


def test_known_latin_text_is_left_alone(translator):
    text = "Grüße aus Köln, Straße 5 – 10 % mehr, 20 € bei 40°C (±2), © dpa."
    protected = protect(text, translator.tokenizer)
    assert protected.runs == [] and protected.text == text


def test_only_untranslatable_text_comes_back_as_is(translator):
    assert translator.translate(["😀 👍"]) == ["😀 👍"]
