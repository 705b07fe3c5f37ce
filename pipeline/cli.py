"""Command line: a thin shell over the library (pipeline.run and the stage modules).

Heavy modules (CTranslate2, sumy, langdetect, argostranslate) are imported inside the commands so that
`pipeline --help` starts fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

EXIT_FAILED, EXIT_USAGE, EXIT_NO_MODEL, EXIT_LOCKED, EXIT_OUTPUT = 1, 2, 3, 4, 5
# every document of the run failed, none written or unchanged (a broken model): a unit fails on it
EXIT_ALL_FAILED = 6

app = typer.Typer(
    help="Offline German→English translation and bilingual summary briefings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich's help formatter costs ~0.2 s of start-up
)
models_app = typer.Typer(
    help="List and install argos translation packages.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(models_app, name="models")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"pipeline {version('pipeline')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Options of `pipeline` itself, before the command (the help text is the app's)."""


ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="TOML config (default: configs/default.toml).")
]
AlgorithmOption = Annotated[str | None, typer.Option(help="lexrank, lsa, textrank, luhn or lead.")]
SummaryModeOption = Annotated[
    str | None,
    typer.Option("--summary", help="independent (each language on its own) or parallel (one set of pairs)."),
]
LengthOption = Annotated[str | None, typer.Option(help='Summary length: sentences ("3") or ratio ("20%").')]
GlossaryOption = Annotated[
    Path | None,
    typer.Option(
        "--glossary",
        help="Glossary TSV: German term<TAB>English term (empty English: keep the German term).",
    ),
]
FileArgument = Annotated[Path, typer.Argument(help="A document: .txt, .md, .html or .docx.")]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        help="A [profiles] entry of the config, e.g. fast (beam 1 with the shortlist); default standard."
    ),
]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the library's errors into one clear line and the documented exit code, never a traceback."""
    from pipeline.config import ConfigError
    from pipeline.fileio import OutputError
    from pipeline.models import NoModelError, PackagesDirError
    from pipeline.package import BrokenModelError, ModelError
    from pipeline.reader import InputError

    try:
        yield
    except ConfigError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    except (NoModelError, PackagesDirError, BrokenModelError) as exc:
        raise _fail(str(exc), EXIT_NO_MODEL) from None
    except OutputError as exc:  # a full disk, a read-only or unwritable output directory
        raise _fail(str(exc), EXIT_OUTPUT) from None
    except (ModelError, InputError) as exc:
        raise _fail(str(exc), EXIT_FAILED) from None


def _config(path: Path | None, profile: str | None = None, **overrides):
    from pipeline.config import load_config

    return load_config(path, overrides, profile)


def _absolute(path: Path | None) -> str | None:
    """A path given on the command line, relative to the working directory (config keys are relative
    to their config file)."""
    return str(path.absolute()) if path else None


def _prepared(file: Path, config):
    from pipeline.detect import LanguageDetector
    from pipeline.steps import prepare

    return prepare(file, LanguageDetector(config.language.candidates), config)


