"""`pipeline search`: every briefing of an output folder, German and English word forms, through the
index the run keeps current."""

import json
import logging
import os
import sqlite3
import subprocess
import sys

import pytest
from conftest import DEMO, FIXTURE_MODEL

from pipeline.manifest import Entry, Manifest
from pipeline.search import INDEX_NAME, search, update_index


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def briefing(out, name, paragraphs, title="Titel"):
    """A JSON briefing as `pipeline run` writes it (the keys the index reads) and its manifest entry."""
    data = {
        "schema": "briefing/1",
        "paragraphs": [
            {"id": f"p{i}", "kind": "text", "source": {"lang": "de", "text": de}, "target": {"text": en}}
            for i, (de, en) in enumerate(paragraphs, 1)
        ],
    }
    (out / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    manifest = Manifest(out)
    manifest.entries[name] = Entry(f"/in/{name}.md", "0" * 64, "c", "m", "ok", (f"{name}.json",), title=title)
    manifest.save()
    update_index(out, manifest)


@pytest.fixture
def archive(tmp_path):
    briefing(
        tmp_path,
        "bundestag",
        [
            (
                "Die Sitzung des Bundestages begann am Morgen.",
                "The session of the Bundestag began in the morning.",
            ),
            ("Neue Sanktionen gegen die Wagner-Gruppe.", "New sanctions against the Wagner Group."),
        ],
        title="Aus dem Bundestag",
    )
    briefing(tmp_path, "haeuser", [("Die Häuser der Stadt sind alt.", "The houses of the city are old.")])
    return tmp_path


def test_inflected_forms_are_found_in_both_languages(archive):
    german = search(archive, "Bundestag", lang="de")
    assert [(h.name, h.paragraph) for h in german] == [("bundestag", "p1")]
    assert german[0].de == "Die Sitzung des [Bundestages] begann am Morgen."
    assert (
        german[0].en == "The session of the [Bundestag] began in the morning."
        and german[0].title == "Aus dem Bundestag"
    )
    english = search(archive, "sanction", lang="en")
    assert [(h.name, h.paragraph) for h in english] == [("bundestag", "p2")]
    assert english[0].en == "New [sanctions] against the Wagner Group."
    assert english[0].de == "Neue Sanktionen gegen die Wagner-Gruppe."  # both sides, the other unmarked
    assert [h.paragraph for h in search(archive, "Sanktion", lang="de")] == ["p2"]
    assert [h.name for h in search(archive, "Haus")] == ["haeuser"]  # Häuser: umlaut and plural
    assert [h.de for h in search(archive, "Wagner-Gruppen")] == ["Neue Sanktionen gegen die [Wagner-Gruppe]."]
    assert search(archive, "Sanktionen Morgen") == []  # every word must be in the paragraph
    assert search(archive, "sanction", lang="de") == []  # the English side only with --lang en
    assert search(archive, 'NEAR( "* OR') == []  # FTS5 syntax in a query is text, never an error


def test_a_pruned_briefing_leaves_the_index(archive):
    manifest = Manifest(archive)
    del manifest.entries["haeuser"]
    manifest.save()
    update_index(archive, manifest)
    assert search(archive, "Haus") == []
    assert [h.name for h in search(archive, "Bundestag")] == ["bundestag"]


@pytest.mark.parametrize("damage", ["garbage", "other schema"])
def test_a_damaged_index_is_moved_aside_and_rebuilt_with_one_warning(archive, caplog, damage):
    index = archive / INDEX_NAME
    if damage == "garbage":
        index.write_bytes(b"not a database at all" * 100)
    else:
        with sqlite3.connect(index) as db:
            db.execute("PRAGMA user_version = 99")
    with caplog.at_level(logging.WARNING):
        update_index(archive, Manifest(archive))
    assert len([r for r in caplog.records if "damaged" in r.message]) == 1
    assert len(list(archive.glob(f"{INDEX_NAME}.corrupt-*"))) == 1
    assert [h.name for h in search(archive, "Bundestag")] == ["bundestag"]


def test_a_search_that_meets_damage_rebuilds_the_index_and_answers(archive, caplog):
    """A search does not read the whole index before its query (that would be most of its time at
    10,000 briefings), so damage past the header is found by the query itself."""
    index = archive / INDEX_NAME
    with sqlite3.connect(index) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(index.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = b"\xff" * (len(data) - page)  # every page but the first (the schema's root) overwritten
    index.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        assert [h.name for h in search(archive, "Bundestag")] == ["bundestag"]
    assert len([r for r in caplog.records if "damaged" in r.message]) == 1
    assert len(list(archive.glob(f"{INDEX_NAME}.corrupt-*"))) == 1


def test_a_run_keeps_the_index_and_the_command_finds_both_sides(tmp_path):
    env = {"ARGOS_PACKAGES_DIR": str(tmp_path / "packages"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert run_cli("models", "install", "--file", FIXTURE_MODEL, env=env).returncode == 0
    out = tmp_path / "out"
    ran = run_cli("run", DEMO / "de", "--out", out, "--quiet", env=env)
    assert ran.returncode == 0, ran.stderr
    assert (out / INDEX_NAME).is_file()

    found = run_cli("search", "Temperatur", "--out", out, "--json")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert [h["briefing"] for h in hits] == ["wetter"] and "[Temperaturen]" in hits[0]["de"]
    assert hits[0]["en"] and hits[0]["paragraph"].startswith("p")

    english = run_cli("search", "delay", "--out", out, "--lang", "en")
    assert english.returncode == 0 and english.stdout.startswith("wetter  p"), english.stdout
    assert "[delays]" in english.stdout and "  de: " in english.stdout and "  en: " in english.stdout

    nothing = run_cli("search", "Vulkan", "--out", out)
    assert nothing.returncode == 0 and nothing.stdout == "" and "no matches" in nothing.stderr
    nowhere = run_cli("search", "Sturm", "--out", tmp_path / "nowhere")
    assert nowhere.returncode == 2 and "no briefings here" in nowhere.stderr


def test_help_imports_neither_search_nor_metrics():
    code = (
        "import sys; from pipeline.cli import app\n"
        "try: app(['--help'])\nexcept SystemExit: pass\n"
        "heavy = {'sqlite3', 'pipeline.search', 'pipeline.metrics', 'prometheus_client', 'nltk'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr
