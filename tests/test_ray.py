"""`pipeline run --executor ray` on a local Ray cluster of two nodes of one CPU each on loopback (shared
by this module's tests, so nothing may rely on one process or one node): the same briefings, failures,
skips and cache as the local executor, and a translation actor killed mid-run costs nothing."""

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys

import pytest
from conftest import DEMO, ROOT
from test_batch import tree as batch_tree

from pipeline.cache import TranslationCache
from pipeline.glossary import Glossary
from pipeline.run import run
from pipeline.translate import Translator

ray = pytest.importorskip("ray", reason="Ray is an extra: pip install '.[ray]' (make test installs it)")


@pytest.fixture(scope="module", autouse=True)
def local_cluster():
    os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
    ray.init(
        num_cpus=2, include_dashboard=False, object_store_memory=200 * 1024 * 1024, logging_level="error"
    )
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def ray_config(config):
    # One translation actor of one CPU leaves the other CPU to the read/summary/render tasks.
    return dataclasses.replace(config, executor=dataclasses.replace(config.executor, kind="ray", actors=1))


def tree(folder):
    """The output folder as test_batch compares it (the search index by what it holds), less the lock."""
    return {name: data for name, data in batch_tree(folder).items() if name != ".pipeline.lock"}


def outcomes(report):
    return sorted((r.name, r.status, r.error) for r in report.results)


@pytest.mark.parametrize("inputs", ["ship", "shared"])  # bytes read by the driver, or paths by the workers
def test_ray_gives_byte_identical_briefings_manifest_and_index(
    tmp_path, config, ray_config, translator, inputs
):
    run([DEMO / "de"], tmp_path / "local", config, translator=translator)
    executor = dataclasses.replace(ray_config.executor, inputs=inputs)
    report = run(
        [DEMO / "de"],
        tmp_path / "ray",
        dataclasses.replace(ray_config, executor=executor),
        translator=translator,
    )
    assert {r.status for r in report.results} == {"ok"}
    assert tree(tmp_path / "ray") == tree(tmp_path / "local")
    assert sorted(name for name in tree(tmp_path / "ray") if name.endswith(".html")) == [
        "forschung.html",
        "index.html",
        "stadtrat.html",
        "wetter.html",
    ]


def test_with_a_glossary_ray_gives_the_same_briefings_and_flags_as_locally(
    tmp_path, config, ray_config, installed_model
):
    """The actors translate with the driver's glossary (its terms come through) and the review tasks
    check by it."""
    glossary = Glossary.load(ROOT / "configs" / "glossary-example.tsv")
    translator = Translator(installed_model, config.translate, glossary=glossary)
    run([DEMO / "de"], tmp_path / "local", config, translator=translator)
    run([DEMO / "de"], tmp_path / "ray", ray_config, translator=translator)
    assert tree(tmp_path / "ray") == tree(tmp_path / "local")
    assert "new rechargeable battery" in (tmp_path / "ray" / "forschung.json").read_text(encoding="utf-8")


def test_a_failing_document_is_isolated_and_reported_as_locally(tmp_path, config, ray_config, translator):
    inbox = tmp_path / "inbox"
    shutil.copytree(DEMO / "de", inbox)
    (inbox / "empty.md").write_text("", encoding="utf-8")
    (inbox / "french.md").write_text(
        "Le conseil municipal a adopté le budget de la ville pour l'année prochaine après un long débat.\n",
        encoding="utf-8",
    )
    (inbox / "gone.md").symlink_to(tmp_path / "nowhere.md")
    local = run([inbox], tmp_path / "local", config, translator=translator)
    through_ray = run([inbox], tmp_path / "ray", ray_config, translator=translator)
    assert outcomes(through_ray) == outcomes(local)
    assert [name for name, status, _ in outcomes(through_ray) if status == "failed"] == [
        "empty",
        "french",
        "gone",
    ]
    assert tree(tmp_path / "ray") == tree(tmp_path / "local")


