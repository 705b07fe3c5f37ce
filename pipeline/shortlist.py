"""A vocabulary shortlist learned from the pipeline's own translations, verified before it is used.

CTranslate2 can restrict the output projection of each batch to the target tokens a vocabulary map
allows (`vmap.txt` in the model directory, `translate_batch(use_vmap=True)`): one line per source token,
`TOKEN<TAB>TARGET TARGET …`, and a line with an empty source whose targets are always allowed. Argos
packages ship none, so one is learned from the translation cache: for every cached sentence pair (both in
the package's tokens) each source token is credited with the target tokens of its translation; a source
token's map keeps the `per_source_token` targets it brought most often, besides the `always_allowed` most
frequent target tokens.

The map lives in a pipeline-owned derived copy of the package's model directory (symbolic links to its
files, plus `vmap.txt`) under the cache directory; the installed package is never modified. Before it is
used it is verified: a deterministic sample of cached sentences held out of learning (one in five, by a
hash of the sentence, so the split is stable as the cache grows) is re-translated with it and must come
out identical to the cached English in at least `min_identical` of cases. Otherwise the map is enlarged
(both sizes doubled, `enlarge_rounds` times) and, if it still fails, left off. `shortlist.json` beside it
records the outcome, which `pipeline models list` shows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import ShortlistConfig
from pipeline.fileio import cache_dir, problem, write_atomic
from pipeline.paths import child
from pipeline.tokenizer import vocabulary

if TYPE_CHECKING:
    from argostranslate.package import Package

    from pipeline.cache import TranslationCache
    from pipeline.engine import MakeTranslator
    from pipeline.tokenizer import Tokenizer

log = logging.getLogger(__name__)

VMAP_FILE = "vmap.txt"
RECORD_FILE = "shortlist.json"
# One cached sentence in HELD_OUT_EVERY is kept out of learning and used to verify.
HELD_OUT_EVERY = 5


@dataclass(frozen=True)
class ShortlistRecord:
    """The outcome of the last build, as `shortlist.json` keeps it."""

    active: bool  # verified: translations use it
    reason: str  # one line for the log and `models list`
    per_source_token: int
    always_allowed: int
    learned_from: int  # cached sentence pairs it was learned from
    verified_on: int  # held-out sentences re-translated
    identical: int  # of them, identical to the cached English
    cache_sentences: int  # cached sentences at build time (automatic rebuild counts from here)
    build_seconds: float
    verify_seconds: float
    vmap_sha256: str


def shortlist_root() -> Path:
    return cache_dir() / "shortlists"


def shortlist_dir(package: Package) -> Path:
    """The derived directory of one installed package (its path is part of the name: two packages
    directories may hold the same package and version)."""
    path = str(Path(package.package_path).resolve())
    digest = hashlib.sha256(path.encode()).hexdigest()[:12]
    # The version comes from the package's metadata: data, never a path (a "/" or ".." is replaced).
    version = re.sub(r"[^\w.+-]+|\.{2,}", "_", str(package.package_version), flags=re.ASCII)
    return child(shortlist_root(), f"{Path(path).name}-{version}-{digest}")


def read_record(package: Package) -> ShortlistRecord | None:
    try:
        data = json.loads((shortlist_dir(package) / RECORD_FILE).read_text(encoding="utf-8"))
        return ShortlistRecord(**data)
    except (OSError, ValueError, TypeError):
        return None


def state(pkg: Package) -> str | None:
    """The last shortlist build's outcome in one line ("on: …" or "off: …"), None if never built."""
    record = read_record(pkg)
    return record.reason if record else None


def active_model_dir(package: Package) -> tuple[Path, ShortlistRecord] | None:
    """The derived model directory and its record, when a verified shortlist is in place."""
    record = read_record(package)
    model = shortlist_dir(package) / "model"
    if record is None or not record.active or not (model / VMAP_FILE).is_file():
        return None
    return model, record


def learn(
    pairs: Sequence[tuple[str, str]],
    tokenizer: Tokenizer,
    per_source_token: int,
    always_allowed: int,
    target_vocabulary: Sequence[str] = (),
) -> dict[str, list[str]]:
    """The vocabulary map: "" → the always-allowed targets, each source token → its own targets.

    The always-allowed are the targets most frequent in `pairs`, topped up from the start of
    `target_vocabulary` (frequency order) when the cache has fewer."""
    sources = tokenizer.encode([s for s, _ in pairs])
    targets = tokenizer.encode_target([t for _, t in pairs])
    frequency: Counter[str] = Counter()
    brought: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for source, target in zip(sources, targets, strict=True):
        target_set = set(target)
        frequency.update(target_set)
        for token in set(source):
            brought[token].update(target_set)
    always = [token for token, _ in frequency.most_common(always_allowed)]
    common = set(always)
    for token in target_vocabulary:
        if len(always) >= always_allowed:
            break
        if token not in common:
            always.append(token)
            common.add(token)
    vmap = {"": always}
    for token, counts in brought.items():
        own = [t for t, _ in counts.most_common() if t not in common][:per_source_token]
        if own:
            vmap[token] = own
    return vmap


def vmap_text(vmap: dict[str, list[str]], extra_always: Sequence[str] = ()) -> str:
    """CTranslate2's format; tokens with a space or tab cannot be written and are left out."""
    lines = []
    for source in sorted(vmap):
        targets = [t for t in vmap[source] if _writable(t)]
        if source == "":
            targets += [t for t in extra_always if _writable(t) and t not in targets]
        if targets and (source == "" or _writable(source)):
            lines.append(f"{source}\t{' '.join(targets)}\n")
    return "".join(lines)


