"""Hermetic test set-up: argostranslate's data, config and cache dirs point at a temp dir.

argostranslate reads these variables once, when first imported, so they are set here, before any test
module can import it. The fixture package is installed there once per session.

Two rules for every run:
- Tests marked `permissions` inject faults with permission bits (a read-only directory, an unreadable
  file), which root ignores: as root they skip; `make test` as root runs them in a second pass as an
  unprivileged user (scripts/as_unprivileged_user.sh), so CI runs them too.
- In CI (`CI=true`), a skip whose reason matches no line of tests/allowed_skips.txt fails the session:
  CI runs every test it has, or says which one it did not and why.
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="pipeline-tests-"))
for variable, sub in (
    ("XDG_DATA_HOME", "data"),
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_CACHE_HOME", "cache"),
    ("ARGOS_PACKAGES_DIR", "packages"),
):
    os.environ[variable] = str(_HOME / sub)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_MODEL = ROOT / "tests" / "fixtures" / "translate-de_en-demo.argosmodel"
FIXTURE_BPE_MODEL = ROOT / "tests" / "fixtures" / "translate-de_en-demo-bpe.argosmodel"
DEMO = ROOT / "corpora" / "demo"
SAMPLE_ARTICLE = ROOT / "corpora" / "de" / "zukunft-der-innenstaedte.md"


ALLOWED_SKIPS = ROOT / "tests" / "allowed_skips.txt"
ROOT_REASON = (
    "runs as root, where permission bits do not apply (`make test` as root runs it as an unprivileged user)"
)
_skips: list[tuple[str, str]] = []  # (test id, reason) of every skip in this session


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "permissions: injects a fault with permission bits, so it cannot run as root"
    )


def pytest_collection_modifyitems(config, items):
    if os.geteuid() == 0:
        for item in items:
            if item.get_closest_marker("permissions"):
                item.add_marker(pytest.mark.skip(reason=ROOT_REASON))


def pytest_collectreport(report):
    _note_skip(report)


def pytest_runtest_logreport(report):
    _note_skip(report)


def _note_skip(report) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        _skips.append((report.nodeid, reason.removeprefix("Skipped: ")))


def allowed_skip_patterns() -> list[re.Pattern]:
    """tests/allowed_skips.txt: one regular expression a line (searched in the skip's reason)."""
    lines = ALLOWED_SKIPS.read_text(encoding="utf-8").splitlines()
    return [re.compile(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def unexpected_skips() -> list[tuple[str, str]]:
    patterns = allowed_skip_patterns()
    return [(test, reason) for test, reason in _skips if not any(p.search(reason) for p in patterns)]


def _strict() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_HOME, ignore_errors=True)
    if _strict() and unexpected_skips() and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _strict() and (unexpected := unexpected_skips()):
        terminalreporter.section(f"skips not allowed in CI ({ALLOWED_SKIPS.relative_to(ROOT)})", red=True)
        for test, reason in unexpected:
            terminalreporter.line(f"{test}: {reason}")


@pytest.fixture(scope="session")
def installed_model():
    """The tiny de→en fixture package, installed through the pipeline's own installer."""
    from pipeline.models import install_file

    return install_file(FIXTURE_MODEL)


@pytest.fixture(scope="session")
def bpe_model(tmp_path_factory):
    """The BPE twin of the fixture package (bpe.model instead of sentencepiece.model), checked and unpacked
    in a directory of its own: both are de→en 1.0, so only one of them is in the packages directory."""
    import zipfile

    from argostranslate.package import Package

    from pipeline.models import check_archive

    top = check_archive(FIXTURE_BPE_MODEL)
    directory = tmp_path_factory.mktemp("bpe")
    with zipfile.ZipFile(FIXTURE_BPE_MODEL) as archive:
        archive.extractall(directory)
    return Package(directory / top)


@pytest.fixture(scope="session")
def config():
    from pipeline.config import load_config

    return load_config()


@pytest.fixture(scope="session")
def translator(installed_model, config):
    from pipeline.translate import Translator

    return Translator(installed_model, config.translate)


def demo_pairs() -> list[tuple[str, str]]:
    lines = (DEMO / "parallel.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line.strip()]
