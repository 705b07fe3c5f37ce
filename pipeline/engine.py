"""Setting up translation, in one place: the engine a run, a Ray actor or a CLI command translates with.

For a configuration: the installed package of its language pair, the device checked before any work,
the shared translation cache (translate.cache), the glossary (review.glossary), the verified vocabulary
shortlist (translate.shortlist, rebuilt first when due) and the profile, assembled into one
`pipeline.translate.Translator`. The shortlist is handed `standard_translators` to make the translators
it learns and verifies with, so it never imports the translator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config

if TYPE_CHECKING:
    from argostranslate.package import Package

    from pipeline.cache import TranslationCache
    from pipeline.glossary import Glossary
    from pipeline.shortlist import ShortlistRecord
    from pipeline.translate import Translator

# How the shortlist makes a translator: with this cache (or none) and this shortlist model directory.
MakeTranslator = Callable[["TranslationCache | None", "Path | None"], "Translator"]


def load_translator(config: Config) -> Translator:
    """The installed package for the configured pair, with the shared cache if enabled, the configured
    glossary and, with translate.shortlist, the verified shortlist.

    Raises NoModelError when no package is installed and GlossaryError for a glossary that cannot be
    used: callers do this before any other work.
    """
    from pipeline.models import find_package
    from pipeline.translate import Translator

    glossary = load_glossary(config)
    package = find_package(config.language.source, config.language.target)
    if config.translate.device == "cuda":  # no GPU: one clear error before any work
        from pipeline.translate import resolve_device

        resolve_device("cuda")
    cache = open_cache() if config.translate.cache else None
    shortlist = None
    if config.translate.shortlist:
        from pipeline.shortlist import for_run

        shortlist = for_run(package, config.shortlist, cache, standard_translators(package, config))
    return Translator(package, config.translate, cache, glossary, shortlist=shortlist, profile=config.profile)


def actor_translator(config: Config, glossary: Glossary | None, shortlist: Path | None) -> Translator:
    """A Ray actor's engine: the package installed on its node, one CTranslate2 worker of
    executor.intra_threads threads, the driver's glossary and shortlist, and no cache of its own (the
    driver's cache answers for it, pipeline.executors.ray)."""
    from pipeline.models import find_package
    from pipeline.translate import Translator

    settings = replace(config.translate, inter_threads=1, intra_threads=config.executor.intra_threads)
    package = find_package(config.language.source, config.language.target)
    return Translator(package, settings, glossary=glossary, shortlist=shortlist, profile=config.profile)


def load_glossary(config: Config) -> Glossary | None:
    """The configured glossary (pipeline.glossary), or None."""
    from pipeline.glossary import Glossary

    path = config.review.glossary_path(config.path)
    return Glossary.load(path) if path else None


def open_cache() -> TranslationCache:
    """The shared translation cache (pipeline.cache), in the user's cache directory."""
    from pipeline.cache import TranslationCache, default_cache_path

    return TranslationCache(default_cache_path())


def standard_translators(package: Package, config: Config) -> MakeTranslator:
    """How the shortlist makes its translators: the standard profile's settings, whatever the run's
    profile, so the shortlist learns from and is checked against the plain translations."""
    from pipeline.translate import Translator

    def make(cache: TranslationCache | None, shortlist: Path | None) -> Translator:
        return Translator(package, config.standard_translate, cache, shortlist=shortlist)

    return make


def refresh_shortlist(config: Config, rebuild: bool = False) -> tuple[ShortlistRecord | None, int]:
    """`models shortlist`: build the shortlist when due (or `rebuild`); the current record (None: never
    built) and the cached sentences it counts from. OutputError when it cannot be written."""
    from pipeline.fileio import OutputError
    from pipeline.models import find_package
    from pipeline.shortlist import refresh, shortlist_dir

    package = find_package(config.language.source, config.language.target)
    try:
        return refresh(
            package, config.shortlist, open_cache(), standard_translators(package, config), rebuild
        )
    except OSError as exc:
        raise OutputError(shortlist_dir(package), exc) from None
