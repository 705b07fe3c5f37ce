"""Review flags: each detector on real German/English sentence pairs that must and must not flag, the
review of whole runs and alignments, and precision/recall on the shared real data with planted errors."""

from __future__ import annotations

import json
import sys

import jsonschema
import pytest
from conftest import DEMO, ROOT

from pipeline.align import length_cost
from pipeline.document import Flag
from pipeline.review.confidence import confidence_flags
from pipeline.review.length import length_flags
from pipeline.review.names import lexicon, name_flags
from pipeline.review.numbers import number_flags
from pipeline.review.repetition import repetition_flags
from pipeline.review.untranslated import untranslated_flags
from pipeline.run import run

sys.path.insert(0, str(ROOT / "bench"))
import review_eval  # noqa: E402 — bench/ is not a package

SCHEMA = json.loads((ROOT / "pipeline" / "schemas" / "briefing-1.schema.json").read_text("utf-8"))
needs_lexicon = pytest.mark.skipif(
    not lexicon()[0], reason="german-nouns is not installed (make installs it)"
)


@pytest.mark.parametrize(
    ("german", "english"),
    [
        ("Der Umsatz stieg auf 1.250,5 Millionen Euro.", "Revenue rose to 1,250.5 million euros."),
        ("Der Gewinn betrug 12,5 Mio. Euro.", "Profit was €12.5m."),
        ("Der Gewinn betrug 12,5 Mio. Euro.", "Profit came to 12.5 million euros."),
        ("Der Gewinn betrug 12,5 Mio. Euro.", "Profit came to 12,500,000 euros."),
        ("Am 3. Oktober 2023 wurde gefeiert.", "There were celebrations on October 3, 2023."),
        ("Am 3. Oktober 2023 wurde gefeiert.", "There were celebrations on 3 October 2023."),
        ("Die Frist endet am 12.03.2024.", "The deadline is March 12, 2024."),
        ("Die Arbeitslosigkeit sank um 30 Prozent.", "Unemployment fell by 30 percent."),
        ("Die Arbeitslosigkeit sank um 30 Prozent.", "Unemployment fell by 30%."),
        ("Drei Männer und 2 Frauen wurden verletzt.", "3 men and two women were injured."),
        ("Die Kurse fielen von 120 auf 95 Punkte.", "Prices fell to 95 from 120 points."),  # reordered
        # shared/real/parallel: a clock time, and a number glued to a word in German only
        (
            "Eine 44jährige Autofahrerin wollte gegen 21.30 Uhr links abbiegen.",
            "Around 9:30 p.m. a 44-year-old driver wanted to turn left.",
        ),
        (
            "Der Rennkalender der aktuellen Formel-1-Saison nimmt weiter Form an.",
            "The race calendar for the current Formula 1 season continues to take shape.",
        ),
    ],
)
def test_numbers_in_both_notations_agree(german, english):
    assert number_flags(german, english) == []


@pytest.mark.parametrize(
    ("german", "english", "expected"),
    [
        # the fixture model's output for this sentence (issue 13)
        (
            "Der Stadtrat hat am Montag den Haushalt für das Jahr 2024 beschlossen.",
            "The city council approved the budget the year 202 on Monday.",
            [Flag("number", "2024", "202 in English")],
        ),
        (
            "Der Umsatz stieg auf 1.250,5 Millionen Euro.",
            "Revenue rose to 1,205.5 million euros.",
            [Flag("number", "1.250,5 Millionen", "1,205.5 million in English")],
        ),
        (
            "Der Gewinn betrug 12,5 Mio. Euro, ein Plus von 30 Prozent.",
            "Profit was €12.5m, an increase.",
            [Flag("number", "30", "missing in English")],
        ),
        (
            "Am 3. Oktober 2023 wurde gefeiert.",
            "There were celebrations on October 3, 2024.",
            [Flag("number", "2023", "2024 in English")],
        ),
        (
            "Die Firma entließ Mitarbeiter.",
            "The company laid off 300 staff.",
            [Flag("number", "300", "in English, not in German")],
        ),
    ],
)
def test_changed_missing_and_added_numbers_are_flagged(german, english, expected):
    assert number_flags(german, english) == expected


