"""The fixed calibration/check split of the real sets in ../shared/real (``bench/real_split.toml``).

Tune on ``"calibration"``, report both halves. Tests and benchmarks import this module; it reads only the
split file, never the real material, so it works where ``../shared`` is absent (``REAL.is_dir()`` says
whether it is there).

    from real_split import REAL, HALVES, members, halves
    members("pdf", "check")               # file names of the check half
    halves("sentences", paragraphs)      # {"calibration": [...], "check": [...]} for an ordered list
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
SPLIT_FILE = Path(__file__).resolve().with_name("real_split.toml")
HALVES = ("calibration", "check")

T = TypeVar("T")


def _split() -> dict:
    with open(SPLIT_FILE, "rb") as f:
        return tomllib.load(f)


def members(name: str, half: str) -> list[str]:
    """The named members (file names, page stems or document ids) of one half of a listed set."""
    if half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}, not {half!r}")
    return list(_split()[name][half])


def half_of(name: str, index: int) -> str:
    """The half of the item at 0-based ``index`` of a rule-based set (see the rules in the split file)."""
    entry = _split()[name]
    if entry.get("rule") == "alternate":
        return HALVES[index % 2]
    if entry.get("rule") == "blocks":
        return HALVES[(index // int(entry["block"])) % 2]
    raise ValueError(f"{name} is a listed set: use members()")


def halves(name: str, items: Sequence[T]) -> dict[str, list[T]]:
    """An ordered sequence of a rule-based set divided into its two halves, order kept."""
    out: dict[str, list[T]] = {h: [] for h in HALVES}
    for i, item in enumerate(items):
        out[half_of(name, i)].append(item)
    return out
