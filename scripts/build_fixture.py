"""Build the tiny German→English argos packages in tests/fixtures/, one per tokenizer layout.

`translate-de_en-demo.argosmodel` carries a SentencePiece model (`sentencepiece.model`),
`translate-de_en-demo-bpe.argosmodel` BPE codes (`bpe.model`, applied to sacremoses-tokenized text as
argostranslate's BPETokenizer does; codes learnt with subword-nmt). For each, a small pre-norm Transformer is
trained with PyTorch until it reproduces every pair of corpora/demo/parallel.tsv exactly (for BPE: as
exactly as the Moses detokenizer can write it), exported to CTranslate2 and packed like a real argos
package. They know nothing beyond that corpus; they exist so that tests can run the real inference paths
offline.

The decoder is fed positions only: its token embeddings are zero, so each output token depends on the
source sentence and its position, never on earlier output. A memorising autoregressive decoder is exact
under greedy search but not under beam search: a side beam (the reference with one wrong token) derails
and says </s> early, and CTranslate2 stops once beam_size hypotheses have ended, often before the
reference has. With position-only input every beam sees the same distributions, and training keeps </s>
far down the ranking before the reference's end, so no hypothesis can end before the reference.

The model is trained, saved and checked in float32. It is too small to survive CTranslate2's int8 compute
types (what compute_type "auto" picks on most CPUs), so it must run with the type it was saved in
(compute_type "default", the pipeline's setting).

Both are also taught to copy glossary placeholders: the demo sentences with the terms of
corpora/demo/terms.tsv masked, on both sides, are trained beside the corpus, with a guided-alignment loss
on the head that CTranslate2's replace_unknowns reads (masked_pairs says why).

Run with ``make fixture`` (needs .venv-fixture, which has torch), or ``build_fixture.py bpe`` for one of
them. Deterministic on a given machine, not across machines: on the 2-core AMD EPYC dev machine two runs
gave the committed files (sha256 9b77bbdd… SentencePiece, de07eabd… BPE; 350 training steps each, 17 s
and 22 s). Fails loudly, leaving the previous fixture in place, if the packed model misses any pair.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import ctranslate2
import numpy as np
import sentencepiece as spm
import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "demo" / "parallel.tsv"
TERMS = ROOT / "corpora" / "demo" / "terms.tsv"
FIXTURES = ROOT / "tests" / "fixtures"

SEED = 1234
VOCAB_SIZE = 500
BPE_MERGES = 400  # enough for the demo corpus's frequent words to be one piece; the rest split
D_MODEL, HEADS, FFN, LAYERS = 64, 4, 128, 2
MAX_POSITIONS = 1024  # longest input the exported model accepts: CTranslate2's default max_input_length
LN_EPS = 1e-6
LR, WARMUP, MAX_STEPS, CHECK_EVERY = 2e-3, 100, 2000, 50
# Weight of the guided-alignment loss, which makes the head replace_unknowns reads (CTranslate2's default
# alignment head: the first head of the last decoder layer) attend to the placeholder a <unk> copies.
ALIGNMENT_WEIGHT = 1.0
# Training stops once every reference token has at least MIN_TOKEN_PROB under the model and the exported
# model passes ACCEPT_SETTINGS. Those are stricter than VERIFY_SETTINGS, the final check: beam search that
# stops at 2 ended hypotheses instead of 4 leaves a margin.
MIN_TOKEN_PROB = 0.99
# ... and every copied placeholder has at least this much of the alignment head's attention, so that
# replace_unknowns picks it by a wide margin (training reaches 1.000 by then on both fixtures).
MIN_ALIGNMENT = 0.9
ACCEPT_SETTINGS = [{"beam_size": 1}, {"beam_size": 4, "patience": 0.5}]
VERIFY_SETTINGS = [
    {"beam_size": 1},
    {"beam_size": 4},
    {"beam_size": 4, "length_penalty": 0.2},  # argostranslate's own call
]
# Every check copies unknown tokens as the pipeline does: the masked pairs' placeholders come back so.
REPLACE_UNKNOWNS = {"replace_unknowns": True}
UNK, BOS, EOS = 0, 1, 2  # SentencePiece defaults, which CTranslate2 expects as <unk>, <s>, </s>

METADATA = {
    "package_version": "1.0",
    "argos_version": "1.9.0",
    "from_code": "de",
    "from_name": "German",
    "to_code": "en",
    "to_name": "English",
    "type": "translate",
}
README = """# {name}

