"""Hostile files and damaged state (issue 20): nothing outside the pipeline's folders is touched, no input
hangs the batch, state files of the wrong shape are rebuilt, bad settings and packages are refused.

Each case is a generated file or folder; the subprocess cases assert the exit code and what was
written, never how fast (a generous safety timeout only stops a hang from stalling the suite)."""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import DEMO, FIXTURE_MODEL, ROOT

from pipeline.budget import Budget, Interrupted, OverBudget, StopFlag
from pipeline.cache import TranslationCache
from pipeline.config import ConfigError, load_config
from pipeline.manifest import MANIFEST_NAME
from pipeline.reader import InputError, read_document
from pipeline.run import run

SAFETY_TIMEOUT = 300  # seconds: only a hang reaches it


def command(*args):
    return [sys.executable, "-m", "pipeline", *map(str, args)]


def cli(*args, packages: Path, cwd: Path | None = None):
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(packages)}
    return subprocess.run(
        command(*args), capture_output=True, text=True, env=env, cwd=cwd, timeout=SAFETY_TIMEOUT
    )


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    path = tmp_path_factory.mktemp("packages")
    assert cli("models", "install", "--file", FIXTURE_MODEL, packages=path).returncode == 0
    return path


def inbox(tmp_path: Path, documents: int = 1) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for doc in sorted((DEMO / "de").glob("*.md"))[:documents]:
        (folder / doc.name).write_bytes(doc.read_bytes())
    return folder


def make_docx(path: Path, paragraphs: int) -> None:
    """A .docx of `paragraphs` copies of one German paragraph (python-docx's own package around it)."""
    import docx

    document = docx.Document()
    document.add_paragraph("Der Stadtrat hat am Montag den neuen Haushalt beschlossen.")
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(buffer)
    xml = source.read("word/document.xml").decode()
    start = xml.index("<w:p>")
    end = xml.index("</w:p>", start) + len("</w:p>")
    xml = xml[:start] + xml[start:end] * paragraphs + xml[end:]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, xml if info.filename == "word/document.xml" else source.read(info))


# 1. --prune deletes only files of the output folder -------------------------------------------------


def test_prune_never_deletes_a_file_a_manifest_entry_names_outside_the_output_folder(
    tmp_path, config, translator, caplog
):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    entry = {"source": "/gone.md", "sha256": "x", "config": "x", "model": "x", "status": "ok"}
    entries = {"gone": {**entry, "outputs": [str(victim), "../victim.txt", "gone.md"]}}
    (out / MANIFEST_NAME).write_text(json.dumps({"version": 1, "entries": entries}), encoding="utf-8")
    report = run([inbox(tmp_path)], out, config, translator=translator, prune=True)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert report.count("ok") == 1
    assert "not a plain file name" in caplog.text and "moved to" in caplog.text
    assert len(list(out.glob(f"{MANIFEST_NAME}.corrupt-*"))) == 1


# 2. FIFOs and devices are skipped with a line; the run finishes -------------------------------------


def test_a_fifo_and_a_link_to_dev_zero_are_skipped_with_one_line_each(tmp_path, packages):
    folder = inbox(tmp_path)
    os.mkfifo(folder / "a.txt")
    (folder / "z.txt").symlink_to("/dev/zero")
    result = cli("run", folder, "--out", tmp_path / "out", packages=packages)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("ignored")]
    assert len(lines) == 2
    assert "a.txt: a named pipe (FIFO), not a regular file" in lines[0]
    assert "z.txt: a link to /dev/zero, outside the input folder" in lines[1]
    assert (tmp_path / "out" / "forschung.md").is_file()


def test_with_follow_links_a_device_is_still_skipped(tmp_path, config, translator):
    folder = inbox(tmp_path)
    (folder / "z.txt").symlink_to("/dev/zero")
    followed = replace(config, input=replace(config.input, follow_links=True))
    report = run([folder], tmp_path / "out", followed, translator=translator)
    ignored = [r for r in report.results if r.status == "ignored"]
    assert [r.source.name for r in ignored] == ["z.txt"] and "a device" in ignored[0].error
    assert report.count("ok") == 1


