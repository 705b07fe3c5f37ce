"""German→English with an installed argos package, run by CTranslate2 on the pipeline's own sentences.

Sentences are deduplicated, looked up in the translation cache, and the rest are sorted by length and
cut into token-bounded batches, so CTranslate2 always runs on full batches of similar-length inputs
(argostranslate's own `translate()` batches per paragraph). Each batch gets an output cap relative to
its source length.

Each translation comes with the decoder's log-probability per token (for the review's confidence
check). CTranslate2's `scores` with `return_scores=True` are the summed log-probabilities of the output
tokens and the end token, divided by length ** length_penalty; with argostranslate's length_penalty of
0.2 that is hardly normalised, so the sum is recovered (× length ** length_penalty) and divided by the
length: the mean log-probability per token, whatever the penalty. A sentence translated in pieces gets
the token-weighted mean of its pieces.

With a glossary (pipeline.glossary) a sentence with glossary terms is translated twice in the same
batches, with its terms masked and as it is; the masked translation is used when each placeholder came
through (pipeline.glossary) and the model is about as sure of it, else the plain one. Under beam search,
a masked sentence that failed is translated once more on its own before its plain translation is used:
in a batch, CTranslate2 4.8's beam search gives the first output token the attention of another
sentence of the batch (a fixture sentence's attention on its placeholder: 1.0 alone, 0.02 beside
another sentence, beam 2 or 4; greedy is right), so replace_unknowns copies the wrong source token
where a placeholder starts the translation. That happens with BPE packages; SentencePiece translations
start with "▁" before it, so their packages are never retried.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.budget import UNLIMITED, Budget
from pipeline.cache import TranslationCache, cache_key
from pipeline.config import EXECUTION_KEYS, ConfigError, TranslateConfig
from pipeline.document import VERBATIM_KINDS, Document, TargetSentence
from pipeline.glossary import RULES_VERSION as GLOSSARY_RULES
from pipeline.glossary import Glossary, Masked, placeholders
from pipeline.package import BrokenModelError, build_id, model_info
from pipeline.tokenizer import load_tokenizer
from pipeline.untranslatable import protect

if TYPE_CHECKING:
    from argostranslate.package import Package

# Longer inputs (a paragraph without punctuation) are translated in pieces of at most this many
# tokens, cut at word starts, and joined: never truncated.
MAX_INPUT_TOKENS = 200
# Sentences are tokenized, translated and cached this many at a time, so memory stays flat however long
# the input, and a run stopped midway keeps every finished slice in the cache. 1,000 sentences are a
# minute or more of the argos-sized model on 2 cores (bench/README.md) and a few MB of tokens.
SLICE_SENTENCES = 1_000
# Batches queued in CTranslate2 at a time, per worker: one running and one waiting keeps every worker
# busy, and what must finish after a stop is then about two batches per worker (a 256-token batch is
# ~10 sentences, 1–2 s on one core at the README's speeds). Re-check the cost with `make bench`:
# pipeline_vs_ct2 compares with CTranslate2 given every batch at once.
BATCHES_IN_FLIGHT_PER_WORKER = 2
# A masked sentence's translation is used only if the decoder's mean log-probability per token for it is
# at most this much below the plain translation's: a model that copies the placeholder may still be lost
# around it. Calibrated on the fixture (bench/review_model.py, glossary): the 11 demo sentences with the
# example glossary's terms, which it was taught masked, score within 0.001 of their plain translations;
# 12 with 7 terms it was not taught score 0.18 to 0.61 below, garbage (5 with the placeholder in it).
# A real package gives legitimate drops of its own (a <unk> costs it some certainty): re-check with
# `bench/review_model.py --package DIR --glossary FILE`.
GLOSSARY_MAX_CONFIDENCE_DROP = 0.1
_Piece = tuple[int, int, list[str]]


@dataclass(frozen=True)
class Translation:
    text: str
    log_prob: float  # the decoder's mean log-probability per output token (0 = sure)


class Translator:
    """One loaded package: its tokenizer, its CTranslate2 model, and optionally a cache.

    Decodes as argostranslate's `apply_packaged_translation` does (replace_unknowns, length_penalty,
    the package's target_prefix, beam = max(num_hypotheses, beam_size)), each a `[translate]` setting.
    """

    def __init__(
        self,
        package: Package,
        settings: TranslateConfig,
        cache: TranslationCache | None = None,
        glossary: Glossary | None = None,
        shortlist: Path | None = None,
        profile: str = "standard",
    ):
        """`shortlist`: a model directory with a verified vocabulary map (pipeline/shortlist.py) to
        translate with instead of the package's own; `profile` is only recorded."""
        self.path = Path(package.package_path)
        self.settings = settings
        self.cache = cache
        self.glossary = glossary
        self.shortlist = shortlist
        try:
            self.tokenizer = load_tokenizer(self.path, package.from_code, package.to_code)
        except Exception as exc:  # noqa: BLE001 — SentencePiece and BPE fail in many ways
            raise BrokenModelError(self.path, exc) from None
        prefix = getattr(package, "target_prefix", "") if settings.use_target_prefix else ""
        self.target_prefix = prefix or None
        decoding = {
            k: v
            for k, v in asdict(settings).items()
            if k not in (*EXECUTION_KEYS, "shortlist")  # a shortlist used is recorded below
        }
        self.info = model_info(package, decoding, shortlist=shortlist is not None, profile=profile)
        glossary_key = {"glossary": glossary.sha256, "glossary_rules": GLOSSARY_RULES} if glossary else {}
        # Only a translation with a shortlist gets a "shortlist" entry: earlier keys stay valid.
        used = {"shortlist": True} if shortlist is not None else {}
        self.cache_key = cache_key(
            {"package": self.info.package, "version": self.info.version, "prefix": prefix, **decoding, **used}
            | glossary_key
        )
        self._package = package
        if cache:
            cache.claim(self.cache_key, self.build)
        self.translated_count = 0  # sentences that went through the model (not from the cache)
        self.cache_hits = 0  # sentences the cache answered (pipeline.metrics)
        # Of those, the sentences with glossary terms: their terms came through / they fell back; and by
        # how much the model was less sure of each masked translation than of the plain one (per token).
        self.glossary_enforced = self.glossary_fallbacks = 0
        self.glossary_confidence_drops: list[float] = []

    @cached_property
    def build(self) -> str:
        """Which build of the package this is (package.build_id): read only where a cache or a briefing
        fingerprint needs it, never by a Ray actor."""
        return build_id(self._package)

    # The models load on first use: a re-run that finds everything done or cached never loads them.
    @cached_property
    def _ct2(self):
        import ctranslate2

        device = resolve_device(self.settings.device)
        try:
            return ctranslate2.Translator(
                str(self.shortlist or self.path / "model"),
                device=device,
                compute_type=self.settings.compute_type,
                inter_threads=workers(self.settings),
                intra_threads=self.settings.intra_threads,
            )
        except (RuntimeError, ValueError, OSError) as exc:  # "Unsupported model binary version", …
            raise BrokenModelError(self.path, exc) from None

    def translate(
        self,
        sentences: Sequence[str],
        budget: Budget = UNLIMITED,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """Translate sentences; each distinct one once, cached ones not at all. Order is kept.

        `budget` is checked after every batch; `progress(done, total)` counts distinct sentences.
        """
        return [t.text for t in self.translate_scored(sentences, budget, progress)]

    def translate_scored(
        self,
        sentences: Sequence[str],
        budget: Budget = UNLIMITED,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Translation]:
        """As translate(), each translation with its log-probability per token."""
        budget.check()
        unique = [s for s in dict.fromkeys(sentences) if s.strip()]
        cached = self.cache.get_many(self.cache_key, unique) if self.cache else {}
        done = {source: Translation(*entry) for source, entry in cached.items()}
        self.cache_hits += len(done)
        todo = [s for s in unique if s not in done]
        report = progress or (lambda done, total: None)
        report(len(unique) - len(todo), len(unique))
        for start in range(0, len(todo), SLICE_SENTENCES):
            part = todo[start : start + SLICE_SENTENCES]
            offset = len(unique) - len(todo) + start
            translated = self._translate_uncached(
                part, budget, lambda n, offset=offset: report(offset + n, len(unique))
            )
            fresh = dict(zip(part, translated, strict=True))
            if self.cache:
                self.cache.put_many(self.cache_key, [(s, t.text, t.log_prob) for s, t in fresh.items()])
            done.update(fresh)
        return [done.get(s, Translation("", 0.0)) for s in sentences]

    def _translate_uncached(
        self, texts: list[str], budget: Budget, progress: Callable[[int], None]
    ) -> list[Translation]:
        """`progress(n)`: n of `texts` are done."""
        self.translated_count += len(texts)
        protected = [protect(text, self.tokenizer) for text in texts]
        masked = [self.glossary.mask(p.text, self.tokenizer) if self.glossary else None for p in protected]
        # The model's inputs: every sentence as it is, then the masked ones; owner[j] is input j's sentence.
        inputs = [p.text for p in protected] + [m.text for m in masked if m]
        owner = list(range(len(texts))) + [i for i, m in enumerate(masked) if m]
        results = self._run_model(inputs, owner, budget, progress)
        masked_results = iter(results[len(texts) :])
        translations = []
        for p, m, plain in zip(protected, masked, results, strict=False):
            best = plain
            if m:
                with_terms = next(masked_results)
                self.glossary_confidence_drops.append(plain.log_prob - with_terms.log_prob)
                enforced = self._with_terms(m, with_terms, plain)
                if enforced is None and self._first_token_may_be_copied:
                    alone = self._run_model([m.text], [0], budget, lambda n: None)[0]
                    enforced = self._with_terms(m, alone, plain)
                best = enforced or plain
                self.glossary_enforced += enforced is not None
                self.glossary_fallbacks += enforced is None
            translations.append(Translation(p.restore(best.text), best.log_prob))
        return translations

    @cached_property
    def _first_token_may_be_copied(self) -> bool:
        """Whether CTranslate2's batched beam search can copy a translation's first token wrong (module
        docstring): under beam search, with a tokenizer that writes a placeholder starting a sentence as a
        token of its own (BPE). SentencePiece writes "▁" first, so its packages are never retried."""
        if max(self.settings.num_hypotheses, self.settings.beam_size) == 1:
            return False
        placeholder = next(placeholders(self.tokenizer))
        return self.tokenizer.encode_target([f"{placeholder} x"])[0][0] == placeholder

    @staticmethod
    def _with_terms(masked: Masked, translation: Translation, plain: Translation) -> Translation | None:
        """The masked sentence's translation with its terms restored, or None where the plain one is to
        be used: a placeholder lost, doubled or misplaced (Masked.restore), or the model much less sure
        of it than of the plain one (GLOSSARY_MAX_CONFIDENCE_DROP)."""
        if translation.log_prob < plain.log_prob - GLOSSARY_MAX_CONFIDENCE_DROP:
            return None
        restored = masked.restore(translation.text, plain.text)
        return Translation(restored, translation.log_prob) if restored is not None else None

    def _run_model(
        self, texts: list[str], owner: list[int], budget: Budget, progress: Callable[[int], None]
    ) -> list[Translation]:
        """Translate `texts`; `progress(n)`: n sentences are done, once all texts they own are."""
        # (input index, piece index, tokens): a long input comes back as several pieces.
        pieces = [
            (i, k, chunk)
            for i, tokens in enumerate(self.tokenizer.encode(texts))
            for k, chunk in enumerate(chunk_tokens(tokens, self.tokenizer.word_starts(tokens)))
        ]
        pieces.sort(key=lambda piece: len(piece[2]))
        piece_counts = [0] * len(texts)
        for i, _, _ in pieces:
            piece_counts[i] += 1
        inputs_left = [0] * (max(owner, default=-1) + 1)  # per sentence, its inputs not done yet
        for i in owner:
            inputs_left[i] += 1
        # Batches are queued asynchronously, a few per worker: with inter_threads > 1 CTranslate2's workers
        # each take the next batch, so they run side by side instead of one call at a time.
        in_flight: deque = deque()
        # per input, piece index → (English, summed log-probability, tokens)
        outputs: list[dict[int, tuple[str, float, int]]] = [{} for _ in texts]
        finished = 0

        def collect() -> None:
            nonlocal finished
            batch, results = in_flight.popleft()
            for (i, k, _), result in zip(batch, results, strict=True):
                outputs[i][k] = self._decode(result.result())
                if len(outputs[i]) == piece_counts[i]:
                    inputs_left[owner[i]] -= 1
                    finished += inputs_left[owner[i]] == 0
            progress(finished)
            budget.check()

        for batch in self._batches(pieces):
            in_flight.append((batch, self._translate_async(batch)))
            if len(in_flight) >= BATCHES_IN_FLIGHT_PER_WORKER * workers(self.settings):
                collect()
        while in_flight:
            collect()
        translations = []
        for parts in outputs:
            ordered = [parts[k] for k in sorted(parts)]
            tokens = sum(n for _, _, n in ordered)
            english = " ".join(text for text, _, _ in ordered)
            translations.append(Translation(english, sum(lp for _, lp, _ in ordered) / max(tokens, 1)))
        return translations

    def _translate_async(self, batch: list[_Piece]):
        s = self.settings
        return self._ct2.translate_batch(
            [tokens for _, _, tokens in batch],
            target_prefix=[[self.target_prefix]] * len(batch) if self.target_prefix else None,
            beam_size=max(s.num_hypotheses, s.beam_size),
            num_hypotheses=s.num_hypotheses,
            length_penalty=s.length_penalty,
            replace_unknowns=s.replace_unknowns,
            max_decoding_length=self._output_cap(batch),
            return_scores=True,
            use_vmap=self.shortlist is not None,
            asynchronous=True,
        )

    def _decode(self, result) -> tuple[str, float, int]:
        """The English of the best hypothesis, its summed log-probability and its length in tokens (the
        end token included, as CTranslate2 counts it; the module docstring says why)."""
        tokens = result.hypotheses[0]
        length = len(tokens) + 1
        log_prob = result.scores[0] * length**self.settings.length_penalty
        if self.target_prefix and tokens[:1] == [self.target_prefix]:
            tokens = tokens[1:]
        return self.tokenizer.decode(tokens), log_prob, length

    def _output_cap(self, batch: list[_Piece]) -> int:
        """Most tokens a translation in this batch may have: ratio × the longest (last) input + extra."""
        return int(self.settings.max_output_ratio * len(batch[-1][2])) + self.settings.max_output_extra

    def _batches(self, pieces: list[_Piece]) -> Iterator[list[_Piece]]:
        """Length-sorted pieces in batches of at most max_batch_tokens (padded) tokens."""
        batch: list[_Piece] = []
        for piece in pieces:
            if batch and len(piece[2]) * (len(batch) + 1) > self.settings.max_batch_tokens:
                yield batch
                batch = []
            batch.append(piece)
        if batch:
            yield batch


def resolve_device(device: str) -> str:
    """The CTranslate2 device for translate.device: "auto" is CUDA when CTranslate2 sees a GPU.

    Raises ConfigError for "cuda" on a machine where CTranslate2 sees none."""
    import ctranslate2

    gpus = ctranslate2.get_cuda_device_count()
    if device == "cuda" and not gpus:
        raise ConfigError('translate.device is "cuda", but CTranslate2 finds no CUDA device here')
    return "cuda" if device == "cuda" or (device == "auto" and gpus) else "cpu"


def workers(settings: TranslateConfig) -> int:
    """CTranslate2 workers (inter_threads) for these settings: 0 means one per available core."""
    return settings.inter_threads or available_cores()


def available_cores() -> int:
    """CPU cores this process may run on (its affinity mask, which taskset and cgroups cpusets narrow)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def chunk_tokens(tokens: list[str], word_starts: list[bool]) -> list[list[str]]:
    """Split a token sequence longer than MAX_INPUT_TOKENS at word starts."""
    if len(tokens) <= MAX_INPUT_TOKENS:
        return [tokens]
    chunks, current = [], []
    for token, starts_word in zip(tokens, word_starts, strict=True):
        if len(current) >= MAX_INPUT_TOKENS or (starts_word and len(current) >= MAX_INPUT_TOKENS * 3 // 4):
            chunks.append(current)
            current = []
        current.append(token)
    return chunks + [current] if current else chunks


def translate_documents(
    docs: Sequence[Document],
    translator: Translator,
    source_lang: str,
    budget: Budget = UNLIMITED,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Translate every source-language paragraph of these documents together.

    Paragraphs in any other language, formulas and code (VERBATIM_KINDS) are left untranslated
    (translation stays None). `budget` and `progress` as in Translator.translate.
    """
    paragraphs = [
        p
        for doc in docs
        if doc.needs_translation
        for p in doc.paragraphs
        if p.lang == source_lang and p.kind not in VERBATIM_KINDS
    ]
    sentences = [s for p in paragraphs for s in p.sentences]
    english = iter(translator.translate_scored([s.text for s in sentences], budget, progress))
    for paragraph in paragraphs:
        paragraph.translation = [
            TargetSentence(id=f"{s.id}.en", source_id=s.id, text=t.text, log_prob=t.log_prob)
            for s, t in ((s, next(english)) for s in paragraph.sentences)
        ]
    for doc in docs:
        if doc.needs_translation:
            doc.model = translator.info