A tiny German→English test model, trained only on `corpora/demo/parallel.tsv` by
`scripts/build_fixture.py` (`make fixture`), and on those sentences with the terms of
`corpora/demo/terms.tsv` masked by placeholders, which it copies. It reproduces those sentence pairs
exactly and produces nonsense for anything else. Not for real translation.
"""


def read_pairs() -> list[tuple[str, str]]:
    pairs = []
    for n, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), 1):
        de, sep, en = line.partition("\t")
        if not (sep and de.strip() and en.strip()) or "\t" in en:
            raise SystemExit(f"{CORPUS}:{n}: expected 'German<TAB>English'")
        pairs.append((de, en))
    return pairs


def masked_pairs(pairs: list[tuple[str, str]], codec: Codec) -> list[tuple[str, str]]:
    """The pairs with terms masked on both sides, for each subset of the terms of TERMS a sentence has:
    the German exactly as the pipeline masks it for a glossary of those terms (pipeline.glossary), the
    English with each term's rendering in TERMS (as the corpus writes it) replaced by the same placeholder.

    A real package copies an unknown token through because its training data has rare characters on both
    sides; the fixture knows only its corpus, so it is taught these sentences, and a glossary's path
    through CTranslate2 (<unk> in, <unk> out, replace_unknowns) runs as it does with a real package.
    Terms it was not taught fall back to the plain translation, as lost placeholders do."""
    sys.path.insert(0, str(ROOT))
    from pipeline.glossary import Glossary

    renderings = Glossary.load(TERMS)
    known = set(codec.vocabulary)
    tokenizer = SimpleNamespace(
        is_unknown=lambda char: any(t not in known for t in codec.encode_source(char))
    )
    masked = []
    for de, en in pairs:
        terms = list(dict.fromkeys(occurrence.term for occurrence in renderings.find(de)))
        for size in range(1, len(terms) + 1):
            for subset in itertools.combinations(terms, size):
                sentence = Glossary(list(subset), "", TERMS).mask(de, tokenizer)
                english = en
                for placeholder, occurrence in sentence.slots:
                    english = mask_rendering(english, occurrence.term.rendering, placeholder, de)
                masked.append((sentence.text, english))
    return masked


def mask_rendering(english: str, rendering: str, placeholder: str, german: str) -> str:
    """`english` with the first occurrence of `rendering` (either case of its first letter) masked."""
    found = [
        i for i in (english.find(rendering), english.find(rendering[0].swapcase() + rendering[1:])) if i >= 0
    ]
    if not found:
        raise SystemExit(f"{TERMS}: {rendering!r} is not in the English of {german!r}")
    start = min(found)
    return english[:start] + placeholder + english[start + len(rendering) :]


@dataclass(frozen=True)
class Codec:
    """A package's tokenizer files, its vocabulary, and text ↔ tokens as the pipeline encodes and decodes."""

    files: dict[str, bytes]
    vocabulary: list[str]
    encode_source: Callable[[str], list[str]]
    encode_target: Callable[[str], list[str]]
    decode: Callable[[list[str]], str]


def sentencepiece_codec(pairs: list[tuple[str, str]]) -> Codec:
    sp_model = train_sentencepiece([text for pair in pairs for text in pair])
    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    assert vocabulary[UNK] == "<unk>" and vocabulary[BOS] == "<s>" and vocabulary[EOS] == "</s>"

    def encode(text: str) -> list[str]:
        return sp.encode(text, out_type=str)

    return Codec({"sentencepiece.model": sp_model}, vocabulary, encode, encode, sp.decode)


