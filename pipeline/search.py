"""Full-text search over every briefing of an output folder, in German and in English.

The index is an SQLite file in the output folder (`.pipeline-search.sqlite3`), kept current by each run
(pipeline.publish: briefings written, changed or pruned since) and made from the JSON briefings. One row
per paragraph, its German and English sides, in two FTS5 tables:

- English through FTS5's own `porter` tokenizer: "sanction" finds "sanctions", "sanctioned";
- German as Snowball stems (the German Snowball stemmer that sumy uses, from NLTK), stemmed the same way
  in the query: "Bundestag" finds "Bundestages", "Häuser" finds "Haus". Chosen over a prefix query
  ("Bundestag*"), which finds longer forms only: "Sanktionen" would miss "Sanktion", "Häuser" "Haus",
  and "Rat*" finds "Rathaus".

Like the translation cache, a damaged index file or one of another schema is moved aside
(`….corrupt-TIME`) with one warning and built again from the briefings.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from pipeline.digest import Digest, digest_of
from pipeline.paths import UnsafePath, child

INDEX_NAME = ".pipeline-search.sqlite3"
SCHEMA_VERSION = 2  # PRAGMA user_version; another number is another schema: moved aside and rebuilt
MAX_BRIEFING_BYTES = 200_000_000  # a JSON briefing larger than this is not indexed (one warning)
COMMIT_EVERY = 500  # briefings indexed per transaction
MARK_OPEN, MARK_CLOSE = "[", "]"  # around a match in the plain-text hits (HTML/JSON callers re-mark)
_WORD = re.compile(r"\w+(?:-\w+)*")
log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE briefings (
    name TEXT PRIMARY KEY, title TEXT NOT NULL, stamp TEXT NOT NULL, digest TEXT NOT NULL
);
CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, pid TEXT NOT NULL, de TEXT NOT NULL, en TEXT NOT NULL
);
CREATE INDEX paragraphs_name ON paragraphs(name);
CREATE VIRTUAL TABLE en_text USING fts5(en, content='paragraphs', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE de_stems USING fts5(stems, tokenize='unicode61 remove_diacritics 2');
"""


class SearchIndexError(Exception):
    """The search index cannot be used (a query on a folder without briefings, say)."""


@dataclass(frozen=True)
class Hit:
    name: str  # the briefing: <name>.html / .md / .json in the output folder
    title: str
    paragraph: str  # paragraph id, e.g. p3
    de: str  # the German side, each match in MARK_OPEN … MARK_CLOSE
    en: str  # the English side, likewise
    score: float  # lower is better (bm25)

    def as_dict(self) -> dict:
        return {
            "briefing": self.name,
            "title": self.title,
            "paragraph": self.paragraph,
            "de": self.de,
            "en": self.en,
            "score": round(self.score, 4),
        }


@cache
def _german_stemmer():
    from nltk.stem.snowball import GermanStemmer  # what sumy's Stemmer("german") uses

    return GermanStemmer()


@lru_cache(maxsize=200_000)  # a word's stem once: the stemmer is pure Python, and words recur
def _stem(word: str) -> str:
    return _german_stemmer().stem(word)


def german_stems(text: str) -> list[str]:
    return [_stem(word) for word in _WORD.findall(text.lower()) for word in word.split("-")]


