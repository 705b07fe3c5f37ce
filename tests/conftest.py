"""Hermetic test set-up: argostranslate's data, config and cache dirs point at a temp dir.

argostranslate reads these variables once, when first imported, so they are set here, before any test
module can import it. The fixture package is installed there once per session.
"""

import os
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


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_HOME, ignore_errors=True)


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
