"""The scheduling kit in deploy/ and the exit codes it relies on: units that systemd accepts, hardened,
and a run in which every document failed telling itself apart from one in which some did."""

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO, ROOT

DEPLOY = ROOT / "deploy"
INSTALLED_BINARY = "/srv/pipeline/.venv/bin/pipeline"


def run_cli(*args, packages):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "ARGOS_PACKAGES_DIR": str(packages)},
        timeout=300,
    )


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    from conftest import FIXTURE_MODEL

    path = tmp_path_factory.mktemp("packages")
    assert run_cli("models", "install", "--file", FIXTURE_MODEL, packages=path).returncode == 0
    return path


def test_every_document_failing_has_its_own_exit_code(tmp_path, packages):
    from pipeline.cli import EXIT_ALL_FAILED, EXIT_FAILED

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "leer.md").write_text("", encoding="utf-8")
    (inputs / "leerzeichen.txt").write_text(" \n\t\n", encoding="utf-8")
    out = tmp_path / "out"
    all_failed = run_cli("run", inputs, "--out", out, "--quiet", packages=packages)
    assert all_failed.returncode == EXIT_ALL_FAILED == 6, all_failed.stderr
    assert all_failed.stderr.count("\n") == 2 and "Traceback" not in all_failed.stderr

    shutil.copy(DEMO / "de" / "wetter.md", inputs)
    some_failed = run_cli("run", inputs, "--out", out, "--quiet", packages=packages)
    assert some_failed.returncode == EXIT_FAILED == 1, some_failed.stderr
    # wetter.md unchanged now: the two failures are still only some of the folder's documents
    again = run_cli("run", inputs, "--out", out, "--quiet", packages=packages)
    assert again.returncode == EXIT_FAILED, again.stderr


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8").replace("\\\n", " "))
    return parser


def test_the_service_maps_exit_codes_and_is_hardened():
    from pipeline.cli import EXIT_ALL_FAILED, EXIT_FAILED, EXIT_LOCKED, EXIT_NO_MODEL, EXIT_OUTPUT

    service = unit("briefings.service")["Service"]
    success = {int(code) for code in service["SuccessExitStatus"].split()}
    assert EXIT_FAILED in success and EXIT_LOCKED in success
    assert not success & {EXIT_ALL_FAILED, EXIT_NO_MODEL, EXIT_OUTPUT}
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert service["PrivateTmp"] == "yes" and service["User"] == "briefings"
    # the folders the run writes are writable: the output and the metrics (ReadWritePaths), the model
    # packages (state) and the translation cache (cache directory)
    writable = service["ReadWritePaths"].split()
    assert "/srv/briefings" in writable and "--out /srv/briefings" in service["ExecStart"]
    metrics = re.search(r"--metrics-file (\S+)", service["ExecStart"]).group(1)
    assert any(metrics.startswith(folder + "/") for folder in writable)
    text = (DEPLOY / "briefings.service").read_text(encoding="utf-8")
    assert "ARGOS_PACKAGES_DIR=/var/lib/briefings/" in text and "StateDirectory=briefings" in text
    assert "XDG_CACHE_HOME=/var/cache/briefings" in text and "CacheDirectory=briefings" in text
    # SIGTERM stops a run within 5 s (README, Speed): systemd waits longer before SIGKILL
    assert int(service["TimeoutStopSec"].removesuffix("s")) > 5


def test_the_cron_line_fails_only_on_the_exit_codes_that_mean_failure(tmp_path):
    line = next(
        line
        for line in (DEPLOY / "briefings.cron").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    minute, hour, *_, user = line.split()[:6]
    assert (minute, hour, user) == ("30", "2", "briefings")
    command = line.split(None, 6)[6]
    assert "pipeline run" in command
    fake = tmp_path / "srv" / "pipeline" / ".venv" / "bin" / "pipeline"
    fake.parent.mkdir(parents=True)
    for code, complains in ((0, False), (1, False), (4, False), (3, True), (5, True), (6, True)):
        fake.write_text(f"#!/bin/sh\nexit {code}\n", encoding="utf-8")
        fake.chmod(0o755)
        local = command.replace("/srv/pipeline", str(tmp_path / "srv" / "pipeline")).replace(
            "/var/log/briefings", str(tmp_path)
        )
        result = subprocess.run(["/bin/sh", "-c", local], capture_output=True, text=True)
        assert bool(result.stderr) == complains, (code, result.stderr)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` prints every unknown key, bad value and missing binary (its exit code
    stays 0 for most of them), so the units must verify without a line of output."""
    for name in ("briefings.service", "briefings.timer"):
        text = (DEPLOY / name).read_text(encoding="utf-8")
        # the binary as installed must exist for verify; here it is this checkout's
        binary = Path(sys.executable).with_name("pipeline")
        (tmp_path / name).write_text(text.replace(INSTALLED_BINARY, str(binary)), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "briefings.service"), str(tmp_path / "briefings.timer")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stdout + result.stderr, result.stdout + result.stderr
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(tmp_path / "briefings.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    exposure = re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)
    assert exposure and float(exposure.group(1)) <= 2.0, security.stdout[-2000:]