def _connect(path: Path) -> sqlite3.Connection:
    """The index at `path` for a run: created when missing; a damaged one (its tables read through
    once, about 0.1 s at 10,000 briefings) or one of another schema is moved aside with one warning
    and created afresh."""
    try:
        return _open(path, check=True)
    except sqlite3.OperationalError as exc:  # locked, unreadable: not the file's fault
        raise SearchIndexError(f"{path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        _move_aside(path, exc)
    try:
        return _open(path, check=True)
    except sqlite3.DatabaseError as exc:
        raise SearchIndexError(f"{path}: cannot build the search index: {exc}") from None


def _open(path: Path, check: bool) -> sqlite3.Connection:
    """The index at `path`, created when missing; sqlite3.DatabaseError when it is of another schema or,
    with `check`, damaged. A search opens without the check (it would be most of a query's time) and
    finds damage when its query meets it."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] == 0:
            db.execute("BEGIN IMMEDIATE")  # one creator: a parallel search or run waits, then sees it
            if not db.execute("SELECT 1 FROM sqlite_master").fetchone():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {version}, expected {SCHEMA_VERSION}")
        if check:
            db.execute("SELECT count(*) FROM briefings JOIN paragraphs USING (name)").fetchone()
        db.execute("PRAGMA journal_mode = WAL")  # searches read while a run writes
        db.execute("PRAGMA synchronous = NORMAL")  # a lost last commit is redone by the next sync
        return db
    except BaseException:
        db.close()
        raise


def _move_aside(path: Path, reason: Exception) -> None:
    aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
    path.rename(aside)
    for extra in ("-wal", "-shm"):  # the journal of the file moved aside is not the new one's
        path.with_name(path.name + extra).unlink(missing_ok=True)
    log.warning("%s is damaged (%s); moved to %s and built again", path, reason, aside)


def _sides(paragraph: dict) -> tuple[str, str]:
    """The German and English text of a JSON briefing's paragraph (an English document has no German)."""
    source, target = paragraph.get("source") or {}, paragraph.get("target") or {}
    text = source.get("text") or ""
    if source.get("lang") == "en":
        return "", text
    return text, target.get("text") or ""


def _stamp(path: Path) -> str:
    info = path.stat()
    return f"{info.st_mtime_ns}:{info.st_size}"


def update_index(out_dir: Path, manifest) -> None:
    """Bring the folder's search index in line with its manifest: briefings written or changed since
    are (re)indexed, those no longer listed (pruned, failed) removed. Cheap when nothing changed (one
    stat per briefing); the stemmer is loaded only when there is something to index."""
    wanted: dict[str, tuple[Path, str]] = {}
    for name, entry in manifest.entries.items():
        json_name = f"{name}.json"
        if entry.status == "ok" and json_name in entry.outputs:
            try:
                wanted[name] = (child(out_dir, json_name), entry.title)
            except UnsafePath:
                continue
    db = _connect(out_dir / INDEX_NAME)
    try:
        indexed = dict(db.execute("SELECT name, stamp FROM briefings"))
        db.execute("BEGIN IMMEDIATE")
        for name in indexed.keys() - wanted.keys():
            _remove(db, name)
        for done, (name, (path, title)) in enumerate(sorted(wanted.items()), 1):
            try:
                stamp = _stamp(path)
                if indexed.get(name) == stamp:
                    continue
                if path.stat().st_size > MAX_BRIEFING_BYTES:
                    raise ValueError(f"larger than {MAX_BRIEFING_BYTES:,} bytes")
                data = json.loads(path.read_text(encoding="utf-8"))
                rows = [(p["id"], *_sides(p)) for p in data["paragraphs"]]
                digest = digest_of(data, title, Path(manifest.entries[name].source), path)
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                log.warning("%s: not in the search index: %s", path, exc)
                continue
            _remove(db, name)
            _add(db, name, title, stamp, rows, json.dumps(digest.as_dict(), ensure_ascii=False))
            if done % COMMIT_EVERY == 0:  # searches see progress; a stop loses little
                db.execute("COMMIT")
                db.execute("BEGIN IMMEDIATE")
        db.execute("COMMIT")
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")
        db.close()


def _remove(db: sqlite3.Connection, name: str) -> None:
    for rowid, en in db.execute("SELECT id, en FROM paragraphs WHERE name = ?", (name,)).fetchall():
        db.execute("INSERT INTO en_text(en_text, rowid, en) VALUES('delete', ?, ?)", (rowid, en))
        db.execute("DELETE FROM de_stems WHERE rowid = ?", (rowid,))
    db.execute("DELETE FROM paragraphs WHERE name = ?", (name,))
    db.execute("DELETE FROM briefings WHERE name = ?", (name,))


def _add(
    db: sqlite3.Connection,
    name: str,
    title: str,
    stamp: str,
    rows: Iterable[tuple[str, str, str]],
    digest: str,
):
    for pid, de, en in rows:
        rowid = db.execute(
            "INSERT INTO paragraphs(name, pid, de, en) VALUES(?, ?, ?, ?)", (name, pid, de, en)
        ).lastrowid
        db.execute("INSERT INTO en_text(rowid, en) VALUES(?, ?)", (rowid, en))
        db.execute("INSERT INTO de_stems(rowid, stems) VALUES(?, ?)", (rowid, " ".join(german_stems(de))))
    db.execute(
        "INSERT INTO briefings(name, title, stamp, digest) VALUES(?, ?, ?, ?)", (name, title, stamp, digest)
    )


def digests(out_dir: Path) -> dict[str, Digest]:
    """Every indexed briefing's digest fields (pipeline.digest); {} when there is no usable index."""
    path = out_dir / INDEX_NAME
    if not path.exists():
        return {}
    try:
        db = _open(path, check=False)  # the run's update_index has just checked it
    except (OSError, sqlite3.DatabaseError):
        return {}
    try:
        return {name: Digest(**json.loads(d)) for name, d in db.execute("SELECT name, digest FROM briefings")}
    except (sqlite3.DatabaseError, ValueError, TypeError):
        return {}
    finally:
        db.close()


def _phrases(query: str, transform) -> str:
    """An FTS5 query: every word (a hyphenated word a phrase) must occur; all as quoted strings, so no
    character of the user's query is FTS5 syntax."""
    phrases = []
    for chunk in query.split():
        words = [w for word in _WORD.findall(chunk) for w in transform(word)]
        if words:
            phrases.append('"' + " ".join(w.replace('"', "") for w in words) + '"')
    return " AND ".join(phrases)


def search(out_dir: Path, query: str, lang: str | None = None, limit: int = 20) -> list[Hit]:
    """The paragraphs of the folder's briefings that match every word of `query`, best first; `lang`
    "de" or "en" searches that side only. Builds the index first if the folder has none yet, and again
    (moved aside, one warning) if the query finds it damaged."""
    from pipeline.manifest import Manifest

    path = out_dir / INDEX_NAME
    if not path.exists():
        update_index(out_dir, Manifest(out_dir))
    try:
        return _search(path, query, lang, limit)
    except sqlite3.OperationalError as exc:  # locked, I/O error: not the file's fault
        raise SearchIndexError(f"{path}: {exc}") from None
    except sqlite3.DatabaseError as exc:  # malformed: a search does not check the whole file first
        _move_aside(path, exc)
        update_index(out_dir, Manifest(out_dir))
        try:
            return _search(path, query, lang, limit)
        except sqlite3.DatabaseError as again:
            raise SearchIndexError(f"{path}: {again}") from None


def _search(path: Path, query: str, lang: str | None, limit: int) -> list[Hit]:
    db = _open(path, check=False)
    try:
        found: dict[int, float] = {}
        if lang in (None, "en"):
            english = _phrases(query, lambda word: word.lower().split("-"))
            if english:
                rows = db.execute(
                    "SELECT rowid, bm25(en_text) FROM en_text WHERE en_text MATCH ? ORDER BY rank LIMIT ?",
                    (english, limit),
                )
                found.update(rows)
        if lang in (None, "de"):
            german = _phrases(query, german_stems)
            if german:
                rows = db.execute(
                    "SELECT rowid, bm25(de_stems) FROM de_stems WHERE de_stems MATCH ? ORDER BY rank LIMIT ?",
                    (german, limit),
                )
                for rowid, score in rows:
                    found[rowid] = min(score, found.get(rowid, score))
        best = sorted(found.items(), key=lambda item: item[1])[:limit]
        hits = []
        for rowid, score in best:
            name, pid, de, en, title = db.execute(
                "SELECT p.name, p.pid, p.de, p.en, b.title FROM paragraphs p JOIN briefings b USING (name) "
                "WHERE p.id = ?",
                (rowid,),
            ).fetchone()
            hits.append(Hit(name, title, pid, mark_german(de, query), mark_english(db, rowid, query), score))
        return hits
    finally:
        db.close()


def mark_german(text: str, query: str) -> str:
    """`text` with every word whose stem is one of the query's in MARK_OPEN … MARK_CLOSE."""
    wanted = set(german_stems(query))

    def mark(match: re.Match) -> str:
        word = match.group(0)
        return f"{MARK_OPEN}{word}{MARK_CLOSE}" if set(german_stems(word)) & wanted else word

    return _WORD.sub(mark, text)


def mark_english(db: sqlite3.Connection, rowid: int, query: str) -> str:
    """The English side with FTS5's own porter matches marked (any of the query's words)."""
    words = [w.lower() for w in _WORD.findall(query) for w in w.split("-")]
    if not words:
        return db.execute("SELECT en FROM paragraphs WHERE id = ?", (rowid,)).fetchone()[0]
    any_word = " OR ".join(f'"{w}"' for w in words)
    row = db.execute(
        "SELECT highlight(en_text, 0, ?, ?) FROM en_text WHERE en_text MATCH ? AND rowid = ?",
        (MARK_OPEN, MARK_CLOSE, any_word, rowid),
    ).fetchone()
    return row[0] if row else db.execute("SELECT en FROM paragraphs WHERE id = ?", (rowid,)).fetchone()[0]
