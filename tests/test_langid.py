"""Language of headings, credits, one-liners and longer lines in context: tests/data/langid.tsv.

Each row is `lang<TAB>text<TAB>doc_lang`. The line goes through the pipeline's own detection with the
default candidate languages: as the last paragraph of a document whose body is in `doc_lang`, or, with an
empty `doc_lang`, as a document of its own.
"""

import sys
from pathlib import Path

import pytest
from conftest import ROOT

from pipeline.detect import LanguageDetector, detect_document
from pipeline.document import Document, Paragraph
from pipeline.reader import parse_paragraphs

GOLD = ROOT / "tests" / "data" / "langid.tsv"
# Two body paragraphs that set the document language: together longer than any line of the gold set, so
# the line never changes the document language.
CONTEXT = {
    "de": "Der Stadtrat hat am Montag den Haushalt für das kommende Jahr beschlossen. Die Stadt will mehr "
    "Geld für Schulen, Kindergärten und den Nahverkehr ausgeben als im Vorjahr.\n\nDie Opposition "
    "kritisierte den Plan, weil die Schulden der Stadt weiter steigen und wichtige Projekte erneut "
    "verschoben worden sind.",
    "en": "The city council approved the budget for the coming year on Monday. The city plans to spend "
    "more money on schools, kindergartens and public transport than in the previous year.\n\nThe "
    "opposition criticised the plan because the city's debt will continue to rise and important "
    "projects have been postponed once again.",
}


def gold() -> list[tuple[str, str, str]]:
    return [tuple(line.split("\t")) for line in GOLD.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def detector(config) -> LanguageDetector:
    return LanguageDetector(config.language.candidates)


def in_context(text: str, doc_lang: str, detector: LanguageDetector) -> Paragraph:
    context = CONTEXT[doc_lang] + "\n\n" if doc_lang else ""
    doc = Document(path=Path("line.md"), sha256="", paragraphs=parse_paragraphs(context + text))
    detect_document(doc, detector)
    assert len(doc.paragraphs) == context.count("\n\n") + 1, f"{text!r} is not one paragraph"
    assert doc.lang == (doc_lang or doc.paragraphs[-1].lang)
    return doc.paragraphs[-1]


def test_gold_set():
    rows = gold()
    assert len(rows) >= 60 and all(len(row) == 3 for row in rows)
    assert sum(len(text) < 50 for _, text, _ in rows) >= len(rows) / 2
    assert {lang for lang, _, _ in rows} == {"de", "en", "fr", "nl", "es"}
    assert {doc_lang for _, _, doc_lang in rows} == {"de", "en", ""}
    assert len(set(rows)) == len(rows)


def test_every_line_gets_its_language(detector):
    rows = gold()
    wrong = []
    for lang, text, doc_lang in rows:
        paragraph = in_context(text, doc_lang, detector)
        assert 0 <= paragraph.lang_confidence <= 1
        if paragraph.lang != lang:
            where = f"in a {doc_lang} document" if doc_lang else "alone"
            wrong.append(f"{text!r} {where} ({paragraph.kind}): {paragraph.lang}, expected {lang}")
    correct = len(rows) - len(wrong)
    assert not wrong, f"accuracy {correct / len(rows):.1%} ({correct}/{len(rows)}):\n" + "\n".join(wrong)


# --- the real gold in ../shared/real/langid, check half (bench/real_split.toml) ---------------------------

sys.path.insert(0, str(ROOT / "bench"))
import linguistic  # noqa: E402  (bench/linguistic.py: the gold reader and the pipeline's detection)

# Each line a document of its own with the default candidates; the short-text model (pipeline/shortlang.py)
# was calibrated on the calibration half; `make bench-linguistic` prints both halves and lingua beside.
REAL_TARGETS = {"sentences": 129 / 130, "word-pairs": 0.92}


@pytest.mark.parametrize("kind", REAL_TARGETS)
def test_real_gold_check_half(kind, config):
    if not linguistic.LANGID_FILE.is_file():
        pytest.skip(f"{linguistic.LANGID_FILE} is absent (the shared real gold is not here)")
    lines = linguistic.langid_gold()[kind]["check"]
    detect = linguistic.pipeline_langid(config.language.candidates)
    wrong = [f"{text!r}: {got}, expected {lang}" for lang, text in lines if (got := detect(text)) != lang]
    assert 1 - len(wrong) / len(lines) >= REAL_TARGETS[kind], "\n".join(wrong)
