import json
import stat
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURE_MODEL

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
            "missing sentencepiece.model",
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
