"""The command line as users and scheduled jobs run it: real subprocesses, real exit codes."""

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading

import pytest
from conftest import DEMO, FIXTURE_MODEL, ROOT, SAMPLE_ARTICLE


def cli(*args, packages=None, cwd=ROOT, env=None):
    env = {**os.environ, **(env or {})}
    if packages is not None:
        env["ARGOS_PACKAGES_DIR"] = str(packages)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["run"],
        ["detect"],
        ["split"],
        ["translate"],
        ["summarize"],
        ["models"],
        ["models", "list"],
        ["models", "install"],
        ["models", "remove"],
        ["models", "shortlist"],
    ],
)
def test_every_command_has_help(command):
    result = cli(*command, "--help")
    assert result.returncode == 0 and "Usage" in result.stdout


def test_run_without_model_stops_before_any_work_with_exit_3(tmp_path):
    out = tmp_path / "out"
    result = cli("run", DEMO / "de", "--out", out, packages=tmp_path / "empty")
    assert result.returncode == 3
    assert "pipeline models install de en" in result.stderr and "--file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_install_fixture_then_run_writes_briefings(tmp_path):
    packages = tmp_path / "packages"
    installed = cli("models", "install", "--file", FIXTURE_MODEL, packages=packages)
    assert installed.returncode == 0, installed.stderr
    assert "translate-de_en-demo" in cli("models", "list", packages=packages).stdout
    result = cli(
        "run", DEMO / "de" / "wetter.md", "--out", tmp_path / "out", "--formats", "json", packages=packages
    )
    assert result.returncode == 0, result.stderr
    assert (
        json.loads((tmp_path / "out" / "wetter.json").read_text(encoding="utf-8"))["schema"] == "briefing/1"
    )


def test_install_refuses_a_non_package_file(tmp_path):
    bogus = tmp_path / "model.argosmodel"
    bogus.write_text("not a zip", encoding="utf-8")
    result = cli("models", "install", "--file", bogus, packages=tmp_path / "packages")
    assert result.returncode == 1
    assert str(bogus) in result.stderr and "not a zip archive" in result.stderr
    assert "Traceback" not in result.stderr