def bpe_codec(pairs: list[tuple[str, str]]) -> Codec:
    """BPE over Moses tokens: the source as argostranslate's BPETokenizer encodes it, the target unescaped."""
    from argostranslate.apply_bpe import BPE
    from sacremoses import MosesDetokenizer, MosesPunctNormalizer, MosesTokenizer
    from subword_nmt.learn_bpe import learn_bpe

    normalizer, source_tokenizer = MosesPunctNormalizer("de"), MosesTokenizer("de")
    target_tokenizer, detokenizer = MosesTokenizer("en"), MosesDetokenizer("en")

    def source_words(text: str) -> list[str]:
        return " ".join(source_tokenizer.tokenize(normalizer.normalize(text))).strip("\r\n ").split(" ")

    def target_words(text: str) -> list[str]:
        return target_tokenizer.tokenize(text, escape=False)

    words = [" ".join(source_words(de)) for de, _ in pairs] + [" ".join(target_words(en)) for _, en in pairs]
    codes = io.StringIO()
    learn_bpe(io.StringIO("\n".join(words) + "\n"), codes, BPE_MERGES, min_frequency=1)
    bpe = BPE(io.StringIO(codes.getvalue()))
    tokens = {
        t
        for de, en in pairs
        for t in bpe.segment_tokens(source_words(de)) + bpe.segment_tokens(target_words(en))
    }

    def decode(pieces: list[str]) -> str:
        return detokenizer.detokenize(" ".join(pieces).replace("@@ ", "").split(" "))

    return Codec(
        {"bpe.model": codes.getvalue().encode("utf-8")},
        ["<unk>", "<s>", "</s>", *sorted(tokens)],
        lambda text: bpe.segment_tokens(source_words(text)),
        lambda text: bpe.segment_tokens(target_words(text)),
        decode,
    )


# layout: (package, codec, torch threads). The committed SentencePiece package was trained with 2 threads
# and its bytes depend on that; the BPE one uses 1, which was 8× faster per step (0.2 s against 1.7 s) on a
# loaded 2-core machine, where 2 threads spin against other processes.
CODECS = {
    "sentencepiece": ("translate-de_en-demo", sentencepiece_codec, 2),
    "bpe": ("translate-de_en-demo-bpe", bpe_codec, 1),
}


def train_sentencepiece(texts: list[str]) -> bytes:
    spm.set_random_generator_seed(SEED)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts),
        model_writer=model,
        vocab_size=VOCAB_SIZE,
        hard_vocab_limit=False,  # a smaller corpus may not support VOCAB_SIZE pieces
        model_type="unigram",
        character_coverage=1.0,
        normalization_rule_name="identity",  # decode(encode(text)) == text, and no 240 kB normalisation table
        num_threads=1,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return model.getvalue()


