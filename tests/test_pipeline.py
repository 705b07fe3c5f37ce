"""The whole pipeline, in process, on the demo corpus with the fixture model."""

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import DEMO

from pipeline.reader import parse_paragraphs
from pipeline.run import collect_sources, run

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "pipeline" / "schemas" / "briefing-1.schema.json").read_text(
        encoding="utf-8"
    )
)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory, config, translator):
    out = tmp_path_factory.mktemp("briefings")
    report = run([DEMO / "de"], out, config, translator=translator)
    return out, report


def test_every_demo_document_gets_all_formats_and_an_index(demo_run):
    out, report = demo_run
    names = sorted(p.stem for p in (DEMO / "de").glob("*.md"))
    assert [r.status for r in report.results] == ["ok"] * len(names)
    for name in names:
        assert {f"{name}.{ext}" for ext in ("md", "html", "json")} <= {p.name for p in out.iterdir()}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{name}.html"' in index for name in names)


def test_translations_equal_the_demo_references(demo_run):
    out, _ = demo_run
    for reference in sorted((DEMO / "en").glob("*.md")):
        briefing = json.loads((out / f"{reference.stem}.json").read_text(encoding="utf-8"))
        expected = [p.text for p in parse_paragraphs(reference.read_text(encoding="utf-8"))]
        assert [p["target"]["text"] for p in briefing["paragraphs"]] == expected, reference.name


def test_briefing_json_follows_the_schema_and_links_sentences(demo_run):
    out, _ = demo_run
    for path in sorted(out.glob("[!.]*.json")):
        briefing = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(briefing, SCHEMA)
        source_ids = {s["id"] for p in briefing["paragraphs"] for s in p["source"]["sentences"]}
        target_ids = {s["id"] for p in briefing["paragraphs"] for s in p["target"]["sentences"]}
        for paragraph in briefing["paragraphs"]:
            assert [s["source_id"] for s in paragraph["target"]["sentences"]] == [
                s["id"] for s in paragraph["source"]["sentences"]
            ]
        assert briefing["model"]["package"] == "translate-de_en-demo"
        summary = briefing["summary"]
        assert summary["source"] and summary["target"]
        assert {i["counterpart_id"] for i in summary["source"]} <= target_ids
        assert {i["counterpart_id"] for i in summary["target"]} <= source_ids


def test_headings_and_captions_are_never_summary_sentences(tmp_path, config, translator):
    from pipeline.config import load_config

    everything = load_config(overrides={"summary.length": "100%"})
    out = tmp_path / "out"
    run([DEMO / "de"], out, everything, translator=translator)
    for path in out.glob("[!.]*.json"):
        briefing = json.loads(path.read_text(encoding="utf-8"))
        kind = {s["id"]: p["kind"] for p in briefing["paragraphs"] for s in p["source"]["sentences"]}
        chosen = [kind[i["sentence_id"]] for i in briefing["summary"]["source"]]
        assert chosen and "heading" not in chosen and "caption" not in chosen
        body = [s for p in briefing["paragraphs"] if p["kind"] == "body" for s in p["source"]["sentences"]]
        assert len(chosen) == len(body)


def test_english_document_is_summarized_not_translated(tmp_path, config, translator):
    doc = tmp_path / "press.md"
    doc.write_text(
        "# City budget approved\n\nThe city council approved the budget for next year on Monday. "
        "Schools will receive more money than ever before.\n\nThe opposition voted against the plan "
        "and criticised the higher debt.",
        encoding="utf-8",
    )
    report = run([doc], tmp_path / "out", config, translator=translator)
    briefing = json.loads((tmp_path / "out" / "press.json").read_text(encoding="utf-8"))
    assert report.results[0].status == "ok"
    assert briefing["document"]["source_lang"] == "en"
    assert all(p["target"] is None for p in briefing["paragraphs"])
    assert briefing["summary"]["source"] and briefing["summary"]["target"] == []


def test_non_german_paragraph_passes_through_marked(tmp_path, config, translator):
    from conftest import demo_pairs

    german = " ".join(de for de, _ in demo_pairs()[10:14])
    doc = tmp_path / "mixed.md"
    doc.write_text(
        f"{german}\n\nThe mayor answered questions from the press in English after the meeting "
        f"and thanked everyone.\n\n{german}",
        encoding="utf-8",
    )
    run([doc], tmp_path / "out", config, translator=translator)
    paragraphs = json.loads((tmp_path / "out" / "mixed.json").read_text(encoding="utf-8"))["paragraphs"]
    assert [p["source"]["lang"] for p in paragraphs] == ["de", "en", "de"]
    assert paragraphs[1]["target"] is None and paragraphs[0]["target"] is not None
    assert "untranslated" in (tmp_path / "out" / "mixed.html").read_text(encoding="utf-8")


def test_bad_document_is_recorded_and_the_others_complete(tmp_path, config, translator):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.txt").write_text("   \n", encoding="utf-8")
    (inputs / "good.md").write_text((DEMO / "de" / "wetter.md").read_text(encoding="utf-8"), encoding="utf-8")
    report = run([inputs], tmp_path / "out", config, translator=translator)
    status = {r.name: (r.status, r.error) for r in report.results}
    assert status["good"] == ("ok", None)
    assert status["empty"][0] == "failed" and "empty.txt" in status["empty"][1]
    assert (tmp_path / "out" / "good.html").exists() and not (tmp_path / "out" / "empty.html").exists()


def test_output_names_are_unique_and_stay_inside_the_output_dir(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/x.md", "a/x.txt", "b c.md", "../evil.md"[3:]):
        (tmp_path / name).write_text("Text.", encoding="utf-8")
    names = [s.name for s in collect_sources([tmp_path])]
    assert len(set(names)) == len(names)
    assert all("/" not in n and not n.startswith(".") for n in names)


@pytest.mark.parametrize("name", ["forschung.html", "wetter.pdf"])
def test_demo_articles_as_a_saved_web_page_and_a_pdf_translate_like_their_text(
    tmp_path, config, translator, name
):
    """corpora/demo/formats (scripts/demo_formats.py): the page's menus, teasers and footer and the
    report's running header and page numbers are gone, so the briefing is the demo reference."""
    source = DEMO / "formats" / name
    run([source], tmp_path, config, translator=translator)
    briefing = json.loads((tmp_path / f"{source.stem}.json").read_text(encoding="utf-8"))
    reference = parse_paragraphs((DEMO / "en" / f"{source.stem}.md").read_text(encoding="utf-8"))
    assert [p["target"]["text"] for p in briefing["paragraphs"]] == [p.text for p in reference]
    assert briefing["document"]["metadata"]["title"] == reference_title(source.stem)


def reference_title(stem: str) -> str:
    return parse_paragraphs((DEMO / "de" / f"{stem}.md").read_text(encoding="utf-8"))[0].text
