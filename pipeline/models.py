"""Installed argos translation packages: find, list, validate, install and remove them.

argostranslate's own installer (`package.install_from_path`) imports its translate module, which imports
stanza and torch, and extracts archives unchecked. So the package *format* and the installed-package
listing come from argostranslate, and installing is done here, with the archive checked first.
argostranslate reads its settings (ARGOS_PACKAGES_DIR, XDG_DATA_HOME) when first imported, so it is
imported lazily, inside the functions.

Every package directory argostranslate reads is searched (`settings.package_dirs`), so packages that
argostranslate or `argospm` installed are used too. The argos index gives no checksum, so an install
records the SHA-256 of the archive it installed (`INSTALL_RECORD` in the package directory), which
`models list` shows for users who verify packages by hand. What a package *is* (its name, version and
build; the install record) is read in pipeline.package, which the translator and the shortlist read too.
"""

from __future__ import annotations

import json
import shutil
import stat
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pipeline.fileio import problem, write_atomic
from pipeline.package import INSTALL_RECORD, ModelError, install_record, model_info, sha256_file
from pipeline.paths import is_plain_token
from pipeline.tokenizer import BPE_FILE, SENTENCEPIECE_FILE

if TYPE_CHECKING:
    from argostranslate.package import Package

MAX_UNPACKED_BYTES = 4 * 1024**3
REQUIRED_ENTRIES = ("metadata.json", "model/")
TOKENIZER_FILES = (SENTENCEPIECE_FILE, BPE_FILE)  # a package carries at least one
# A dropped connection is retried this many times, each attempt resuming where the last one stopped.
DOWNLOAD_ATTEMPTS = 5


class NoModelError(ModelError):
    def __init__(self, from_code: str, to_code: str):
        super().__init__(
            f"No {from_code}→{to_code} translation model is installed. Install one either way:\n"
            f"  pipeline models install {from_code} {to_code}"
            "                       (downloads it from the Argos package index, once, online)\n"
            f"  pipeline models install --file translate-{from_code}_{to_code}-1_0.argosmodel"
            "   (a package file you already have; the index's name for version 1.0)"
        )


class PackagesDirError(ModelError):
    """The packages directory (or another directory argostranslate needs) cannot be used."""


def _argos_settings():
    """argostranslate's settings module, which creates its directories when first imported."""
    try:
        from argostranslate import settings
    except OSError as exc:  # ARGOS_PACKAGES_DIR or XDG_DATA_HOME names a file, a read-only place…
        raise PackagesDirError(
            f"cannot use the model directory {exc.filename}: {problem(exc)} (argostranslate needs its "
            "directories under ARGOS_PACKAGES_DIR, XDG_DATA_HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME)"
        ) from None
    return settings


def packages_dir() -> Path:
    return Path(_argos_settings().package_data_dir)


def installed_packages() -> list[Package]:
    """Every readable installed package; directories that are not packages are skipped."""
    settings = _argos_settings()
    from argostranslate.package import Package

    found = []
    for directory in settings.package_dirs:
        try:
            entries = sorted(Path(directory).iterdir())
        except OSError as exc:
            raise PackagesDirError(f"cannot read the model directory {directory}: {problem(exc)}") from None
        for path in entries:
            # Dot-directories are this module's own installs and removals in progress.
            if path.is_dir() and not path.name.startswith(".") and (path / "metadata.json").is_file():
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


def _is_usable(path: Path) -> bool:
    return (path / "model").is_dir() and any((path / name).is_file() for name in TOKENIZER_FILES)


def describe(pkg: Package) -> dict:
    """What `models list` shows of an installed package (with its shortlist's state, pipeline.shortlist)."""
    info = model_info(pkg)
    path = Path(info.path)
    record = install_record(path)
    return {
        "package": info.package,
        "version": info.version,
        "from_code": info.from_code,
        "to_code": info.to_code,
        "path": info.path,
        "tokenizer": next((n.split(".")[0] for n in TOKENIZER_FILES if (path / n).is_file()), None),
        "usable": _is_usable(path),
        "sha256": record.get("sha256"),
        "source": record.get("source"),
    }


def remove(name: str, version: str | None = None) -> list[Path]:
    """Remove the installed package(s) called `name`, of one version if given.

    `name` is the package's name, its directory, or its argospm name (`translate-de_en`).
    """
    from argostranslate.package import argospm_package_name

    matches = [
        p
        for p in installed_packages()
        if name in (model_info(p).package, Path(p.package_path).name, argospm_package_name(p))
        and (version is None or str(p.package_version) == version)
    ]
    if not matches:
        what = f"{name} {version}" if version else name
        raise ModelError(f"no installed package {what} (see `pipeline models list`)")
    if version is None and len({str(p.package_version) for p in matches}) > 1:
        versions = ", ".join(sorted(str(p.package_version) for p in matches))
        raise ModelError(f"{name} is installed in versions {versions}: say which with --version")
    removed = []
    for pkg in matches:
        path = Path(pkg.package_path)
        # Renamed first, so a package is never seen half-deleted.
        doomed = path.with_name(f".removing-{path.name}")
        path.rename(doomed)
        shutil.rmtree(doomed)
        removed.append(path)
    return removed