def test_a_translation_actor_killed_mid_run_is_replaced_and_no_briefing_is_lost_or_doubled(
    tmp_path, config, ray_config, translator
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    documents = sorted((DEMO / "de").glob("*.md"))
    for i in range(24):  # one document per actor call: the kill lands between or during calls
        shutil.copy(documents[i % len(documents)], inbox / f"doc{i:02}.md")
    one_by_one = dataclasses.replace(
        ray_config, executor=dataclasses.replace(ray_config.executor, batch_size=1)
    )
    killed = []

    def kill_the_actor_after_the_first_briefing(result):
        if not killed:
            killed.extend(_actor_pids())
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    report = run(
        [inbox],
        tmp_path / "ray",
        one_by_one,
        translator=translator,
        on_document=kill_the_actor_after_the_first_briefing,
    )
    assert killed
    assert sorted((r.name, r.status) for r in report.results) == [(f"doc{i:02}", "ok") for i in range(24)]
    run([inbox], tmp_path / "local", config, translator=translator)
    assert tree(tmp_path / "ray") == tree(tmp_path / "local")


def _actor_pids() -> list[int]:
    """The processes of this cluster's translation actors (Ray names them after the class)."""
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    if b"MapBatches(_Translate)" in f.read():
                        pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def test_sigterm_stops_a_ray_run_keeping_what_was_written(tmp_path, ray_config, translator):
    from pipeline.budget import Interrupted

    def stop_after_the_first(result):
        os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(Interrupted):
        run(
            [DEMO / "de"],
            tmp_path / "out",
            ray_config,
            translator=translator,
            on_document=stop_after_the_first,
        )
    manifest = json.loads((tmp_path / "out" / ".pipeline-manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["entries"]) == 1  # the first briefing, complete; nothing half-written
    assert not list((tmp_path / "out").glob(".*.tmp"))
    report = run([DEMO / "de"], tmp_path / "out", ray_config, translator=translator)
    assert sorted(r.status for r in report.results) == ["ok", "ok", "skipped"]


def test_the_command_line_through_ray_logs_json_and_exits_143_on_sigterm(tmp_path, installed_model):
    # A Ray of its own in a new process, as cron starts it: ray.init must leave the run's SIGTERM handler.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    documents = sorted((DEMO / "de").glob("*.md"))
    for i in range(24):
        shutil.copy(documents[i % len(documents)], inbox / f"doc{i:02}.md")
    settings = tmp_path / "ray.toml"
    settings.write_text('[executor]\nkind = "ray"\nactors = 1\nbatch_size = 1\n', encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            inbox,
            "--out",
            tmp_path / "out",
            "--config",
            settings,
            "--log-json",
            "--no-cache",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = json.loads(process.stdout.readline())
    process.send_signal(signal.SIGTERM)
    rest, errors = process.communicate(timeout=120)
    assert process.returncode == 143, errors
    assert "stopped by SIGTERM" in errors and "Traceback" not in errors
    assert first["status"] == "ok" and (tmp_path / "out" / f"{first['name']}.json").is_file()
    assert len(rest.splitlines()) < 23


def test_an_incremental_rerun_through_ray_redoes_only_the_changed_input(tmp_path, ray_config, translator):
    inbox = tmp_path / "inbox"
    shutil.copytree(DEMO / "de", inbox)
    run([inbox], tmp_path / "out", ray_config, translator=translator)
    with open(inbox / "wetter.md", "a", encoding="utf-8") as f:
        f.write("\nDer Stadtrat tagt am Montag.\n")
    report = run([inbox], tmp_path / "out", ray_config, translator=translator)
    assert outcomes(report) == [
        ("forschung", "skipped", None),
        ("stadtrat", "skipped", None),
        ("wetter", "ok", None),
    ]


def test_the_driver_cache_is_used_before_shipping_and_filled_with_fresh_translations(
    tmp_path, installed_model, ray_config
):
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    translator = Translator(installed_model, ray_config.translate, cache)
    first = "Der Sturm erreicht am Freitag die Küste."
    (tmp_path / "a.md").write_text(f"{first}\n", encoding="utf-8")
    marked = "THE CACHED ENGLISH"
    cache.put_many(translator.cache_key, [(first, marked, -0.1)])
    (tmp_path / "b.md").write_text((DEMO / "de" / "wetter.md").read_text(encoding="utf-8"), encoding="utf-8")
    run([tmp_path / "a.md", tmp_path / "b.md"], tmp_path / "out", ray_config, translator=translator)
    briefing = json.loads((tmp_path / "out" / "a.json").read_text(encoding="utf-8"))
    assert briefing["paragraphs"][0]["target"]["text"] == marked  # the cached one, not the model's
    # Every sentence the actors translated is now in the driver's cache: a local re-run translates none.
    again = Translator(installed_model, ray_config.translate, cache)
    run(
        [tmp_path / "b.md"],
        tmp_path / "again",
        dataclasses.replace(ray_config, executor=_local(ray_config)),
        translator=again,
    )
    assert again.translated_count == 0


def _local(config):
    return dataclasses.replace(config.executor, kind="local")


def test_a_cluster_address_where_no_one_listens_is_one_line_and_exit_2(tmp_path, installed_model):
    # ray.init would retry for minutes, logging a warning every few seconds; the run says so at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{probe.getsockname()[1]}"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", DEMO / "de", "--out", tmp_path / "out"]
        + ["--executor", "ray", "--ray-address", closed],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        f"executor.address {closed}: no Ray cluster answers there (Connection refused); "
        "start one with `ray start --head` there, or correct --ray-address"
    )
    assert not any((tmp_path / "out").glob("[!.]*.json"))  # no briefing