def _writable(token: str) -> bool:
    return bool(token) and not any(c in token for c in " \t\n\r")


def held_out(source: str) -> bool:
    return hashlib.sha256(source.encode()).digest()[0] % HELD_OUT_EVERY == 0


def build(
    package: Package,
    settings: ShortlistConfig,
    cache: TranslationCache,
    make_translator: MakeTranslator,
) -> ShortlistRecord:
    """Learn, verify, enlarge or leave off; writes the derived directory and its record, and logs it.
    `make_translator(cache, shortlist)` makes the plain translator and each one under trial
    (pipeline.engine.standard_translators)."""
    start = time.monotonic()
    plain = make_translator(cache, None)
    pairs = cache.pairs(plain.cache_key)
    learning = [(s, t) for s, t in pairs if not held_out(s)]
    checking = [(s, t) for s, t in pairs if held_out(s)][: settings.verify_sentences]
    target = shortlist_dir(package)
    sizes = (settings.per_source_token, settings.always_allowed)
    record = None
    if len(pairs) < settings.min_sentences:
        record = _record(False, f"too few cached sentences ({len(pairs)} < {settings.min_sentences})", sizes)
    for round_ in range(settings.enlarge_rounds + 1):
        if record is not None:
            break
        sizes = (settings.per_source_token << round_, settings.always_allowed << round_)
        built = time.monotonic()
        vmap = learn(
            learning, plain.tokenizer, *sizes, vocabulary(Path(package.package_path) / "model", "target")
        )
        extra = [plain.target_prefix] if plain.target_prefix else []
        candidate = _write_model_dir(package, target / "model.new", vmap_text(vmap, extra))
        build_seconds = time.monotonic() - built
        checked = time.monotonic()
        trial = make_translator(None, candidate)
        english = trial.translate([s for s, _ in checking])
        identical = sum(e == t for e, (_, t) in zip(english, checking, strict=True))
        share = identical / len(checking) if checking else 0.0
        verify_seconds = time.monotonic() - checked
        passed = bool(checking) and share >= settings.min_identical
        why = (
            f"{identical}/{len(checking)} held-out sentences identical ({share:.1%}; "
            f"{'≥' if passed else '<'} {settings.min_identical:.1%} required)"
        )
        if passed or round_ == settings.enlarge_rounds:
            digest = hashlib.sha256((candidate / VMAP_FILE).read_bytes()).hexdigest()
            record = ShortlistRecord(
                passed,
                ("on: " if passed else "off: ") + why,
                *sizes,
                len(learning),
                len(checking),
                identical,
                len(pairs),
                round(build_seconds, 3),
                round(verify_seconds, 3),
                digest,
            )
            if passed:
                _replace_dir(candidate, target / "model")
        else:
            log.info("shortlist of %s: %s; enlarging", target.name, why)
    shutil.rmtree(target / "model.new", ignore_errors=True)
    if not record.active:
        shutil.rmtree(target / "model", ignore_errors=True)
    write_atomic(target / RECORD_FILE, json.dumps(asdict(record), indent=2) + "\n")
    log.warning(
        "shortlist for %s %s: %s (built in %.1f s)",
        plain.info.package,
        plain.info.version,
        record.reason,
        time.monotonic() - start,
    )
    return record


def _record(active: bool, reason: str, sizes: tuple[int, int]) -> ShortlistRecord:
    return ShortlistRecord(active, ("on: " if active else "off: ") + reason, *sizes, 0, 0, 0, 0, 0.0, 0.0, "")


def _write_model_dir(package: Package, directory: Path, vmap: str) -> Path:
    """Links to every file of the package's model directory, plus the vocabulary map."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    source = Path(package.package_path).resolve() / "model"
    for item in source.iterdir():
        if item.name != VMAP_FILE:
            (directory / item.name).symlink_to(item)
    write_atomic(directory / VMAP_FILE, vmap)
    return directory


def _replace_dir(new: Path, final: Path) -> None:
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def rebuild_due(package: Package, settings: ShortlistConfig, cached_sentences: int) -> bool:
    """No build yet and enough sentences cached, or `rebuild_after` new ones since the last build."""
    record = read_record(package)
    if record is None or not record.verified_on:  # never built, or too few sentences last time
        return cached_sentences >= settings.min_sentences
    return cached_sentences - record.cache_sentences >= settings.rebuild_after


def refresh(
    package: Package,
    settings: ShortlistConfig,
    cache: TranslationCache,
    make_translator: MakeTranslator,
    rebuild: bool = False,
) -> tuple[ShortlistRecord | None, int]:
    """Build when due (or `rebuild`); the current record (None: never built) and the cached sentences
    it counts from. OSError when the derived directory cannot be written."""
    cached = cache.count(make_translator(cache, None).cache_key)
    if rebuild or rebuild_due(package, settings, cached):
        return build(package, settings, cache, make_translator), cached
    return read_record(package), cached


def for_run(
    package: Package,
    settings: ShortlistConfig,
    cache: TranslationCache | None,
    make_translator: MakeTranslator,
) -> Path | None:
    """The shortlist model directory a run with `translate.shortlist` on uses, rebuilt first when due."""
    if cache is not None:
        try:
            refresh(package, settings, cache, make_translator)
        except OSError as exc:  # the cache directory is full or read-only: go on as before
            log.warning("cannot build a shortlist in %s: %s", shortlist_dir(package), problem(exc))
    active = active_model_dir(package)
    if active is None:
        record = read_record(package)
        log.info("no shortlist in use: %s", record.reason if record else "none built yet")
        return None
    return active[0]
