"""Translation cache and batching: the fixture model through CTranslate2, a real SQLite file."""

import json
import logging
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import DEMO, FIXTURE_MODEL, demo_pairs

from pipeline.cache import TranslationCache, default_cache_path
from pipeline.detect import LanguageDetector
from pipeline.steps import prepare
from pipeline.translate import MAX_INPUT_TOKENS, Translator, chunk_tokens, translate_documents


def package_with_version(tmp_path: Path, version: str):
    """The fixture package unpacked as another version (same weights)."""
    from argostranslate.package import Package

    with zipfile.ZipFile(FIXTURE_MODEL) as archive:
        archive.extractall(tmp_path)
    top = next(p for p in tmp_path.iterdir() if p.is_dir())
    metadata = json.loads((top / "metadata.json").read_text(encoding="utf-8"))
    (top / "metadata.json").write_text(json.dumps({**metadata, "package_version": version}), encoding="utf-8")
    return Package(top)


def test_batching_across_documents_equals_one_by_one(config, translator):
    detector = LanguageDetector()
    together = [prepare(path, detector, config) for path in sorted((DEMO / "de").glob("*.md"))]
    alone = [prepare(path, detector, config) for path in sorted((DEMO / "de").glob("*.md"))]
    translate_documents(together, translator, "de")
    for doc in alone:
        translate_documents([doc], translator, "de")
    assert [[p.translated_text for p in d.paragraphs] for d in together] == [
        [p.translated_text for p in d.paragraphs] for d in alone
    ]


def test_cache_hits_return_identical_text_and_translate_nothing(tmp_path, installed_model, config):
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    sources = [de for de, _ in demo_pairs()]
    first = Translator(installed_model, config.translate, cache)
    cold = first.translate(sources)
    second = Translator(installed_model, config.translate, cache)
    assert second.translate(sources) == cold
    assert first.translated_count == len(set(sources)) and second.translated_count == 0


def test_cache_is_keyed_by_model_version(tmp_path, config):
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    sources = [de for de, _ in demo_pairs()[:5]]
    v1 = Translator(package_with_version(tmp_path / "v1", "1.0"), config.translate, cache)
    v2 = Translator(package_with_version(tmp_path / "v2", "1.1"), config.translate, cache)
    v1_again = Translator(package_with_version(tmp_path / "v1b", "1.0"), config.translate, cache)
    v1.translate(sources), v2.translate(sources), v1_again.translate(sources)
    assert (v1.translated_count, v2.translated_count, v1_again.translated_count) == (5, 5, 0)


def test_another_build_of_the_same_package_version_does_not_reuse_the_old_translations(tmp_path, config):
    from pipeline.models import install_file

    cache = TranslationCache(tmp_path / "cache.sqlite3")
    sources = [de for de, _ in demo_pairs()[:5]]
    first = Translator(install_file(FIXTURE_MODEL), config.translate, cache)
    first.translate(sources)
    # The same package reinstalled: its translations are still good.
    again = Translator(install_file(FIXTURE_MODEL), config.translate, cache)
    again.translate(sources)
    # Rebuilt under the same name and version: what the old build translated is not served for it.
    other = Translator(install_file(rebuilt_fixture(tmp_path)), config.translate, cache)
    assert other.cache_key == first.cache_key and other.build != first.build
    other.translate(sources)
    assert (first.translated_count, again.translated_count, other.translated_count) == (5, 0, 5)
    install_file(FIXTURE_MODEL)  # the session's other tests use the committed package


def test_another_build_of_the_same_package_version_redoes_the_briefings(tmp_path, config):
    from pipeline.models import install_file
    from pipeline.run import run

    def statuses(package) -> list[str]:
        report = run(
            [DEMO / "de"], tmp_path / "out", config, translator=Translator(package, config.translate)
        )
        return sorted(r.status for r in report.results)

    assert statuses(install_file(FIXTURE_MODEL)) == ["ok", "ok", "ok"]
    assert statuses(install_file(FIXTURE_MODEL)) == ["skipped", "skipped", "skipped"]
    assert statuses(install_file(rebuilt_fixture(tmp_path))) == ["ok", "ok", "ok"]
    install_file(FIXTURE_MODEL)