# 3. A .docx bomb is refused by its element count; reading honours the deadline and SIGTERM -----------


def test_a_docx_of_a_million_copies_of_one_paragraph_is_refused_by_its_element_count(tmp_path):
    path = tmp_path / "bomb.docx"
    make_docx(path, 1_000_000)
    assert path.stat().st_size < 500_000
    with pytest.raises(InputError, match="more than 1,000,000 XML elements"):
        read_document(path)


@pytest.fixture(scope="module")
def slow_docx(tmp_path_factory) -> Path:
    """A .docx under the element limit that takes many seconds to read (150,000 paragraphs)."""
    path = tmp_path_factory.mktemp("docx") / "lang.docx"
    make_docx(path, 150_000)
    return path


def test_document_seconds_holds_while_a_docx_is_read(slow_docx):
    budget = Budget(StopFlag()).for_document(0.5)
    with pytest.raises(OverBudget):
        read_document(slow_docx, budget=budget)


def test_a_stop_signal_ends_a_docx_read(slow_docx):
    stop = StopFlag()
    stop.stop(signal.SIGTERM)
    with pytest.raises(Interrupted):
        read_document(slow_docx, budget=Budget(stop))


def test_sigterm_during_a_slow_read_exits_143_and_writes_no_briefing(tmp_path, slow_docx, packages):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / slow_docx.name).symlink_to(slow_docx)  # a link named directly is read as given
    out = tmp_path / "out"
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(packages)}
    process = subprocess.Popen(
        command("run", folder / slow_docx.name, "--out", out),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The lock file appears once the run holds the output folder, just before it reads.
        while not (out / ".pipeline.lock").exists() and process.poll() is None:
            try:
                process.wait(0.2)
            except subprocess.TimeoutExpired:
                pass
        try:
            process.wait(1.0)  # well into the read (seconds long)
        except subprocess.TimeoutExpired:
            pass
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=SAFETY_TIMEOUT)
    finally:
        process.kill()
    assert process.returncode == 143, stderr
    assert "stopped by SIGTERM" in stderr and "Traceback" not in stderr
    assert not list(out.glob("lang.*")) and not list(out.glob(".*.tmp"))


# 4. A manifest of the wrong shape is moved aside and rebuilt ------------------------------------------


@pytest.mark.parametrize(
    "content",
    ['{"version": 1, "entries": []}', "[1, 2]", '{"version": 1, "entries": {"a": {"source": 3}}}', "{"],
)
def test_a_manifest_of_the_wrong_shape_is_moved_aside_and_rebuilt(tmp_path, config, translator, content):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST_NAME).write_text(content, encoding="utf-8")
    report = run([inbox(tmp_path)], out, config, translator=translator, force=True)
    assert report.count("ok") == 1
    assert [p.read_text(encoding="utf-8") for p in out.glob(f"{MANIFEST_NAME}.corrupt-*")] == [content]
    assert set(json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["entries"]) == {"forschung"}


# 5. A package's version string never becomes a path ----------------------------------------------------


def repacked(tmp_path: Path, name: str, change) -> Path:
    """A copy of the fixture package with `change(top folder)` applied."""
    work = tmp_path / f"unpacked-{name}"
    with zipfile.ZipFile(FIXTURE_MODEL) as archive:
        archive.extractall(work)
    top = next(work.iterdir())
    change(top)
    path = tmp_path / f"{name}.argosmodel"
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(top.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(work))
    return path


