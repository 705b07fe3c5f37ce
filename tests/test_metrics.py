"""The metrics file a scheduled run leaves for node_exporter's textfile collector, read by the
Prometheus client's own parser."""

import os
import shutil
import subprocess
import sys

import pytest
from conftest import DEMO, FIXTURE_MODEL


def run_cli(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    environment = {**os.environ, "ARGOS_PACKAGES_DIR": str(home / "packages"), "XDG_CACHE_HOME": str(home)}
    assert run_cli("models", "install", "--file", FIXTURE_MODEL, env=environment).returncode == 0
    return environment


def metrics(path) -> dict[str, float]:
    """Every sample as name{labels} → value, through prometheus_client's parser."""
    from prometheus_client.parser import text_string_to_metric_families

    samples = {}
    for family in text_string_to_metric_families(path.read_text(encoding="utf-8")):
        assert family.type == "gauge" and family.documentation
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def test_each_run_leaves_its_figures_and_the_time_of_the_last_success(tmp_path, env):
    inputs, out, prom = tmp_path / "in", tmp_path / "out", tmp_path / "textfile" / "pipeline.prom"
    inputs.mkdir()
    prom.parent.mkdir()
    shutil.copy(DEMO / "de" / "wetter.md", inputs)
    shutil.copy(DEMO / "de" / "forschung.md", inputs)
    (inputs / "leer.md").write_text("", encoding="utf-8")

    first = run_cli("run", inputs, "--out", out, "--quiet", "--metrics-file", prom, env=env)
    assert first.returncode == 1, first.stderr
    m = metrics(prom)
    assert m['pipeline_documents{status="written"}'] == 2
    assert m['pipeline_documents{status="unchanged"}'] == 0
    assert m['pipeline_documents{status="failed"}'] == 1
    assert m["pipeline_sentences_translated"] > 10 and m["pipeline_cache_hits"] == 0
    assert m["pipeline_run_seconds"] > 0 and m["pipeline_flags"] >= 0
    assert m["pipeline_last_run_success"] == 1  # some documents failed: the job did its work
    assert m["pipeline_last_success_timestamp_seconds"] == m["pipeline_last_run_timestamp_seconds"]
    assert not [p for p in prom.parent.iterdir() if p != prom]  # written atomically, nothing left beside

    forced = run_cli("run", inputs, "--out", out, "--quiet", "--force", "--metrics-file", prom, env=env)
    assert forced.returncode == 1
    m = metrics(prom)
    assert m["pipeline_sentences_translated"] == 0 and m["pipeline_cache_hits"] > 10
    success = m["pipeline_last_success_timestamp_seconds"]

    # every document fails now (the inputs replaced by empty files): the last success is kept
    for path in inputs.iterdir():
        path.write_text("", encoding="utf-8")
    failed = run_cli("run", inputs, "--out", out, "--quiet", "--metrics-file", prom, env=env)
    assert failed.returncode == 6
    m = metrics(prom)
    assert m['pipeline_documents{status="failed"}'] == 3 and m["pipeline_last_run_success"] == 0
    assert m["pipeline_last_success_timestamp_seconds"] == success < m["pipeline_last_run_timestamp_seconds"]


def test_the_config_key_names_the_file_relative_to_the_config(tmp_path, env):
    config = tmp_path / "conf" / "job.toml"
    config.parent.mkdir()
    config.write_text('[monitoring]\nmetrics_file = "metrics/pipeline.prom"\n', encoding="utf-8")
    (tmp_path / "conf" / "metrics").mkdir()
    result = run_cli("run", DEMO / "de" / "wetter.md", "--out", tmp_path / "out", "--config", config, env=env)
    assert result.returncode == 0, result.stderr
    m = metrics(tmp_path / "conf" / "metrics" / "pipeline.prom")
    assert m['pipeline_documents{status="written"}'] == 1 and m["pipeline_last_run_success"] == 1


def test_a_first_run_that_fails_has_no_last_success(tmp_path):
    from pipeline.metrics import RunFigures, write_metrics

    prom = tmp_path / "pipeline.prom"
    documents = {"written": 0, "unchanged": 0, "failed": 0, "ignored": 0}
    write_metrics(prom, RunFigures(documents, 1.5, 0, 0, 0, completed=False))  # stopped by SIGTERM
    m = metrics(prom)
    assert "pipeline_last_success_timestamp_seconds" not in m and m["pipeline_last_run_success"] == 0
