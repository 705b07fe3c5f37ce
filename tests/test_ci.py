"""CI's rule on skips (tests/conftest.py): with CI=true a skip whose reason is not in
tests/allowed_skips.txt fails the session; outside CI, or with an allowed reason, it is an ordinary skip."""

import os
import subprocess
import sys

import pytest
from conftest import ROOT, allowed_skip_patterns


def pytest_run(folder, reason: str, ci: str | None):
    (folder / "test_sample.py").write_text(
        f"import pytest\n\ndef test_sample():\n    pytest.skip({reason!r})\n", encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": ci} if ci else {})
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests"), str(ROOT)])
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider", folder],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=120,
    )


def test_in_ci_a_skip_off_the_allow_list_fails_and_is_named(tmp_path):
    result = pytest_run(tmp_path, "chromium not found", "true")
    assert result.returncode == 1, result.stdout
    assert "skips not allowed in CI (tests/allowed_skips.txt)" in result.stdout
    assert "test_sample.py::test_sample: chromium not found" in result.stdout


@pytest.mark.parametrize(
    ("reason", "ci"), [("this machine has a CUDA device", "true"), ("chromium not found", None)]
)
def test_an_allowed_skip_in_ci_or_any_skip_outside_ci_passes(tmp_path, reason, ci):
    result = pytest_run(tmp_path, reason, ci)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout and "not allowed" not in result.stdout


def test_the_allow_list_is_short_and_says_why():
    lines = (ROOT / "tests" / "allowed_skips.txt").read_text(encoding="utf-8").splitlines()
    patterns = allowed_skip_patterns()
    assert 0 < len(patterns) <= 5
    for pattern in patterns:  # each entry follows a comment that explains it
        index = lines.index(pattern.pattern)
        assert lines[index - 1].startswith("#"), pattern.pattern
