# Every target sets itself up: .venv is created and the project installed on first use.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGOS_VERSION := 1.11.0

.PHONY: translate test fuzz demo demo-formats lint libreoffice bench bench-long bench-parity bench-venv bench-sweep bench-shortlist bench-linguistic fixture clean browser screenshots ocr

$(BIN)/pipeline: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# argostranslate without its declared dependencies (stanza, torch, spaCy): see README. pip then
	# warns that they are missing; that warning is expected and filtered out.
	$(BIN)/python -m pip install -q --no-deps argostranslate==$(ARGOS_VERSION)
	# The review's noun lexicon (pipeline/review/names.py) is a data file; its declared dependency, a
	# Wiktionary parser, pins an old lxml and is never used.
	$(BIN)/python -m pip install -q --no-deps german-nouns==1.2.5
	set -o pipefail; $(BIN)/python -m pip install -q -e '.[dev,ray,pdf,ocr]' 2>&1 | \
		{ grep -v -e '^argostranslate .* requires' -e '^german-nouns .* requires' \
			-e "^ERROR: pip's dependency resolver" || true; }
	touch $@

# The main job: every document under corpora/de, briefings in briefings/. Without an installed de→en
# package it first downloads one from the argos index; offline it stops there with exit 3.
translate: $(BIN)/pipeline ocr
	$(BIN)/pipeline models install de en --if-missing
	$(BIN)/pipeline run corpora/de --out briefings

# The offline way to see the product: the tiny fixture model, installed into a throw-away packages
# directory, translates the demo corpus (it knows only those sentences), then its articles as a saved
# web page, a PDF report and an .odt, .odp, .pptx, .epub, .srt, .vtt and .eml (corpora/demo/formats),
# with Word and PDF briefings too.
demo: $(BIN)/pipeline
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	export ARGOS_PACKAGES_DIR="$$tmp/packages" XDG_DATA_HOME="$$tmp/data" XDG_CACHE_HOME="$$tmp/cache" && \
	$(BIN)/pipeline models install --file tests/fixtures/translate-de_en-demo.argosmodel && \
	$(BIN)/pipeline run corpora/demo/de --out briefings-demo && \
	$(BIN)/pipeline eval briefings-demo corpora/demo/en && \
	$(BIN)/pipeline run corpora/demo/formats --out briefings-demo-formats --formats md,html,json,docx,pdf && \
	for doc in forschung wetter; do \
		$(BIN)/pipeline eval briefings-demo-formats/$$doc.json corpora/demo/en/$$doc.md || exit 1; done

# Rewrites corpora/demo/formats/ (the demo articles as a saved web page, a PDF report and one file of
# each further input kind).
demo-formats: $(BIN)/pipeline
	$(BIN)/python scripts/demo_formats.py

# As root (CI), permission bits do not apply: the tests marked `permissions` (read-only folders, an
# unreadable input) then run in a second pass as an unprivileged user (scripts/as_unprivileged_user.sh).
# With CI=true, a skip not listed in tests/allowed_skips.txt fails (tests/conftest.py).
test: $(BIN)/pipeline browser libreoffice ocr
	if [ "$$(id -u)" != 0 ]; then $(BIN)/python -m pytest -q; else \
		$(BIN)/python -m pytest -q -m "not permissions" && \
		scripts/as_unprivileged_user.sh $(BIN)/python -m pytest -q -p no:cacheprovider -m permissions; fi

# The readers' fuzz run, longer than the one in tests/test_hostile.py (40 cases): 2,000 mutated files of the
# demo corpus, tests/data/inputs and generated .docx, 100 of them also through `pipeline run` with the
# fixture model (in a throw-away home). FUZZ_SEED=… FUZZ_CASES=… to vary it.
FUZZ_SEED ?= 1
FUZZ_CASES ?= 2000
fuzz: $(BIN)/pipeline
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	export ARGOS_PACKAGES_DIR="$$tmp/packages" XDG_DATA_HOME="$$tmp/data" XDG_CACHE_HOME="$$tmp/cache" && \
	$(BIN)/pipeline models install --file tests/fixtures/translate-de_en-demo.argosmodel && \
	$(BIN)/python scripts/fuzz_readers.py --seed $(FUZZ_SEED) --cases $(FUZZ_CASES) --run 100

# tests/test_browser.py drives Debian's headless chromium; as root (CI) it is installed when missing,
# otherwise those tests skip and say how to install it.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || [ "$$(id -u)" != 0 ] || \
		(apt-get update -q && apt-get install -y -q chromium chromium-driver)

