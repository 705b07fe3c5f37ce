"""The vocabulary shortlist on the fixture package: learned from its own cached translations, verified on
held-out cached sentences, used only when verified, kept outside the installed package; the fast profile."""

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest
from conftest import DEMO, demo_pairs
from test_cli import cli as run_cli

from pipeline.cache import TranslationCache, default_cache_path
from pipeline.config import ConfigError, load_config
from pipeline.engine import load_translator, standard_translators
from pipeline.shortlist import (
    VMAP_FILE,
    active_model_dir,
    build,
    read_record,
    rebuild_due,
    shortlist_dir,
    state,
)
from pipeline.translate import Translator

SOURCES = [source for source, _ in demo_pairs()]
REFERENCE = dict(demo_pairs())


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """A cache directory of the test's own: the derived model directories go under it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def cached(tmp_path, cache_home, installed_model, config):
    """A translation cache holding the fixture's own (standard) translations of the demo corpus."""
    cache = TranslationCache(default_cache_path())
    Translator(installed_model, config.translate, cache).translate(SOURCES)
    return cache


def sizes(config, **values):
    defaults = {"min_sentences": 10, "enlarge_rounds": 0}
    return dataclasses.replace(config.shortlist, **{**defaults, **values})


def test_verified_shortlist_is_enlarged_until_it_passes_and_keeps_the_english(
    installed_model, config, cached
):
    # 125 always-allowed tokens lose most held-out sentences on this 500-token model; doubling twice passes.
    settings = sizes(config, always_allowed=125, enlarge_rounds=2)
    record = build(installed_model, settings, cached, standard_translators(installed_model, config))
    assert record.active and record.reason.startswith("on: ")
    assert record.always_allowed == 500 and record.verified_on > 0 and record.identical == record.verified_on
    assert record.learned_from + record.verified_on == len(
        cached.pairs(Translator(installed_model, config.translate).cache_key)
    )
    model_dir, _ = active_model_dir(installed_model)
    vmap = (model_dir / VMAP_FILE).read_text(encoding="utf-8").splitlines()
    # The always-allowed line (an empty source token). Enlarged to the whole of this tiny vocabulary, it
    # leaves no source token anything of its own to add.
    assert vmap[0].startswith("\t") and len(vmap[0].split()) == record.always_allowed
    with_shortlist = Translator(installed_model, config.translate, shortlist=model_dir)
    assert with_shortlist.translate(SOURCES) == [REFERENCE[s] for s in SOURCES]
    assert with_shortlist.info.shortlist
    assert with_shortlist.cache_key != Translator(installed_model, config.translate).cache_key
    assert state(installed_model) == record.reason


def test_too_small_shortlist_fails_verification_and_stays_off(installed_model, config, cached):
    settings = sizes(config, always_allowed=20, per_source_token=1)
    record = build(installed_model, settings, cached, standard_translators(installed_model, config))
    assert not record.active and record.reason.startswith("off: ")
    assert record.identical < record.verified_on
    assert active_model_dir(installed_model) is None
    assert not (shortlist_dir(installed_model) / "model").exists()
    assert "off: " in state(installed_model)
    # A run that asks for the shortlist translates without it, under the plain cache key.
    fast = dataclasses.replace(load_config(profile="fast"), shortlist=settings)
    translator = load_translator(fast)
    assert translator.shortlist is None and not translator.info.shortlist


def test_too_few_cached_sentences_build_no_shortlist_until_there_are_enough(installed_model, config, cached):
    few = sizes(config, min_sentences=10_000)
    record = build(installed_model, few, cached, standard_translators(installed_model, config))
    assert not record.active and "too few cached sentences" in record.reason
    assert active_model_dir(installed_model) is None
    assert not rebuild_due(installed_model, few, 9_999) and rebuild_due(installed_model, few, 10_000)