def install_file(
    path: Path, max_unpacked_bytes: int = MAX_UNPACKED_BYTES, source: str | None = None
) -> Package:
    """Check an .argosmodel archive and install it; an existing install of the same package is replaced.

    The unpacked package is loaded and translates a word (`try_package`) before it replaces anything:
    a package with a damaged model.bin, config.json or tokenizer is refused and the installed one stays.
    The package directory gets INSTALL_RECORD: the archive's SHA-256 and where it came from.
    """
    top = check_archive(path, max_unpacked_bytes)
    target_root = packages_dir()
    from argostranslate.package import Package

    destination = target_root / top
    try:
        target_root.mkdir(parents=True, exist_ok=True)
        # Unpack beside the final place, then rename: a reader never sees a half-installed package.
        staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=target_root))
        try:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(staging / "new")
            try_package(Package(staging / "new" / top), path)
            record = {"sha256": sha256_file(path), "source": source or str(Path(path).resolve())}
            write_atomic(staging / "new" / top / INSTALL_RECORD, json.dumps(record, indent=2) + "\n")
            if destination.exists():
                destination.rename(staging / "replaced")
            (staging / "new" / top).rename(destination)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise PackagesDirError(f"cannot install into {target_root}: {problem(exc)}") from None
    return Package(destination)


def try_package(pkg: Package, archive: Path) -> None:
    """Load the unpacked package through the real translation path (its tokenizer, CTranslate2 on the
    CPU) and translate one word; ModelError with the reason if it cannot."""
    from pipeline.config import load_config
    from pipeline.translate import Translator

    settings = load_config().translate
    try:
        translator = Translator(pkg, replace(settings, device="cpu", inter_threads=1, intra_threads=1))
        if not all(translator.translate(["Haus"])):  # any word: the fixture and real packages know it
            raise ValueError("it translated a word to nothing")
    except Exception as exc:  # noqa: BLE001 — CTranslate2, SentencePiece and JSON fail in many ways
        raise ModelError(
            f"{archive}: the package does not load ({type(exc).__name__}: {exc}); nothing was replaced"
        ) from None


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
            if not any(n.startswith(f"{top}/{entry}") for n in names for entry in TOKENIZER_FILES):
                missing.append(" or ".join(TOKENIZER_FILES))
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
    # Metadata are data: a version or language code becomes part of file names (shortlists, downloads).
    for key in ("package_version", "from_code", "to_code"):
        if key in metadata and not is_plain_token(str(metadata[key])):
            raise ModelError(f"{path}: metadata.json: {key} {metadata[key]!r} is not a plain version or code")
    return top


def install_from_index(
    from_code: str, to_code: str, progress: Callable[[int, int | None], None] | None = None
) -> Package:
    """Download the pair's package from the argos package index (online), check it, install it.

    The download goes to argostranslate's downloads directory as `NAME.part` and resumes from there
    after a dropped connection (up to DOWNLOAD_ATTEMPTS tries) or in a later call. `progress` is called
    with (bytes so far, total bytes or None).
    """
    settings = _argos_settings()

    index_url = settings.remote_package_index
    try:
        with urllib.request.urlopen(index_url, timeout=30) as response:
            index = json.load(response)
    except (OSError, ValueError) as exc:
        raise IndexUnreachableError(index_url, exc) from None
    entry = next(
        (
            e
            for e in index
            if isinstance(e, dict)
            and e.get("from_code") == from_code
            and e.get("to_code") == to_code
            and e.get("type", "translate") == "translate"
        ),
        None,
    )
    if entry is None or not entry.get("links"):
        raise ModelError(f"the package index {index_url} has no {from_code}→{to_code} package")
    url = entry["links"][0]
    version = str(entry.get("package_version", "")).replace(".", "_")
    if not is_plain_token(version or "0"):  # the index's text becomes a file name
        raise ModelError(f"the package index {index_url} gives an unusable version {version!r}")
    part = Path(settings.downloads_dir) / f"translate-{from_code}_{to_code}-{version}.argosmodel.part"
    try:
        _download(url, part, progress)
    except OSError as exc:
        raise ModelError(
            f"download of {url} failed: {exc}. Run the same command again to resume "
            f"({part.stat().st_size if part.exists() else 0} bytes kept in {part})."
        ) from None
    # The index gives no checksum today; one it gives is checked.
    expected = entry.get("sha256") or entry.get("checksum")
    if expected and sha256_file(part) != str(expected).lower():
        part.unlink()
        raise ModelError(f"downloaded package for {from_code}→{to_code} fails its checksum")
    try:
        return install_file(part, source=url)
    finally:
        part.unlink(missing_ok=True)


class IndexUnreachableError(ModelError):
    """The package index cannot be reached: offline, or the index address is wrong."""

    def __init__(self, url: str, exc: Exception):
        super().__init__(
            f"cannot reach the argos package index ({url}): {exc}. "
            "Offline? Install from a file with: pipeline models install --file PATH"
        )


def _download(url: str, part: Path, progress: Callable[[int, int | None], None] | None) -> None:
    """Fetch url into part, resuming what part already holds; retried with growing pauses."""
    part.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        have = part.stat().st_size if part.exists() else 0
        request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                resumed = response.status == 206
                length = response.headers.get("Content-Length")
                total = (have if resumed else 0) + int(length) if length else None
                done = have if resumed else 0
                with open(part, "ab" if resumed else "wb") as out:
                    for block in iter(lambda: response.read(1 << 16), b""):
                        out.write(block)
                        done += len(block)
                        if progress:
                            progress(done, total)
            if total is None or done >= total:
                return
            error: OSError = ConnectionError(f"connection closed after {done} of {total} bytes")
        except urllib.error.HTTPError as exc:
            if exc.code == 416:  # the part file already holds everything
                return
            if attempt == DOWNLOAD_ATTEMPTS or exc.code < 500:
                raise
            error = exc
        except OSError as exc:
            error = exc
        if attempt == DOWNLOAD_ATTEMPTS:
            raise error
        time.sleep(2 ** (attempt - 1))
