"""Settings: `configs/default.toml`, overlaid by the file given with `--config`, then by CLI options."""

from __future__ import annotations

import importlib.util
import math
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "default.toml"
FORMATS = ("md", "html", "json", "docx", "pdf")
DEVICES = ("auto", "cpu", "cuda")
# Upper bounds of the numbers, far above any useful setting, so that a typo (beam_size = 100000 reached
# 17 GB before it was killed) is refused with the key named instead of exhausting the machine.
MAX_BEAM = 16  # argostranslate uses 4; CTranslate2's speed and memory grow with the beam
MAX_COUNT = 1_000_000_000  # batch sizes, sentence counts, shortlist sizes
MAX_ENLARGE_ROUNDS = 10  # each round doubles the shortlist
MAX_OUTPUT_RATIO = 100.0
MAX_OUTPUT_EXTRA = 10_000
MAX_LENGTH_PENALTY = 100.0
MAX_THREADS = 1024
MAX_LOG_PROBABILITY = 1000.0  # review.min_confidence: a mean log-probability per token, ≤ 0
MAX_INPUT_BYTES = 2**40
MAX_DOCUMENT_SECONDS = 7 * 24 * 3600.0
MAX_OCR_DPI = 1200


class ConfigError(Exception):
    """A config file or option that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class InputConfig:
    max_bytes: int
    # Follow symbolic links (to files and folders) whose target lies outside the input folder
    # (pipeline.inputs); off: such a link is skipped with one line.
    follow_links: bool


@dataclass(frozen=True)
class LanguageConfig:
    source: str
    target: str
    candidates: list[str]


# [translate] keys that say how translation runs, not what it gives: they are in neither the translation
# cache key nor a briefing's fingerprint.
EXECUTION_KEYS = ("inter_threads", "intra_threads", "cache", "device")


@dataclass(frozen=True)
class TranslateConfig:
    beam_size: int
    max_batch_tokens: int
    inter_threads: int
    intra_threads: int
    compute_type: str
    # "auto" (CUDA when CTranslate2 sees a GPU, else the CPU), "cpu" or "cuda".
    device: str
    # Output length cap: max_output_ratio × source tokens + max_output_extra (stops runaway repetition).
    max_output_ratio: float
    max_output_extra: int
    # Decoding as argostranslate's apply_packaged_translation: beam = max(num_hypotheses, beam_size).
    num_hypotheses: int
    length_penalty: float
    replace_unknowns: bool
    use_target_prefix: bool
    cache: bool
    # Use the package's verified vocabulary shortlist when there is one (pipeline/shortlist.py).
    shortlist: bool


@dataclass(frozen=True)
class ShortlistConfig:
    # Share of held-out cached sentences that must come out identical with the shortlist.
    min_identical: float
    per_source_token: int
    always_allowed: int
    enlarge_rounds: int
    verify_sentences: int
    min_sentences: int
    rebuild_after: int


@dataclass(frozen=True)
class ReviewConfig:
    # A machine translation whose log-probability per token is under this is flagged (pipeline.review).
    min_confidence: float
    # A glossary TSV (pipeline.glossary); "" = none. A relative path is relative to the config file.
    glossary: str

    def glossary_path(self, config_path: Path) -> Path | None:
        if not self.glossary:
            return None
        return config_path.parent / self.glossary  # an absolute glossary path stays as it is


@dataclass(frozen=True)
class MonitoringConfig:
    # A Prometheus text file written after each run (pipeline.metrics); "" = none. A relative path is
    # relative to the config file.
    metrics_file: str

    def metrics_path(self, config_path: Path) -> Path | None:
        return config_path.parent / self.metrics_file if self.metrics_file else None


@dataclass(frozen=True)
class SummaryConfig:
    algorithm: str
    length: str
    mode: str


@dataclass(frozen=True)
class OutputConfig:
    formats: list[str]


@dataclass(frozen=True)
class LimitsConfig:
    document_seconds: float  # one document's whole processing; past it the document is failed


@dataclass(frozen=True)
class OcrConfig:
    """Scans (pipeline.readers.ocr): "auto" reads PDF pages without a usable text layer and image files
    with Tesseract, "on" every PDF page (its text layer ignored), "off" none."""

    enabled: str
    languages: str  # Tesseract's language models, "+"-joined
    max_pages: int  # pages read by OCR per document; the rest are left out with a note
    page_seconds: float  # one page's OCR; past it the page is left out with a note
    dpi: int  # PDF pages are rendered at this resolution for OCR


@dataclass(frozen=True)
class ExecutorConfig:
    """Where the documents are processed: "local" (this process) or "ray" (pipeline.executors.ray)."""

    kind: str
    address: str  # Ray cluster address ("" = start a local one; "auto" = the one this node joined)
    actors: int  # translation actors, each with its own CTranslate2 model
    cpus_per_actor: float
    batch_size: int  # documents per translation call on an actor
    intra_threads: int  # CTranslate2 threads per actor (Ray sets OMP_NUM_THREADS to num_cpus anyway)
    inputs: str  # "ship": the driver reads inputs and ships their bytes; "shared": workers read the paths


@dataclass(frozen=True)
class Config:
    input: InputConfig
    language: LanguageConfig
    translate: TranslateConfig
    review: ReviewConfig
    summary: SummaryConfig
    output: OutputConfig
    limits: LimitsConfig
    executor: ExecutorConfig
    shortlist: ShortlistConfig
    ocr: OcrConfig
    path: Path
    monitoring: MonitoringConfig = MonitoringConfig("")
    # The `[profiles]` entry applied over `[translate]` ("standard": none), and `[translate]` without
    # it (a shortlist is learned from and verified against standard translations).
    profile: str = "standard"
    standard_translate: TranslateConfig | None = None


_SECTIONS = {
    "input": InputConfig,
    "language": LanguageConfig,
    "translate": TranslateConfig,
    "review": ReviewConfig,
    "summary": SummaryConfig,
    "output": OutputConfig,
    "limits": LimitsConfig,
    "executor": ExecutorConfig,
    "shortlist": ShortlistConfig,
    "monitoring": MonitoringConfig,
    "ocr": OcrConfig,
}
STANDARD_PROFILE = "standard"


def load_config(
    path: Path | None = None, overrides: dict[str, Any] | None = None, profile: str | None = None
) -> Config:
    """The defaults, overlaid with the keys of `path` (if given), then `profile`, then `overrides`.

    `overrides` maps "section.key" to a value; None keeps the file's value. A profile is a table of
    `[profiles]` whose keys replace those of `[translate]`.
    """
    data = _read_toml(DEFAULT_CONFIG)
    if path is not None:
        for section, values in _read_toml(path).items():
            if not isinstance(values, dict):
                raise ConfigError(f"{path}: {section} must be a [section]")
            data.setdefault(section, {}).update(values)
    path = path or DEFAULT_CONFIG
    profiles = data.pop("profiles", {})
    standard = dict(data.get("translate", {}))
    profile = profile or STANDARD_PROFILE
    if profile != STANDARD_PROFILE:
        if profile not in profiles or not isinstance(profiles[profile], dict):
            known = ", ".join([STANDARD_PROFILE, *sorted(profiles)])
            raise ConfigError(f"{path}: unknown profile {profile!r} (known: {known})")
        for key in profiles[profile]:
            if key not in {f.name for f in fields(TranslateConfig)}:
                raise ConfigError(f"{path}: profiles.{profile}.{key} is not a [translate] key")
        data.setdefault("translate", {}).update(profiles[profile])
    for dotted, value in (overrides or {}).items():
        if value is not None:
            section, key = dotted.split(".")
            data.setdefault(section, {})[key] = value
            if section == "translate":
                standard[key] = value
    unknown = set(data) - set(_SECTIONS)
    if unknown:
        raise ConfigError(f"{path}: unknown section [{sorted(unknown)[0]}]")
    sections = {name: _section(path, name, cls, data.get(name, {})) for name, cls in _SECTIONS.items()}
    standard_translate = _section(path, "translate", TranslateConfig, standard)
    config = Config(path=path, profile=profile, standard_translate=standard_translate, **sections)
    _validate(path, config)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None


def _section(path: Path, name: str, cls: type, values: dict[str, Any]) -> Any:
    expected = {f.name: f.type for f in fields(cls)}
    for key, value in values.items():
        if key not in expected:
            raise ConfigError(f"{path}: unknown key {name}.{key}")
        kind = {"int": int, "float": (int, float), "bool": bool, "str": str, "list[str]": list}[expected[key]]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise ConfigError(f"{path}: {name}.{key} must be {expected[key]}, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):  # TOML's nan, inf, -inf
            raise ConfigError(f"{path}: {name}.{key} must be a finite number, got {value!r}")
    missing = set(expected) - set(values)
    if missing:
        raise ConfigError(f"{path}: missing key {name}.{sorted(missing)[0]}")
    return cls(**values)


def _validate(path: Path, config: Config) -> None:
    from pipeline.detect import known_languages
    from pipeline.summarize import ALGORITHMS, MODES, Length

    lang = config.language
    unknown = sorted(set(lang.candidates) - set(known_languages()))
    if unknown:
        raise ConfigError(f"{path}: language.candidates: unknown language code(s) {', '.join(unknown)}")
    if lang.candidates and not {lang.source, lang.target} <= set(lang.candidates):
        raise ConfigError(f"{path}: language.candidates must include {lang.source} and {lang.target}")
    t, sl, ex = config.translate, config.shortlist, config.executor
    positive = 0.0  # an exclusive lower bound: seconds, ratios and shares must be > 0
    for key, value, low, high in (
        ("input.max_bytes", config.input.max_bytes, 1, MAX_INPUT_BYTES),
        ("limits.document_seconds", config.limits.document_seconds, positive, MAX_DOCUMENT_SECONDS),
        ("translate.beam_size", t.beam_size, 1, MAX_BEAM),
        ("translate.num_hypotheses", t.num_hypotheses, 1, MAX_BEAM),
        ("translate.max_batch_tokens", t.max_batch_tokens, 1, MAX_COUNT),
        ("translate.max_output_ratio", t.max_output_ratio, positive, MAX_OUTPUT_RATIO),
        ("translate.max_output_extra", t.max_output_extra, 0, MAX_OUTPUT_EXTRA),
        ("translate.length_penalty", t.length_penalty, -MAX_LENGTH_PENALTY, MAX_LENGTH_PENALTY),
        ("translate.inter_threads", t.inter_threads, 0, MAX_THREADS),
        ("translate.intra_threads", t.intra_threads, 0, MAX_THREADS),
        ("review.min_confidence", config.review.min_confidence, -MAX_LOG_PROBABILITY, 0),
        ("shortlist.min_identical", sl.min_identical, positive, 1),
        ("shortlist.per_source_token", sl.per_source_token, 1, MAX_COUNT),
        ("shortlist.always_allowed", sl.always_allowed, 1, MAX_COUNT),
        ("shortlist.enlarge_rounds", sl.enlarge_rounds, 0, MAX_ENLARGE_ROUNDS),
        ("shortlist.verify_sentences", sl.verify_sentences, 1, MAX_COUNT),
        ("shortlist.min_sentences", sl.min_sentences, 1, MAX_COUNT),
        ("shortlist.rebuild_after", sl.rebuild_after, 1, MAX_COUNT),
        ("executor.actors", ex.actors, 1, MAX_THREADS),
        ("executor.cpus_per_actor", ex.cpus_per_actor, positive, MAX_THREADS),
        ("executor.intra_threads", ex.intra_threads, 1, MAX_THREADS),
        ("executor.batch_size", ex.batch_size, 1, MAX_COUNT),
        ("ocr.max_pages", config.ocr.max_pages, 1, MAX_COUNT),
        ("ocr.page_seconds", config.ocr.page_seconds, positive, MAX_DOCUMENT_SECONDS),
        ("ocr.dpi", config.ocr.dpi, 50, MAX_OCR_DPI),
    ):
        exclusive = low is positive
        if (value <= low if exclusive else value < low) or value > high:
            raise ConfigError(
                f"{path}: {key} must be {'>' if exclusive else '≥'} {low:g} and ≤ {high:g}, got {value!r}"
            )
    if t.device not in DEVICES:
        raise ConfigError(f"{path}: translate.device must be one of {', '.join(DEVICES)}, got {t.device!r}")
    if config.summary.algorithm not in ALGORITHMS:
        raise ConfigError(f"{path}: summary.algorithm must be one of {', '.join(ALGORITHMS)}")
    if config.summary.mode not in MODES:
        raise ConfigError(f"{path}: summary.mode must be one of {', '.join(MODES)}")
    try:
        Length.parse(config.summary.length)
    except ValueError as exc:
        raise ConfigError(f"{path}: summary.length: {exc}") from None
    if ex.kind not in ("local", "ray"):
        raise ConfigError(f"{path}: executor.kind must be local or ray")
    if config.ocr.enabled not in ("auto", "on", "off"):
        raise ConfigError(f"{path}: ocr.enabled must be auto, on or off, got {config.ocr.enabled!r}")
    if not re.fullmatch(r"[A-Za-z_]+(\+[A-Za-z_]+)*", config.ocr.languages):
        raise ConfigError(f"{path}: ocr.languages must be Tesseract model names joined by +, e.g. deu+eng")
    if ex.inputs not in ("ship", "shared"):
        raise ConfigError(f"{path}: executor.inputs must be ship or shared")
    bad = [f for f in config.output.formats if f not in FORMATS]
    if bad or not config.output.formats:
        raise ConfigError(f"{path}: output.formats must be a non-empty list of {', '.join(FORMATS)}")
    if "pdf" in config.output.formats and importlib.util.find_spec("weasyprint") is None:
        raise ConfigError(
            f"{path}: output.formats pdf needs WeasyPrint; install it with pip install '.[pdf]'"
        )
