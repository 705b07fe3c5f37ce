"""Bytes to text for the readers of text formats (plain text, Markdown, HTML).

Encodings: a byte order mark (UTF-8/16/32), else strict UTF-8, else the encoding the page declares
(``<meta charset>``), else the legacy code page charset-normalizer finds; binary data is refused.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from pipeline.readers.base import FormatError

# UTF-32 first: its little-endian mark starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Text that is not UTF-8 is taken to be in one of the legacy encodings German text comes in. They differ
# only in 0x80–0x9F (Windows-1252's „“–€ are control codes in Latin-1), so choosing between them is safe;
# charset-normalizer's mess threshold is raised from 0.2 because a short line like "„Grüße“ – 5 €" is
# mostly symbols, while binary data still fails it.
_LEGACY_ENCODINGS = ["cp1252", "latin_1"]
# Control characters other than tab, line and page breaks: in text they are rare, in binary data common.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.1
_SURROGATE = re.compile(r"[\ud800-\udfff]")

_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# WHATWG encoding labels that do not mean what Python's codec of the same name does.
_CHARSET_ALIASES = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",  # a real UTF-16 page starts with a byte order mark, which wins over <meta>
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}


def declared_charset(data: bytes) -> str | None:
    """The Python codec for the page's ``<meta charset>`` (searched for near the start, as browsers do)."""
    match = _META_CHARSET.search(data, 0, 4096)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(name, name)


def decode(data: bytes, declared: str | None = None) -> str:
    """The text of ``data``, refusing binary data."""
    text = _to_text(data, declared)
    controls = sum(1 for _ in _CONTROL.finditer(text))
    if "\0" in text or controls > _MAX_CONTROL_SHARE * len(text):
        raise FormatError(
            f"binary data, not text ({controls:,} of {len(text):,} characters are control codes)"
        )
    return text


def _to_text(data: bytes, declared: str | None) -> str:
    """Decoded by its byte order mark, else as strict UTF-8, else in the ``declared`` encoding, else in
    the legacy encoding charset-normalizer finds."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise FormatError(
                    f"starts with a {codec.upper()} byte order mark but is not valid "
                    f"{codec.upper()} text (byte {exc.start + len(bom)})"
                ) from None
    if b"\0" in data:
        raise FormatError("binary data, not text (NUL bytes; UTF-16 text needs a byte order mark)")
    for codec in filter(None, ("utf-8", declared)):
        try:
            text = data.decode(codec)
        except (LookupError, ValueError):  # not a text codec ("base64", "undefined"), or not its bytes
            continue
        if not _SURROGATE.search(text):  # "utf-7" and the escape codecs can decode to lone surrogates
            return text
    best = charset_normalizer.from_bytes(data, cp_isolation=_LEGACY_ENCODINGS, threshold=0.5).best()
    if best is None:
        raise FormatError("not text: the bytes are neither UTF-8 nor Windows-1252/Latin-1 text")
    return str(best)
