"""One reader per input format, each turning bytes into (kind, text) blocks (see ``base``).

Adding a format means adding a module with ``SUFFIXES`` and ``extract`` and naming it in ``_MODULES``.
"""

from __future__ import annotations

from types import ModuleType

from pipeline.readers import docx, eml, epub, html, image, odp, odt, pdf, pptx, subtitles, text

_MODULES = (text, html, docx, pdf, odt, odp, pptx, epub, subtitles, eml, image)
# File name ending (lower case, with the dot) → the reader module for it.
READERS: dict[str, ModuleType] = {suffix: module for module in _MODULES for suffix in module.SUFFIXES}
SUPPORTED_SUFFIXES = tuple(READERS)
eml.READABLE = frozenset(SUPPORTED_SUFFIXES)  # which attachments of a mail can be read