@needs_lexicon
@pytest.mark.parametrize(
    ("german", "english"),
    [
        # names with German case endings, possessives, umlaut spellings
        (
            "Die Rede des Bundestages wurde von Merkels Sprecher verlesen.",
            "The Bundestag speech was read by Merkel's spokesman.",
        ),
        ("Der Trainer sprach mit Thomas Müller.", "The coach spoke to Thomas Mueller."),
        (
            "So seien die Infektionszahlen im Raum São Paulo deutlich geringer.",
            "Infection numbers in the Sao Paulo region were lower.",
        ),
        # common nouns, compounds, capitalised adjectives and place names with English names of their own
        (
            "Nach einer Masseninfektion auf einem großen Gemüsehof stehen 500 Menschen unter Quarantäne.",
            "After a mass infection on a large vegetable farm, 500 people are in quarantine.",
        ),
        (
            "Protestierende versammelten sich vor der Europäischen Kommission in München.",
            "Protesters gathered outside the European Commission in Munich.",
        ),
        (
            "Die Proteste in den Vereinigten Staaten gehen weiter.",
            "The protests in the United States continue.",
        ),
        # a typing error in the German news text (shared/real/parallel)
        ("Williams ist wieder in Isloation.", "Williams is in isolation again."),
        (
            "Die Races in Kanada und den USA finden nicht statt.",
            "The races in Canada and the US will not take place.",
        ),
    ],
)
def test_names_that_are_there_or_are_not_names_are_not_flagged(german, english):
    assert name_flags(german, english) == []


@needs_lexicon
@pytest.mark.parametrize(
    ("german", "english", "missing"),
    [
        (
            "Bundeskanzlerin Angela Merkel sprach mit der SPD.",
            "The chancellor spoke to the SPD.",
            ["Angela", "Merkel"],
        ),
        (
            "Bundeskanzlerin Angela Merkel sprach mit der SPD.",
            "Chancellor Angela Merkel spoke to the party.",
            ["SPD"],
        ),
        (
            "Der Unfall ereignete sich zwischen Machtolsheim und Merklingen.",
            "The accident happened between Machtolsheim and the next village.",
            ["Merklingen"],
        ),
        (
            "Der Plan steht unter https://www.stadt.example/plan.pdf im Netz.",
            "The plan is online.",
            ["https://www.stadt.example/plan.pdf"],
        ),
        ("Der Unfall auf der A7 blockierte den Verkehr.", "The accident blocked traffic.", ["A7"]),
    ],
)
def test_dropped_names_are_flagged(german, english, missing):
    assert [f.source for f in name_flags(german, english)] == missing


def test_untranslated_english_is_flagged_and_real_english_is_not():
    german = "Der Stadtrat hat den Haushalt für das nächste Jahr beschlossen."
    assert untranslated_flags(german, german)[0].detail == "the English is the German text"
    assert (
        untranslated_flags(german, "The council passed the budget für das nächste Jahr.")[0].kind
        == "untranslated"
    )
    assert untranslated_flags(german, "The city council passed the budget for next year.") == []
    assert untranslated_flags("Angela Merkel", "Angela Merkel") == []  # a name is the same in both


def test_runaway_repetition_is_flagged_unless_the_german_repeats_too():
    german = "Der Salat war frisch."
    assert repetition_flags(german, "The salad salad salad salad salad was fresh.") == [
        Flag("repetition", "salad", "repeated 5 times in a row in English")
    ]
    assert repetition_flags(german, "It was fresh, it was fresh, it was fresh.")[0].source == "it was fresh"
    assert repetition_flags(german, "The salad was fresh, very very fresh.") == []
    assert repetition_flags("Ja, ja, ja, ja, sagte er.", "Yes, yes, yes, yes, he said.") == []