def rebuilt_fixture(tmp_path: Path) -> Path:
    """The fixture package as a rebuild under the same name and version gives it: other bytes (here its
    README; `make fixture` on another machine changes the weights' float rounding)."""
    rebuilt = tmp_path / "rebuilt.argosmodel"
    with zipfile.ZipFile(FIXTURE_MODEL) as old, zipfile.ZipFile(rebuilt, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            new.writestr(item, data + b"\nRebuilt.\n" if item.filename.endswith("README.md") else data)
    return rebuilt


def test_a_package_without_install_record_is_told_apart_by_its_model_file(tmp_path):
    from pipeline.package import build_id

    same = [package_with_version(tmp_path / name, "1.0") for name in ("a", "b")]
    assert build_id(same[0]) == build_id(same[1])  # unpacked twice: the same build
    model = Path(same[1].package_path) / "model" / "model.bin"
    weights = model.read_bytes()
    model.write_bytes(weights[:-1] + bytes([weights[-1] ^ 1]))  # one bit of the last weight
    assert build_id(same[0]) != build_id(same[1])


def test_cache_is_keyed_by_decoding_settings(tmp_path, installed_model, config):
    from dataclasses import replace

    cache = TranslationCache(tmp_path / "cache.sqlite3")
    sources = [de for de, _ in demo_pairs()[:3]]
    Translator(installed_model, config.translate, cache).translate(sources)
    greedy = Translator(installed_model, replace(config.translate, beam_size=1), cache)
    greedy.translate(sources)
    assert greedy.translated_count == 3


def test_corrupt_cache_is_moved_aside_and_rebuilt(tmp_path, installed_model, config, caplog):
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING):
        cache = TranslationCache(path)
    assert "damaged" in caplog.text
    assert list(tmp_path.glob("cache.sqlite3.corrupt-*"))
    (de, en), *_ = demo_pairs()
    assert Translator(installed_model, config.translate, cache).translate([de]) == [en]
    found = TranslationCache(path).get_many(Translator(installed_model, config.translate).cache_key, [de])
    assert found[de][0] == en and found[de][1] < 0


WRITER = """
import sys
from pathlib import Path
from pipeline.cache import TranslationCache
cache = TranslationCache(Path(sys.argv[1]))
tag = sys.argv[2]
for round in range(20):
    cache.put_many("k", [(f"{tag}-{round}-{i}", f"t-{tag}-{round}-{i}", -0.5) for i in range(100)])
    assert cache.get_many("k", [f"{tag}-{round}-0"]) == {f"{tag}-{round}-0": (f"t-{tag}-{round}-0", -0.5)}
"""


def test_two_processes_share_one_cache_safely(tmp_path):
    path = tmp_path / "cache.sqlite3"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag], stderr=subprocess.PIPE)
        for tag in ("a", "b")
    ]
    for writer in writers:
        assert writer.wait(timeout=60) == 0, writer.stderr.read().decode()
    keys = [f"{tag}-{r}-{i}" for tag in ("a", "b") for r in range(20) for i in range(100)]
    assert len(TranslationCache(path).get_many("k", keys)) == 4000


def test_long_input_is_cut_into_pieces_at_word_starts_losing_nothing(translator):
    words = " ".join(de.rstrip(".") for de, _ in demo_pairs()) * 5  # thousands of tokens, no sentence end
    [tokens] = translator.tokenizer.encode([words])
    pieces = chunk_tokens(tokens, translator.tokenizer.word_starts(tokens))
    assert len(pieces) > 5 and all(len(p) <= MAX_INPUT_TOKENS for p in pieces)
    assert [t for p in pieces for t in p] == tokens
    assert all(p[0].startswith("▁") for p in pieces)
    assert translator.translate([words])[0].strip()


@pytest.mark.parametrize("cap", [1, 3])
def test_output_cap_limits_length(installed_model, config, cap):
    from dataclasses import replace

    capped = Translator(
        installed_model, replace(config.translate, max_output_ratio=0.01, max_output_extra=cap)
    )
    (de, en), *_ = demo_pairs()
    assert len(capped.translate([de])[0].split()) <= cap < len(en.split())


def test_a_long_input_goes_in_slices_each_cached_and_a_stop_keeps_the_finished_ones(
    tmp_path, installed_model, config, monkeypatch
):
    import signal

    import pipeline.translate as translate
    from pipeline.budget import Budget, Interrupted, StopFlag

    monkeypatch.setattr(translate, "SLICE_SENTENCES", 5)
    pairs = demo_pairs()
    sources, expected = [de for de, _ in pairs], [en for _, en in pairs]
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    stop = StopFlag()

    def progress(done, total):
        if done >= 7:  # in the second slice
            stop.stop(signal.SIGTERM)

    stopped = Translator(installed_model, config.translate, cache)
    with pytest.raises(Interrupted):
        stopped.translate(sources, Budget(stop), progress)
    resumed = Translator(installed_model, config.translate, cache)
    seen = []
    assert resumed.translate(sources, progress=lambda done, total: seen.append((done, total))) == expected
    # only the first slice was kept (the stop came during the second): the rest is translated now
    assert resumed.translated_count == len(sources) - 5
    assert seen[0] == (5, len(sources)) and seen[-1] == (len(sources), len(sources)) and seen == sorted(seen)


def test_every_cache_lies_in_the_one_pipeline_cache_folder(tmp_path, monkeypatch):
    from pipeline.shortlang import cache_root
    from pipeline.shortlist import shortlist_root

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folders = {default_cache_path().parent, shortlist_root().parent, cache_root().parent}
    assert folders == {tmp_path / "pipeline"}
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_path().parent == Path.home() / ".cache" / "pipeline"
