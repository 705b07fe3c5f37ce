"""Installed argos translation packages: find, list, validate and install them.

argostranslate's own installer (`package.install_from_path`) imports its translate module, which imports
stanza and torch, and extracts archives unchecked. So the package *format* and the installed-package
listing come from argostranslate, and installing is done here, with the archive checked first.
argostranslate reads its settings (ARGOS_PACKAGES_DIR, XDG_DATA_HOME) when first imported, so it is
imported lazily, inside the functions.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import tempfile
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pipeline.document import ModelInfo

if TYPE_CHECKING:
    from argostranslate.package import Package

MAX_UNPACKED_BYTES = 4 * 1024**3
REQUIRED_ENTRIES = ("metadata.json", "model/", "sentencepiece.model")


class ModelError(Exception):
    """A package that cannot be installed or used; the message says why."""


class NoModelError(ModelError):
    def __init__(self, from_code: str, to_code: str):
        super().__init__(
            f"No {from_code}→{to_code} translation model is installed. Install one either way:\n"
            f"  pipeline models install {from_code} {to_code}"
            "                       (downloads it from the Argos package index, once, online)\n"
            f"  pipeline models install --file translate-{from_code}_{to_code}.argosmodel"
            "   (a package file you already have)"
        )


def packages_dir() -> Path:
    from argostranslate import settings

    return Path(settings.package_data_dir)


def installed_packages() -> list[Package]:
    """Every readable installed package; directories that are not packages are skipped."""
    from argostranslate import settings
    from argostranslate.package import Package

    found = []
    for directory in settings.package_dirs:
        for path in sorted(Path(directory).iterdir()):
            if path.is_dir() and (path / "metadata.json").is_file():
                try:
                    found.append(Package(path))
                except (OSError, ValueError, KeyError):
                    continue
    return found


def find_package(from_code: str, to_code: str) -> Package:
    """The newest installed package for this language pair."""
    from packaging.version import InvalidVersion, Version

    def version(pkg: Package) -> Version:
        try:
            return Version(str(pkg.package_version))
        except InvalidVersion:
            return Version("0")

    candidates = [
        p
        for p in installed_packages()
        if p.from_code == from_code and p.to_code == to_code and _is_usable(Path(p.package_path))
    ]
    if not candidates:
        raise NoModelError(from_code, to_code)
    return max(candidates, key=version)


def model_info(pkg: Package, settings: dict | None = None) -> ModelInfo:
    name = getattr(pkg, "package_name", None) or Path(pkg.package_path).name
    return ModelInfo(
        package=name,
        version=str(pkg.package_version),
        from_code=pkg.from_code,
        to_code=pkg.to_code,
        path=str(pkg.package_path),
        settings=settings or {},
    )


def _is_usable(path: Path) -> bool:
    return (path / "model").is_dir() and (path / "sentencepiece.model").is_file()


def install_file(path: Path, max_unpacked_bytes: int = MAX_UNPACKED_BYTES) -> Package:
    """Check an .argosmodel archive and install it; an existing install of the same package is replaced."""
    from argostranslate.package import Package

    top = check_archive(path, max_unpacked_bytes)
    target_root = packages_dir()
    target_root.mkdir(parents=True, exist_ok=True)
    # Unpack beside the final place, then rename: a reader never sees a half-installed package.
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=target_root))
    replaced = staging / "replaced"
    destination = target_root / top
    try:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(staging / "new")
        if destination.exists():
            destination.rename(replaced)
        (staging / "new" / top).rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Package(destination)


def check_archive(path: Path, max_unpacked_bytes: int = MAX_UNPACKED_BYTES) -> str:
    """Refuse anything that is not a safe, complete argos package; return its top-level directory."""
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path}: not an .argosmodel package (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            metadata_name = None
            tops = set()
            for info in infos:
                name = PurePosixPath(info.filename)
                if name.is_absolute() or ".." in name.parts or "\\" in info.filename or ":" in info.filename:
                    raise ModelError(f"{path}: unsafe path in archive: {info.filename!r}")
                if stat.S_ISLNK(info.external_attr >> 16):
                    raise ModelError(f"{path}: archive contains a symbolic link: {info.filename!r}")
                tops.add(name.parts[0])
                if len(name.parts) == 2 and name.parts[1] == "metadata.json":
                    metadata_name = info.filename
            if sum(info.file_size for info in infos) > max_unpacked_bytes:
                raise ModelError(f"{path}: archive unpacks to more than {max_unpacked_bytes} bytes")
            if len(tops) != 1:
                raise ModelError(f"{path}: an argos package holds exactly one top-level directory")
            top = tops.pop()
            names = {info.filename for info in infos}
            missing = [
                entry for entry in REQUIRED_ENTRIES if not any(n.startswith(f"{top}/{entry}") for n in names)
            ]
            if missing:
                raise ModelError(f"{path}: not a translation package: missing {', '.join(missing)}")
            metadata = json.loads(archive.read(metadata_name))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{path}: damaged archive: {exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError(f"{path}: metadata.json is not valid JSON") from None
    if not isinstance(metadata, dict) or not all(
        isinstance(metadata.get(k), str) for k in ("from_code", "to_code")
    ):
        raise ModelError(f"{path}: metadata.json lacks from_code/to_code")
    return top


def install_from_index(from_code: str, to_code: str) -> Package:
    """Download the pair's package from the argos package index (online), check it, install it."""
    from argostranslate import settings

    try:
        with urllib.request.urlopen(settings.remote_package_index, timeout=30) as response:
            index = json.load(response)
        entry = next(
            (
                e
                for e in index
                if e.get("from_code") == from_code
                and e.get("to_code") == to_code
                and e.get("type", "translate") == "translate"
            ),
            None,
        )
        if entry is None:
            raise ModelError(f"the package index has no {from_code}→{to_code} package")
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / "package.argosmodel"
            with urllib.request.urlopen(entry["links"][0], timeout=60) as response, open(archive, "wb") as f:
                shutil.copyfileobj(response, f)
            expected = entry.get("sha256") or entry.get("checksum")
            if expected and _sha256(archive) != expected.lower():
                raise ModelError(f"downloaded package for {from_code}→{to_code} fails its checksum")
            return install_file(archive)
    except OSError as exc:
        raise ModelError(
            f"cannot reach the argos package index ({settings.remote_package_index}): {exc}. "
            "Offline? Install from a file with: pipeline models install --file PATH"
        ) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