@app.command()
def run(
    inputs: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default: corpora/de).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path("briefings"),
    config: ConfigOption = None,
    algorithm: AlgorithmOption = None,
    length: LengthOption = None,
    summary: SummaryModeOption = None,
    beam_size: Annotated[int | None, typer.Option(help="Beam size for decoding.")] = None,
    glossary: GlossaryOption = None,
    profile: ProfileOption = None,
    formats: Annotated[
        str | None, typer.Option("--formats", help="Comma-separated: md,html,json,docx,pdf.")
    ] = None,
    cache: Annotated[
        bool | None, typer.Option("--cache/--no-cache", help="Reuse earlier translations.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo every input, changed or not.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Remove briefings whose input was deleted.")] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for another run on --out to finish instead of exiting 4.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    log_json: Annotated[
        bool, typer.Option("--log-json", help="One JSON object per document on stdout.")
    ] = False,
    executor: Annotated[
        str | None, typer.Option("--executor", help="local (this process) or ray (a Ray cluster).")
    ] = None,
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster to join (default: start a local one).")
    ] = None,
    metrics_file: Annotated[
        Path | None,
        typer.Option(
            "--metrics-file", help="Write Prometheus metrics here after the run (textfile collector)."
        ),
    ] = None,
) -> None:
    """Translate and summarize documents into bilingual briefings (the batch job).

    Unchanged inputs are skipped (see the manifest in the output directory). Exit codes: 0 all good,
    1 some documents failed, 2 usage or config error, 3 no model, 4 output directory locked,
    5 output directory cannot be written (disk full, read-only, no permission), 6 every document
    failed (none written or unchanged), 130/143 stopped by SIGINT/SIGTERM.
    """
    from pipeline.budget import Interrupted
    from pipeline.reader import InputError
    from pipeline.run import LockedError
    from pipeline.run import run as run_pipeline

    with _errors():
        cfg = _config(
            config,
            profile,
            **{
                "summary.algorithm": algorithm,
                "summary.length": length,
                "summary.mode": summary,
                "translate.beam_size": beam_size,
                "translate.cache": cache,
                "review.glossary": _absolute(glossary),
                "output.formats": formats.split(",") if formats else None,
                "executor.kind": executor,
                "executor.address": ray_address,
                "monitoring.metrics_file": _absolute(metrics_file),
            },
        )
        with _Progress(quiet, log_json) as progress:
            try:
                report = run_pipeline(
                    inputs or [Path("corpora/de")],
                    out,
                    cfg,
                    on_document=progress.document,
                    on_progress=progress.sentences,
                    force=force,
                    prune=prune,
                    wait=wait,
                )
            except LockedError as exc:
                raise _fail(f"{exc} (use --wait to wait for it)", EXIT_LOCKED) from None
            except InputError as exc:  # an input argument that does not exist: nothing was done
                raise _fail(str(exc), EXIT_USAGE) from None
            except Interrupted as exc:
                raise _fail(str(exc), 128 + exc.signum) from None
    if not quiet:
        summary = (
            f"{report.count('ok')} written, {report.count('skipped')} unchanged, "
            f"{report.count('failed')} failed → {out}/"
        )
        if report.deleted:
            verb = "removed" if prune else "kept (use --prune to remove)"
            summary += f"; {len(report.deleted)} briefing(s) of deleted inputs {verb}"
        typer.echo(summary, err=log_json)
    if report.failed:
        raise typer.Exit(EXIT_ALL_FAILED if report.all_failed else EXIT_FAILED)


class _Progress:
    """Per-document feedback: a progress bar on a terminal, plain lines in logs, or JSON lines."""

    def __init__(self, quiet: bool, log_json: bool):
        self.quiet, self.log_json = quiet, log_json
        self.bar = None
        if not (quiet or log_json) and sys.stderr.isatty():
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.task = self.bar.add_task("documents", total=None)
            # the sentences of the translation under way: a long document moves this bar too
            self.sentence_task = self.bar.add_task("sentences", total=None, visible=False)

    def __enter__(self):
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc_info):
        if self.bar:
            self.bar.stop()

    def sentences(self, done: int, total: int) -> None:
        if self.bar:
            self.bar.update(self.sentence_task, completed=done, total=total, visible=total > 0)

    def document(self, result) -> None:
        if self.log_json:
            typer.echo(json.dumps(result.log_record(), ensure_ascii=False))
        elif result.status == "failed":
            typer.echo(f"FAILED  {result.error}", err=True)
        elif result.status == "ignored":  # a FIFO, a device, a link out of the input folder
            typer.echo(f"ignored {result.error}", err=True)
        elif self.bar:
            self.bar.advance(self.task)
        elif not self.quiet:
            typer.echo(f"{result.status:<8}{result.source} → {result.name}")