def test_length_far_outside_the_usual_ratio_is_flagged():
    german = "Der Stadtrat hat am Montag nach langer Debatte den Haushalt für das Jahr 2024 beschlossen."
    assert (
        length_flags(german, "The city council approved the 2024 budget on Monday after a long debate.") == []
    )
    assert length_flags(german, "The council.")[0].kind == "length"
    assert length_flags(german, "The city council approved the budget. " * 6)[0].kind == "length"


def test_confidence_below_the_threshold_is_flagged():
    assert confidence_flags(-0.3, -1.0) == []
    assert confidence_flags(-2.5, -1.0) == [
        Flag("confidence", "-2.50", "model log-probability per token under -1.0")
    ]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory, config, translator):
    out = tmp_path_factory.mktemp("briefings")
    report = run([DEMO / "de"], out, config, translator=translator)
    assert {r.status for r in report.results} == {"ok"}
    return out


def test_no_flag_fires_on_the_demo_corpus(demo_run):
    for path in sorted(demo_run.glob("[!.]*.json")):
        briefing = json.loads(path.read_text(encoding="utf-8"))
        flags = [
            s["flags"]
            for p in briefing["paragraphs"]
            for s in (p["target"] or {}).get("sentences", [])
            if "flags" in s
        ]
        assert flags == [], path.name
    assert "no review flags" in (demo_run / "stadtrat.html").read_text(encoding="utf-8")


def test_a_run_flags_the_number_the_fixture_model_breaks(tmp_path, config, translator):
    # the fixture model knows "bis zu 100 Kilometer" from the demo corpus and writes 100 for this 130
    german = "Am Samstag erreichen die Böen bis zu 130 Kilometer pro Stunde."
    (tmp_path / "haushalt.txt").write_text(german + "\n", encoding="utf-8")
    out = tmp_path / "out"
    run([tmp_path / "haushalt.txt"], out, config, translator=translator)
    briefing = json.loads((out / "haushalt.json").read_text("utf-8"))
    jsonschema.validate(briefing, SCHEMA)
    sentence = briefing["paragraphs"][0]["target"]["sentences"][0]
    # the translation itself is left as the model wrote it
    assert sentence["text"] == translator.translate([german])[0] and "130" not in sentence["text"]
    assert any(f["kind"] == "number" and f["source"] == "130" for f in sentence["flags"])
    markdown = (out / "haushalt.md").read_text("utf-8")
    assert "⚑" in markdown and "## Review flags" in markdown and "number · 130" in markdown
    # the index counts the flags: | paragraphs | flags | files | error |
    assert f"| 1 | {len(sentence['flags'])} | [md](haushalt.md)" in (out / "index.md").read_text("utf-8")
    assert f'<td class="num flags">{len(sentence["flags"])}</td>' in (out / "index.html").read_text("utf-8")


