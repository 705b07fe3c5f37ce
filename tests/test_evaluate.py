"""BLEU and chrF against reference translations: the demo references, an edited copy, briefings."""

import shutil
from pathlib import Path

import pytest
from conftest import DEMO, ROOT
from sacrebleu.metrics import BLEU, CHRF

from pipeline.evaluate import EvalError, evaluate, format_table, report_json
from pipeline.reader import read_document
from pipeline.run import run

DATA = ROOT / "tests" / "data" / "eval"
EDITED = DATA / "edited"  # the demo references with a few words changed in stadtrat and wetter
REFERENCES = DEMO / "en"
NAMES = ["forschung", "stadtrat", "wetter"]


def scores(report) -> dict[str, tuple[float, float]]:
    return {d.name: (round(d.bleu, 2), round(d.chrf, 2)) for d in report.documents}


def test_identical_translation_scores_100():
    report = evaluate(REFERENCES, REFERENCES)
    assert scores(report) == dict.fromkeys(NAMES, (100.0, 100.0))
    assert (round(report.bleu, 2), round(report.chrf, 2)) == (100.0, 100.0)
    assert [d.segments for d in report.documents] == [6, 7, 6] and report.segments == 19


def test_changed_words_lower_the_scores():
    report = evaluate(EDITED, REFERENCES)
    assert scores(report)["forschung"] == (100.0, 100.0)
    for name in ("stadtrat", "wetter"):
        bleu, chrf = scores(report)[name]
        assert 50 < bleu < 100 and 50 < chrf < 100
        assert bleu < chrf  # a changed word costs all the n-grams it is in, its characters less so
    assert 50 < report.bleu < 100 and 50 < report.chrf < 100


def test_corpus_scores_come_from_all_segments_not_the_average():
    report = evaluate(EDITED, REFERENCES)
    hyp, ref = (
        [p.text for n in NAMES for p in read_document(d / f"{n}.md").paragraphs] for d in (EDITED, REFERENCES)
    )
    assert report.bleu == BLEU().corpus_score(hyp, [ref]).score
    assert report.chrf == CHRF().corpus_score(hyp, [ref]).score
    assert report.bleu != pytest.approx(sum(d.bleu for d in report.documents) / 3, abs=0.01)


def test_single_files_and_nested_directories(tmp_path):
    alone = evaluate(EDITED / "stadtrat.md", REFERENCES / "stadtrat.md")
    assert scores(alone) == {"stadtrat": scores(evaluate(EDITED, REFERENCES))["stadtrat"]}
    for side, source in (("hyp", EDITED), ("ref", REFERENCES)):
        shutil.copytree(source, tmp_path / side / "demo")
    assert [d.name for d in evaluate(tmp_path / "hyp", tmp_path / "ref").documents] == [
        f"demo--{name}" for name in NAMES
    ]


def test_briefing_json_as_hypothesis():
    # p3 is an English quote in the German document: not translated, so its source text is compared
    report = evaluate(DATA / "mixed.json", DATA / "mixed.md")
    assert report.segments == 3 and scores(report) == {"mixed": (100.0, 100.0)}


def test_pipeline_run_output_as_hypothesis(tmp_path, config, translator):
    # a run's directory: briefing JSON files, their .md/.html renderings, an index and a hidden manifest
    run([DEMO / "de"], tmp_path, config, translator=translator)
    report = evaluate(tmp_path, REFERENCES)
    assert [d.hyp.name for d in report.documents] == [f"{name}.json" for name in NAMES]
    assert [d.segments for d in report.documents] == [6, 7, 6]
    for document in report.documents:
        assert scores(evaluate(document.hyp, document.ref)) == {document.name: scores(report)[document.name]}
    assert report.chrf > 90  # the fixture model was trained on the demo corpus


def test_report_as_json_and_table():
    report = evaluate(EDITED, REFERENCES)
    data = report_json(report)
    assert [d["name"] for d in data["documents"]] == NAMES
    assert data["documents"][1] == {
        "name": "stadtrat",
        "hyp": str(EDITED / "stadtrat.md"),
        "ref": str(REFERENCES / "stadtrat.md"),
        "segments": 7,
        "bleu": round(report.documents[1].bleu, 2),
        "chrf": round(report.documents[1].chrf, 2),
    }
    assert data["corpus"] == {"segments": 19, "bleu": round(report.bleu, 2), "chrf": round(report.chrf, 2)}
    assert "tok:13a" in data["signatures"]["bleu"] and "nc:6" in data["signatures"]["chrf"]
    lines = format_table(report).splitlines()
    assert lines[0].split() == ["document", "segments", "BLEU", "chrF"]
    assert lines[1].split() == ["forschung", "6", "100.00", "100.00"]
    assert lines[-1].split() == ["corpus", "19", f"{report.bleu:.2f}", f"{report.chrf:.2f}"]


def copy_of(directory: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(directory, tmp_path / directory.name))


def test_paragraph_counts_must_match(tmp_path):
    hyp = copy_of(EDITED, tmp_path)
    text = (hyp / "wetter.md").read_text(encoding="utf-8")
    (hyp / "wetter.md").write_text(text.replace("\n\nCooler than last year", ""), encoding="utf-8")
    with pytest.raises(EvalError, match=r"wetter\.md has 5 paragraphs but its reference .*wetter\.md has 6"):
        evaluate(hyp, REFERENCES)


def test_every_document_needs_a_partner(tmp_path):
    hyp = copy_of(EDITED, tmp_path)
    (hyp / "extra.txt").write_text("An extra document.", encoding="utf-8")
    with pytest.raises(EvalError, match=r"no reference for the hypothesis .*extra\.txt"):
        evaluate(hyp, REFERENCES)
    (hyp / "extra.txt").unlink()
    (hyp / "wetter.md").unlink()
    with pytest.raises(EvalError, match=r"no hypothesis for the reference .*en/wetter\.md"):
        evaluate(hyp, REFERENCES)


@pytest.mark.parametrize(
    ("hyp", "ref", "message"),
    [
        (EDITED, REFERENCES / "wetter.md", "two files or two directories"),
        (EDITED / "nope.md", REFERENCES / "wetter.md", r"nope\.md: no such file"),
        (DATA / "mixed.md", DATA / "mixed.json", r"mixed\.json: unsupported file type"),
    ],
)
def test_unusable_inputs(hyp, ref, message):
    with pytest.raises(EvalError, match=message):
        evaluate(hyp, ref)


def test_unreadable_documents(tmp_path):
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"schema": "manifest/1"}', encoding="utf-8")
    with pytest.raises(EvalError, match=r"empty\.md: the file is empty"):
        evaluate(tmp_path / "empty.md", DATA / "mixed.md")
    for name in ("list.json", "other.json"):
        with pytest.raises(EvalError, match=rf"{name}: cannot read the briefing"):
            evaluate(tmp_path / name, DATA / "mixed.md")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(ValueError, match="no documents to compare"):  # EvalError is a ValueError
        evaluate(tmp_path / "a", tmp_path / "b")