@app.command()
def detect(
    file: FileArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Detect the language of a document and of each paragraph."""
    from pipeline.detect import LanguageDetector, detect_document
    from pipeline.reader import read_document

    with _errors():
        cfg = _config(config)
        doc = read_document(file, max_bytes=cfg.input.max_bytes, ocr_config=cfg.ocr)
        detect_document(doc, LanguageDetector(cfg.language.candidates))
    result = {
        "document": {"lang": doc.lang, "confidence": doc.lang_confidence},
        "paragraphs": [
            {"id": p.id, "lang": p.lang, "confidence": p.lang_confidence, "kind": p.kind}
            for p in doc.paragraphs
        ],
    }
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(f"document: {doc.lang} ({doc.lang_confidence:.2f})")
    for p in result["paragraphs"]:
        typer.echo(f"{p['id']:>5}  {p['lang']}  {p['kind']:<8} {p['confidence']:.2f}")


@app.command()
def split(
    file: FileArgument,
    lang: Annotated[str, typer.Option(help="Language of the text.")] = "de",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Split a document into sentences, one per line with its id."""
    from pipeline.reader import read_document
    from pipeline.split import split_document

    with _errors():
        doc = read_document(file)
    for paragraph in doc.paragraphs:
        paragraph.lang = lang
    split_document(doc)
    if as_json:
        paragraphs = [
            {"id": p.id, "kind": p.kind, "sentences": [{"id": s.id, "text": s.text} for s in p.sentences]}
            for p in doc.paragraphs
        ]
        typer.echo(json.dumps({"lang": lang, "paragraphs": paragraphs}, ensure_ascii=False, indent=2))
        return
    for sentence in doc.sentences():
        typer.echo(f"{sentence.id}\t{sentence.text}")


@app.command()
def translate(
    file: FileArgument,
    config: ConfigOption = None,
    beam_size: Annotated[int | None, typer.Option(help="Beam size for decoding.")] = None,
    glossary: GlossaryOption = None,
    profile: ProfileOption = None,
) -> None:
    """Translate a document and print the English text, paragraph by paragraph."""
    from pipeline.engine import load_translator
    from pipeline.translate import translate_documents

    with _errors():
        cfg = _config(
            config, profile, **{"translate.beam_size": beam_size, "review.glossary": _absolute(glossary)}
        )
        translator = load_translator(cfg)
        doc = _prepared(file, cfg)
        translate_documents([doc], translator, cfg.language.source)
    typer.echo("\n\n".join(p.translated_text or p.text for p in doc.paragraphs))


@app.command()
def summarize(
    file: FileArgument,
    lang: Annotated[str, typer.Option(help="Summary language: de (original) or en (translated).")] = "de",
    config: ConfigOption = None,
    algorithm: AlgorithmOption = None,
    length: LengthOption = None,
    summary: SummaryModeOption = None,
) -> None:
    """Print an extractive summary of a document in German or English."""
    from pipeline.engine import load_translator
    from pipeline.summarize import Length, summarize_document
    from pipeline.translate import translate_documents

    with _errors():
        cfg = _config(
            config, **{"summary.algorithm": algorithm, "summary.length": length, "summary.mode": summary}
        )
        if lang not in (cfg.language.source, cfg.language.target):
            raise _fail(f"--lang must be {cfg.language.source} or {cfg.language.target}", EXIT_USAGE)
        translator = load_translator(cfg) if lang == cfg.language.target else None
        doc = _prepared(file, cfg)
        if translator and doc.needs_translation:
            translate_documents([doc], translator, cfg.language.source)
        summarize_document(doc, cfg.summary.algorithm, Length.parse(cfg.summary.length), cfg.summary.mode)
    side = doc.summary.source if lang == doc.lang else doc.summary.target
    for item in side:
        typer.echo(item.text)


@app.command()
def align(
    de_file: Annotated[Path, typer.Argument(metavar="DE_FILE", help="The German document.")],
    en_file: Annotated[Path, typer.Argument(metavar="EN_FILE", help="Its existing English version.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the paragraph links as JSON.")] = False,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory for the briefing.")] = Path(
        "briefings"
    ),
    config: ConfigOption = None,
    algorithm: AlgorithmOption = None,
    length: LengthOption = None,
) -> None:
    """Align an existing German document with its English version, paragraph by paragraph.

    Handles merged, split and omitted paragraphs. Uses the installed de→en model when there is one
    (machine translation compared with chrF), else paragraph lengths and shared anchors alone.
    """
    from pipeline.align import align_paragraphs, aligned_document, links_json
    from pipeline.briefing import write_briefing
    from pipeline.engine import load_glossary, load_translator
    from pipeline.inputs import safe_name
    from pipeline.models import NoModelError
    from pipeline.steps import finish_document

    with _errors():
        cfg = _config(config, **{"summary.algorithm": algorithm, "summary.length": length})
        source, target = _prepared(de_file, cfg), _prepared(en_file, cfg)
        for doc, lang in ((source, cfg.language.source), (target, cfg.language.target)):
            if doc.lang != lang:
                raise _fail(f"{doc.path}: expected a {lang} document, detected {doc.lang}", EXIT_USAGE)
        try:
            translator = load_translator(cfg)
        except NoModelError:
            translator = None
        links = align_paragraphs(source, target, translator)
        if as_json:
            typer.echo(json.dumps(links_json(links), ensure_ascii=False, indent=2))
            return
        doc = aligned_document(source, target, links)
        finish_document(doc, cfg, glossary=load_glossary(cfg))
        name = safe_name(de_file.stem)
        write_briefing(doc, out, name, cfg.output.formats)
    typer.echo(f"{len(links)} links ({'with' if translator else 'without'} a model) → {out}/{name}.*")


