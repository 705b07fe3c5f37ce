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


def test_device_auto_uses_the_cpu_without_a_gpu_and_cuda_without_one_is_a_clear_error(
    tmp_path, installed_model, config
):
    """translate.device: "auto" translates on the CPU here (no CUDA device); asking for "cuda" on such a
    machine stops the run before any work with one line and the usage exit code."""
    import subprocess
    import sys

    import ctranslate2

    if ctranslate2.get_cuda_device_count():
        pytest.skip("this machine has a CUDA device")
    auto = Translator(installed_model, dataclasses.replace(config.translate, device="auto"))
    assert auto._ct2.device == "cpu"
    assert auto.translate(["Der Akku kommt ohne seltene Metalle aus."]) == [
        "The battery does not need any rare metals."
    ]
    (tmp_path / "gpu.toml").write_text('[translate]\ndevice = "cuda"\n', encoding="utf-8")
    (tmp_path / "a.md").write_text("Der Akku kommt ohne seltene Metalle aus.\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            str(tmp_path / "a.md"),
            "--out",
            str(tmp_path / "out"),
            "--config",
            str(tmp_path / "gpu.toml"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert 'translate.device is "cuda", but CTranslate2 finds no CUDA device here' in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out" / "a.json").exists()
