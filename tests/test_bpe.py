"""BPE packages (bpe.model: sacremoses tokens + BPE codes) through the same Translator as SentencePiece."""

import pytest
from conftest import demo_pairs

from pipeline.translate import MAX_INPUT_TOKENS, Translator, chunk_tokens


@pytest.fixture(scope="module")
def bpe_translator(bpe_model, config):
    return Translator(bpe_model, config.translate)


def moses_written(english: str) -> str:
    """The reference as a BPE package can write it: Moses-detokenized (it spaces “…,” and "/" its own way)."""
    from sacremoses import MosesDetokenizer, MosesTokenizer

    return MosesDetokenizer("en").detokenize(MosesTokenizer("en").tokenize(english, escape=False))


def test_bpe_fixture_reproduces_demo_corpus(bpe_translator):
    pairs = demo_pairs()
    english = bpe_translator.translate([de for de, _ in pairs])
    assert english == [moses_written(en) for _, en in pairs]
    assert sum(e == en for e, (_, en) in zip(english, pairs, strict=True)) >= len(pairs) - 3


def test_bpe_package_is_read_with_its_own_tokenizer(bpe_translator):
    from pipeline.tokenizer import BPETokenizer

    assert isinstance(bpe_translator.tokenizer, BPETokenizer)
    [tokens] = bpe_translator.tokenizer.encode(["Der Stadtrat beschließt neuen Haushalt, sagt er."])
    # Moses tokens (the comma and the full stop split off), in BPE pieces joined by "@@ ".
    assert " ".join(tokens).replace("@@ ", "") == "Der Stadtrat beschließt neuen Haushalt , sagt er ."


def test_long_bpe_input_is_cut_at_word_starts(bpe_translator):
    words = " ".join(de.rstrip(".") for de, _ in demo_pairs()) * 5
    [tokens] = bpe_translator.tokenizer.encode([words])
    pieces = chunk_tokens(tokens, bpe_translator.tokenizer.word_starts(tokens))
    assert len(pieces) > 5 and all(len(p) <= MAX_INPUT_TOKENS for p in pieces)
    assert [t for p in pieces for t in p] == tokens
    assert all(not before[-1].endswith("@@") for before in pieces[:-1])  # no word split across pieces
    assert bpe_translator.translate([words])[0].strip()


def test_unknown_characters_with_bpe(bpe_translator):
    german = "Der Stadtrat 😀 hat am Montag den Haushalt für das Jahr 2024 beschlossen."
    [english] = bpe_translator.translate([german])
    assert "for the year 2024" in english and "😀" in english
