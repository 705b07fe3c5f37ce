"""The fixture package through argostranslate's package format, SentencePiece and CTranslate2."""

import dataclasses

import pytest
from conftest import demo_pairs

from pipeline.translate import Translator


@pytest.mark.parametrize(
    "inter_threads, max_batch_tokens",
    [(1, 100_000), (2, 24), (0, 64)],
    ids=["one batch", "many small batches on two workers", "automatic workers"],
)
def test_fixture_reproduces_demo_corpus(installed_model, config, inter_threads, max_batch_tokens):
    settings = dataclasses.replace(
        config.translate, inter_threads=inter_threads, max_batch_tokens=max_batch_tokens
    )
    pairs = demo_pairs()
    translator = Translator(installed_model, settings)
    assert translator.translate([de for de, _ in pairs]) == [en for _, en in pairs]


def test_one_by_one_equals_batched(translator):
    pairs = demo_pairs()[:8]
    assert [translator.translate([de])[0] for de, _ in pairs] == translator.translate([de for de, _ in pairs])


def test_duplicates_and_blanks_keep_positions(translator):
    (de1, en1), (de2, en2) = demo_pairs()[:2]
    assert translator.translate([de1, "", de2, de1]) == [en1, "", en2, en1]


def test_model_info_names_the_package(translator):
    assert translator.info.from_code == "de" and translator.info.to_code == "en"
    assert translator.info.package == "translate-de_en-demo"