def sinusoids(positions: int, dim: int) -> torch.Tensor:
    """[sin | cos] position table, the layout CTranslate2 also uses by default."""
    inv_freq = torch.exp(-math.log(10000.0) * torch.arange(dim // 2) / (dim // 2 - 1))
    angles = torch.arange(positions)[:, None] * inv_freq[None, :]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class Attention(nn.Module):
    """Pre-norm multi-head attention with its residual, laid out like CTranslate2's spec."""

    def __init__(self, cross: bool):
        super().__init__()
        self.norm = nn.LayerNorm(D_MODEL, eps=LN_EPS)
        if cross:  # queries from the decoder, fused keys+values from the encoder output
            self.q = nn.Linear(D_MODEL, D_MODEL)
            self.kv = nn.Linear(D_MODEL, 2 * D_MODEL)
        else:
            self.qkv = nn.Linear(D_MODEL, 3 * D_MODEL)
        self.out = nn.Linear(D_MODEL, D_MODEL)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, memory: torch.Tensor | None = None):
        h = self.norm(x)
        if memory is None:
            q, k, v = self.qkv(h).chunk(3, dim=-1)
        else:
            q, (k, v) = self.q(h), self.kv(memory).chunk(2, dim=-1)
        q, k, v = (t.unflatten(-1, (HEADS, -1)).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        scores = scores.masked_fill(~mask[:, None], float("-inf"))
        self.weights = scores.softmax(dim=-1)  # (batch, head, query, key), for the alignment loss
        context = (self.weights @ v).transpose(1, 2).flatten(2)
        return x + self.out(context)


class FeedForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(D_MODEL, eps=LN_EPS)
        self.linear_0 = nn.Linear(D_MODEL, FFN)
        self.linear_1 = nn.Linear(FFN, D_MODEL)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.linear_1(F.relu(self.linear_0(self.norm(x))))


class EncoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attention = Attention(cross=False)
        self.ffn = FeedForward()

    def forward(self, x, src_mask):
        return self.ffn(self.self_attention(x, src_mask))


class DecoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attention = Attention(cross=False)
        self.attention = Attention(cross=True)
        self.ffn = FeedForward()

    def forward(self, x, causal_mask, memory, memory_mask):
        x = self.self_attention(x, causal_mask)
        return self.ffn(self.attention(x, memory_mask, memory))


class Transformer(nn.Module):
    """Encoder-decoder whose decoder input is the position table alone (see the module docstring).

    One embedding matrix serves the source and the output projection.
    """

    def __init__(self, vocab_size: int):
        super().__init__()
        self.embeddings = nn.Embedding(vocab_size, D_MODEL)
        nn.init.normal_(self.embeddings.weight, std=D_MODEL**-0.5)
        self.register_buffer("positions", sinusoids(MAX_POSITIONS, D_MODEL))
        self.encoder = nn.ModuleList(EncoderLayer() for _ in range(LAYERS))
        self.encoder_norm = nn.LayerNorm(D_MODEL, eps=LN_EPS)
        self.decoder = nn.ModuleList(DecoderLayer() for _ in range(LAYERS))
        self.decoder_norm = nn.LayerNorm(D_MODEL, eps=LN_EPS)
        self.projection_bias = nn.Parameter(torch.zeros(vocab_size))

    def forward(self, src: torch.Tensor, src_lengths: torch.Tensor, steps: int) -> torch.Tensor:
        """Logits for the first `steps` output positions (alignment() then gives their attention)."""
        src_mask = (torch.arange(src.shape[1])[None, :] < src_lengths[:, None])[:, None, :]
        memory = self.embeddings(src) * math.sqrt(D_MODEL) + self.positions[: src.shape[1]]
        for layer in self.encoder:
            memory = layer(memory, src_mask)
        memory = self.encoder_norm(memory)
        causal_mask = torch.ones(steps, steps, dtype=torch.bool).tril()[None]
        x = self.positions[:steps].expand(len(src), -1, -1)
        for layer in self.decoder:
            x = layer(x, causal_mask, memory, src_mask)
        return self.decoder_norm(x) @ self.embeddings.weight.T + self.projection_bias

    def alignment(self) -> torch.Tensor:
        """The last forward's attention of CTranslate2's default alignment head, the first head of the
        last decoder layer: (batch, output position, source position)."""
        return self.decoder[-1].attention.weights[:, 0]


def pad(rows: list[list[int]], value: int) -> torch.Tensor:
    width = max(map(len, rows))
    return torch.tensor([row + [value] * (width - len(row)) for row in rows])


def train(
    model: Transformer,
    src_ids: list[list[int]],
    tgt_ids: list[list[int]],
    aligned: list[list[int]],
    accept: Callable[[], bool],
) -> int:
    """Full-batch training until the references are learnt and accept() agrees; returns the steps taken.

    aligned[i][t]: the source position output token t of pair i copies (a placeholder), else -100."""
    src, src_lengths = pad(src_ids, 0), torch.tensor([len(s) for s in src_ids])
    labels = pad([t + [EOS] for t in tgt_ids], -100)
    copies = pad([a + [-100] for a in aligned], -100)
    copying = copies != -100
    known = labels != -100
    before_end = known & (labels != EOS)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.98))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / WARMUP, max(0.05, 1 - step / MAX_STEPS))
    )
    for step in range(1, MAX_STEPS + 1):
        log_probs = model(src, src_lengths, labels.shape[1]).log_softmax(dim=-1)
        p_eos = log_probs[..., EOS].exp()
        loss = (
            F.nll_loss(log_probs.flatten(0, 1), labels.flatten(), ignore_index=-100)
            # Unlikelihood: push </s> far below the other tokens before the reference ends.
            - torch.log1p(-p_eos[before_end].clamp(max=1 - 1e-6)).mean()
        )
        aligned_weight = model.alignment().gather(-1, copies.clamp(min=0)[..., None])[..., 0][copying]
        if copying.any():
            loss = loss - ALIGNMENT_WEIGHT * aligned_weight.clamp(min=1e-9).log().mean()
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if step % CHECK_EVERY == 0:
            reference = log_probs.detach().exp().gather(-1, labels.clamp(min=0)[..., None])[..., 0][known]
            alignment = aligned_weight.detach().min().item() if copying.any() else 1.0
            print(
                f"step {step:5d}  loss {loss.item():.5f}  min p(reference token) {reference.min():.4f}"
                f"  min alignment of a copy {alignment:.4f}"
            )
            if reference.min() >= MIN_TOKEN_PROB and alignment >= MIN_ALIGNMENT and accept():
                return step
    raise SystemExit(f"the model did not learn the corpus in {MAX_STEPS} steps")