# Scans and image files are read by Tesseract (README, OCR): as root it is installed when missing (with
# the German model and orientation detection: 7 packages, 8 MB download, 25 MB installed, without
# recommends); otherwise a scan is refused in one line naming this command, and tests/test_ocr.py skips.
ocr:
	@command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx deu || \
		[ "$$(id -u)" != 0 ] || (apt-get update -q && apt-get install -y -q --no-install-recommends \
			tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-osd)

# tests/test_formats_docx.py opens the Word briefing in LibreOffice (headless, converted to PDF); as root
# (CI) Writer without its GUI is installed when missing (50 packages, 263 MB without recommends),
# otherwise that test skips and says how to install it. The PDF briefing is set in DejaVu Sans.
libreoffice:
	@command -v soffice >/dev/null && fc-list | grep -q "DejaVu Sans" || [ "$$(id -u)" != 0 ] || \
		(apt-get update -q && apt-get install -y -q --no-install-recommends libreoffice-writer-nogui \
			fonts-dejavu-core)

# Regenerates briefings-demo/screenshots/ (desktop and phone) from the demo corpus briefing, and from
# the same document with a review flag.
screenshots: $(BIN)/pipeline browser
	$(BIN)/python scripts/screenshots.py

lint: $(BIN)/pipeline
	$(BIN)/ruff check pipeline tests scripts bench
	$(BIN)/ruff format --check pipeline tests scripts bench

# Throughput benchmark (not part of `make test`): argostranslate's own translate() needs its heavy
# dependencies (stanza → PyTorch), so it gets its own venv; torch is pinned to the CPU wheel on disk.
bench: bench-venv
	$(BIN)/python bench/run_bench.py
	$(BIN)/python bench/parity.py
	$(BIN)/python bench/long_docs.py
	$(BIN)/python bench/ray_executor.py
	$(BIN)/python bench/shortlist.py

# The vocabulary shortlist and the fast profile on the benchmark package (bench/shortlist.py, ~10 min):
# its build and verification, standard with and without it, fast against argostranslate.
bench-shortlist: bench-venv
	$(BIN)/python bench/shortlist.py

bench-venv: $(BIN)/pipeline
	test -x .venv-bench/bin/python || $(PY) -m venv .venv-bench
	.venv-bench/bin/python -m pip install -q torch==2.13.0
	.venv-bench/bin/python -m pip install -q argostranslate==$(ARGOS_VERSION)

# Decoding parity (a minute): the pipeline's English equals argostranslate's apply_packaged_translation
# for the same sentences and packages. Also run by `make bench`.
bench-parity: bench-venv
	$(BIN)/python bench/parity.py

# Long documents only: summary time at 300 / 3,000 / 30,000 sentences, a ~10 MB document through
# `pipeline run`, SIGTERM-to-exit (bench/long_docs.py; `--parts summarize` for the first part).
bench-long: $(BIN)/pipeline
	$(BIN)/python bench/long_docs.py

# Times the translate stage under several thread and batch-size settings (how the defaults were chosen).
bench-sweep: $(BIN)/pipeline
	$(BIN)/python bench/sweep.py

# Sentence splitting and short-text language ID on the real gold in ../shared/real, per half, with the
# anchors beside the project's figures: pysbd, SoMaJo (GPL) and lingua (~100 MB) are installed into
# .venv-bench only, never into the run-time install (bench/linguistic.py).
bench-linguistic: $(BIN)/pipeline
	test -x .venv-bench/bin/python || $(PY) -m venv .venv-bench
	.venv-bench/bin/python -m pip install -q pysbd==0.3.4 somajo==2.5.0 lingua-language-detector==2.1.1
	$(BIN)/python bench/linguistic.py

# Rebuilds tests/fixtures/translate-de_en-demo.argosmodel (SentencePiece) and translate-de_en-demo-bpe.argosmodel
# (BPE codes); needs PyTorch (CPU wheel), so it has its own venv. argostranslate (its BPE code, no deps)
# and sacremoses tokenize the BPE package as argostranslate does; subword-nmt learns its codes.
fixture: $(BIN)/pipeline
	test -x .venv-fixture/bin/python || $(PY) -m venv .venv-fixture
	.venv-fixture/bin/python -m pip install -q torch==2.13.0 'ctranslate2>=4.5,<5' 'sentencepiece>=0.2,<0.3' numpy \
		'sacremoses>=0.0.53,<0.2' subword-nmt==0.3.8
	.venv-fixture/bin/python -m pip install -q --no-deps argostranslate==$(ARGOS_VERSION)
	.venv-fixture/bin/python scripts/build_fixture.py

clean:
	rm -rf $(VENV) .venv-fixture briefings briefings-demo-formats briefings-demo/*.html briefings-demo/*.md briefings-demo/*.json