def test_align_reviews_each_linked_paragraph_pair(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    de = tmp_path / "bericht.de.md"
    en = tmp_path / "bericht.en.md"
    de.write_text(
        "# Haushalt beschlossen\n\nDer Stadtrat hat am Montag den Haushalt für das Jahr 2024 mit 31 "
        "Stimmen beschlossen.\n\nDie Opposition um Bürgermeisterin Regine Kalbitz stimmte dagegen "
        "und kritisierte die hohen Ausgaben für den Neubau der Schule.\n",
        encoding="utf-8",
    )
    en.write_text(
        "# Budget approved\n\nOn Monday the city council approved the budget for 2024 with 13 votes.\n\n"
        "The opposition around the mayor voted against it and criticised the high spending on the new school "
        "building.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["align", str(de), str(en), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    briefing = json.loads((tmp_path / "out" / "bericht.de.json").read_text("utf-8"))
    jsonschema.validate(briefing, SCHEMA)
    flags = {
        (f["kind"], f["source"])
        for p in briefing["paragraphs"]
        for s in (p["target"] or {}).get("sentences", [])
        for f in s.get("flags", [])
    }
    expected = {("number", "31")}
    if lexicon()[0]:
        expected |= {("name", "Regine"), ("name", "Kalbitz")}
    assert flags == expected
    # shown on the English side, on the link's first English sentence
    html = (tmp_path / "out" / "bericht.de.html").read_text("utf-8")
    assert 'aria-describedby="en:p2.s1-why"' in html and "number: 31 — 13 in English" in html
    assert "- ⚑ en:p2.s1 · number · 31: 13 in English" in (tmp_path / "out" / "bericht.de.md").read_text(
        "utf-8"
    )


@needs_lexicon
@pytest.mark.parametrize(
    ("german", "english", "wrong"),
    [
        # nominalised verbs and truncated compound parts: their stem makes a known noun (Abrundung)
        (
            "Das Abrunden der Kanten und das Bedrohen von Leuten ist verboten.",
            "Rounding off the edges and threatening people is forbidden.",
            None,
        ),
        # compounds whose head is a known noun
        (
            "Das Bassreflexrohr des Breitbänders sitzt hinten.",
            "The bass reflex port of the full-range driver is at the back.",
            "The bass reflex port of the full-range driver is at the back.",
        ),
        # capitalised pronouns of address
        ("Hast Du Dein Ticket und Ihre Karte?", "Do you have your ticket and your card?", None),
        # acronyms the English renders as an acronym or words of its own
        ("Die WM in Katar beginnt.", "The World Cup in Qatar begins.", "The tournament in Qatar begins."),
        (
            "Die Bürger der DDR und die EVP.",
            "The citizens of the GDR and the EPP.",
            "The citizens and the EPP.",
        ),
        # places made of a modifier and a place, inflected exonyms
        (
            "Ein Hoch liegt über Mitteleuropa, am Niederrhein und über Moskaus Vororten.",
            "A high lies over Central Europe, on the Lower Rhine and over Moscow's suburbs.",
            "A high lies over Central Europe, on the Lower Rhine and over the suburbs.",
        ),
        # German key labels, words in capitals, hashtags of common words
        (
            "Halten Sie STRG gedrückt und drücken Sie ENTF, JEDOCH KEINE andere Taste. #nachrichten",
            "Hold down Ctrl and press Del, BUT NO other key. #news",
            "Hold down and press Del, BUT NO other key. #news",
        ),
        # acronyms that the German has itself render none of its others (CMOS RAM, ROM)
        ("Der CMOS RAM und das ROM.", "The CMOS RAM and the ROM.", "The CMOS and the ROM."),
        # exonyms and other transliterations
        (
            "Präsident Wolodymyr Selenskyj reiste nach Wien.",
            "President Volodymyr Zelensky travelled to Vienna.",
            "President Volodymyr travelled to Vienna.",
        ),
    ],
)
def test_false_alarm_kinds_are_not_names_but_dropped_names_still_are(german, english, wrong):
    assert name_flags(german, english) == []
    if wrong and wrong != english:
        assert name_flags(german, wrong)


@needs_lexicon
@pytest.mark.parametrize(
    ("german", "english", "missing"),
    [
        # hashtags and handles that are coined or names
        ("Gibt es hier im #Fediverse Menschen?", "Are there people here?", ["Fediverse"]),
        # a quote or bracket opened inside a sentence holds a name, not a sentence start
        (
            "Ich habe es im Auto (Citroen Berlingo) getestet.",
            "I tested it in the car (Berlingo).",
            ["Citroen"],
        ),
        # street names
        ("Sie sammelten in der Glockenstraße.", "They collected in the street.", ["Glockenstraße"]),
        # two-letter names
        ("Nur Johannes Thingnes Bø dominiert.", "Only Johannes Thingnes dominates.", ["Bø"]),
        # a full name: two unknown capitalised words in a row, one of them a name
        ("Tanz-Gott Fred Astaire wäre stolz.", "Dance god Fred would be proud.", ["Astaire"]),
        # a name after the common noun it names is no typing error (Wissing: Wissen)
        (
            "Verkehrsminister Wissing will das ändern.",
            "The transport minister wants to change that.",
            ["Wissing"],
        ),
        # an unknown word that splits into a known noun after no known modifier is a name (Pyeongc|hang)
        (
            "Nach Gold 2018 in Pyeongchang holte sie Silber.",
            "After gold in 2018 she won silver.",
            ["Pyeongchang"],
        ),
    ],
)
def test_names_of_each_kind_are_flagged_when_dropped(german, english, missing):
    assert [f.source for f in name_flags(german, english)] == missing


@needs_lexicon
def test_a_surname_after_a_first_name_is_a_name_whatever_it_looks_like():
    # Bartsch is one letter from Barsch, Eisenreich looks like a compound: after a first name both are names
    german = "Gestern sprachen Dietmar Bartsch und Georg Eisenreich."
    assert name_flags(german, "Yesterday Dietmar Bartsch and Georg Eisenreich spoke.") == []
    assert [f.source for f in name_flags(german, "Yesterday Dietmar and Georg Eisenreich spoke.")] == [
        "Bartsch"
    ]


@pytest.mark.parametrize(
    ("german", "english", "wrong"),
    [
        ("Sie kommt am 16.3. zurück.", "She is back on 03/16.", "She is back on 03/17."),
        ("Sie kommt am 16. März zurück.", "She is back on March 16.", "She is back on March 15."),
        ("Beginn um 14:00 Uhr.", "Starts at 2 PM.", "Starts at 3 PM."),
        ("Beginn um 14.30 Uhr.", "Starts at 2:30 pm.", "Starts at 3:30 pm."),
        ("Beginn gegen 01.40 Uhr.", "Starts around 1.40 a.m.", "Starts around 1.50 a.m."),
        ("Beginn gegen 01.40 Uhr.", "Starts around 01.40.", "Starts around 01.50."),
        ("Geräusche wie seit den 90er Jahren.", "Noises as in the 1990s.", "Noises as in the 1980s."),
        ("Geräusche wie seit den 90er Jahren.", "Noises as in the '90s.", "Noises as in the '80s."),
        (
            "Der Kraftstoff E 95 02 ist teuer.",
            "The fuel E95 02 is expensive.",
            "The fuel E95 03 is expensive.",
        ),
        ("Die Strafe beträgt 1 000 Euro.", "The fine is 1,000 euros.", "The fine is 1,100 euros."),
        ("Zwei Hunde bellten.", "2 dogs barked.", None),
        ("Drei Millionen Menschen kamen.", "3 million people came.", None),
        (
            "Es gab 62 Haftbefehle.",
            "Sixty-two warrants were issued.",
            "Sixty warrants were issued, and 2 more.",
        ),
        (
            "Nach 3,5 Jahren rostete sie.",
            "After 3 and a half years it rusted.",
            "After 4 and a half years it rusted.",
        ),
    ],
)
def test_dates_clocks_and_numbers_written_otherwise_agree_and_changes_still_flag(german, english, wrong):
    assert number_flags(german, english) == []
    if wrong:
        assert number_flags(german, wrong)


def _rows_or_skip():
    if not (review_eval.PARALLEL.is_file() and review_eval.WMT23.is_dir()):
        pytest.skip(f"{review_eval.REAL}: the parallel sets are not there (../shared absent)")
    return review_eval.evaluate(review_eval.all_pairs())


@needs_lexicon
def test_planted_errors_and_false_alarms_on_real_pairs():
    """bench/review_eval.py on both parallel sets, with the flags on untouched pairs judged in
    bench/review_judged.tsv (a flag nobody judged counts as an alarm, so a detector change that adds
    flags can only lower the figures until they are judged). At the last measurement (README, "Review
    flags") the number recall is
    0.88-1.00 and the name recall 0.82-0.92 on every system and half; false alarms (flagged untouched
    pairs less those judged real errors) 2.9-12.8 % (human) and 2.7-11.6 % (machine translations). The
    floors below are what the detectors reach now, on the check half too; the issue's targets (recall
    0.9, 5 % / 10 %) are asserted where they are met on the check half."""
    rows = _rows_or_skip()
    for (name, system, half), row in rows.items():
        where = f"{name} {system} {half}"
        assert row.planted["number"] >= 20 and row.planted["name"] >= 45, where
        assert row.recall("number") >= 0.85, where
        assert row.recall("name") >= 0.8, where
        assert row.false_alarms <= 0.13, where
    check = {(name, system): row for (name, system, half), row in rows.items() if half == "check"}
    # number recall: every WMT23 system (human and machine) meets the target on the check half
    for system in ("human", *review_eval.MT_SYSTEMS):
        assert check[("parallel-wmt23", system)].recall("number") >= review_eval.MIN_RECALL, system
    # name recall: WMT21's two human references meet it
    for system in ("human-A", "human-B"):
        assert check[("parallel", system)].recall("name") >= review_eval.MIN_RECALL, system
    # false alarms: both WMT21 references, and three of the five machine translations
    for key in [("parallel", "human-A"), ("parallel", "human-B")]:
        assert check[key].false_alarms <= review_eval.MAX_FLAGGED["human"], key
    for system in ("AIRC", "Lan-BridgeMT", "NLLB_Greedy"):
        assert check[("parallel-wmt23", system)].false_alarms <= review_eval.MAX_FLAGGED["mt"], system


@pytest.mark.skipif(
    not review_eval.PARALLEL.is_file(), reason=f"{review_eval.PARALLEL} not found (../shared absent)"
)
def test_untranslated_and_length_on_real_pairs():
    pairs = review_eval.load_wmt21()
    germans = sorted({p.german for p in pairs})
    assert max(length_cost(len(p.german), len(p.english)) for p in pairs) < 6.0  # no length flag
    assert not any(untranslated_flags(p.german, p.english) for p in pairs)
    assert sum(bool(untranslated_flags(de, de)) for de in germans) / len(germans) >= 0.9


def test_a_flag_judged_real_counts_as_a_hit_and_a_false_one_as_an_alarm(tmp_path):
    pair = review_eval.Pair("parallel-wmt23", "AIRC", "check", 7, "Es kamen 350 Menschen.", "35 people came.")
    judged = tmp_path / "judged.tsv"
    for verdict, real, alarms in (("real", 1, 0.0), ("false", 0, 1.0)):
        judged.write_text(
            "# comment\nset\tsystem\tline\tdetector\tverdict\treason\n"
            f"parallel-wmt23\tAIRC\t7\tnumber\t{verdict}\t350 changed to 35\n",
            encoding="utf-8",
        )
        row = review_eval.evaluate([pair], review_eval.load_judged(judged))[
            ("parallel-wmt23", "AIRC", "check")
        ]
        assert (row.flagged, row.real, row.false_alarms, row.unjudged) == (1, real, alarms, 0)
    judged.write_text("set\tsystem\tline\tdetector\tverdict\treason\nx\tAIRC\t7\tnumber\tmaybe\t?\n")
    with pytest.raises(ValueError, match="maybe"):
        review_eval.load_judged(judged)
    row = review_eval.evaluate([pair], {})[("parallel-wmt23", "AIRC", "check")]
    assert (row.unjudged, row.false_alarms) == (1, 1.0)  # not judged: an alarm


def test_an_address_ends_before_the_brackets_or_quotes_around_it():
    # One pattern for the detectors and the aligner (pipeline.addresses); the numbers detector's own copy
    # ran on over "<…>" and swallowed what followed, so a figure glued to it was never compared.
    from pipeline.addresses import ADDRESS
    from pipeline.review import review_pair

    text = 'Mehr unter <https://www.stadt.example/plan>2024 und "www.land.example" oder info@stadt.example.'
    assert ADDRESS.findall(text) == [
        "https://www.stadt.example/plan",
        "www.land.example",
        "info@stadt.example",
    ]
    flags = review_pair(
        "Der Plan <https://www.stadt.example/plan>2024 gilt.",
        "The plan <https://www.stadt.example/plan>2025 applies.",
    )
    assert [f.kind for f in flags] == ["number"]
