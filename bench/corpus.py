"""Benchmark corpora from `../shared/bench/de-sentences.txt`: deterministic (seeded), cached as .md files.

Only sentences that every splitter agrees are one sentence are used (one final `.`, `!` or `?`, nothing
else that could end a sentence), so argostranslate's splitter, the pipeline's and the raw CTranslate2
run all translate the same units. Sentences of fewer than MIN_TOKENS SentencePiece tokens are left out:
the bench model always writes 28 tokens, and the pipeline caps each batch's output at
ratio × source tokens + extra, so a batch of very short sentences could stop early and do less work.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"
SENTENCES = SHARED / "de-sentences.txt"
SP_MODEL = SHARED / "sentencepiece-32k.model"
MIN_TOKENS = 10
_ONE_SENTENCE = re.compile(r"[^.!?;…]+[.!?]")


@dataclass(frozen=True)
class Corpus:
    docs_dir: Path
    paragraphs: list[str]  # every paragraph of every document, in file order
    sentences: list[str]  # the pool the paragraphs were drawn from, in draw order (all used)


def sentence_pool(seed: int) -> list[str]:
    """Distinct usable sentences in a seeded random order."""
    import sentencepiece

    from pipeline.split import split_sentences

    sp = sentencepiece.SentencePieceProcessor(model_file=str(SP_MODEL))
    lines = dict.fromkeys(line.strip() for line in SENTENCES.read_text(encoding="utf-8").splitlines())
    candidates = [s for s in lines if _ONE_SENTENCE.fullmatch(s) and split_sentences(s, "de") == [s]]
    lengths = sp.encode(candidates)
    pool = [s for s, tokens in zip(candidates, lengths, strict=True) if len(tokens) >= MIN_TOKENS]
    random.Random(seed).shuffle(pool)
    return pool


def build_corpus(cache: Path, paragraphs: int, seed: int = 1) -> Corpus:
    """≥ `paragraphs` paragraphs of 3–5 sentences, in documents of 3–6 paragraphs (cached under `cache`)."""
    out = cache / f"corpus-{paragraphs}-seed{seed}"
    if not out.exists():
        pool = iter(sentence_pool(seed))
        rng = random.Random(seed)
        docs: list[list[str]] = []
        used: list[str] = []
        while sum(map(len, docs)) < paragraphs:
            doc = []
            for _ in range(rng.randint(3, 6)):
                sentences = [next(pool) for _ in range(rng.randint(3, 5))]
                used += sentences
                doc.append(" ".join(sentences))
            docs.append(doc)
        meta_text = json.dumps({"paragraphs": [p for d in docs for p in d], "sentences": used})
        _publish(out, docs, subdir="docs", meta=meta_text)
    data = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    return Corpus(out / "docs", data["paragraphs"], data["sentences"])


def build_small_docs(cache: Path, count: int, corpus: Corpus, group: int, seed: int = 2) -> Path:
    """`count` documents of 1–2 paragraphs (1–3 sentences each), for the memory measurement.

    They reuse the corpus's sentences, except the last full group of `group` documents (the same documents
    whatever `count`), whose sentences are outside `corpus`. A run that starts from a cache warmed on the
    corpus so translates one group for real, after all the others: memory that grows with the number of
    documents adds to the translation's peak instead of hiding under it.
    """
    out = cache / f"small-{count}-group{group}-seed{seed}-{len(corpus.sentences)}"
    if not out.exists():
        used = set(corpus.sentences)
        unused = iter([s for s in sentence_pool(seed) if s not in used])
        fresh = _german_docs(group, lambda: next(unused), random.Random(seed + 1))
        rng = random.Random(seed)
        docs = _german_docs(count - group, lambda: rng.choice(corpus.sentences), rng)
        start = (count // group - 1) * group
        _publish(out, docs[:start] + fresh + docs[start:])
    return out


def _german_docs(count: int, draw, rng: random.Random) -> list[list[str]]:
    docs: list[list[str]] = []
    while len(docs) < count:
        doc = [" ".join(draw() for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 2))]
        if _is_german(doc):  # a one-sentence document can look like Afrikaans or Dutch: drawn again
            docs.append(doc)
    return docs


def _is_german(paragraphs: list[str]) -> bool:
    """What the pipeline's language detection says (it is seeded, so a run says the same)."""
    from pipeline.detect import detect_document
    from pipeline.document import Document
    from pipeline.reader import parse_paragraphs

    doc = Document(path=Path("small.md"), sha256="", paragraphs=parse_paragraphs("\n\n".join(paragraphs)))
    detect_document(doc, _detector())
    return doc.lang == "de" and all(p.lang == "de" for p in doc.paragraphs)


@lru_cache(maxsize=1)
def _detector():
    from pipeline.detect import LanguageDetector

    return LanguageDetector()


def _publish(out: Path, docs: list[list[str]], subdir: str = "", meta: str | None = None) -> None:
    """Write the documents (and corpus.json) under a temporary name, then rename: an interrupted build
    never leaves a half corpus in the cache."""
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / subdir).mkdir(parents=True)
    for i, paragraphs in enumerate(docs):
        (tmp / subdir / f"doc-{i:04d}.md").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    if meta is not None:
        (tmp / "corpus.json").write_text(meta, encoding="utf-8")
    tmp.rename(out)


def distinct_sentences(count: int, seed: int = 3) -> list[str]:
    """`count` distinct German sentences: the pool's own, then new ones made of the first half of one pool
    sentence and the second half of another (the pool alone has about 10,000), seeded."""
    pool = sentence_pool(seed)
    halves = [s[:-1].split() for s in pool]
    sentences = dict.fromkeys(pool[:count])
    rng = random.Random(seed)
    while len(sentences) < count:
        first, second = rng.choice(halves), rng.choice(halves)
        words = first[: len(first) // 2] + second[len(second) // 2 :]
        sentences[" ".join(words) + "."] = None
    return list(sentences)


def long_document(path: Path, sentences: list[str], per_paragraph: int = 5) -> Path:
    """One Markdown document of these sentences, `per_paragraph` to a paragraph."""
    paragraphs = [" ".join(sentences[i : i + per_paragraph]) for i in range(0, len(sentences), per_paragraph)]
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path
