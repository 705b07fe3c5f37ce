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


def test_decoding_settings_reach_the_cache_key_and_the_briefing(installed_model, config):
    default = Translator(installed_model, config.translate)
    other = Translator(installed_model, dataclasses.replace(config.translate, length_penalty=1.0))
    assert default.cache_key != other.cache_key
    settings = default.info.settings
    assert settings["length_penalty"] == 0.2 and settings["replace_unknowns"] is True
    assert settings["num_hypotheses"] == 1 and settings["use_target_prefix"] is True


def _with_target_prefix(installed_model, tmp_path, prefix):
    import json
    import shutil
    from pathlib import Path

    from argostranslate.package import Package

    copy = tmp_path / "translate-de_en-prefixed"
    shutil.copytree(Path(installed_model.package_path), copy)
    metadata = json.loads((copy / "metadata.json").read_text())
    (copy / "metadata.json").write_text(json.dumps({**metadata, "target_prefix": prefix}))
    return Package(copy)


@pytest.mark.parametrize("use_target_prefix", [True, False])
def test_target_prefix_from_the_package_starts_every_translation(
    installed_model, config, tmp_path, use_target_prefix
):
    de, en = demo_pairs()[2]
    assert en.startswith("The ")
    # The fixture's decoder sees positions only: forcing "▁A" as the first token leaves the rest as it was.
    package = _with_target_prefix(installed_model, tmp_path, "▁A")
    settings = dataclasses.replace(config.translate, use_target_prefix=use_target_prefix)
    [english] = Translator(package, settings).translate([de])
    assert english == (en.removeprefix("The ") if use_target_prefix else en)