def test_a_version_string_with_a_path_is_refused_at_install(tmp_path, packages):
    def change(top):
        metadata = json.loads((top / "metadata.json").read_text(encoding="utf-8"))
        metadata["package_version"] = "1.0/../../../../elsewhere"
        (top / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")

    result = cli("models", "install", "--file", repacked(tmp_path, "evil", change), packages=packages)
    assert result.returncode == 1
    assert "package_version '1.0/../../../../elsewhere' is not a plain version" in result.stderr
    assert not list(tmp_path.rglob("elsewhere*"))


def test_a_shortlist_folder_stays_in_the_cache_whatever_the_version_says(tmp_path):
    from pipeline.shortlist import shortlist_dir, shortlist_root

    class Installed:  # a package argospm installed, with metadata nobody checked
        package_path = str(tmp_path / "pkg")
        package_version = "1.0/../../../../elsewhere"

    assert shortlist_dir(Installed()).parent == shortlist_root()


# 6. A package that does not load is refused; the working build stays -----------------------------


def truncate_model(top: Path) -> None:
    model = top / "model" / "model.bin"
    model.write_bytes(model.read_bytes()[:1000])


def corrupt_config(top: Path) -> None:
    (top / "model" / "config.json").write_text("{not json", encoding="utf-8")


def corrupt_tokenizer(top: Path) -> None:
    (top / "sentencepiece.model").write_bytes(b"not a sentencepiece model")


@pytest.mark.parametrize("change", [truncate_model, corrupt_config, corrupt_tokenizer])
def test_a_broken_package_is_refused_and_the_installed_build_keeps_working(tmp_path, packages, change):
    before = {p: p.stat().st_mtime_ns for p in packages.rglob("*")}
    result = cli(
        "models", "install", "--file", repacked(tmp_path, change.__name__, change), packages=packages
    )
    assert result.returncode == 1 and "the package does not load" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert {p: p.stat().st_mtime_ns for p in packages.rglob("*")} == before
    if change is truncate_model:  # the case: every later run failed every document
        ran = cli("run", DEMO / "de" / "wetter.md", "--out", tmp_path / "out", packages=packages)
        assert ran.returncode == 0, ran.stderr


# 7 and 11. Numbers out of range, NaN and infinity are refused with the key named ---------------------


@pytest.mark.parametrize(
    "text, problem",
    [
        ("[translate]\nbeam_size = 100000\n", "translate.beam_size must be ≥ 1 and ≤ 16"),
        ("[translate]\nlength_penalty = nan\n", "translate.length_penalty must be a finite number"),
        ("[translate]\nmax_output_ratio = inf\n", "translate.max_output_ratio must be a finite number"),
        ("[limits]\ndocument_seconds = -inf\n", "limits.document_seconds must be a finite number"),
        ("[limits]\ndocument_seconds = 0\n", "limits.document_seconds must be > 0"),
        ("[review]\nmin_confidence = nan\n", "review.min_confidence must be a finite number"),
        ("[shortlist]\nenlarge_rounds = 1000\n", "shortlist.enlarge_rounds must be ≥ 0 and ≤ 10"),
        ("[executor]\ncpus_per_actor = 0.0\n", "executor.cpus_per_actor must be > 0"),
    ],
)
def test_numbers_out_of_range_are_refused_with_the_key_named(tmp_path, text, problem):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem) as err:
        load_config(path)
    assert str(path) in str(err.value)


def test_a_nan_setting_stops_the_run_before_any_work_with_exit_2(tmp_path, packages):
    (tmp_path / "nan.toml").write_text("[translate]\nlength_penalty = nan\n", encoding="utf-8")
    result = cli(
        "run",
        inbox(tmp_path),
        "--out",
        tmp_path / "out",
        "--config",
        tmp_path / "nan.toml",
        packages=packages,
    )
    assert result.returncode == 2 and "translate.length_penalty" in result.stderr
    assert not (tmp_path / "out").exists()


# 9. Text at any nesting depth is kept ---------------------------------------------------------------


