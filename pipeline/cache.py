"""A translation cache shared by all runs: SQLite under the user's cache directory.

Entries are keyed by the model (package name and version), the decoding settings (and the glossary) and
the source sentence, so an unchanged corpus re-run translates nothing and another model version
re-translates. Each key also records the build of the package its entries came from: another build
under the same name and version (a package rebuilt or replaced) drops them. Each entry keeps the
decoder's log-probability per token of its translation (the review's confidence check). A cache written
before scores were kept gets the column added when opened; its rows have no score and are translated
again when next needed (then stored with their score).
SQLite's WAL mode and a busy timeout make it safe for concurrent processes. A cache is an optimisation:
a damaged file, or a database of another shape (a `translations` or `builds` table without this
module's columns), is moved aside and rebuilt, and a failing cache (a directory that is a file, read-only
or full) never fails a translation: it warns once and the run goes on without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from pipeline.fileio import cache_dir, problem

log = logging.getLogger(__name__)

_SCHEMA = """CREATE TABLE IF NOT EXISTS translations (
    key TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, score REAL, PRIMARY KEY (key, source)
) WITHOUT ROWID"""
# Which build of the model each key's entries came from (pipeline.package.build_id).
_BUILDS = "CREATE TABLE IF NOT EXISTS builds (key TEXT PRIMARY KEY, build TEXT NOT NULL) WITHOUT ROWID"
# Caches of earlier versions have no score column: it is added (NULL for their rows) when opened.
_ADD_SCORE = "ALTER TABLE translations ADD COLUMN score REAL"
# The columns each table must have (a cache of an earlier version lacks only `score`, added when opened).
_COLUMNS = {"translations": {"key", "source", "target"}, "builds": {"key", "build"}}
_OPEN_ATTEMPTS = 20
_CHUNK = 500  # SQLite's limit on bound parameters is 999 in old builds


def default_cache_path() -> Path:
    return cache_dir() / "translations.sqlite3"


def cache_key(settings: dict) -> str:
    """One key per model and decoding settings; the source sentence is the second half of the key."""
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:32]


class TranslationCache:
    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open()
        except (sqlite3.OperationalError, OSError) as exc:  # locked or unwritable: not damage; leave it be
            self._disable(exc)
        except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
            self._rebuild(exc)

    def _rebuild(self, damage: sqlite3.DatabaseError) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        self._close()
        try:
            for suffix in ("", "-wal", "-shm"):
                damaged = Path(f"{self.path}{suffix}")
                if damaged.exists():
                    damaged.rename(Path(f"{aside}{suffix}"))
            self._db = self._open()
        except (sqlite3.DatabaseError, OSError) as exc:
            self._disable(exc, f"is damaged ({damage}) and cannot be rebuilt")
            return
        log.warning("translation cache %s is damaged (%s); moved to %s and rebuilt", self.path, damage, aside)

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db = db
        # Switching to WAL needs a moment of exclusive access, and SQLite answers "locked" at once rather
        # than waiting when another process is opening the same file: retry briefly.
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(_SCHEMA)
                db.execute(_BUILDS)
                _check_columns(db)
                _add_score_column(db)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == _OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        db.execute("SELECT count(*) FROM (SELECT 1 FROM translations LIMIT 1)").fetchone()
        return db

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def get_many(self, key: str, sources: Sequence[str]) -> dict[str, tuple[str, float]]:
        """source → (translation, log-probability per token); rows without a score are not found."""
        found: dict[str, tuple[str, float]] = {}
        if self._db is None:
            return found
        try:
            for start in range(0, len(sources), _CHUNK):
                chunk = sources[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT source, target, score FROM translations WHERE key = ? AND source IN ({marks})"
                    " AND score IS NOT NULL",
                    (key, *chunk),
                )
                found.update((source, (target, score)) for source, target, score in rows)
        except sqlite3.DatabaseError as exc:
            self._disable(exc)
        return found

    def put_many(self, key: str, entries: Sequence[tuple[str, str, float]]) -> None:
        """(source, translation, log-probability per token) triples."""
        if self._db is None or not entries:
            return
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(
                    "INSERT OR REPLACE INTO translations (key, source, target, score) VALUES (?, ?, ?, ?)",
                    [(key, *entry) for entry in entries],
                )
        except sqlite3.DatabaseError as exc:
            self._disable(exc)

    def claim(self, key: str, build: str) -> int:
        """Record that `key`'s entries are this build's; the entries another build of the same package
        name and version left under it (a package rebuilt or replaced) are dropped. Returns how many."""
        if self._db is None:
            return 0
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute("SELECT build FROM builds WHERE key = ?", (key,)).fetchone()
                dropped = 0
                if row is None or row[0] != build:
                    if row is not None:
                        dropped = self._db.execute("DELETE FROM translations WHERE key = ?", (key,)).rowcount
                    self._db.execute("INSERT OR REPLACE INTO builds (key, build) VALUES (?, ?)", (key, build))
        except sqlite3.DatabaseError as exc:
            self._disable(exc)
            return 0
        if dropped:
            log.warning("translation cache: %d entries of another build of this model dropped", dropped)
        return dropped

    def pairs(self, key: str) -> list[tuple[str, str]]:
        """Every (source, target) cached under `key`, in source order (what a shortlist learns from)."""
        if self._db is None:
            return []
        try:
            query = "SELECT source, target FROM translations WHERE key = ? ORDER BY source"
            return list(self._db.execute(query, (key,)))
        except sqlite3.DatabaseError as exc:
            self._disable(exc)
            return []

    def count(self, key: str) -> int:
        if self._db is None:
            return 0
        try:
            return self._db.execute("SELECT count(*) FROM translations WHERE key = ?", (key,)).fetchone()[0]
        except sqlite3.DatabaseError as exc:
            self._disable(exc)
            return 0

    def _disable(self, exc: Exception, state: str = "cannot be used") -> None:
        why = problem(exc) if isinstance(exc, OSError) else str(exc)
        log.warning("translation cache %s %s (%s); going on without it", self.path, state, why)
        self._close()

    def close(self) -> None:
        self._close()


def _add_score_column(db: sqlite3.Connection) -> None:
    if any(row[1] == "score" for row in db.execute("PRAGMA table_info(translations)")):
        return
    try:
        db.execute(_ADD_SCORE)
    except sqlite3.OperationalError as exc:  # another process added it first
        if "duplicate column" not in str(exc):
            raise


class WrongSchema(sqlite3.DatabaseError):
    """A valid SQLite file whose tables are not this cache's: treated as damage (moved aside)."""


def _check_columns(db: sqlite3.Connection) -> None:
    for table, needed in _COLUMNS.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if not needed <= have:
            missing = ", ".join(sorted(needed - have))
            raise WrongSchema(f"another schema: its {table} table has no column {missing}")