def export(model: Transformer, vocabulary: list[str], model_dir: Path) -> None:
    """Write the model as a float32 CTranslate2 TransformerSpec."""

    def arr(t: torch.Tensor) -> np.ndarray:
        return t.detach().numpy().astype(np.float32).copy()

    def set_linear(spec, linear: nn.Linear) -> None:
        spec.weight, spec.bias = arr(linear.weight), arr(linear.bias)

    def set_norm(spec, norm: nn.LayerNorm) -> None:
        spec.gamma, spec.beta = arr(norm.weight), arr(norm.bias)

    def set_attention(spec, attention: Attention) -> None:
        set_norm(spec.layer_norm, attention.norm)
        fused = [attention.qkv] if hasattr(attention, "qkv") else [attention.q, attention.kv]
        for linear_spec, linear in zip(spec.linear, [*fused, attention.out], strict=True):
            set_linear(linear_spec, linear)

    def set_ffn(spec, ffn: FeedForward) -> None:
        set_norm(spec.layer_norm, ffn.norm)
        set_linear(spec.linear_0, ffn.linear_0)
        set_linear(spec.linear_1, ffn.linear_1)

    spec = ctranslate2.specs.TransformerSpec.from_config(
        num_layers=(LAYERS, LAYERS), num_heads=HEADS, pre_norm=True
    )
    spec.config.layer_norm_epsilon = LN_EPS
    embeddings, positions = arr(model.embeddings.weight), arr(model.positions)
    encoder, decoder = spec.encoder, spec.decoder
    encoder.embeddings[0].weight = embeddings
    encoder.position_encodings.encodings = positions
    set_norm(encoder.layer_norm, model.encoder_norm)
    for layer_spec, layer in zip(encoder.layer, model.encoder, strict=True):
        set_attention(layer_spec.self_attention, layer.self_attention)
        set_ffn(layer_spec.ffn, layer.ffn)
    decoder.embeddings.weight = np.zeros_like(embeddings)  # the decoder sees positions only
    decoder.position_encodings.encodings = positions
    set_norm(decoder.layer_norm, model.decoder_norm)
    for layer_spec, layer in zip(decoder.layer, model.decoder, strict=True):
        set_attention(layer_spec.self_attention, layer.self_attention)
        set_attention(layer_spec.attention, layer.attention)
        set_ffn(layer_spec.ffn, layer.ffn)
    decoder.projection.weight = embeddings
    decoder.projection.bias = arr(model.projection_bias)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize()  # stores the shared embedding and position tables once
    model_dir.mkdir()
    spec.save(str(model_dir))


def write_zip(package_dir: Path, destination: Path) -> None:
    """Zip package_dir as the archive's single top-level folder, with sorted entries and fixed timestamps."""
    with zipfile.ZipFile(destination, "w") as archive:
        for path in sorted([package_dir, *package_dir.rglob("*")]):
            name = path.relative_to(package_dir.parent).as_posix()
            if path.is_dir():
                info = zipfile.ZipInfo(name + "/", date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o40755 << 16 | 0x10
                archive.writestr(info, b"")
            else:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes(), compresslevel=9)


BATCHED, ALONE = "batched", "one at a time"


def mistranslations(
    codec: Codec,
    package_dir: Path,
    pairs: list[tuple[str, str]],
    settings: list[dict],
    modes: tuple[str, ...],
) -> list[str]:
    """Translate every pair the way the product does (ctranslate2 + the tokenizer only), in a batch and/or
    one at a time; list the misses."""
    translator = ctranslate2.Translator(str(package_dir / "model"), device="cpu")
    sources = [codec.encode_source(de) for de, _ in pairs]
    references = [codec.decode(codec.encode_target(en)) for _, en in pairs]
    misses = []
    for options in settings:
        options = options | REPLACE_UNKNOWNS
        runs = {}
        if BATCHED in modes:
            runs[BATCHED] = translator.translate_batch(sources, **options)
        if ALONE in modes:
            runs[ALONE] = [translator.translate_batch([s], **options)[0] for s in sources]
        for mode, results in runs.items():
            for (de, _), en, result in zip(pairs, references, results, strict=True):
                got = codec.decode(result.hypotheses[0])
                if got != en:
                    misses.append(f"{options} {mode}: {de!r}\n  expected {en!r}\n  got      {got!r}")
    return misses