def test_detect_json_output():
    result = cli("detect", SAMPLE_ARTICLE, "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["document"]["lang"] == "de" and 0 < data["document"]["confidence"] <= 1
    assert data["paragraphs"][0] == {**data["paragraphs"][0], "id": "p1", "kind": "caption", "lang": "de"}


def test_split_prints_sentence_ids(tmp_path):
    doc = tmp_path / "d.txt"
    doc.write_text(
        "Am 1. Februar 2023 begann es. Dr. Krüger kam z. B. später.\n\nZweiter Absatz.", encoding="utf-8"
    )
    result = cli("split", doc, "--lang", "de")
    assert result.stdout.splitlines() == [
        "p1.s1\tAm 1. Februar 2023 begann es.",
        "p1.s2\tDr. Krüger kam z. B. später.",
        "p2.s1\tZweiter Absatz.",
    ]


def test_split_json_gives_each_paragraph_its_sentences(tmp_path):
    doc = tmp_path / "d.txt"
    doc.write_text("Überschrift\n\nDr. Krüger kam. Dann ging er.", encoding="utf-8")
    result = cli("split", doc, "--lang", "de", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "lang": "de",
        "paragraphs": [
            {"id": "p1", "kind": "heading", "sentences": [{"id": "p1.s1", "text": "Überschrift"}]},
            {
                "id": "p2",
                "kind": "body",
                "sentences": [
                    {"id": "p2.s1", "text": "Dr. Krüger kam."},
                    {"id": "p2.s2", "text": "Dann ging er."},
                ],
            },
        ],
    }


def test_version_is_the_installed_package_version():
    from importlib.metadata import version

    result = cli("--version")
    assert result.returncode == 0 and result.stdout == f"pipeline {version('pipeline')}\n"


def test_bad_config_is_a_usage_error(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[summary]\nalgorithm = 'magic'\n", encoding="utf-8")
    result = cli("run", DEMO / "de", "--out", tmp_path / "out", "--config", config)
    assert result.returncode == 2 and str(config) in result.stderr


def test_missing_input_file_is_reported(tmp_path):
    result = cli("detect", tmp_path / "nope.md")
    assert result.returncode == 1 and "nope.md" in result.stderr and "Traceback" not in result.stderr


def test_runtime_path_never_imports_torch_stanza_spacy_or_ray(tmp_path, installed_model):
    code = (
        "import sys, pathlib; from pipeline.config import load_config; from pipeline.run import run; "
        f"run([pathlib.Path({str(DEMO / 'de')!r})], pathlib.Path({str(tmp_path)!r}), load_config()); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'torch', 'stanza', 'spacy', 'ray', 'pyarrow'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert (tmp_path / "wetter.html").exists()


def test_a_rerun_with_nothing_to_do_loads_neither_model_nor_summarizer(tmp_path, installed_model):
    # A cron job over an unchanged folder should cost a start-up, not seconds of imports and model loading.
    code = (
        "import sys, pathlib; from pipeline.config import load_config; from pipeline.run import run; "
        f"report = run([pathlib.Path({str(DEMO / 'de')!r})], pathlib.Path({str(tmp_path / 'out')!r}), "
        "load_config()); print({r.status for r in report.results}, "
        "sorted({m.split('.')[0] for m in sys.modules} & {'ctranslate2', 'sumy', 'nltk'}))"
    )
    own_cache = os.environ | {"XDG_CACHE_HOME": str(tmp_path / "cache")}  # so the first run really translates
    first, rerun = (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=own_cache)
        for _ in "12"
    )
    assert first.stdout.strip() == "{'ok'} ['ctranslate2', 'nltk', 'sumy']", first.stderr
    assert rerun.stdout.strip() == "{'skipped'} []", rerun.stderr


def test_align_prints_links_and_writes_a_briefing_without_a_model(tmp_path):
    pair = ROOT / "tests" / "data" / "align"
    de, en = pair / "hochwasser.de.md", pair / "hochwasser.en.md"
    links = cli("align", de, en, "--json", packages=tmp_path / "empty")
    assert links.returncode == 0, links.stderr
    covered = [p for link in json.loads(links.stdout)["links"] for p in link["source"]]
    assert covered == [f"p{i}" for i in range(1, len(covered) + 1)]
    written = cli("align", de, en, "--out", tmp_path / "out", packages=tmp_path / "empty")
    assert written.returncode == 0 and "without a model" in written.stdout
    briefing = json.loads((tmp_path / "out" / "hochwasser.de.json").read_text(encoding="utf-8"))
    assert briefing["links"] and briefing["counterpart"]["lang"] == "en"


def test_align_refuses_swapped_languages(tmp_path):
    pair = ROOT / "tests" / "data" / "align"
    result = cli("align", pair / "hochwasser.en.md", pair / "hochwasser.de.md", packages=tmp_path / "empty")
    assert result.returncode == 2 and "expected a de document" in result.stderr


def test_run_on_a_missing_input_is_a_usage_error(tmp_path, installed_model):
    result = cli("run", tmp_path / "nirgends", "--out", tmp_path / "out")
    assert result.returncode == 2 and "nirgends" in result.stderr


# Nothing listens on port 9 (discard) of the loopback: an offline machine's index fails as fast.
OFFLINE = {"ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/"}


def test_make_translate_offline_without_a_model_stops_with_exit_3(tmp_path):
    # `make translate` runs `models install de en --if-missing`, then `run` (see the Makefile).
    result = cli("models", "install", "de", "en", "--if-missing", packages=tmp_path / "empty", env=OFFLINE)
    assert result.returncode == 3, result.stderr
    assert "cannot reach the argos package index (http://127.0.0.1:9/index.json)" in result.stderr
    assert "pipeline models install de en" in result.stderr and "--file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any((tmp_path / "empty").iterdir())


def test_if_missing_with_a_model_installed_does_nothing_offline(tmp_path):
    packages = tmp_path / "packages"
    assert cli("models", "install", "--file", FIXTURE_MODEL, packages=packages).returncode == 0
    result = cli("models", "install", "de", "en", "--if-missing", packages=packages, env=OFFLINE)
    assert result.returncode == 0 and "is installed: translate-de_en-demo 1.0" in result.stdout


class _FlakyPackageServer(http.server.BaseHTTPRequestHandler):
    """An argos index and one package; the first package response breaks off halfway (resumable)."""

    requests: list[str] = []

    def do_GET(self):
        data = FIXTURE_MODEL.read_bytes()
        if self.path == "/index.json":
            link = f"http://127.0.0.1:{self.server.server_port}/translate-de_en-1_0.argosmodel"
            body = json.dumps(
                [{"from_code": "de", "to_code": "en", "package_version": "1.0", "links": [link]}]
            )
            self._send(200, body.encode())
            return
        start = int(self.headers.get("Range", "bytes=0-")[6:].rstrip("-"))
        self.requests.append(self.headers.get("Range", "full"))
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        cut = len(data) // 2 if len(self.requests) == 1 else len(data)
        self.wfile.write(data[start:cut])  # the first time: half, then the connection closes

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        """No request log on stderr: the test output stays readable."""


def test_online_install_resumes_a_broken_download_and_records_its_sha256(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FlakyPackageServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        index = {"ARGOS_PACKAGE_INDEX": f"http://127.0.0.1:{server.server_port}/"}
        packages = tmp_path / "packages"
        result = cli("models", "install", "de", "en", "--if-missing", packages=packages, env=index)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert _FlakyPackageServer.requests[0] == "full" and _FlakyPackageServer.requests[1].startswith("bytes=")
    [listed] = json.loads(cli("models", "list", "--json", packages=packages).stdout)
    assert listed["sha256"] == hashlib.sha256(FIXTURE_MODEL.read_bytes()).hexdigest()
    assert (
        listed["source"].endswith("/translate-de_en-1_0.argosmodel")
        and listed["tokenizer"] == "sentencepiece"
    )
    assert "sha256 " + listed["sha256"] in cli("models", "list", packages=packages).stdout


def test_models_remove_by_name(tmp_path):
    packages = tmp_path / "packages"
    assert cli("models", "install", "--file", FIXTURE_MODEL, packages=packages).returncode == 0
    removed = cli("models", "remove", "translate-de_en-demo", packages=packages)
    assert removed.returncode == 0 and "removed" in removed.stdout
    assert json.loads(cli("models", "list", "--json", packages=packages).stdout) == []
    again = cli("models", "remove", "translate-de_en-demo", packages=packages)
    assert again.returncode == 1 and "no installed package translate-de_en-demo" in again.stderr


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "pipeline").exists(), reason="needs the Makefile's .venv")
def test_make_translate_itself_offline_stops_before_any_work(tmp_path):
    env = {**os.environ, **OFFLINE, "ARGOS_PACKAGES_DIR": str(tmp_path / "empty")}
    # -o: take .venv as up to date (never reinstall here); the recipe then runs as on a fresh machine.
    result = subprocess.run(
        ["make", "-o", ".venv/bin/pipeline", "translate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "Error 3" in result.stderr
    assert "pipeline models install de en" in result.stderr and "--file" in result.stderr
    # make echoes each command it starts: the install was tried, the run never started.
    assert "pipeline models install de en --if-missing" in result.stdout
    assert "pipeline run" not in result.stdout
