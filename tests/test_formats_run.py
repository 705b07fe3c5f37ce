"""The new input kinds through `pipeline run` with the fixture model: English subtitles written back
beside the briefing with every cue's times, speaker notes shown as notes and kept out of summaries."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import format_builders as build
from conftest import demo_pairs

from pipeline.manifest import Manifest
from pipeline.reader import read_document
from pipeline.run import run

_TIMING = re.compile(r"^(\S+) --> (\S+)$", re.M)


def _cues_from_sentences(sentences: list[str]) -> list[tuple[str, str, str]]:
    """Each sentence over two cues cut mid-sentence, 2 s a cue, a 2 s pause after every third sentence."""
    cues, ms = [], 1000

    def stamp(t: int, sep: str = ",") -> str:
        return f"00:{t // 60000:02d}:{t // 1000 % 60:02d}{sep}{t % 1000:03d}"

    for n, sentence in enumerate(sentences, 1):
        words = sentence.split()
        for part in (words[: len(words) // 2], words[len(words) // 2 :]):
            cues.append((stamp(ms), stamp(ms + 1900), " ".join(part)))
            ms += 2000
        ms += 2000 if n % 3 == 0 else 0
    return cues


def test_subtitles_round_trip_keeps_every_cue_and_its_times(tmp_path: Path, config, translator):
    pairs = [(de, en) for de, en in demo_pairs() if de.endswith(".") and len(de.split()) >= 4][:7]
    cues = _cues_from_sentences([de for de, _ in pairs])
    for suffix, text in (
        (".srt", build.srt(cues)),
        (".vtt", build.vtt([(a.replace(",", "."), b.replace(",", "."), t) for a, b, t in cues])),
    ):
        inputs = tmp_path / suffix.lstrip(".")
        inputs.mkdir()
        (inputs / f"abend{suffix}").write_text(text, encoding="utf-8")
        out = tmp_path / f"out-{suffix.lstrip('.')}"
        report = run([inputs], out, config, translator=translator)
        assert [r.status for r in report.results] == ["ok"]
        written = (out / f"abend.en{suffix}").read_text(encoding="utf-8")
        separator = "," if suffix == ".srt" else "."
        assert _TIMING.findall(written) == [
            (a.replace(",", separator), b.replace(",", separator)) for a, b, _ in cues
        ]
        # Read back as a subtitle file: the English of the sentences, nothing lost or doubled.
        english = read_document(out / f"abend.en{suffix}")
        assert " ".join(p.text for p in english.paragraphs) == " ".join(en for _, en in pairs)
        assert len(english.cues) == len(cues)
        # Recorded with the briefing: a later --prune removes it with the others.
        assert f"abend.en{suffix}" in Manifest(out).entries["abend"].outputs
        # The index links every file of the briefing.
        index = (out / "index.html").read_text(encoding="utf-8")
        for output in ("abend.md", "abend.html", "abend.json", f"abend.en{suffix}"):
            assert f'<a href="{output}">{output[len("abend.") :]}</a>' in index


def test_speaker_notes_are_shown_as_notes_and_never_summarized(tmp_path: Path, config, translator):
    de = [de for de, _ in demo_pairs() if de.endswith(".")]
    slides = [(de[0].rstrip("."), [de[1], de[2]], de[3]), ("Ausblick", [de[4]], de[5])]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "folien.pptx").write_bytes(build.pptx(slides))
    run([tmp_path / "in"], tmp_path / "out", config, translator=translator)
    briefing = json.loads((tmp_path / "out" / "folien.json").read_text(encoding="utf-8"))
    notes = [p for p in briefing["paragraphs"] if p["kind"] == "notes"]
    assert [p["source"]["text"] for p in notes] == [de[3], de[5]]
    note_ids = {s["id"] for p in notes for s in p["source"]["sentences"]}
    assert note_ids and not note_ids & {i["sentence_id"] for i in briefing["summary"]["source"]}
    markdown = (tmp_path / "out" / "folien.md").read_text(encoding="utf-8")
    assert f"| *Notes:* {de[3]} |" in markdown
    assert 'class="row kind-notes' in (tmp_path / "out" / "folien.html").read_text(encoding="utf-8")


NEW_DEMO_FILES = [
    "stadtrat-bericht.odt",
    "stadtrat-folien.odp",
    "stadtrat-praesentation.pptx",
    "forschung-buch.epub",
    "wetter-nachrichten.srt",
    "wetter-untertitel.vtt",
    "stadtrat-mail.eml",
]


def test_every_new_demo_file_translates_to_the_demo_references(tmp_path: Path, config, translator):
    """corpora/demo/formats (scripts/demo_formats.py): each kind holds only the demo's sentences, so every
    English sentence of its briefing is one of the demo references (a misread paragraph would not be)."""
    from conftest import DEMO

    english = {en for _, en in demo_pairs()}
    run([DEMO / "formats" / name for name in NEW_DEMO_FILES], tmp_path, config, translator=translator)
    for name in NEW_DEMO_FILES:
        briefing = json.loads((tmp_path / f"{Path(name).stem}.json").read_text(encoding="utf-8"))
        sentences = [s["text"] for p in briefing["paragraphs"] for s in p["target"]["sentences"]]
        assert len(sentences) >= 5 and set(sentences) <= english, name


def test_mail_attachments_become_briefings_of_their_own(tmp_path: Path, config, translator):
    de = [de for de, _ in demo_pairs() if de.endswith(".")]
    odt = build.odt(f"<text:p>{de[0]}</text:p><text:p>{de[1]}</text:p>")
    bomb = build.zip_package({"content.xml": b"<a>" + b" " * 20_000_000 + b"</a>"})
    config = replace(config, input=replace(config.input, max_bytes=1_000_000))  # unpacked: 10 MB at most
    mail = build.eml(
        "Unterlagen zur Sitzung",
        text=f"{de[2]}\n\n{de[3]}\n",
        attachments=[
            ("Anlage 1.odt", odt, "application/vnd.oasis.opendocument.text"),
            ("../../boese.odt", odt, "application/vnd.oasis.opendocument.text"),  # a path in its name
            ("bombe.odt", bomb, "application/vnd.oasis.opendocument.text"),
            ("logo.png", b"\x89PNG\r\n", "image/png"),  # not a readable format: listed only
        ],
    )
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "post.eml").write_bytes(mail)
    out = tmp_path / "out"
    report = run([tmp_path / "in"], out, config, translator=translator)
    results = {r.name: r for r in report.results}
    assert {name: r.status for name, r in results.items()} == {
        "post": "ok",
        "post--Anlage_1": "ok",
        "post--boese": "ok",
        "post--bombe": "failed",
    }
    assert results["post--bombe"].error.startswith(f"{tmp_path / 'in' / 'post.eml' / 'bombe.odt'}: ")
    assert "a possible zip bomb" in results["post--bombe"].error
    attachment = json.loads((out / "post--Anlage_1.json").read_text(encoding="utf-8"))
    assert [p["source"]["text"] for p in attachment["paragraphs"]] == [de[0], de[1]]
    notes = json.loads((out / "post.json").read_text(encoding="utf-8"))["document"]["notes"]
    assert "Anlage 1.odt (application/vnd.oasis.opendocument.text" in notes[0]
    assert "its own briefing: this one's name ending in --Anlage 1" in notes[0]
    assert "logo.png (image/png, 6 bytes)" in notes[0]
    assert not list(tmp_path.glob("**/boese*.odt"))  # nothing written outside, nothing unpacked
    again = run([tmp_path / "in"], out, config, translator=translator)  # the mail unchanged: all skipped
    assert {r.name: r.status for r in again.results if r.status != "failed"} == {
        "post": "skipped",
        "post--Anlage_1": "skipped",
        "post--boese": "skipped",
    }