@pytest.mark.parametrize("depth", [300, 30_000])
def test_deeply_nested_html_keeps_its_text(tmp_path, depth):
    text = "Der Stadtrat hat am Montag den neuen Haushalt beschlossen. Die Opposition stimmte dagegen."
    page = (
        f"<html><body>{'<div><span>' * depth}<p>{text}</p>{'</span></div>' * depth}<p>Ende.</p></body></html>"
    )
    (tmp_path / "tief.html").write_text(page, encoding="utf-8")
    paragraphs = [p.text for p in read_document(tmp_path / "tief.html").paragraphs]
    assert paragraphs == [text, "Ende."]


# 12. A cache of another schema is moved aside and rebuilt, once --------------------------------------


def test_a_cache_of_another_schema_is_moved_aside_and_rebuilt_once(tmp_path, caplog):
    path = tmp_path / "translations.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE translations (id INTEGER PRIMARY KEY, text TEXT)")
    cache = TranslationCache(path)
    cache.put_many("k", [("Haus", "house", -0.1)])
    assert cache.get_many("k", ["Haus"]) == {"Haus": ("house", -0.1)}
    cache.close()
    assert "another schema" in caplog.text and len(list(tmp_path.glob("*.corrupt-*"))) == 1
    caplog.clear()
    TranslationCache(path).close()
    assert "cache" not in caplog.text  # the rebuilt cache is used without a word


# Symbolic links: one rule for files and folders ---------------------------------------------------------


def test_links_out_of_the_input_folder_are_skipped_with_a_line_unless_follow_links(
    tmp_path, config, translator
):
    folder = inbox(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "wetter.md").write_bytes((DEMO / "de" / "wetter.md").read_bytes())
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "linked").symlink_to(outside)
    (folder / "inside.md").symlink_to(folder / "forschung.md")  # a link inside the folder is read
    (folder / "loop").symlink_to(folder)
    report = run([folder], tmp_path / "out", config, translator=translator)
    ignored = {r.source.name: r.error for r in report.results if r.status == "ignored"}
    assert set(ignored) == {"passwd.txt", "linked", "loop"}
    assert "outside the input folder" in ignored["passwd.txt"] and "outside" in ignored["linked"]
    assert {r.name for r in report.results if r.status == "ok"} == {"forschung", "inside"}

    followed = replace(config, input=replace(config.input, follow_links=True))
    report = run([folder], tmp_path / "out2", followed, translator=translator)
    read = {r.name for r in report.results if r.status in ("ok", "failed")}
    assert read == {"forschung", "inside", "linked--wetter", "passwd"}  # passwd: whatever it reads as
    assert [r.source.name for r in report.results if r.status == "ignored"] == ["loop"]


# The fuzz run ---------------------------------------------------------------------------------------


def test_fuzzed_files_end_as_ok_or_one_clear_error(installed_model):
    """Fixed seed and size here (a few seconds); `make fuzz` runs 2,000 cases."""
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "fuzz_readers.py"),
            "--seed",
            "20",
            "--cases",
            "40",
            "--run",
            "8",
        ],
        capture_output=True,
        text=True,
        timeout=SAFETY_TIMEOUT,
    )
    summary = json.loads(result.stdout.splitlines()[-1])
    assert result.returncode == 0 and summary["findings"] == [], summary
    assert sum(summary["outcomes"].values()) == 40 and summary["outcomes"]["error"] > 0


def test_a_package_damaged_after_install_stops_the_run_with_exit_3_not_a_failure_per_document(tmp_path):
    """Broken in place (by hand, by argospm): no document can be translated, so the scheduled job
    fails (exit 3) instead of exiting 1, which a systemd unit counts as success."""
    packages = tmp_path / "packages"
    assert cli("models", "install", "--file", FIXTURE_MODEL, packages=packages).returncode == 0
    truncate_model(next(packages.iterdir()))
    result = cli("run", inbox(tmp_path, 2), "--out", tmp_path / "out", "--no-cache", packages=packages)
    assert result.returncode == 3, result.stderr
    assert "cannot be loaded" in result.stderr and "FAILED" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