def test_derived_model_directory_never_touches_the_installed_package(installed_model, config, cached):
    package = Path(installed_model.package_path)

    def snapshot():
        return {
            str(p.relative_to(package)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(package.rglob("*"))
            if p.is_file()
        }

    before = snapshot()
    build(
        installed_model,
        sizes(config, always_allowed=500),
        cached,
        standard_translators(installed_model, config),
    )
    assert snapshot() == before and not (package / "model" / VMAP_FILE).exists()
    model_dir, _ = active_model_dir(installed_model)
    assert package.resolve() not in model_dir.resolve().parents
    assert (model_dir / "model.bin").is_symlink()
    assert (model_dir / "model.bin").resolve() == (package / "model" / "model.bin").resolve()


def test_rebuild_is_due_after_enough_new_cached_sentences(installed_model, config, cached):
    settings = sizes(config, always_allowed=500, rebuild_after=5)
    count = cached.count(Translator(installed_model, config.translate).cache_key)
    assert rebuild_due(installed_model, settings, count)  # never built
    build(installed_model, settings, cached, standard_translators(installed_model, config))
    assert read_record(installed_model).cache_sentences == count
    assert not rebuild_due(installed_model, settings, count + 4)
    assert rebuild_due(installed_model, settings, count + 5)


def test_fast_profile_is_beam_1_with_the_shortlist_and_unknown_profiles_are_refused(tmp_path):
    fast = load_config(profile="fast")
    assert fast.profile == "fast" and fast.translate.beam_size == 1 and fast.translate.shortlist
    assert fast.standard_translate == load_config().translate
    with pytest.raises(ConfigError, match="unknown profile 'triage'"):
        load_config(profile="triage")
    bad = tmp_path / "bad.toml"
    bad.write_text("[profiles.fast]\nalgorithm = 'lead'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="profiles.fast.algorithm is not a \\[translate\\] key"):
        load_config(bad, profile="fast")


def test_fast_and_standard_runs_keep_separate_cache_entries(tmp_path, installed_model):
    """End to end through the CLI: a fast run learns its shortlist from a standard run's cache, its
    briefings name the profile and the shortlist, and a later standard run translates nothing again."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    settings = tmp_path / "shortlist.toml"
    settings.write_text("[shortlist]\nmin_sentences = 10\nalways_allowed = 500\n", encoding="utf-8")

    def cli(*args):
        return run_cli(*args, env=env)

    def english(out):
        names = [p.stem for p in sorted((DEMO / "de").glob("*.md"))]
        return {name: json.loads((out / f"{name}.json").read_text())["paragraphs"] for name in names}

    assert cli("run", DEMO / "de", "--out", tmp_path / "std", "-q").returncode == 0
    fast = cli(
        "run", DEMO / "de", "--out", tmp_path / "fast", "--profile", "fast", "--config", settings, "-q"
    )
    assert fast.returncode == 0, fast.stderr
    assert "shortlist" in fast.stderr and "on: " in fast.stderr  # built on first use, and said so
    model = json.loads((tmp_path / "fast" / "wetter.json").read_text())["model"]
    assert model["profile"] == "fast" and model["shortlist"] is True and model["settings"]["beam_size"] == 1
    assert "profile fast, with shortlist" in (tmp_path / "fast" / "wetter.md").read_text()
    assert "profile" not in json.loads((tmp_path / "std" / "wetter.json").read_text())["model"]
    assert english(tmp_path / "fast") == english(tmp_path / "std")  # the fixture knows these sentences
    state = cli("models", "shortlist", "--config", settings)  # not due again: shows the state
    assert state.returncode == 0 and "shortlist on: " in state.stdout and "learned from" in state.stdout
    assert "shortlist on: " in cli("models", "list").stdout

    cache = TranslationCache(tmp_path / "cache" / "pipeline" / "translations.sqlite3")
    config = load_config()
    standard_key = Translator(installed_model, config.translate).cache_key
    standard_entries = cache.pairs(standard_key)
    model_dir = next((tmp_path / "cache" / "pipeline" / "shortlists").glob("*/model"))
    fast_key = Translator(
        installed_model, load_config(profile="fast").translate, shortlist=model_dir
    ).cache_key
    assert len(cache.pairs(fast_key)) == len(standard_entries) > 0
    # Standard again, into a new folder: everything from its own cache entries, none of the fast ones.
    again = Translator(installed_model, config.translate, cache)
    again.translate(SOURCES[:5])
    assert again.translated_count == 0 and cache.pairs(standard_key) == standard_entries


def test_unwritable_shortlist_directory_warns_and_the_run_goes_on(
    installed_model, cached, cache_home, caplog
):
    (cache_home / "pipeline" / "shortlists").write_text("a file in the way", encoding="utf-8")
    fast = dataclasses.replace(
        load_config(profile="fast"), shortlist=sizes(load_config(), always_allowed=500)
    )
    translator = load_translator(fast)
    assert translator.shortlist is None
    assert "cannot build a shortlist" in caplog.text and "shortlists" in caplog.text
    assert translator.translate(SOURCES[:3]) == [REFERENCE[s] for s in SOURCES[:3]]


def test_bpe_packages_learn_in_their_own_target_tokens(bpe_model):
    from pipeline.shortlist import learn
    from pipeline.tokenizer import load_tokenizer, vocabulary

    tokenizer = load_tokenizer(Path(bpe_model.package_path), "de", "en")
    target_vocabulary = set(vocabulary(Path(bpe_model.package_path) / "model", "target"))
    vmap = learn(demo_pairs(), tokenizer, per_source_token=20, always_allowed=10)
    (stadtrat,) = tokenizer.encode(["Stadtrat"])
    brought = {t for token in stadtrat for t in vmap.get(token, [])} | set(vmap[""])
    (council,) = tokenizer.encode_target(["city council"])
    assert set(council) <= brought
    assert set(vmap[""]) <= target_vocabulary  # Moses-tokenized English, segmented with the package's codes
