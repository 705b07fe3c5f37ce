"""Glossary and model confidence: term matching, placeholders, the fallback with the fixture model, the
cache and the run fingerprint, the bad files a user writes, and the confidence flag."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import DEMO, ROOT, demo_pairs

from pipeline.cache import TranslationCache
from pipeline.config import load_config
from pipeline.glossary import Glossary, GlossaryError
from pipeline.review.glossary import glossary_flags
from pipeline.run import config_fingerprint, run
from pipeline.translate import Translator

SCHEMA = json.loads((ROOT / "pipeline" / "schemas" / "briefing-1.schema.json").read_text("utf-8"))
OFF_CORPUS = "Ich habe am ursprünglichen Entwurf ein paar Änderungen vorgenommen."  # the fixture never saw it


def glossary(tmp_path: Path, text: str, name: str = "glossary.tsv") -> Glossary:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Glossary.load(path)


def config_with(glossary_file: Path):
    return load_config(overrides={"review.glossary": str(glossary_file)})


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("Der Bundestag hat das Gesetz beschlossen.", ["Bundestag"]),
        ("Die Sitzung des Bundestages dauerte lange.", ["Bundestages"]),
        ("Der Präsident des Bundestags sprach.", ["Bundestags"]),
        ("Beide Bundestage waren sich einig.", ["Bundestage"]),
        ("Die Bundestagswahl findet im Herbst statt.", []),  # inside another word
        ("Die Bundestags-Sitzung wurde vertagt.", []),  # part of a compound
        ("Der Deutsche Wetterdienst warnt vor Sturm.", ["Deutsche Wetterdienst"]),
        ("Laut dem Deutschen Wetterdienst wird es kalt.", ["Deutschen Wetterdienst"]),
        ("Der Sprecher des Deutschen Wetterdienstes sagte das.", ["Deutschen Wetterdienstes"]),
        ("Der BND warnt.", ["BND"]),
        ("Der Bnd warnt.", []),  # an acronym only in capitals
        ("Nach § 219a ist das verboten.", ["§ 219a"]),
    ],
)
def test_terms_match_their_inflected_forms_and_never_inside_a_word(tmp_path, sentence, found):
    terms = glossary(
        tmp_path, "Bundestag\tBundestag\nDeutscher Wetterdienst\t\nBND\t\n§ 219a\tSection 219a\n"
    )
    assert [o.text for o in terms.find(sentence)] == found


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("Die Stadträte stimmten zu.", ["Stadträte"]),
        ("Mit den Stadträten sprach niemand.", ["Stadträten"]),
        ("Zwei Bahnhöfe und drei Häuser.", ["Bahnhöfe", "Häuser"]),
        ("Die Ämter sind geschlossen.", ["Ämter"]),  # the umlaut on the first letter
        ("Die Stadtratsitzung begann.", []),  # still never inside another word
        ("Im Häuschen war niemand.", []),  # a diminutive is another word
    ],
)
def test_umlaut_plurals_match_their_singular_term(tmp_path, sentence, found):
    terms = glossary(tmp_path, "Stadtrat\tcity council\nBahnhof\tstation\nHaus\thouse\nAmt\toffice\n")
    assert [o.text for o in terms.find(sentence)] == found


def test_the_english_term_follows_the_plain_translation_into_the_plural(tmp_path, translator):
    terms = glossary(tmp_path, "Akku\trechargeable battery\n")

    def enforced(german: str, plain: str, masked_english: str) -> str:
        masked = terms.mask(german, translator.tokenizer)
        ((placeholder, _),) = masked.slots
        return masked.restore(masked_english.format(placeholder), plain)

    assert enforced("Neue Akkus halten länger.", "New batteries last longer.", "New {} last longer.") == (
        "New rechargeable batteries last longer."
    )
    # the German's base form is singular, whatever the plain translation says
    assert enforced("Der Akku hält länger.", "The batteries last longer.", "The {} lasts longer.") == (
        "The rechargeable battery lasts longer."
    )
    # a genitive singular: the plain translation has the singular
    assert enforced(
        "Die Leistung des Akkus sinkt.", "The battery's power drops.", "The {}'s power drops."
    ) == ("The rechargeable battery's power drops.")
    flags = glossary_flags("Neue Akkus halten länger.", "New rechargeable batteries last longer.", terms)
    assert flags == []


def test_the_longer_of_two_overlapping_terms_wins(tmp_path):
    terms = glossary(tmp_path, "Rat\tcouncil\nRat der Stadt\tcity council\n")
    assert [(o.text, o.term.english) for o in terms.find("Der Rat der Stadt tagt.")] == [
        ("Rat der Stadt", "city council")
    ]


def test_placeholders_come_back_as_the_chosen_terms_or_not_at_all(tmp_path, translator):
    terms = glossary(tmp_path, "Bundestag\tBundestag\nDeutscher Wetterdienst\t\n")
    masked = terms.mask("Der Bundestag fragt den Deutschen Wetterdienst.", translator.tokenizer)
    (first, _), (second, _) = masked.slots
    assert "Bundestag" not in masked.text and "Wetterdienst" not in masked.text
    assert all(translator.tokenizer.is_unknown(p) for p in (first, second))  # the model reads <unk>
    # as the decoder copies them through replace_unknowns: the English term, or the German one kept
    plain = "The Bundestag asks the German Weather Service."
    assert masked.restore(f"The {first} asks the {second}.", plain) == (
        "The Bundestag asks the Deutscher Wetterdienst."
    )
    assert masked.restore(f"The {first} asks.", plain) is None  # one lost
    assert masked.restore(f"The {first} {first} asks the {second}.", plain) is None  # one doubled
    # a placeholder where a word copied from the German belongs (Foto: Jonas Berger/dpa)
    terms = glossary(tmp_path, "Rathaus\tcity hall\n")
    masked = terms.mask("Die Sitzung im Rathaus. Foto: Jonas Berger/dpa", translator.tokenizer)
    ((placeholder, _),) = masked.slots
    plain = "The meeting in the town hall. Photo: Jonas Berger/dpa"
    assert masked.restore(f"The meeting in the town hall. Photo: Jonas Berger/{placeholder}", plain) is None
    assert masked.restore(f"The meeting in the {placeholder}. Photo: Jonas Berger/dpa", plain) == (
        "The meeting in the city hall. Photo: Jonas Berger/dpa"
    )
    assert terms.mask("Der Stadtrat tagt.", translator.tokenizer) is None


def test_terms_come_through_the_model_as_the_glossary_says(tmp_path, installed_model, config):
    # The fixture was taught the demo sentences with these terms masked (scripts/build_fixture.py), as a
    # real package learns to copy unknown tokens: the placeholders go through CTranslate2 and come back.
    plain = Translator(installed_model, config.translate)
    terms = glossary(
        tmp_path, "Haushalt\tmunicipal budget\nStadtrat\tcity council\nNahverkehr\tpublic transport\n"
    )
    with_glossary = Translator(installed_model, config.translate, glossary=terms)
    german = [
        "Der Stadtrat hat am Montag den Haushalt für das Jahr 2024 beschlossen.",
        "Auch der Nahverkehr bekommt mehr Geld.",
    ]
    before, after = plain.translate(german), with_glossary.translate(german)
    assert after[0] == before[0].replace("budget", "municipal budget") != before[0]
    assert after[1] == before[1]  # "public transport" starts the sentence with a capital
    assert (with_glossary.glossary_enforced, with_glossary.glossary_fallbacks) == (2, 0)
    assert [glossary_flags(de, en, terms) for de, en in zip(german, after, strict=True)] == [[], []]


def test_a_lost_placeholder_falls_back_to_the_plain_translation_and_is_flagged(
    tmp_path, installed_model, config
):
    # Terms the fixture was not taught: a masked sentence is new to it, and it does not write the
    # placeholder back. So every sentence with such a term keeps exactly its plain translation.
    plain = Translator(installed_model, config.translate)
    terms = glossary(tmp_path, "Rathaus\tcity hall\nFreiburg\t\n")
    with_glossary = Translator(installed_model, config.translate, glossary=terms)
    german = [de for de, _ in demo_pairs()]
    assert with_glossary.translate(german) == plain.translate(german)
    assert (with_glossary.glossary_enforced, with_glossary.glossary_fallbacks) == (0, 2)
    mayor = "Die Bürgermeisterin bei der Sitzung im Rathaus. Foto: Jonas Berger/dpa"
    english = with_glossary.translate([mayor])[0]
    # "town hall" is not "city hall"; Freiburg, kept in German, is in the plain translation: no flag
    assert [(f.kind, f.source) for f in glossary_flags(mayor, english, terms)] == [("glossary", "Rathaus")]
    freiburg = "Ein Team der Universität Freiburg hat einen neuen Akku entwickelt."
    assert glossary_flags(freiburg, with_glossary.translate([freiburg])[0], terms) == []


def test_a_run_with_a_glossary_enforces_its_terms_and_flags_those_the_translation_misses(
    tmp_path, installed_model
):
    terms_file = tmp_path / "terms.tsv"
    terms_file.write_text(
        "# Haushalt: the team's word\nHaushalt\tmunicipal budget\nDeutscher Wetterdienst\t\n"
        "Rathaus\tcity hall\n"
    )
    config = config_with(terms_file)
    translator = Translator(installed_model, config.translate, glossary=Glossary.load(terms_file))
    out = tmp_path / "out"
    run([DEMO / "de"], out, config, translator=translator)
    flagged, english = {}, []
    for path in sorted(out.glob("[!.]*.json")):
        briefing = json.loads(path.read_text("utf-8"))
        jsonschema.validate(briefing, SCHEMA)
        for p in briefing["paragraphs"]:
            for s in (p["target"] or {}).get("sentences", []):
                english.append(s["text"])
                for flag in s.get("flags", []):
                    if flag["kind"] == "glossary":
                        flagged[s["text"]] = flag["source"]
    assert "The city council approved the municipal budget for the year 2024 on Monday." in english
    assert "The Deutscher Wetterdienst is warning of a severe storm." in english
    assert flagged == {"The mayor at the meeting in the town hall. Photo: Jonas Berger/dpa": "Rathaus"}
    assert "glossary · Rathaus" in (out / "stadtrat.md").read_text("utf-8")


def test_the_glossary_separates_cache_entries_and_briefing_fingerprints(tmp_path, installed_model, config):
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    one = glossary(tmp_path, "Haushalt\tmunicipal budget\n", "one.tsv")
    other = glossary(tmp_path, "Haushalt\tbudget\n", "other.tsv")
    sentences = [de for de, _ in demo_pairs()[:3]]
    plain = Translator(installed_model, config.translate, cache)
    first = Translator(installed_model, config.translate, cache, one)
    second = Translator(installed_model, config.translate, cache, other)
    again = Translator(
        installed_model, config.translate, cache, glossary(tmp_path, one.path.read_text(), "copy.tsv")
    )
    for translator in (plain, first, second, again):
        translator.translate(sentences)
    assert [t.translated_count for t in (plain, first, second, again)] == [3, 3, 3, 0]  # same content: hit
    assert len({plain.cache_key, first.cache_key, second.cache_key}) == 3
    fingerprints = {config_fingerprint(config, g) for g in (None, one.sha256, other.sha256)}
    assert len(fingerprints) == 3 and config_fingerprint(config, one.sha256) == config_fingerprint(
        config, again.glossary.sha256
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "Bundestag\tBundestag\nRat\tcouncil\textra\n",
            "line 2: expected 'German term<TAB>English term', got 3 columns",
        ),
        (
            "Bundestag\tBundestag\n\n# a comment\nbundestag\tparliament\n",
            "line 4: 'bundestag' is in the glossary twice",
        ),
        ("Bundestag\tBundestag\n\tcouncil\n", "line 2: the German term is empty"),
        ("# only a comment\n", "the glossary has no terms"),
    ],
)
def test_a_bad_glossary_is_an_error_naming_the_file_and_line(tmp_path, content, problem):
    path = tmp_path / "terms.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError) as error:
        Glossary.load(path)
    assert str(error.value) == f"{path}{',' if 'line' in problem else ':'} {problem}"


def test_a_glossary_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "terms.tsv"
    path.write_bytes("Bundestag\tBundestag\nStraße\tstreet\n".encode("cp1252"))
    with pytest.raises(GlossaryError, match=r"terms\.tsv, line 2: not UTF-8"):
        Glossary.load(path)


def test_the_command_line_refuses_a_bad_glossary_with_exit_2_before_any_work(tmp_path, installed_model):
    path = tmp_path / "terms.tsv"
    path.write_text("Bundestag\tBundestag\tparliament\n", encoding="utf-8")
    for command in (
        ["run", DEMO / "de", "--out", tmp_path / "out"],
        ["translate", DEMO / "de" / "wetter.md"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "pipeline", *map(str, command), "--glossary", "terms.tsv"],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # --glossary is relative to the working directory
            timeout=120,
        )
        assert result.returncode == 2, result.stderr
        assert f"{path}, line 1" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "translate",
            DEMO / "de" / "wetter.md",
            "--glossary",
            tmp_path / "no.tsv",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 2 and "no.tsv: glossary file not found" in missing.stderr


def test_confidence_is_high_on_the_demo_corpus_and_low_off_it_and_survives_the_cache(
    tmp_path, installed_model, config
):
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    german = [de for de, _ in demo_pairs()] + [OFF_CORPUS]
    cold = Translator(installed_model, config.translate, cache).translate_scored(german)
    warm = Translator(installed_model, config.translate, cache)
    assert warm.translate_scored(german) == cold and warm.translated_count == 0
    assert all(t.log_prob > config.review.min_confidence for t in cold[:-1])
    # the garbage the fixture writes off its corpus scores far below what it knows (about -0.002)
    assert cold[-1].log_prob < -0.2


def test_a_run_flags_low_confidence_off_the_demo_corpus(tmp_path, translator):
    # The default threshold leaves room for a real package's good translations (configs/default.toml);
    # a threshold between the fixture's known and unknown sentences flags the unknown one.
    config = load_config(overrides={"review.min_confidence": -0.2})
    (tmp_path / "entwurf.txt").write_text(OFF_CORPUS + "\n", encoding="utf-8")
    run([tmp_path / "entwurf.txt"], tmp_path / "out", config, translator=translator)
    briefing = json.loads((tmp_path / "out" / "entwurf.json").read_text("utf-8"))
    jsonschema.validate(briefing, SCHEMA)
    flags = briefing["paragraphs"][0]["target"]["sentences"][0]["flags"]
    assert [f["detail"] for f in flags if f["kind"] == "confidence"] == [
        "model log-probability per token under -0.2"
    ]


def test_a_cache_from_before_scores_is_migrated_and_its_rows_translated_again(
    tmp_path, installed_model, config
):
    path = tmp_path / "cache.sqlite3"
    translator = Translator(installed_model, config.translate)
    (de, en), *_ = demo_pairs()
    with sqlite3.connect(path) as old:  # the schema of earlier versions, with a stale entry
        old.execute(
            "CREATE TABLE translations (key TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,"
            " PRIMARY KEY (key, source)) WITHOUT ROWID"
        )
        old.execute("INSERT INTO translations VALUES (?, ?, ?)", (translator.cache_key, de, "stale"))
    old.close()
    cached = Translator(installed_model, config.translate, TranslationCache(path))
    assert cached.translate_scored([de])[0].text == en and cached.translated_count == 1
    again = Translator(installed_model, config.translate, TranslationCache(path))
    assert again.translate([de]) == [en] and again.translated_count == 0


def test_align_checks_an_existing_translation_against_the_configured_glossary(tmp_path):
    (tmp_path / "terms.tsv").write_text("Technisches Hilfswerk\t\nPegel\twater level\n", encoding="utf-8")
    config = tmp_path / "team.toml"
    config.write_text('[review]\nglossary = "terms.tsv"\n', encoding="utf-8")  # relative to the config
    pair = ROOT / "tests" / "data" / "align"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "align", pair / "hochwasser.de.md", pair / "hochwasser.en.md"]
        + ["--out", tmp_path / "out", "--config", config],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ARGOS_PACKAGES_DIR": str(tmp_path / "empty")},
    )
    assert result.returncode == 0, result.stderr
    briefing = json.loads((tmp_path / "out" / "hochwasser.de.json").read_text("utf-8"))
    flags = [
        (f["source"], f["detail"])
        for p in briefing["paragraphs"]
        for s in (p["target"] or {}).get("sentences", [])
        for f in s.get("flags", [])
        if f["kind"] == "glossary"
    ]
    # the English says "Federal Agency for Technical Relief"; "Pegel" is rendered "water level"
    assert flags == [("Technisches Hilfswerk", "should be “Technisches Hilfswerk” in English")]


def test_a_bpe_package_gets_placeholders_it_lacks_and_its_terms_enforced(tmp_path, bpe_model, config):
    terms = glossary(tmp_path, "Haushalt\tmunicipal budget\nStadtrat\tcity council\n")
    plain = Translator(bpe_model, config.translate)
    with_glossary = Translator(bpe_model, config.translate, glossary=terms)
    sentence = "Der Stadtrat hat am Montag den Haushalt für das Jahr 2024 beschlossen."
    masked = terms.mask(sentence, with_glossary.tokenizer)
    assert all(with_glossary.tokenizer.is_unknown(placeholder) for placeholder, _ in masked.slots)
    # The headline's translation starts with a placeholder: in a batch, CTranslate2's beam search
    # copies the wrong token there, and only the translation on its own gets it right.
    headline = "Stadtrat beschließt neuen Haushalt"
    before = plain.translate([sentence, headline])
    after = with_glossary.translate([sentence, headline])
    assert after == [english.replace("budget", "municipal budget") for english in before]
    assert (with_glossary.glossary_enforced, with_glossary.glossary_fallbacks) == (2, 0)
