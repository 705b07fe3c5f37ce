"""The vectorised scorers (pipeline.scoring) pick exactly the sentences sumy 0.13's own summarizers picked,
on the demo corpus and the sample article, for every scored algorithm (lead, by position, did not
change), both modes and both kinds of length.

The oracle, tests/sumy_reference.py, is the pipeline's scoring code before it was vectorised: it calls
sumy's summarizer classes (quadratic in the sentences, so only ordinary documents are compared).
"""

from pathlib import Path

import pytest
from conftest import DEMO, SAMPLE_ARTICLE
from sumy_reference import SCORED, reference_scores

import pipeline.summarize as summarize
from pipeline.detect import LanguageDetector
from pipeline.steps import prepare
from pipeline.summarize import MODES, Length, summarize_document
from pipeline.translate import translate_documents

DOCUMENTS = [*sorted((DEMO / "de").glob("*.md")), SAMPLE_ARTICLE]
BENCH_SENTENCES = Path(__file__).resolve().parents[2] / "shared" / "bench" / "de-sentences.txt"


@pytest.fixture(scope="module")
def documents(config, translator):
    docs = [prepare(path, LanguageDetector(config.language.candidates), config) for path in DOCUMENTS]
    translate_documents(docs, translator, "de")
    return docs


def _picks(doc, algorithm, length, mode):
    summarize_document(doc, algorithm, Length.parse(length), mode)
    return [i.sentence_id for i in doc.summary.source], [i.sentence_id for i in doc.summary.target]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("length", ["3", "20%"])
@pytest.mark.parametrize("algorithm", SCORED)
def test_picks_are_sumys_on_the_demo_corpus_and_the_sample_article(
    documents, algorithm, length, mode, monkeypatch
):
    picks = [_picks(doc, algorithm, length, mode) for doc in documents]
    monkeypatch.setattr(
        summarize, "_scores", lambda texts, lang, algo, budget: reference_scores(texts, lang, algo)
    )
    expected = [_picks(doc, algorithm, length, mode) for doc in documents]
    assert picks == expected
    assert all(source and target for source, target in picks)


@pytest.mark.parametrize("algorithm", SCORED)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_scores_are_sumys_sentence_by_sentence(documents, algorithm, lang):
    for doc in documents:
        sentences = (
            [s.text for s in doc.sentences()] if lang == "de" else [t.text for t in doc.target_sentences()]
        )
        assert summarize._scores(sentences, lang, algorithm) == pytest.approx(
            reference_scores(sentences, lang, algorithm), abs=1e-9
        )


@pytest.mark.skipif(
    not BENCH_SENTENCES.exists(), reason="needs ../shared/bench/de-sentences.txt beside the repo"
)
@pytest.mark.parametrize("algorithm", SCORED)
def test_scores_are_sumys_on_a_document_of_400_news_sentences(algorithm):
    lines = BENCH_SENTENCES.read_text(encoding="utf-8").splitlines()
    sentences = list(dict.fromkeys(line.strip() for line in lines if line.strip()))[:400]
    assert summarize._scores(sentences, "de", algorithm) == pytest.approx(
        reference_scores(sentences, "de", algorithm), abs=1e-9
    )
