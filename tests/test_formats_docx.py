"""The bilingual Word briefing: read back with python-docx (one table row per paragraph, styles, a
comment per review flag on its English sentence) and opened by LibreOffice, which converts it to PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from test_render import _para

from pipeline.document import (
    Document,
    Flag,
    ModelInfo,
    Summary,
    SummaryItem,
)
from pipeline.render_docx import COMMENT_AUTHOR, render_docx, write_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LIBREOFFICE_MISSING = "LibreOffice is not installed; as root: apt-get install -y libreoffice-writer-nogui"


FLAG = Flag("number", "412", "missing in English")


def _doc() -> Document:
    paragraphs = [
        _para("p1", "heading", ["Stadtrat beschließt Haushalt"], ["City council approves budget"]),
        _para(
            "p2",
            "body",
            ["Die Stadt gibt 412 Millionen Euro aus.", "Das ist mehr als im Vorjahr."],
            ["The city spends millions of euros.", "That is more than last year."],
            flags={1: [FLAG]},
        ),
        _para("p3", "list", ["Schulen"], ["Schools"]),
        _para("p4", "quote", ["Wir sparen nicht."], ["We are not saving."]),
        _para("p5", "notes", ["Zahlen betonen."], ["Stress the figures."]),
        _para("p6", "body", ["Already English here."], None, lang="en"),
    ]
    return Document(
        path=Path("eingang/haushalt.odt"),
        sha256="ab" * 32,
        lang="de",
        paragraphs=paragraphs,
        model=ModelInfo("translate-de_en", "1.0", "de", "en", "/x"),
        summary=Summary(
            source=[SummaryItem("p2.s1", "Die Stadt gibt 412 Millionen Euro aus.", "p2.s1.en")],
            target=[SummaryItem("p2.s1.en", "The city spends millions of euros.", "p2.s1")],
            algorithm="lexrank",
            length="1",
        ),
        metadata={"author": "Amt für Statistik", "date": "2024-05-02"},
        notes=["read from an OpenDocument file"],
    )


def test_docx_has_title_summaries_and_one_row_per_paragraph_with_styles():
    word = docx.Document(io.BytesIO(render_docx(_doc())))
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == "Stadtrat beschließt Haushalt" and word.paragraphs[0].style.name == "Title"
    assert "By Amt für Statistik · 2024-05-02" in texts and "Note: read from an OpenDocument file" in texts
    assert texts.index("Summary (Deutsch)") < texts.index("Summary (English)") < texts.index("Full text")
    assert "The city spends millions of euros." in texts
    (table,) = word.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["Deutsch", "English"],
        ["Stadtrat beschließt Haushalt", "City council approves budget"],
        [
            "Die Stadt gibt 412 Millionen Euro aus. Das ist mehr als im Vorjahr.",
            "The city spends millions of euros. That is more than last year.",
        ],
        ["Schulen", "Schools"],
        ["Wir sparen nicht.", "We are not saving."],
        ["Notes: Zahlen betonen.", "Notes: Stress the figures."],
        ["Already English here.", "Already English here. (not translated: en)"],
    ]
    styles = [[cell.paragraphs[0].style.name for cell in row.cells] for row in table.rows[1:5]]
    assert styles == [["Heading 2"] * 2, ["Normal"] * 2, ["List Bullet"] * 2, ["Quote"] * 2]
    # Each side's runs carry its language (spell checking), the header row repeats on every page.
    langs = {lang.get(f"{W}val") for lang in table.rows[2].cells[1]._tc.iter(f"{W}lang")}
    assert langs == {"en-GB"}
    assert table.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None


def test_review_flags_are_comments_on_the_english_sentence():
    word = docx.Document(io.BytesIO(render_docx(_doc())))
    comments = list(word.comments)
    assert [(c.author, c.text) for c in comments] == [(COMMENT_AUTHOR, "number: 412 — missing in English")]
    row = word.tables[0].rows[2]
    start = row.cells[1]._tc.find(f".//{W}commentRangeStart")
    assert start is not None and row.cells[0]._tc.find(f".//{W}commentRangeStart") is None
    # The range covers exactly the flagged sentence.
    covered = []
    for el in start.itersiblings():
        if el.tag == f"{W}commentRangeEnd":
            break
        covered += [t.text for t in el.iter(f"{W}t")]
    assert covered == ["The city spends millions of euros."]


def test_write_docx_is_atomic_and_libreoffice_converts_it_without_error(tmp_path: Path):
    path = tmp_path / "haushalt.docx"
    write_docx(_doc(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["haushalt.docx"]  # no temporary file left
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip(LIBREOFFICE_MISSING)
    profile = tmp_path / "profile"  # its own profile: no lock on a user's, no first-start dialogs
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    from pdfminer.high_level import extract_text

    text = " ".join(extract_text(str(tmp_path / "haushalt.pdf")).split())
    assert "Die Stadt gibt 412 Millionen Euro aus." in text and "The city spends millions of euros." in text


def test_pipeline_run_writes_the_docx_beside_the_other_formats(tmp_path: Path, config, translator):
    from dataclasses import replace

    from pipeline.run import run

    source = tmp_path / "in" / "kurz.md"
    source.parent.mkdir()
    source.write_text("# Stadtrat beschließt neuen Haushalt\n", encoding="utf-8")
    with_docx = replace(config, output=replace(config.output, formats=["md", "docx"]))
    run([source], tmp_path / "out", with_docx, translator=translator)
    word = docx.Document(str(tmp_path / "out" / "kurz.docx"))
    assert [c.text for c in word.tables[0].rows[1].cells] == [
        "Stadtrat beschließt neuen Haushalt",
        "City council approves new budget",
    ]
