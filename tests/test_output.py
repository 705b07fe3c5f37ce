"""The output side under faults, as a scheduled job meets them: a full disk, a file where the output
directory should be, a read-only directory, a broken cache or packages directory; and file modes.

Faults are injected without privileges: a full disk is RLIMIT_FSIZE in the child process (a write past
the limit fails with EFBIG). The read-only directories are marked `permissions`: root ignores the bits,
so as root `make test` runs them as an unprivileged user (tests/conftest.py).
"""

import json
import os
import resource
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import DEMO, FIXTURE_MODEL
from test_batch import command, environment, pipeline_cli, tree, uninterrupted_run

from pipeline.fileio import OutputError, write_all_atomic
from pipeline.manifest import MANIFEST_NAME
from pipeline.search import INDEX_NAME

# Above every file of a demo briefing (< 9 kB), the manifest and the index (< 3 kB), and above the long
# document's Markdown (about 20 kB), but below its HTML (about 65 kB): so the long document fails after
# one of its formats could have been written. Re-check with `ls -l` of a run on the `corpus` fixture
# when the templates or the demo corpus change.
FILE_SIZE_LIMIT = 32 * 1024


@pytest.fixture(scope="module")
def packages(installed_model):
    """The session's packages directory, with the fixture model installed."""
    return Path(os.environ["ARGOS_PACKAGES_DIR"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The three demo documents and, sorted between them, a long one made of their paragraphs."""
    root = tmp_path_factory.mktemp("corpus")
    texts = []
    for doc in sorted((DEMO / "de").glob("*.md")):
        texts.append(doc.read_text(encoding="utf-8"))
        (root / doc.name).write_text(texts[-1], encoding="utf-8")
    (root / "langer-bericht.md").write_text("\n\n".join(texts * 5), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def complete_run(tmp_path_factory, corpus, packages):
    return uninterrupted_run(tmp_path_factory.mktemp("complete"), corpus, packages)


def faulty_run(*args, packages, env=None, limit=None, umask=None):
    def in_child():
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        command(*args),
        capture_output=True,
        text=True,
        env={**environment(packages), **(env or {})},
        preexec_fn=in_child,
        timeout=300,
    )


def assert_consistent(out: Path) -> set[str]:
    """Every briefing the manifest lists is complete, and nothing else is there; returns the names."""
    entries = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["entries"]
    listed = {output for entry in entries.values() for output in entry["outputs"]}
    assert all(entry["status"] == "ok" for entry in entries.values())
    assert all((out / output).is_file() for output in listed)
    bookkeeping = {MANIFEST_NAME, ".pipeline.lock", "index.md", "index.html", INDEX_NAME}
    assert {p.name for p in out.iterdir()} - bookkeeping == listed, "a briefing with only some formats"
    return set(entries)


def test_full_disk_stops_the_run_at_once_and_the_next_run_resumes(tmp_path, corpus, packages, complete_run):
    out = tmp_path / "out"
    result = faulty_run(
        "run", corpus, "--out", out, "--no-cache", "-q", packages=packages, limit=FILE_SIZE_LIMIT
    )
    assert result.returncode == 5
    limit = "file too large (over the file system's or the process's file size limit)"
    assert result.stderr.splitlines() == [f"error: cannot write to {out}: {limit}"]
    # Sorted order: forschung, then the long document, which stops the run; stadtrat and wetter not tried.
    assert assert_consistent(out) == {"forschung"}
    assert "forschung" in (out / "index.md").read_text(encoding="utf-8")

    resumed = pipeline_cli("run", corpus, "--out", out, "--no-cache", packages=packages)
    assert resumed.returncode == 0, resumed.stderr
    assert "3 written, 1 unchanged, 0 failed" in resumed.stdout
    assert tree(out) == complete_run


@pytest.mark.parametrize("where", ["the file itself", "below the file"])
def test_out_naming_a_file_is_one_line_and_exit_5(tmp_path, corpus, packages, complete_run, where):
    blocker = tmp_path / "briefings"
    blocker.write_text("a file, not a directory", encoding="utf-8")
    out = blocker if where == "the file itself" else blocker / "today"
    result = pipeline_cli("run", corpus, "--out", out, "--no-cache", packages=packages)
    assert result.returncode == 5
    assert result.stderr.splitlines() == [
        f"error: cannot write to {out}: {blocker} is a file, not a directory"
    ]
    assert blocker.read_text(encoding="utf-8") == "a file, not a directory"

    blocker.unlink()
    resumed = pipeline_cli("run", corpus, "--out", out, "--no-cache", packages=packages)
    assert resumed.returncode == 0, resumed.stderr
    assert tree(out) == complete_run


@pytest.mark.permissions
def test_read_only_output_directory_is_one_line_and_exit_5(tmp_path, corpus, packages, complete_run):
    out = tmp_path / "out"
    earlier = pipeline_cli("run", corpus / "forschung.md", "--out", out, "--no-cache", packages=packages)
    assert earlier.returncode == 0, earlier.stderr
    out.chmod(0o555)
    try:
        result = pipeline_cli("run", corpus, "--out", out, "--no-cache", packages=packages)
    finally:
        out.chmod(0o755)
    assert result.returncode == 5
    assert result.stderr.splitlines() == [f"error: cannot write to {out}: permission denied"]
    assert assert_consistent(out) == {"forschung"}

    resumed = pipeline_cli("run", corpus, "--out", out, "--no-cache", packages=packages)
    assert resumed.returncode == 0, resumed.stderr
    assert tree(out) == complete_run


@pytest.mark.parametrize("umask", [0o022, 0o027], ids=["umask 022", "umask 027"])
def test_every_file_follows_the_umask(tmp_path, packages, umask):
    out, cache = tmp_path / "out", tmp_path / "cache"
    result = faulty_run(
        "run", DEMO / "de", "--out", out, packages=packages, env={"XDG_CACHE_HOME": str(cache)}, umask=umask
    )
    assert result.returncode == 0, result.stderr
    files = [*out.iterdir(), *(cache / "pipeline").rglob("*")]
    names = {p.name for p in files}
    assert {"wetter.md", "wetter.html", "wetter.json", "index.html", MANIFEST_NAME, ".pipeline.lock"} <= names
    assert "translations.sqlite3" in names
    # Folders the run makes in the cache (the short-line language tables) follow it as mkdir would.
    modes = {str(p): oct(p.stat().st_mode & 0o777) for p in files}
    expected = {str(p): oct((0o777 if p.is_dir() else 0o666) & ~umask) for p in files}
    assert modes == expected


def test_cache_directory_that_is_a_file_warns_once_and_the_run_goes_on(
    tmp_path, corpus, packages, complete_run
):
    cache = tmp_path / "cache"
    (cache / "pipeline").parent.mkdir()
    (cache / "pipeline").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    result = faulty_run(
        "run", corpus, "--out", out, "-q", packages=packages, env={"XDG_CACHE_HOME": str(cache)}
    )
    assert result.returncode == 0, result.stderr
    # One line for each cache that lives there: the translations, and the short-line language model.
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"translation cache {cache}/pipeline/translations.sqlite3 cannot be used "
        f"({cache}/pipeline is a file, not a directory); going on without it"
    )
    assert len(lines) == 2 and lines[1].startswith(f"short-text model cache {cache}/pipeline/shortlang/")
    assert lines[1].endswith("; using it from memory")
    assert tree(out) == complete_run


def test_full_cache_disk_warns_once_and_the_run_goes_on(tmp_path, packages):
    # 4 KiB holds every Markdown briefing, the manifest and the index of the demo corpus, but not a new
    # SQLite database (two 4 KiB pages).
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    result = faulty_run(
        "run", DEMO / "de", "--out", out, "--formats", "md", "-q",
        packages=packages, env={"XDG_CACHE_HOME": str(cache)}, limit=4096,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # One line for each cache that cannot grow: the translations, and the short-line language model
    # (py3langid unpacks it through a temporary file), whose place langdetect then takes.
    [warning, model] = result.stderr.splitlines()
    assert warning.startswith(f"translation cache {cache}/pipeline/translations.sqlite3 cannot be used (")
    assert warning.endswith("); going on without it")
    assert model.startswith("the short-line language model cannot be loaded (")
    assert assert_consistent(out) == {"forschung", "stadtrat", "wetter"}


@pytest.mark.permissions
def test_read_only_cache_directory_warns_once_and_the_run_goes_on(tmp_path, packages):
    cache = tmp_path / "cache"
    (cache / "pipeline").mkdir(parents=True)
    (cache / "pipeline").chmod(0o555)
    out = tmp_path / "out"
    try:
        result = faulty_run(
            "run", DEMO / "de", "--out", out, "-q", packages=packages, env={"XDG_CACHE_HOME": str(cache)}
        )
    finally:
        (cache / "pipeline").chmod(0o755)
    assert result.returncode == 0, result.stderr
    # One line for each cache that lives there: the translations, and the short-line language model.
    [warning, model] = result.stderr.splitlines()
    assert warning.startswith(f"translation cache {cache}/pipeline/translations.sqlite3 cannot be used (")
    assert model.startswith(f"short-text model cache {cache}/pipeline/shortlang/")
    assert model.endswith("; using it from memory")
    assert assert_consistent(out) == {"forschung", "stadtrat", "wetter"}


@pytest.mark.parametrize("where", ["the file itself", "below the file"])
def test_packages_directory_that_is_a_file_stops_before_any_work_with_exit_3(tmp_path, corpus, where):
    blocker = tmp_path / "packages"
    blocker.write_text("", encoding="utf-8")
    packages_dir = blocker if where == "the file itself" else blocker / "argos"
    out = tmp_path / "out"
    result = pipeline_cli("run", corpus, "--out", out, packages=packages_dir)
    assert result.returncode == 3
    [line] = result.stderr.splitlines()
    assert line.startswith(
        f"error: cannot use the model directory {packages_dir}: {blocker} is a file, not a directory"
    )
    assert not out.exists()


@pytest.mark.permissions
def test_installing_into_a_read_only_packages_directory_is_one_line(tmp_path):
    packages_dir = tmp_path / "packages"
    packages_dir.mkdir()
    packages_dir.chmod(0o555)
    try:
        result = pipeline_cli("models", "install", "--file", FIXTURE_MODEL, packages=packages_dir)
    finally:
        packages_dir.chmod(0o755)
    assert result.returncode == 3
    assert result.stderr.splitlines() == [f"error: cannot install into {packages_dir}: permission denied"]
    assert not list(packages_dir.iterdir())


def test_a_failed_write_replaces_none_of_the_files_and_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "doc.md").write_text("old", encoding="utf-8")
    (out / "blocker").write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match=f"cannot write to {out / 'blocker'}: {out / 'blocker'} is a file"):
        write_all_atomic({out / "doc.md": "new", out / "blocker" / "doc.html": "new"})
    assert (out / "doc.md").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in out.iterdir()) == ["blocker", "doc.md"]


def test_a_briefing_file_that_cannot_be_replaced_leaves_the_old_briefing_whole_and_is_named(
    tmp_path, corpus, packages
):
    """Issue 20, case 10: a directory where one format's file is (as an immutable file would be): the
    run stops with one line naming that file, and none of the briefing's new files is put in."""
    out = tmp_path / "out"
    earlier = pipeline_cli("run", corpus / "forschung.md", "--out", out, "--no-cache", packages=packages)
    assert earlier.returncode == 0, earlier.stderr
    (out / "forschung.html").unlink()
    (out / "forschung.html").mkdir()
    old = {name: (out / name).read_bytes() for name in ("forschung.md", "forschung.json")}
    result = pipeline_cli("run", corpus, "--out", out, "--no-cache", "--force", packages=packages)
    assert result.returncode == 5
    assert result.stderr.splitlines() == [
        f"error: cannot replace {out / 'forschung.html'}: a directory is in its place"
    ]
    assert {name: (out / name).read_bytes() for name in old} == old
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_replacing_puts_in_all_files_or_none(tmp_path):
    from pipeline.fileio import replacing

    (tmp_path / "doc.md").write_text("old md", encoding="utf-8")
    (tmp_path / "doc.json").mkdir()
    with pytest.raises(
        OutputError, match=f"^cannot replace {tmp_path / 'doc.json'}: a directory is in its place$"
    ):
        with replacing([tmp_path / "doc.md", tmp_path / "doc.html", tmp_path / "doc.json"]) as stage:
            for name in ("doc.md", "doc.html", "doc.json"):
                stage(tmp_path / name, lambda f: f.write("new"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.json", "doc.md"]
    assert (tmp_path / "doc.md").read_text(encoding="utf-8") == "old md"

    (tmp_path / "doc.json").rmdir()
    with replacing([tmp_path / "doc.md", tmp_path / "doc.json"]) as stage:
        stage(tmp_path / "doc.md", lambda f: f.write("new md"))
        stage(tmp_path / "doc.json", lambda f: f.write("{}"))
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == {
        "doc.md": "new md",
        "doc.json": "{}",
    }
