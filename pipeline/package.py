"""What an installed argos package is: its name, version and build, and the record `models install`
leaves in it. A leaf: the translator (pipeline.translate), the shortlist and the installer
(pipeline.models) all read it, and it imports none of them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.document import ModelInfo

if TYPE_CHECKING:
    from argostranslate.package import Package

# The installer's record in a package directory: the SHA-256 of the archive and where it came from.
INSTALL_RECORD = ".pipeline-install.json"


class ModelError(Exception):
    """A package that cannot be installed or used; the message says why."""


class BrokenModelError(ModelError):
    """The installed package cannot be loaded (a damaged model.bin, config.json or tokenizer): no
    document could be translated, so the run stops (exit 3) instead of failing each one."""

    def __init__(self, path: Path, exc: Exception):
        super().__init__(
            f"the installed package {path} cannot be loaded ({type(exc).__name__}: {exc}); install a "
            "working one with `pipeline models install`"
        )


def model_info(
    pkg: Package, settings: dict | None = None, shortlist: bool = False, profile: str = "standard"
) -> ModelInfo:
    name = getattr(pkg, "package_name", None) or Path(pkg.package_path).name
    return ModelInfo(
        package=name,
        version=str(pkg.package_version),
        from_code=pkg.from_code,
        to_code=pkg.to_code,
        path=str(pkg.package_path),
        settings=settings or {},
        shortlist=shortlist,
        profile=profile,
    )


def install_record(path: Path) -> dict:
    """The install record of the package in `path`; empty when it was installed by argostranslate, argospm
    or by hand (or the record cannot be read)."""
    try:
        record = json.loads((path / INSTALL_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def build_id(pkg: Package) -> str:
    """Which build of the package is installed, so that two builds of one name and version (a package
    rebuilt or replaced) differ: the SHA-256 of the archive `models install` unpacked (its record), else
    (installed by argostranslate, argospm or by hand) the SHA-256 of its model file, one read of it
    (SHA-256 runs at about 1.7 GB/s on the 2-core AMD EPYC dev machine: 0.06 s per 100 MB)."""
    path = Path(pkg.package_path)
    sha256 = install_record(path).get("sha256")
    if sha256:
        return f"archive:{sha256}"
    try:
        return f"model.bin:{sha256_file(path / 'model' / 'model.bin')}"
    except OSError:
        return "unknown"  # the package's own check reports a missing model


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