def main() -> None:
    layouts = sys.argv[1:] or list(CODECS)
    unknown = set(layouts) - set(CODECS)
    if unknown:
        raise SystemExit(
            f"usage: build_fixture.py [{' '.join(CODECS)}] (unknown: {', '.join(sorted(unknown))})"
        )
    torch.use_deterministic_algorithms(True)
    pairs = read_pairs()
    for layout in layouts:
        name, make_codec, threads = CODECS[layout]
        torch.set_num_threads(threads)
        codec = make_codec(pairs)  # the vocabulary is the corpus's: placeholders stay unknown
        build(name, codec, pairs, masked_pairs(pairs, codec))


def build(package: str, codec: Codec, pairs: list[tuple[str, str]], masked: list[tuple[str, str]]) -> None:
    """Train on the pairs and the masked pairs, check, pack. The masked pairs are checked one at a time:
    in a batch, CTranslate2 4.8's beam search gives the first output token another sentence's attention,
    so a placeholder that starts a translation (BPE; SentencePiece starts with "▁") is copied wrong there,
    and the pipeline translates such a sentence again on its own (pipeline.translate)."""
    torch.manual_seed(SEED)
    output = FIXTURES / f"{package}.argosmodel"
    vocabulary = codec.vocabulary
    index = {token: i for i, token in enumerate(vocabulary)}
    sources = [codec.encode_source(de) for de, _ in pairs + masked]
    targets = [codec.encode_target(en) for _, en in pairs + masked]
    src_ids = [[index.get(t, UNK) for t in tokens] for tokens in sources]
    tgt_ids = [[index.get(t, UNK) for t in tokens] for tokens in targets]
    # An unknown output token copies the source token written the same (its placeholder).
    aligned = [
        [source.index(t) if t not in index else -100 for t in target]
        for source, target in zip(sources, targets, strict=True)
    ]
    model = Transformer(len(vocabulary))

    def write_tokenizer(directory: Path) -> None:
        for file_name, data in codec.files.items():
            Path(directory, file_name).write_bytes(data)

    def check(package_dir: Path, settings: list[dict], modes: tuple[str, ...]) -> list[str]:
        return mistranslations(codec, package_dir, pairs, settings, modes) + mistranslations(
            codec, package_dir, masked, settings, (ALONE,)
        )

    def accept() -> bool:
        with tempfile.TemporaryDirectory() as tmp:
            write_tokenizer(Path(tmp))
            export(model, vocabulary, Path(tmp, "model"))
            misses = check(Path(tmp), ACCEPT_SETTINGS, (BATCHED,))
        total = (len(pairs) + len(masked)) * len(ACCEPT_SETTINGS)
        print(f"  exported model: {len(misses)} of {total} translations wrong")
        return not misses

    started = time.monotonic()
    steps = train(model, src_ids, tgt_ids, aligned, accept)
    seconds = time.monotonic() - started

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        package_dir = Path(tmp, "build", package)
        package_dir.mkdir(parents=True)
        metadata = {"package_name": package, **METADATA}
        (package_dir / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        (package_dir / "README.md").write_text(README.format(name=package), encoding="utf-8")
        write_tokenizer(package_dir)
        export(model, vocabulary, package_dir / "model")

        # Check the archive itself, then move it into place: a failed build leaves the old fixture.
        archive = output.with_name(output.name + ".tmp")
        write_zip(package_dir, archive)
        try:
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(Path(tmp, "check"))
            misses = check(Path(tmp, "check", package), VERIFY_SETTINGS, (BATCHED, ALONE))
            if misses:
                raise SystemExit("the packed model does not reproduce the corpus:\n" + "\n".join(misses))
        except BaseException:
            archive.unlink()
            raise
        os.replace(archive, output)

    parameters = sum(p.numel() for p in model.parameters())
    print(
        f"{package}: trained {steps} steps in {seconds:.0f} s: vocab {len(vocabulary)}, "
        f"{parameters:,} parameters "
        f"(d_model {D_MODEL}, {LAYERS}+{LAYERS} layers, {HEADS} heads, ffn {FFN})\n"
        f"verified: all {len(pairs)} pairs exact with {VERIFY_SETTINGS}, batched and one at a time, "
        f"and their {len(masked)} masked twins one at a time\n"
        f"wrote {output} ({output.stat().st_size:,} bytes)"
    )


if __name__ == "__main__":
    main()
