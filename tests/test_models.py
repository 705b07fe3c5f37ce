import json
import stat
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURE_MODEL, demo_pairs

from pipeline.models import ModelError, check_archive, find_package, install_file, installed_packages


def make_archive(path: Path, entries: dict[str, bytes], symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


METADATA = json.dumps({"package_version": "1.0", "from_code": "de", "to_code": "en"}).encode()
VALID = {"pkg/metadata.json": METADATA, "pkg/model/model.bin": b"x", "pkg/sentencepiece.model": b"x"}


def test_fixture_package_installs_and_is_found(installed_model):
    found = find_package("de", "en")
    assert Path(found.package_path) == Path(installed_model.package_path)
    assert (Path(found.package_path) / "model" / "model.bin").is_file()
    assert any(p.from_code == "de" and p.to_code == "en" for p in installed_packages())


def test_reinstalling_replaces_the_package(installed_model):
    again = install_file(FIXTURE_MODEL)
    assert again.package_path == installed_model.package_path
    assert not any(p.name.startswith(".installing-") for p in Path(again.package_path).parent.iterdir())


@pytest.mark.parametrize(
    "entries, symlink, problem",
    [
        ({**VALID, "pkg/../../evil.txt": b"x"}, None, "unsafe path"),
        ({**VALID, "/abs/evil.txt": b"x"}, None, "unsafe path"),
        (VALID, "pkg/link", "symbolic link"),
        ({k: v for k, v in VALID.items() if k != "pkg/metadata.json"}, None, "missing metadata.json"),
        (
            {k: v for k, v in VALID.items() if k != "pkg/sentencepiece.model"},
            None,
            "missing sentencepiece.model or bpe.model",
        ),
        ({k: v for k, v in VALID.items() if "model/" not in k}, None, "missing model/"),
        ({**VALID, "other/file": b"x"}, None, "exactly one top-level directory"),
        ({**VALID, "pkg/metadata.json": b"{not json"}, None, "not valid JSON"),
    ],
)
def test_bad_packages_are_refused_with_reason(tmp_path, entries, symlink, problem):
    archive = make_archive(tmp_path / "bad.argosmodel", entries, symlink)
    with pytest.raises(ModelError, match=problem):
        check_archive(archive)


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "model.argosmodel"
    path.write_bytes(b"plain text, not a package")
    with pytest.raises(ModelError, match="not a zip archive"):
        install_file(path)


def test_oversized_archive_is_refused(tmp_path):
    archive = make_archive(tmp_path / "big.argosmodel", {**VALID, "pkg/model/big.bin": b"\0" * 10_000})
    with pytest.raises(ModelError, match="unpacks to more than"):
        check_archive(archive, max_unpacked_bytes=5_000)


def test_valid_archive_passes_check(tmp_path):
    assert check_archive(make_archive(tmp_path / "ok.argosmodel", VALID)) == "pkg"


def _fixture_copy(tmp_path: Path, version: str, top: str) -> Path:
    """The fixture package as another version, in its own top-level directory."""
    source = zipfile.ZipFile(FIXTURE_MODEL)
    out = tmp_path / f"{top}.argosmodel"
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("/metadata.json"):
                data = json.dumps({**json.loads(data), "package_version": version}).encode()
            archive.writestr(top + info.filename[info.filename.index("/") :], data)
    return out


@pytest.fixture
def packages(tmp_path, monkeypatch):
    """An empty packages directory that argostranslate's settings (already imported) now point at."""
    from argostranslate import settings

    directory = tmp_path / "packages"
    directory.mkdir()
    monkeypatch.setattr(settings, "package_data_dir", directory)
    monkeypatch.setattr(settings, "package_dirs", [directory])
    return directory


def test_newest_version_wins_and_remove_rolls_back(packages, tmp_path):
    from pipeline.models import remove

    install_file(_fixture_copy(tmp_path, "1.0", "demo-1_0"))
    install_file(_fixture_copy(tmp_path, "1.10", "demo-1_10"))
    install_file(_fixture_copy(tmp_path, "1.9", "demo-1_9"))
    assert find_package("de", "en").package_version == "1.10"
    with pytest.raises(ModelError, match="versions 1.0, 1.10, 1.9: say which with --version"):
        remove("translate-de_en")  # argospm's name for every de→en package
    assert remove("translate-de_en", "1.10") == [packages / "demo-1_10"]
    assert find_package("de", "en").package_version == "1.9"
    assert not (packages / "demo-1_10").exists() and not list(packages.glob(".*"))
    with pytest.raises(ModelError, match="no installed package nothing-here"):
        remove("nothing-here")


def test_a_package_argostranslate_installed_is_found_and_used(packages, installed_model, config):
    from pipeline.models import describe
    from pipeline.translate import Translator

    # What argostranslate.package.install_from_path (and argospm) do: unpack the archive, unchecked, into
    # its packages directory. (Calling it is not possible here: it then imports stanza.)
    with zipfile.ZipFile(FIXTURE_MODEL) as archive:
        archive.extractall(packages)
    found = find_package("de", "en")
    assert Path(found.package_path).parent == packages
    assert describe(found)["sha256"] is None and describe(found)["tokenizer"] == "sentencepiece"
    de, en = demo_pairs()[0]
    assert Translator(found, config.translate).translate([de]) == [en]


def test_install_records_the_archive_sha256(packages):
    import hashlib

    from pipeline.models import describe

    info = describe(install_file(FIXTURE_MODEL))
    assert info["sha256"] == hashlib.sha256(FIXTURE_MODEL.read_bytes()).hexdigest()
    assert info["source"] == str(FIXTURE_MODEL.resolve()) and info["usable"]