@app.command("search")
def search_briefings(
    query: Annotated[str, typer.Argument(help="Words to find (each must occur; any inflected form).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The output folder of the briefings.")] = Path(
        "briefings"
    ),
    lang: Annotated[str | None, typer.Option("--lang", help="de or en: search that side only.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many hits.", min=1)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (a list of hits).")] = False,
) -> None:
    """Find paragraphs in every briefing of an output folder, in German and English word forms.

    Each hit names the briefing and the paragraph and shows both sides, the matches in [brackets].
    """
    from pipeline.search import SearchIndexError, search

    if lang not in (None, "de", "en"):
        raise _fail("--lang must be de or en", EXIT_USAGE)
    if not (out / ".pipeline-manifest.json").is_file():
        raise _fail(f"{out}: no briefings here (no .pipeline-manifest.json; give --out)", EXIT_USAGE)
    with _errors():
        try:
            hits = search(out, query, lang, limit)
        except SearchIndexError as exc:
            raise _fail(str(exc), EXIT_OUTPUT) from None
    if as_json:
        typer.echo(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo(f"no matches for {query!r} in {out}/", err=True)
    for hit in hits:
        typer.echo(f"{hit.name}  {hit.paragraph}  {hit.title}")
        for side, text in (("de", hit.de), ("en", hit.en)):
            if text:
                typer.echo(f"  {side}: {text}")


@app.command("eval")
def evaluate(
    hyp: Annotated[
        Path, typer.Argument(metavar="HYP", help="Translation: a file, a folder or briefing JSON.")
    ],
    ref: Annotated[Path, typer.Argument(metavar="REF", help="Reference translation: a file or a folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score a translation against a reference: BLEU and chrF per document and for the corpus."""
    from pipeline.evaluate import EvalError, format_table, report_json
    from pipeline.evaluate import evaluate as evaluate_translation

    try:
        report = evaluate_translation(hyp, ref)
    except EvalError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    typer.echo(
        json.dumps(report_json(report), ensure_ascii=False, indent=2) if as_json else format_table(report)
    )


@models_app.command("list")
def models_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (a list of packages).")] = False,
) -> None:
    """List installed translation packages, with the SHA-256 of the archive each was installed from."""
    from pipeline.models import describe, installed_packages, packages_dir
    from pipeline.shortlist import state

    with _errors():
        packages = [describe(pkg) | {"shortlist": state(pkg)} for pkg in installed_packages()]
    if as_json:
        typer.echo(json.dumps(packages, ensure_ascii=False, indent=2))
        return
    if not packages:
        typer.echo(f"No packages installed in {packages_dir()}")
    for p in packages:
        unusable = "" if p["usable"] else "  (unusable: no model/ or tokenizer)"
        typer.echo(f"{p['from_code']}→{p['to_code']}  {p['package']} {p['version']}  {p['path']}{unusable}")
        typer.echo(f"      sha256 {p['sha256'] or 'unknown (not installed by pipeline)'}")
        typer.echo(f"      shortlist {p['shortlist'] or 'none built (pipeline models shortlist)'}")


@models_app.command("shortlist")
def models_shortlist(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Build it again even if it is not due.")] = False,
    config: ConfigOption = None,
) -> None:
    """Learn the de→en package's vocabulary shortlist from the translation cache and verify it.

    Built when none exists or `shortlist.rebuild_after` sentences were cached since, or with --rebuild;
    otherwise the state of the current one is shown. Used by `--profile fast` and `translate.shortlist`.
    """
    from pipeline.engine import refresh_shortlist

    with _errors():
        cfg = _config(config)
        record, cached = refresh_shortlist(cfg, rebuild)
        if record is None:
            raise _fail(
                f"no shortlist: {cached} sentences cached, {cfg.shortlist.min_sentences} needed "
                "(translate more, or lower shortlist.min_sentences)",
                EXIT_FAILED,
            )
    typer.echo(f"shortlist {record.reason}")
    typer.echo(
        f"      learned from {record.learned_from} sentences; {record.always_allowed} tokens always allowed, "
        f"{record.per_source_token} per source token; build {record.build_seconds:.1f} s, "
        f"verification {record.verify_seconds:.1f} s"
    )


@models_app.command("install")
def models_install(
    from_code: Annotated[str | None, typer.Argument(help="Source language, e.g. de.")] = None,
    to_code: Annotated[str | None, typer.Argument(help="Target language, e.g. en.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Install a local .argosmodel file.")] = None,
    if_missing: Annotated[
        bool,
        typer.Option(
            "--if-missing", help="Download only when no FROM→TO package is installed; offline, exit 3."
        ),
    ] = False,
) -> None:
    """Install a package from a local .argosmodel file, or download one from the argos index."""
    from pipeline.models import (
        IndexUnreachableError,
        NoModelError,
        find_package,
        install_file,
        install_from_index,
        model_info,
    )

    if (file is None) == (from_code is None or to_code is None):
        raise _fail("give either --file PATH or FROM TO (e.g. `pipeline models install de en`)", EXIT_USAGE)
    with _errors():
        if file:
            pkg = install_file(file)
        else:
            if if_missing:
                try:
                    pkg = find_package(from_code, to_code)
                    typer.echo(
                        f"{from_code}→{to_code} is installed: {model_info(pkg).package} {pkg.package_version}"
                    )
                    return
                except NoModelError as missing:
                    absent = missing
                    typer.echo(f"No {from_code}→{to_code} package installed: downloading one.", err=True)
            with _download_bar() as progress:
                try:
                    pkg = install_from_index(from_code, to_code, progress=progress)
                except IndexUnreachableError as exc:
                    if if_missing:
                        raise _fail(f"{exc}\n{absent}", EXIT_NO_MODEL) from None
                    raise
    info = model_info(pkg)
    typer.echo(f"installed {info.package} {info.version} ({info.from_code}→{info.to_code}) in {info.path}")


@models_app.command("remove")
def models_remove(
    name: Annotated[str, typer.Argument(help="Package name or directory, as `models list` shows it.")],
    version: Annotated[
        str | None, typer.Option(help="Only this version (when several are installed).")
    ] = None,
) -> None:
    """Remove an installed package, e.g. to roll back to the previous version of a bad one."""
    from pipeline.models import remove

    with _errors():
        removed = remove(name, version)
    for path in removed:
        typer.echo(f"removed {path}")


@contextmanager
def _download_bar() -> Iterator:
    """A progress callback for a download: a rich progress bar on a terminal, silent otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    with Progress(*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn()) as bar:
        task = bar.add_task("downloading", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
