"""Language of a short line: a heading, a caption, a list item, a table cell, two words.

langdetect samples a few character n-grams at random, which on two words is a coin toss ("gelingt diese"
came out Dutch, "sollte keine" Finnish). A short line is decided here instead, by two packaged models
scored together over the candidate languages:

* py3langid's model (BSD, a Naive Bayes over byte n-grams of 97 languages): its log-probability of the
  line in each candidate it knows;
* pyspellchecker's word frequency lists (installed for the PDF reader) for the candidates that have one:
  the log-probability of the line's words under each of the TOP languages the n-grams rank highest. A
  language without a list gets every word at the floor, what an unseen word gets in one that has a list.

Both sources ship compressed (xz, gzip JSON): decompressing them costs seconds and hundreds of MB in every
process. They are unpacked once into plain arrays under $XDG_CACHE_HOME/pipeline/shortlang, one folder per
source package version (a new version builds a new folder), written to a temporary folder and renamed into
place, and read from there a row at a time: a process holds only the rows its lines touch. A folder that
does not match its manifest (cut short, edited) is rebuilt; where the cache cannot be written the arrays
are built in memory for this process and the run goes on.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import os
import shutil
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from importlib import metadata, resources
from pathlib import Path

import numpy as np

from pipeline.fileio import cache_dir, current_umask
from pipeline.split import split_words

log = logging.getLogger(__name__)

# How many of the n-gram model's best languages the word lists judge between, and the weight of the word
# lists' log-probability against the n-grams'. Calibrated on the calibration half of ../shared/real/langid
# (word pairs: weights 0.3/1/3 gave 121/123/121 of 130 scoring every candidate; TOP 3/5/8/16 gave
# 119/122/123/123 with weight 1, and 5 reads fewer lists than 8); re-check with `make bench-linguistic`.
TOP = 5
WORD_WEIGHT = 1.0
# Counts added to every word's frequency (an unseen word is not impossible), and the floor a word gets in
# a language without a list: as unseen as in a list of ten million words.
SMOOTHING = 0.5
FLOOR = math.log(SMOOTHING / 1e7)
# The score of a line without a single known n-gram (py3langid's own floor).
NO_NGRAMS = float(np.finfo(np.float32).min)
# Bumped when the layout of the cached arrays changes.
CACHE_FORMAT = 1
MANIFEST = "manifest.json"


def cache_root() -> Path:
    return cache_dir() / "shortlang"


# --- the cached arrays ---------------------------------------------------------------------------------


class Table:
    """An array read a row at a time: a line touches a few scattered rows of tables of tens of MB.

    On disk (a .npy file in the cache) each row is read with one pread, so nothing but the rows asked
    for is ever in memory (a memory map would make the kernel's large page-cache folios resident, tens
    of MB after a few lines); in memory where the cache could not be written."""

    def __init__(self, array: np.ndarray | None = None, path: Path | None = None):
        self._array, self._file = array, None
        if path is not None:
            self._file = open(path, "rb")  # noqa: SIM115 (held for the process, like the model it serves)
            version = np.lib.format.read_magic(self._file)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else None
            shape, fortran_order, self.dtype = (read_header or np.lib.format.read_array_header_2_0)(
                self._file
            )
            self.shape, self._offset = tuple(shape), self._file.tell()
            self._row_bytes = math.prod(self.shape[1:]) * self.dtype.itemsize
            size = os.fstat(self._file.fileno()).st_size
            if (
                fortran_order
                or self.dtype.hasobject
                or size != self._offset + self.shape[0] * self._row_bytes
            ):
                self._file.close()
                raise ValueError(f"{path}: not a whole plain array")
        else:
            self.shape, self.dtype = array.shape, array.dtype

    def rows(self, start: int, stop: int) -> np.ndarray:
        if self._file is None:
            return self._array[start:stop]
        data = os.pread(
            self._file.fileno(), (stop - start) * self._row_bytes, self._offset + start * self._row_bytes
        )
        return np.frombuffer(data, dtype=self.dtype).reshape((stop - start, *self.shape[1:]))

    def __getitem__(self, i: int):
        return self.rows(i, i + 1)[0].item() if len(self.shape) == 1 else self.rows(i, i + 1)[0]

    def take(self, indices: Sequence[int]) -> np.ndarray:
        return np.stack([self.rows(i, i + 1)[0] for i in indices])

    def read(self) -> np.ndarray:
        return self.rows(0, self.shape[0])


_warned: list[Path] = []


def cached_tables(name: str, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, Table]:
    """The arrays `build` makes, read from the cache folder `name` (built there first if absent or
    damaged); kept in memory when the cache cannot be written."""
    folder = cache_root() / name
    tables = _load(folder)
    if tables is not None:
        return tables
    if folder.exists():
        log.warning("short-text model cache %s is damaged; rebuilding it", folder)
        shutil.rmtree(folder, ignore_errors=True)
    built = build()
    try:
        _store(folder, built)
    except OSError as exc:
        if not _warned:  # one line per process, not one per table
            log.warning("short-text model cache %s cannot be written (%s); using it from memory", folder, exc)
            _warned.append(folder)
        return {key: Table(array) for key, array in built.items()}
    return _load(folder) or {key: Table(array) for key, array in built.items()}


def _load(folder: Path) -> dict[str, Table] | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        tables = {key: Table(path=folder / f"{key}.npy") for key in manifest}
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return None
    for key, table in tables.items():
        if [list(table.shape), table.dtype.str] != manifest[key]:
            return None
    return tables


def _store(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write every array and then the manifest into a temporary folder and rename it into place, so a
    reader sees the whole folder or none (a concurrent process that got there first wins)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        tmp.chmod(0o777 & ~current_umask())  # as a folder made by mkdir (mkdtemp's is private)
        for key, array in arrays.items():
            np.save(tmp / f"{key}.npy", array, allow_pickle=False)
        manifest = {key: [list(array.shape), array.dtype.str] for key, array in arrays.items()}
        (tmp / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        try:
            tmp.rename(folder)
        except OSError:
            if _load(folder) is None:
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- py3langid's byte n-gram model ---------------------------------------------------------------------


def _unpack_ngram_model() -> dict[str, np.ndarray]:
    from py3langid.langid import MODEL_FILE
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, rows, output = load_model(Path(_package_dir("py3langid")) / MODEL_FILE)
    return {
        "ptc": np.asarray(ptc),  # feature × class log-probabilities (float16)
        "pc": np.asarray(pc),  # class priors
        "classes": np.array(classes),
        "nextmove": np.frombuffer(nextmove, dtype=np.uint32 if nextmove.itemsize == 4 else np.uint16),
        "rows": np.frombuffer(rows, dtype=np.uint16 if rows.itemsize == 2 else np.uint32),
        "output": np.asarray(output, dtype=np.int32),
    }


class _NGramModel:
    def __init__(self, tables: dict[str, Table]):
        self.ptc, self.nextmove = tables["ptc"], tables["nextmove"]  # 28 and 39 MB: read by the row
        self.pc = tables["pc"].read()
        self.classes = [str(c) for c in tables["classes"].read()]
        # State → transition row and state → feature (0.6 MB): memoryviews, indexed as Python ints.
        self.rows = memoryview(tables["rows"].read())
        self.output = memoryview(tables["output"].read())

    def scores(self, text: str, langs: Sequence[str]) -> dict[str, float]:
        """Log-probability of `text` in each of `langs` that the model knows (py3langid's `rank`)."""
        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf-8", errors="surrogatepass")
        state, features = 0, Counter()
        for byte in data:
            state = self.nextmove[(self.rows[state] << 8) + byte]
            if (feature := self.output[state]) >= 0:
                features[feature] += 1
        columns = [i for i, c in enumerate(self.classes) if c in langs]
        if not features:
            return {self.classes[i]: NO_NGRAMS for i in columns}
        counts = np.log1p(np.fromiter(features.values(), dtype=np.float32, count=len(features)))
        values = counts @ self.ptc.take(list(features))[:, columns] + self.pc[columns]
        out: dict[str, float] = {}
        for i, value in zip(columns, values.tolist(), strict=True):  # a label twice (sr, uz): the better
            out[self.classes[i]] = max(value, out.get(self.classes[i], NO_NGRAMS))
        return out


@cache
def _ngram_model() -> _NGramModel:
    name = f"py3langid-{metadata.version('py3langid')}-{CACHE_FORMAT}"
    return _NGramModel(cached_tables(name, _unpack_ngram_model))


# --- pyspellchecker's word frequency lists -------------------------------------------------------------


def _list_file(lang: str):
    return resources.files("spellchecker") / "resources" / f"{lang}.json.gz"


def _unpack_word_list(lang: str) -> dict[str, np.ndarray]:
    """The list as sorted UTF-8 words in one byte string, their offsets and their counts."""
    import gzip

    with _list_file(lang).open("rb") as f:
        frequency: dict[str, int] = json.loads(gzip.decompress(f.read()))
    words = sorted((word.lower().encode("utf-8"), count) for word, count in frequency.items())
    merged: dict[bytes, int] = {}
    for word, count in words:  # the list has a few case variants: one entry each
        merged[word] = merged.get(word, 0) + count
    lengths = np.fromiter((len(w) for w in merged), dtype=np.int64, count=len(merged))
    return {
        "text": np.frombuffer(b"".join(merged), dtype=np.uint8),
        "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        "counts": np.fromiter(merged.values(), dtype=np.int64, count=len(merged)),
        "total": np.array([sum(merged.values())], dtype=np.int64),
    }


class _WordList:
    """Word counts found by binary search in the sorted words on disk."""

    def __init__(self, tables: dict[str, Table]):
        self.text, self.offsets, self.counts = tables["text"], tables["offsets"], tables["counts"]
        self.total = tables["total"][0]
        self.size = self.counts.shape[0]

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> bytes:
        start, stop = self.offsets.rows(i, i + 2).tolist()
        return self.text.rows(start, stop).tobytes()

    def count(self, word: str) -> int:
        key = word.encode("utf-8")
        i = bisect.bisect_left(self, key)
        return self.counts[i] if i < self.size and self[i] == key else 0


@cache
def _word_list(lang: str) -> _WordList | None:
    """pyspellchecker's list for `lang`, or None when it has none (only languages asked for are read)."""
    if not _list_file(lang).is_file():
        return None
    name = f"pyspellchecker-{metadata.version('pyspellchecker')}-{CACHE_FORMAT}-{lang}"
    return _WordList(cached_tables(name, lambda: _unpack_word_list(lang)))


def _package_dir(package: str) -> str:
    return str(resources.files(package))


# --- the decision --------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def short_text_language(text: str, candidates: tuple[str, ...]) -> tuple[str, float] | None:
    """The language of a short text among `candidates`, and the share of the evidence for it (0-1 among
    the TOP languages); None when the text has no letters."""
    words = [w.lower() for w in split_words(text) if any(c.isalpha() for c in w)]
    if not words or not candidates:
        return None
    ngrams = _ngram_model().scores(text, candidates)
    ranked = sorted(ngrams.items(), key=lambda pair: -pair[1])[:TOP]
    scores = {lang: score + WORD_WEIGHT * _words_log_probability(words, lang) for lang, score in ranked}
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    total = sum(math.exp(score - scores[best]) for score in scores.values())
    return best, 1 / total


def _words_log_probability(words: Sequence[str], lang: str) -> float:
    word_list = _word_list(lang)
    if word_list is None:
        return FLOOR * len(words)
    return sum(math.log((word_list.count(word) + SMOOTHING) / word_list.total) for word in words)
