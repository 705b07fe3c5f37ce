"""Settings: `configs/default.toml`, overlaid by the file given with `--config`, then by CLI options."""

from __future__ import annotations

import importlib.util
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "default.toml"
FORMATS = ("md", "html", "json", "docx", "pdf")
DEVICES = ("auto", "cpu", "cuda")


class ConfigError(Exception):
    """A config file or option that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class InputConfig:
    max_bytes: int


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
class ExecutorConfig:
    """Where the documents are processed: "local" (this process) or "ray" (pipeline.ray_executor)."""

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
    path: Path
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
    if config.input.max_bytes < 1:
        raise ConfigError(f"{path}: input.max_bytes must be at least 1")
    if config.limits.document_seconds <= 0:
        raise ConfigError(f"{path}: limits.document_seconds must be > 0")
    t = config.translate
    for key in ("beam_size", "max_batch_tokens", "num_hypotheses"):
        if getattr(t, key) < 1:
            raise ConfigError(f"{path}: translate.{key} must be at least 1")
    if t.max_output_ratio <= 0 or t.max_output_extra < 0:
        raise ConfigError(f"{path}: translate.max_output_ratio must be > 0 and max_output_extra ≥ 0")
    if t.device not in DEVICES:
        raise ConfigError(f"{path}: translate.device must be one of {', '.join(DEVICES)}, got {t.device!r}")
    if t.inter_threads < 0 or t.intra_threads < 0:
        raise ConfigError(f"{path}: translate.inter_threads and intra_threads must be ≥ 0 (0 = automatic)")
    if config.review.min_confidence > 0:
        raise ConfigError(f"{path}: review.min_confidence must be ≤ 0 (a log-probability)")
    sl = config.shortlist
    if not 0 < sl.min_identical <= 1:
        raise ConfigError(f"{path}: shortlist.min_identical must be > 0 and ≤ 1")
    for key in ("per_source_token", "always_allowed", "verify_sentences", "min_sentences", "rebuild_after"):
        if getattr(sl, key) < 1:
            raise ConfigError(f"{path}: shortlist.{key} must be at least 1")
    if sl.enlarge_rounds < 0:
        raise ConfigError(f"{path}: shortlist.enlarge_rounds must be ≥ 0")
    if config.summary.algorithm not in ALGORITHMS:
        raise ConfigError(f"{path}: summary.algorithm must be one of {', '.join(ALGORITHMS)}")
    if config.summary.mode not in MODES:
        raise ConfigError(f"{path}: summary.mode must be one of {', '.join(MODES)}")
    try:
        Length.parse(config.summary.length)
    except ValueError as exc:
        raise ConfigError(f"{path}: summary.length: {exc}") from None
    ex = config.executor
    if ex.kind not in ("local", "ray"):
        raise ConfigError(f"{path}: executor.kind must be local or ray")
    if ex.inputs not in ("ship", "shared"):
        raise ConfigError(f"{path}: executor.inputs must be ship or shared")
    if ex.actors < 1 or ex.batch_size < 1 or ex.cpus_per_actor <= 0 or ex.intra_threads < 1:
        raise ConfigError(
            f"{path}: executor.actors, batch_size and intra_threads must be at least 1, cpus_per_actor > 0"
        )
    bad = [f for f in config.output.formats if f not in FORMATS]
    if bad or not config.output.formats:
        raise ConfigError(f"{path}: output.formats must be a non-empty list of {', '.join(FORMATS)}")
    if "pdf" in config.output.formats and importlib.util.find_spec("weasyprint") is None:
        raise ConfigError(
            f"{path}: output.formats pdf needs WeasyPrint; install it with pip install '.[pdf]'"
        )
