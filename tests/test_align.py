"""Paragraph alignment of a German document with an existing English version.

The evaluation set is tests/data/align/gold.json: hand-written German/English news and press releases,
and pairs built from the demo corpus (which the fixture model translates), with gold links.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from conftest import DEMO, ROOT

from pipeline.align import align_paragraphs, aligned_document, anchors, length_cost, links_json
from pipeline.detect import LanguageDetector
from pipeline.document import Document, Link
from pipeline.steps import prepare

GOLD = json.loads((ROOT / "tests" / "data" / "align" / "gold.json").read_text(encoding="utf-8"))["pairs"]


@pytest.fixture(scope="module")
def load(config):
    """Read, detect and split a document once per path (alignment does not change its inputs)."""
    detector = LanguageDetector()
    return cache(lambda path: prepare(ROOT / path, detector, config))


def _pairs(links: list[Link]) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    return {(link.source, link.target) for link in links}


def _gold(link: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    source, target = link.split(">")
    return tuple(source.split()), tuple(target.split())


@pytest.mark.parametrize("with_model", [False, True], ids=["length+anchors", "with fixture model"])
def test_precision_and_recall_on_the_evaluation_set(load, request, record_property, with_model):
    translator = request.getfixturevalue("translator") if with_model else None
    found = gold = right = 0
    errors = {}
    for name, pair in GOLD.items():
        predicted = _pairs(align_paragraphs(load(pair["de"]), load(pair["en"]), translator))
        expected = {_gold(link) for link in pair["links"]}
        found, gold, right = found + len(predicted), gold + len(expected), right + len(predicted & expected)
        if predicted != expected:
            errors[name] = {"wrong": sorted(predicted - expected), "missed": sorted(expected - predicted)}
    precision, recall = right / found, right / gold
    record_property("precision", precision)
    record_property("recall", recall)
    print(f"alignment {request.node.callspec.id}: P={precision:.3f} R={recall:.3f} over {gold} gold links")
    assert (precision, recall) == (1.0, 1.0), errors


def test_the_evaluation_set_covers_every_link_type():
    kinds = {(len(s), len(t)) for pair in GOLD.values() for s, t in map(_gold, pair["links"])}
    assert kinds == {(1, 1), (2, 1), (1, 2), (1, 0), (0, 1)}
    assert len(GOLD) >= 6 and any(pair["de"].startswith("corpora/demo/") for pair in GOLD.values())


@pytest.mark.parametrize("name", sorted(p.stem for p in (DEMO / "de").glob("*.md")))
def test_identical_structure_gives_one_to_one_links(load, name):
    de, en = load(f"corpora/demo/de/{name}.md"), load(f"corpora/demo/en/{name}.md")
    links = align_paragraphs(de, en)
    assert [(k.source, k.target) for k in links] == [((p.id,), (p.id,)) for p in de.paragraphs]
    assert all(0 < k.score <= 1 for k in links)


# The English stadtrat demo document, edited into each link type (paragraphs: heading, caption, three
# sentences on the budget, a quote, heading, schools, transport).
_STADTRAT_EN = (DEMO / "en" / "stadtrat.md").read_text(encoding="utf-8").split("\n\n")
_ADDED = "The council will meet again in March to discuss the plans for the new swimming pool."
_BUDGET = _STADTRAT_EN[2].split(". ")


@pytest.mark.parametrize(
    "english, expected",
    [
        (_STADTRAT_EN[:2] + [_STADTRAT_EN[2] + " " + _STADTRAT_EN[3]] + _STADTRAT_EN[4:], ("p3 p4", "p3")),
        (_STADTRAT_EN[:2] + [_BUDGET[0] + ".", ". ".join(_BUDGET[1:])] + _STADTRAT_EN[3:], ("p3", "p3 p4")),
        (_STADTRAT_EN[:3] + _STADTRAT_EN[4:], ("p4", "")),
        (_STADTRAT_EN[:4] + [_ADDED] + _STADTRAT_EN[4:], ("", "p5")),
    ],
    ids=["2-1", "1-2", "1-0", "0-1"],
)
@pytest.mark.parametrize("with_model", [False, True], ids=["no model", "fixture model"])
def test_each_link_type(load, request, tmp_path, english, expected, with_model):
    path = tmp_path / "en.md"
    path.write_text("\n\n".join(english), encoding="utf-8")
    translator = request.getfixturevalue("translator") if with_model else None
    links = align_paragraphs(load("corpora/demo/de/stadtrat.md"), load(path), translator)
    odd = [k for k in links if (len(k.source), len(k.target)) != (1, 1)]
    assert [(" ".join(k.source), " ".join(k.target)) for k in odd] == [expected]


def test_the_translator_decides_what_length_and_anchors_cannot(load, tmp_path, translator):
    # Two German paragraphs of about the same length, no anchors; the English keeps only the first.
    (tmp_path / "de.md").write_text(
        "Mehr Geld für Schulen\n\n"
        "Der Akku kommt ohne seltene Metalle aus. Das macht ihn billiger und umweltfreundlicher.\n\n"
        "Auch der Nahverkehr bekommt mehr Geld. Die Busse sollen künftig alle zehn Minuten fahren.\n",
        encoding="utf-8",
    )
    (tmp_path / "en.md").write_text(
        "More money for schools\n\n"
        "The battery does not need any rare metals. "
        "This makes it cheaper and more environmentally friendly.\n",
        encoding="utf-8",
    )
    de, en = load(tmp_path / "de.md"), load(tmp_path / "en.md")
    links = align_paragraphs(de, en, translator)
    assert _pairs(links) == {(("p1",), ("p1",)), (("p2",), ("p2",)), (("p3",), ())}
    assert _pairs(align_paragraphs(de, en)) != _pairs(links), "length alone picks the wrong paragraph"


def test_alignment_is_deterministic(load):
    pair = GOLD["solarpark"]
    runs = [links_json(align_paragraphs(load(pair["de"]), load(pair["en"]))) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert set(runs[0]) == {"links"} and set(runs[0]["links"][0]) == {"source", "target", "score"}


def test_empty_english_document_omits_everything(load):
    de = load("corpora/demo/de/wetter.md")
    empty = Document(path=Path("empty.md"), sha256="0" * 64, paragraphs=[], lang="en")
    links = align_paragraphs(de, empty)
    assert [(k.source, k.target) for k in links] == [((p.id,), ()) for p in de.paragraphs]
    doc = aligned_document(de, empty, links)
    assert all(p.translation == [] for p in doc.paragraphs)


def test_aligned_document(load):
    pair = GOLD["museum"]
    de, en = load(pair["de"]), load(pair["en"])
    links = align_paragraphs(de, en)
    doc = aligned_document(de, en, links)
    assert doc.links == links and doc.counterpart.path == en.path
    assert de.links is None and en.paragraphs[1].sentences[0].id == "p2.s1", "inputs are left alone"
    assert doc.counterpart.paragraphs[1].sentences[0].id == "en:p2.s1"
    by_id = {p.id: p for p in doc.paragraphs}
    # p5 p6 -> en p6: the English goes with p5; the added en p3 is in the counterpart only.
    assert [t.id for t in by_id["p5"].translation] == ["en:p6.s1", "en:p6.s2"]
    assert by_id["p6"].translation == []
    assert all(t.source_id is None for t in doc.target_sentences())
    assert "en:p3.s1" not in {t.id for t in doc.target_sentences()}
    with pytest.raises(ValueError, match="target paragraphs"):
        aligned_document(de, en, links[:2] + links[3:])


def test_anchors_normalise_numbers_dates_and_names():
    de = anchors("Am 5. März 2024 kamen 1.200 Gäste, 3,5 % mehr als „Die Zeit“ schrieb: www.zeit.de/x.", "de")
    en = anchors('On 5 March 2024, 1,200 guests came, 3.5% more than "Die Zeit" wrote: www.zeit.de/x.', "en")
    shared = {"5", "month:3", "2024", "1200", "3.5", "“die zeit”", "url:www.zeit.de/x", "Zeit"}
    assert shared <= set(de) & set(en)
    assert "Gäste" not in anchors("Gäste kamen. Die gäste", "de", lowercase={"gäste"}), "common word"


def test_length_cost_prefers_the_expected_ratio():
    assert length_cost(110, 100) < length_cost(200, 100) < length_cost(400, 100)
    assert length_cost(110, 100) < 0.1
