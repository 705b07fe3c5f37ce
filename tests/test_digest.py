"""The morning digest's fields of a briefing (pipeline.digest) and the index's days (render.digest_days),
as index.md shows them. The same in Chromium: tests/test_browser.py."""

import datetime
import os

from pipeline.digest import digest_of
from pipeline.render import IndexEntry, render_index

ARRIVED = datetime.datetime(2024, 3, 5, 8, 0)


def source(tmp_path, when=ARRIVED):
    path = tmp_path / "bericht.html"
    path.write_text("x", encoding="utf-8")
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def briefing(metadata=None, first_kind="heading", lang="de"):
    para = {"kind": first_kind, "source": {"text": "Neue  Sanktionen\ngegen Moskau"}, "target": None}
    if lang == "de":
        para["target"] = {"text": "New sanctions against Moscow"}
    summary_side = [{"text": "The EU agreed on new\nsanctions."}, {"text": "It did so on Monday."}]
    return {
        "document": {"source_lang": lang, "metadata": metadata or {}},
        "paragraphs": [para, {"kind": "text", "source": {"text": "Text."}, "target": {"text": "Text."}}],
        "summary": {"source": summary_side, "target": summary_side}
        if lang == "en"
        else {"target": summary_side},
    }


def test_a_heading_that_is_the_title_gives_the_english_title_and_the_summary_its_first_sentence(tmp_path):
    d = digest_of(briefing(), "Neue Sanktionen gegen Moskau", source(tmp_path), tmp_path / "b.json")
    assert d.title_en == "New sanctions against Moscow"
    assert d.summary == "The EU agreed on new sanctions."  # the first sentence, on one line
    assert d.arrived == d.date == "2024-03-05"  # no date of its own: the file's


def test_the_documents_own_date_and_site_win_over_the_files(tmp_path):
    meta = {"date": "2023-11-30T18:02:00+01:00", "sitename": "Tagesschau", "author": "A. Autor"}
    d = digest_of(briefing(meta), "Neue Sanktionen gegen Moskau", source(tmp_path), tmp_path / "b.json")
    assert (d.date, d.site, d.arrived) == ("2023-11-30", "Tagesschau", "2024-03-05")
    d = digest_of(briefing({"author": "A. Autor"}), "x", source(tmp_path), tmp_path / "b.json")
    assert d.site == "A. Autor"
    meta = {"url": "https://www.bundestag.de/presse/1", "date": "30.11.2023"}  # not ISO: the file's day
    d = digest_of(briefing(meta), "x", source(tmp_path), tmp_path / "b.json")
    assert (d.site, d.date) == ("www.bundestag.de", "2024-03-05")


def test_a_title_that_is_not_the_opening_heading_has_no_english_title(tmp_path):
    # A metadata title is not translated (no paragraph of the document carries it): German only.
    d = digest_of(
        briefing(first_kind="text"), "Neue Sanktionen gegen Moskau", source(tmp_path), tmp_path / "b"
    )
    assert d.title_en == ""
    d = digest_of(briefing(), "Jahresbericht 2023", source(tmp_path), tmp_path / "b.json")  # another heading
    assert d.title_en == ""


def test_an_english_document_shows_its_own_summary(tmp_path):
    d = digest_of(briefing(lang="en"), "x", source(tmp_path), tmp_path / "b.json")
    assert d.summary == "The EU agreed on new sanctions."


def entry(name, arrived, date="", title_en="", status="ok", flags=0):
    return IndexEntry(
        name, f"in/{name}.txt", f"Titel {name}", "de", status, 3, flags=flags, title_en=title_en,
        date=date or arrived, arrived=arrived, summary=f"Summary of {name}.",
    )  # fmt: skip


def test_index_md_groups_by_arrival_day_newest_first_and_newest_document_first_within_a_day():
    entries = [
        entry("alt", "2024-03-04", title_en="Old news"),
        entry("neu", "2024-03-05", date="2024-03-05", title_en="Zebra crossing"),
        entry("frueher", "2024-03-05", date="2024-02-01", title_en="Archive find"),
        entry("auch", "2024-03-05", date="2024-03-05", title_en="Another today"),
        entry("kaputt", "", status="failed"),
    ]
    md = render_index(entries, "md")
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == ["## Failed (1)", "## Tuesday, 2024-03-05 (3)", "## Monday, 2024-03-04 (1)"]
    links = [line.split("](")[0].split("[")[-1] for line in md.splitlines() if line.startswith("| [")]
    # the same day: by the document's own date, newest first; the same date A–Z by English title
    assert links == ["Another today", "Zebra crossing", "Archive find", "Old news"]
    row = next(line for line in md.splitlines() if "Zebra crossing" in line)
    assert "(neu.md)<br>Titel neu |" in row and "| Summary of neu. |" in row  # the German title beneath
