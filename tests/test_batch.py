"""The batch job as cron runs it: real subprocesses, real files, real signals."""

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from conftest import DEMO, FIXTURE_MODEL

from pipeline.manifest import MANIFEST_NAME
from pipeline.search import INDEX_NAME


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    path = tmp_path_factory.mktemp("packages")
    install = pipeline_cli("models", "install", "--file", FIXTURE_MODEL, packages=path)
    assert install.returncode == 0, install.stderr
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """60 German documents made of the demo corpus (the fixture model knows its sentences)."""
    root = tmp_path_factory.mktemp("corpus")
    for copy in range(20):
        for doc in sorted((DEMO / "de").glob("*.md")):
            folder = root / f"batch{copy % 3}"
            folder.mkdir(exist_ok=True)
            shutil.copy(doc, folder / f"{doc.stem}-{copy:02d}.md")
    return root


def command(*args):
    return [sys.executable, "-m", "pipeline", *map(str, args)]


def environment(packages):
    return {**os.environ, "ARGOS_PACKAGES_DIR": str(packages)}


def pipeline_cli(*args, packages):
    return subprocess.run(
        command(*args), capture_output=True, text=True, env=environment(packages), timeout=300
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file of an output folder; the search index as what it holds, since its file also records
    when each briefing was written (to notice a changed one)."""
    files = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    index = root / INDEX_NAME
    files = {name: data for name, data in files.items() if not name.startswith(INDEX_NAME)}
    if index.exists():
        with closing(sqlite3.connect(f"{index.as_uri()}?mode=ro", uri=True)) as db:
            held = [
                *db.execute("SELECT name, title, digest FROM briefings ORDER BY name"),
                *db.execute("SELECT name, pid, de, en FROM paragraphs ORDER BY name, pid"),
            ]
        files[INDEX_NAME] = repr(held).encode()
    return files


def uninterrupted_run(out: Path, corpus: Path, packages: Path) -> dict[str, bytes]:
    """The tree a run leaves without interruptions or faults: what every resumed run must end with."""
    result = pipeline_cli("run", corpus, "--out", out, "--no-cache", packages=packages)
    assert result.returncode == 0, result.stderr
    return tree(out)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, corpus, packages):
    return uninterrupted_run(tmp_path_factory.mktemp("reference"), corpus, packages)


def test_sigkill_at_random_moments_then_rerun_gives_the_uninterrupted_output(
    tmp_path, corpus, packages, reference
):
    out = tmp_path / "out"
    rng = random.Random(20261128)
    for _ in range(4):
        process = subprocess.Popen(
            command("run", corpus, "--out", out, "--no-cache", "--quiet"),
            env=environment(packages),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(1.0, 4.5))  # start-up takes about 1.5 s, the whole run about 5 s
        process.send_signal(signal.SIGKILL)
        process.wait()
    final = pipeline_cli("run", corpus, "--out", out, "--no-cache", packages=packages)
    assert final.returncode == 0, final.stderr
    assert tree(out) == reference


def test_sigterm_stops_after_the_current_document_and_leaves_a_consistent_manifest(
    tmp_path, corpus, packages, reference
):
    out = tmp_path / "out"
    process = subprocess.Popen(
        command("run", corpus, "--out", out, "--no-cache"),
        env=environment(packages),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(out.glob("*.html")) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM and "SIGTERM" in stderr
    entries = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["entries"]
    assert 0 < len(entries) < 60
    assert all((out / o).is_file() for e in entries.values() for o in e["outputs"])
    assert pipeline_cli("run", corpus, "--out", out, "--no-cache", packages=packages).returncode == 0
    assert tree(out) == reference


def test_unchanged_inputs_are_skipped_changed_redone_deleted_reported(tmp_path, packages):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for doc in (DEMO / "de").glob("*.md"):
        shutil.copy(doc, inputs / doc.name)
    out = tmp_path / "out"
    first = pipeline_cli("run", inputs, "--out", out, "--log-json", packages=packages)
    assert {json.loads(line)["status"] for line in first.stdout.splitlines()} == {"ok"}

    (inputs / "wetter.md").write_text(
        (DEMO / "de" / "stadtrat.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (inputs / "forschung.md").unlink()
    second = pipeline_cli("run", inputs, "--out", out, "--log-json", packages=packages)
    records = {Path(r["source"]).name: r for r in map(json.loads, second.stdout.splitlines())}
    assert {name: r["status"] for name, r in records.items()} == {"stadtrat.md": "skipped", "wetter.md": "ok"}
    assert set(records["wetter.md"]) == {"source", "name", "status", "error", "seconds", "sentences"}
    assert records["wetter.md"]["sentences"] > 0
    assert "1 briefing(s) of deleted inputs kept" in second.stderr
    assert (out / "forschung.html").exists()

    pruned = pipeline_cli("run", inputs, "--out", out, "--prune", packages=packages)
    assert pruned.returncode == 0 and not (out / "forschung.html").exists()
    forced = pipeline_cli("run", inputs, "--out", out, "--force", "--log-json", packages=packages)
    assert {json.loads(line)["status"] for line in forced.stdout.splitlines()} == {"ok"}


def test_changing_the_config_redoes_the_briefings(tmp_path, packages):
    out = tmp_path / "out"
    doc = DEMO / "de" / "wetter.md"
    pipeline_cli("run", doc, "--out", out, packages=packages)
    again = pipeline_cli("run", doc, "--out", out, "--length", "1", "--log-json", packages=packages)
    assert json.loads(again.stdout)["status"] == "ok"


def test_second_run_on_the_same_output_exits_4_or_waits(tmp_path, packages):
    from filelock import FileLock

    out = tmp_path / "out"
    out.mkdir()
    lock = FileLock(out / ".pipeline.lock")
    with lock:
        started = time.monotonic()
        locked = pipeline_cli("run", DEMO / "de", "--out", out, packages=packages)
        assert locked.returncode == 4 and "another pipeline run" in locked.stderr
        assert not list(out.glob("*.html"))
        waiting = subprocess.Popen(
            command("run", DEMO / "de", "--out", out, "--wait"),
            env=environment(packages),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(2)
        assert waiting.poll() is None
    assert waiting.wait(timeout=120) == 0
    assert len(list(out.glob("*.html"))) == 4  # three briefings and the index
    assert time.monotonic() - started > 2


def test_two_concurrent_runs_never_corrupt_the_output(tmp_path, packages, corpus):
    out = tmp_path / "out"
    runs = [
        subprocess.Popen(
            command("run", corpus, "--out", out, "--wait", "--quiet"),
            env=environment(packages),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    assert [r.wait(timeout=300) for r in runs] == [0, 0]
    entries = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["entries"]
    assert len(entries) == 60 and all(e["status"] == "ok" for e in entries.values())


def test_quiet_prints_only_failures(tmp_path, packages):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(DEMO / "de" / "wetter.md", inputs)
    (inputs / "leer.md").write_text("", encoding="utf-8")
    result = pipeline_cli("run", inputs, "--out", tmp_path / "out", "--quiet", packages=packages)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "leer.md" in result.stderr


def unpunctuated_words(count: int) -> str:
    """German words from the demo corpus, without a single punctuation mark."""
    from conftest import demo_pairs

    words = " ".join(de for de, _ in demo_pairs()).translate(str.maketrans("", "", ".,!?„“:")).split()
    return " ".join(words[i % len(words)] for i in range(count))


def test_bad_input_corpus_each_file_gets_its_documented_outcome(tmp_path, packages):
    """Hostile and broken files beside good ones: the bad ones are recorded, the good ones complete."""
    import docx

    german = (DEMO / "de" / "wetter.md").read_text(encoding="utf-8")
    english = (
        "The city council approved the budget for next year on Monday and promised more money for schools."
    )
    inputs = tmp_path / "in"
    inputs.mkdir()
    files = {
        "gut.md": german.encode(),
        "bom.md": "\ufeff".encode() + german.encode(),
        "utf16.txt": german.encode("utf-16"),
        "latin.txt": german.encode("cp1252"),
        "crlf.txt": german.replace("\n", "\r\n").encode(),
        "seite.html": (
            f"<html><nav>Menü</nav><script>alert(1)</script><main><h1>Wetter</h1><p>{german}</p></main>"
        ).encode(),
        "gemischt.md": f"{german}\n\n{english}".encode(),
        "ohne Punkt und Komma.txt": unpunctuated_words(10_000).encode(),
        "<script>alert(1)<\\script> ‮gnp.md": german.encode(),
        "leer.txt": b"",
        "leerzeichen.md": b" \n\t\n ",
        "bild.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
        "zu-gross.txt": german.encode() * 500,
        "francais.md": (
            "Le conseil municipal a adopté lundi le budget de la ville pour l'année prochaine. Les "
            "écoles recevront plus d'argent que jamais auparavant."
        ).encode(),
    }
    for name, content in files.items():
        (inputs / name.replace("\\", "")).write_bytes(content)
    word = docx.Document()
    word.add_heading("Sturm und Regen", level=1)
    word.add_paragraph(german.split("\n\n")[1])
    word.save(inputs / "bericht.docx")
    (inputs / "kaputt.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (inputs / "schleife-a.md").symlink_to(inputs / "schleife-b.md")
    (inputs / "schleife-b.md").symlink_to(inputs / "schleife-a.md")
    (inputs / "verwaist.md").symlink_to(inputs / "gibt-es-nicht.md")
    config = tmp_path / "small.toml"
    config.write_text("[input]\nmax_bytes = 200_000\n", encoding="utf-8")

    out = tmp_path / "out"
    result = pipeline_cli("run", inputs, "--out", out, "--config", config, "--log-json", packages=packages)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    outcome = {
        Path(r["source"]).name: (r["status"], r["error"] or "")
        for r in map(json.loads, result.stdout.splitlines())
    }
    failed = {
        "leer.txt": "empty",
        "leerzeichen.md": "no text",
        "bild.txt": "binary",
        "zu-gross.txt": "200,000",
        "francais.md": "language is fr",
        "kaputt.docx": "not a valid .docx",
        "schleife-a.md": "symbolic link loop",
        "schleife-b.md": "symbolic link loop",
        "verwaist.md": "broken symbolic link",
    }
    for name, problem in failed.items():
        status, error = outcome.pop(name)
        assert status == "failed" and name in error and problem in error.lower(), (name, error)
    assert len(outcome) == 10 and {status for status, _ in outcome.values()} == {"ok"}
    assert all(p.resolve().parent == out.resolve() for p in out.iterdir())
    mixed = json.loads((out / "gemischt.json").read_text(encoding="utf-8"))["paragraphs"]
    assert mixed[-1]["source"]["lang"] == "en" and mixed[-1]["target"] is None
    long = json.loads((out / "ohne_Punkt_und_Komma.json").read_text(encoding="utf-8"))["paragraphs"]
    assert len(long[0]["source"]["text"].split()) == 10_000 and long[0]["target"]["text"]
    for page in out.glob("*.html"):
        assert "<script>alert(1)" not in page.read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(name in index for name in failed)
