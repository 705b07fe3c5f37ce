"""The two subword layouts of argos packages, encoding and decoding as argostranslate's tokenizers do.

A package carries either `sentencepiece.model` (SentencePiece pieces) or `bpe.model` (BPE codes applied to
sacremoses-tokenized text, joined again by the Moses detokenizer), argostranslate's `SentencePieceTokenizer`
and `BPETokenizer`. Decoding differs from argostranslate in one place on purpose: its SentencePiece decoder
turns every "_" of the translation into a space, which damages e-mail addresses, file names and code.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

SENTENCEPIECE_FILE, BPE_FILE = "sentencepiece.model", "bpe.model"
_SP_WORD_START = "▁"  # SentencePiece marks the first piece of a word with U+2581
_BPE_JOINER = "@@"  # a BPE piece that ends with "@@" continues into the next piece


class Tokenizer:
    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        raise NotImplementedError

    def decode(self, tokens: list[str]) -> str:
        raise NotImplementedError

    def encode_target(self, texts: Sequence[str]) -> list[list[str]]:
        """Translations in the target vocabulary's tokens (what the model would have produced)."""
        raise NotImplementedError

    def word_starts(self, tokens: list[str]) -> list[bool]:
        """For each token, whether a word starts there (where a long input may be cut)."""
        raise NotImplementedError

    def is_unknown(self, char: str) -> bool:
        """Whether the model's vocabulary has no piece for this character."""
        raise NotImplementedError


class SentencePieceTokenizer(Tokenizer):
    def __init__(self, model_file: Path):
        self.model_file = model_file

    @cached_property
    def _sp(self):
        import sentencepiece

        return sentencepiece.SentencePieceProcessor(model_file=str(self.model_file))

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return self._sp.encode(list(texts), out_type=str)

    def decode(self, tokens: list[str]) -> str:
        return self._sp.decode(tokens)

    def encode_target(self, texts: Sequence[str]) -> list[list[str]]:
        return self.encode(texts)  # argos packages have one SentencePiece model for both sides

    def word_starts(self, tokens: list[str]) -> list[bool]:
        return [token.startswith(_SP_WORD_START) for token in tokens]

    def is_unknown(self, char: str) -> bool:
        return self._sp.unk_id() in self._sp.encode(char)


class BPETokenizer(Tokenizer):
    """sacremoses (imported only when a BPE package is used) and argostranslate's own BPE code."""

    def __init__(self, model_file: Path, from_code: str, to_code: str, model_dir: Path):
        self.model_file = model_file
        self.from_code, self.to_code = from_code, to_code
        self.model_dir = model_dir

    @cached_property
    def _vocabulary(self) -> frozenset[str]:
        return source_vocabulary(self.model_dir)

    @cached_property
    def _moses(self):
        from sacremoses import MosesDetokenizer, MosesPunctNormalizer, MosesTokenizer

        return (
            MosesPunctNormalizer(self.from_code),
            MosesTokenizer(self.from_code),
            MosesDetokenizer(self.to_code),
        )

    @cached_property
    def _bpe(self):
        from argostranslate.apply_bpe import BPE

        with open(self.model_file, encoding="utf-8") as codes:
            return BPE(codes)

    @cached_property
    def _target_moses(self):
        from sacremoses import MosesPunctNormalizer, MosesTokenizer

        return MosesPunctNormalizer(self.to_code), MosesTokenizer(self.to_code)

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return self._segment(texts, *self._moses[:2])

    def encode_target(self, texts: Sequence[str]) -> list[list[str]]:
        return self._segment(texts, *self._target_moses)

    def _segment(self, texts: Sequence[str], normalizer, tokenizer) -> list[list[str]]:
        return [
            self._bpe.segment_tokens(
                " ".join(tokenizer.tokenize(normalizer.normalize(text))).strip("\r\n ").split(" ")
            )
            for text in texts
        ]

    def decode(self, tokens: list[str]) -> str:
        return self._moses[2].detokenize(" ".join(tokens).replace(f"{_BPE_JOINER} ", "").split(" "))

    def word_starts(self, tokens: list[str]) -> list[bool]:
        return [i == 0 or not tokens[i - 1].endswith(_BPE_JOINER) for i in range(len(tokens))]

    def is_unknown(self, char: str) -> bool:
        return char not in self._vocabulary and f"{char}{_BPE_JOINER}" not in self._vocabulary


def load_tokenizer(package_dir: Path, from_code: str, to_code: str) -> Tokenizer:
    """The package's tokenizer: SentencePiece when it has both, as argostranslate chooses."""
    if (package_dir / SENTENCEPIECE_FILE).is_file():
        return SentencePieceTokenizer(package_dir / SENTENCEPIECE_FILE)
    return BPETokenizer(package_dir / BPE_FILE, from_code, to_code, package_dir / "model")


def source_vocabulary(model_dir: Path) -> frozenset[str]:
    """The tokens of a CTranslate2 model's source vocabulary."""
    return frozenset(vocabulary(model_dir, "source"))


def vocabulary(model_dir: Path, side: str) -> list[str]:
    """A CTranslate2 model's `side` ("source" or "target") vocabulary, in its order (JSON list or one
    token per line); OpenNMT, which trained the argos models, orders it by training frequency."""
    import json

    for name in (f"{side}_vocabulary", "shared_vocabulary"):
        for suffix, parse in ((".json", json.loads), (".txt", str.splitlines)):
            path = model_dir / f"{name}{suffix}"
            if path.is_file():
                return list(parse(path.read_text(encoding="utf-8")))
    return []
