import subprocess
import sys
from pathlib import Path

from conftest import SAMPLE_ARTICLE

from pipeline.detect import LanguageDetector, LanguageGuess, detect_document, paragraph_language
from pipeline.document import Document
from pipeline.reader import parse_paragraphs, read_document


def detected(text: str) -> Document:
    doc = Document(path=Path("x.md"), sha256="", paragraphs=parse_paragraphs(text))
    detect_document(doc, LanguageDetector())
    return doc


def test_sample_article_is_german_throughout():
    doc = read_document(SAMPLE_ARTICLE)
    detect_document(doc, LanguageDetector())
    assert doc.lang == "de" and doc.lang_confidence > 0.9
    assert {p.lang for p in doc.paragraphs} == {"de"}


def test_short_headings_and_credits_inherit_document_language():
    body = (
        "Der Stadtrat hat am Montag den Haushalt für das kommende Jahr beschlossen und mehr Geld bewilligt."
    )
    doc = detected(
        f"Ciao a tutti\n\n{body}\n\nFoto: John Smith/Reuters via Getty Images\n\nAgenda 2030\n\n{body}"
    )
    assert doc.lang == "de"
    assert [p.lang for p in doc.paragraphs] == ["de"] * 5


def test_english_paragraph_in_german_document_is_recognised():
    german = (
        "Der Stadtrat hat am Montag den Haushalt für das kommende Jahr beschlossen und mehr Geld bewilligt."
    )
    doc = detected(
        f"{german}\n\n{german}\n\nThe city council approved the budget on Monday and promised more "
        "money for schools and buses."
    )
    assert doc.lang == "de"
    assert [p.lang for p in doc.paragraphs] == ["de", "de", "en"]


def test_detection_is_deterministic():
    text = "Kurz und knapp: ja."
    assert {LanguageDetector().detect(text) for _ in range(5)} == {LanguageDetector().detect(text)}


def test_candidates_restrict_the_answer():
    assert LanguageDetector(candidates=("de", "en")).detect("Ciao a tutti, come state oggi?").lang in {
        "de",
        "en",
    }


def test_names_do_not_override_the_document_language():
    detector = LanguageDetector()
    # langdetect alone is sure these are German (Dutch): the names outweigh the English words
    for heading in ("Strike at Deutsche Bahn", "Angela Merkel visits Washington"):
        assert detector.detect(heading, prior="en").lang != "en"
        assert paragraph_language(heading, "heading", "en", detector).lang == "en"
    # the same words without names in another language's document: still strong evidence
    english = paragraph_language("What the new rules mean for tenants", "heading", "de", detector)
    assert english.lang == "en" and english.confidence >= 0.95


def test_paragraph_language_on_its_own():
    detector = LanguageDetector(("de", "en"))
    long = "The city council approved the budget on Monday and promised more money for schools."
    assert paragraph_language(long, "body", "de", detector).lang == "en"  # judged without the prior
    assert paragraph_language("Ciao a tutti", "heading", "de", detector).lang == "de"
    assert paragraph_language("3:1 (1:0)", "heading", "de", detector) == LanguageGuess("de", 0.0)
    assert paragraph_language("3:1 (1:0)", "heading", None, detector) is None
    assert paragraph_language("Foto: John Smith/Reuters", "caption", "de", detector).lang == "de"


def test_two_words_alone_get_their_language():
    # langdetect alone: "gelingt diese" → nl, "sollte keine" → fi, "person nicht" → it
    detector = LanguageDetector(("de", "en", "fr", "nl", "es", "it", "pt", "da", "sv", "no", "fi", "pl"))
    for text, lang in [
        ("gelingt diese", "de"),
        ("sollte keine", "de"),
        ("person nicht", "de"),
        ("questa crisi", "it"),
    ]:
        assert detected_alone(text, detector) == lang, text


def test_short_lines_still_keep_a_document_prior():
    detector = LanguageDetector(("de", "en", "fr", "it"))
    assert paragraph_language("Ciao a tutti", "heading", "de", detector).lang == "de"
    assert paragraph_language("What the new rules mean for tenants", "heading", "de", detector).lang == "en"


def detected_alone(text: str, detector: LanguageDetector) -> str | None:
    doc = Document(path=Path("x.txt"), sha256="", paragraphs=parse_paragraphs(text))
    detect_document(doc, detector)
    return doc.paragraphs[0].lang


def test_the_short_text_models_load_only_when_a_short_line_is_detected():
    # `pipeline --help` and every import of the library stay as fast as before.
    code = (
        "import sys, pipeline.cli, pipeline.detect; print(sorted({'py3langid', 'numpy'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- the short-text model's cache (pipeline/shortlang.py) ------------------------------------------------


def fresh_word_list(lang: str):
    from pipeline import shortlang

    shortlang._word_list.cache_clear()
    return shortlang._word_list(lang)


def test_word_lists_are_unpacked_once_and_a_damaged_one_is_rebuilt(tmp_path, monkeypatch, caplog):
    from importlib import metadata

    from pipeline import shortlang

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    count = fresh_word_list("en").count("the")
    assert count > 1000 and fresh_word_list("en").count("qzxv") == 0
    (folder,) = (tmp_path / "pipeline" / "shortlang").iterdir()
    # another version of the package unpacks into a folder of its own
    assert folder.name.startswith(f"pyspellchecker-{metadata.version('pyspellchecker')}-")
    assert sorted(p.name for p in folder.iterdir()) == [
        "counts.npy", "manifest.json", "offsets.npy", "text.npy", "total.npy"
    ]  # fmt: skip
    text = folder / "text.npy"
    text.write_bytes(text.read_bytes()[: text.stat().st_size // 2])  # a disk that filled up mid-copy
    assert fresh_word_list("en").count("the") == count
    assert "damaged" in caplog.text and shortlang._load(folder) is not None
    shortlang._word_list.cache_clear()


def test_an_unwritable_cache_still_gives_the_language(tmp_path, monkeypatch, caplog):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert fresh_word_list("en").count("the") > 1000
    assert "cannot be written" in caplog.text
    from pipeline import shortlang

    shortlang._word_list.cache_clear()


def test_a_rerun_with_nothing_to_do_never_loads_the_short_text_model(tmp_path, installed_model):
    # A cron job over an unchanged folder skips every document before detection.
    demo = Path(__file__).resolve().parents[1] / "corpora" / "demo" / "de"
    code = (
        "import sys, pathlib; from pipeline.config import load_config; from pipeline.run import run; "
        f"report = run([pathlib.Path({str(demo)!r})], pathlib.Path({str(tmp_path / 'out')!r}), "
        "load_config()); "
        "print({r.status for r in report.results}, 'pipeline.shortlang' in sys.modules)"
    )
    first, rerun = (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True) for _ in "12"
    )
    assert first.stdout.strip() == "{'ok'} True", first.stderr
    assert rerun.stdout.strip() == "{'skipped'} False", rerun.stderr
