"""Long documents in the batch job: stopped within seconds, failed when over their time budget, never
holding back the small documents of their group. Real subprocesses, real signals, the fixture model."""

import json
import random
import re
import shutil
import signal
import subprocess
import time

import test_batch
from conftest import DEMO, demo_pairs
from test_batch import command, environment, pipeline_cli

from pipeline.manifest import MANIFEST_NAME

packages = test_batch.packages  # the installed fixture model, as a fixture of this module too
SMALL = sorted((DEMO / "de").glob("*.md"))


def inbox(root, sentences: int):
    """The demo documents and, sorted after them, one long English document (summarized, not translated:
    its time goes to reading and summarizing) of `sentences` distinct sentences of the demo's words."""
    root.mkdir()
    for doc in SMALL:
        shutil.copy(doc, root / doc.name)
    words = sorted({w.lower() for _, en in demo_pairs() for w in re.findall(r"[A-Za-z]+", en)})
    rng = random.Random(0)
    lines = [" ".join(rng.choice(words) for _ in range(12)).capitalize() + "." for _ in range(sentences)]
    paragraphs = [" ".join(lines[i : i + 5]) for i in range(0, len(lines), 5)]
    (root / "zz-long.md").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return root


def test_sigterm_while_a_long_document_is_worked_on_stops_within_seconds_and_resumes(tmp_path, packages):
    folder, out = inbox(tmp_path / "in", 20_000), tmp_path / "out"
    process = subprocess.Popen(
        command("run", folder, "--out", out, "--log-json"),
        env=environment(packages),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The small documents are finished first; once they are logged the long one is being read, split
    # and summarized (it has nothing to translate), which takes seconds. (tests/test_summarize.py stops
    # a long summary itself.)
    records = [json.loads(process.stdout.readline()) for _ in SMALL]
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    _, stderr = process.communicate(timeout=60)
    stopped_after = time.monotonic() - signalled

    assert process.returncode == 128 + signal.SIGTERM and "SIGTERM" in stderr
    assert stopped_after < 10, f"took {stopped_after:.1f} s to stop"  # generous: the machine may be busy
    assert [r["status"] for r in records] == ["ok"] * len(SMALL)
    assert not list(out.glob("zz-long.*")) and not list(out.glob(".*.tmp"))

    resumed = pipeline_cli("run", folder, "--out", out, "--log-json", packages=packages)
    assert resumed.returncode == 0, resumed.stderr
    statuses = {r["name"]: r["status"] for r in map(json.loads, resumed.stdout.splitlines())}
    assert statuses == {doc.stem: "skipped" for doc in SMALL} | {"zz-long": "ok"}
    briefing = json.loads((out / "zz-long.json").read_text(encoding="utf-8"))
    assert len(briefing["summary"]["source"]) == 3


def test_a_document_over_its_time_budget_fails_with_the_key_to_raise_and_the_others_complete(
    tmp_path, packages
):
    # 40,000 sentences take about 14 s to read, summarize and render here; the demo documents under 1 s
    folder, out = inbox(tmp_path / "in", 40_000), tmp_path / "out"
    config = tmp_path / "limits.toml"
    config.write_text("[limits]\ndocument_seconds = 4\n", encoding="utf-8")
    result = pipeline_cli("run", folder, "--out", out, "--config", config, "--log-json", packages=packages)
    assert result.returncode == 1, result.stderr
    records = {r["name"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert {name: r["status"] for name, r in records.items()} == {doc.stem: "ok" for doc in SMALL} | {
        "zz-long": "failed"
    }
    assert records["zz-long"]["error"].endswith("took longer than 4 s; raise limits.document_seconds")
    assert "zz-long.md" in records["zz-long"]["error"]
    assert {p.name for p in out.glob("*.json")} == {f"{doc.stem}.json" for doc in SMALL} | {MANIFEST_NAME}


def test_on_a_terminal_the_progress_bar_follows_the_sentences_of_one_document(tmp_path, packages):
    import os
    import pty

    folder = tmp_path / "in"
    folder.mkdir()
    words = sorted({w for de, _ in demo_pairs() for w in re.findall(r"\w+", de)})
    rng = random.Random(0)
    lines = [" ".join(rng.choice(words) for _ in range(10)) + "." for _ in range(300)]
    paragraphs = [" ".join(lines[i : i + 5]) for i in range(0, len(lines), 5)]
    (folder / "one.md").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    terminal, child_side = pty.openpty()
    process = subprocess.Popen(
        command("run", folder, "--out", tmp_path / "out", "--no-cache"),
        env=environment(packages),
        stdin=child_side,
        stdout=child_side,
        stderr=child_side,
    )
    os.close(child_side)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 1 << 16)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=120) == 0
    # rich draws the bar several times a second: the sentence bar showed while the document was translated
    assert b"sentences" in shown and b"documents" in shown
