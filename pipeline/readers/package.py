"""Zip packages of XML parts (OpenDocument, PowerPoint, EPUB) read with limits against hostile files.

Every reader of such a format opens its file through ``Package``, which refuses, each with one clear
``FormatError``:
- a zip bomb: parts that would unpack to more than ``MAX_EXPANSION`` × input.max_bytes in all, or more
  parts than ``MAX_PARTS``;
- an XML entity bomb or an external entity: any part that declares entities (none of these formats
  does); entities are never expanded and nothing is fetched from the network in any case;
- a part of more XML elements than the element budget, ``max_bytes // BYTES_PER_ELEMENT`` for the whole
  package (counted while parsing, so a part of millions of tiny elements never builds its tree);
- path tricks: a reference from one part to another that leaves the package (``../../etc/passwd``, an
  absolute path) or names a part that is not there.
Nothing is ever unpacked to disk. ``budget.check()`` runs every ``CHECK_EVERY`` elements.
"""

from __future__ import annotations

import io
import posixpath
import urllib.parse
import zipfile

from lxml import etree

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers.base import FormatError
from pipeline.readers.decode import declared_charset, decode

# The same factor the .docx reader uses: ordinary office files unpack to 3–8 times their size.
MAX_EXPANSION = 10
MAX_PARTS = 10_000
# The smallest XML element ("<a/>") is 4 bytes; text-heavy office XML has one every 40–80 bytes, so a
# package may hold one element per 4 bytes of input.max_bytes once unpacked (10 MB: 2.5 M elements, about
# 500 MB of lxml tree at most), far above any ordinary document and far below a bomb of tiny elements.
BYTES_PER_ELEMENT = 4
CHECK_EVERY = 10_000


class Package:
    """The parts of one zip package (``what`` names the format in messages, e.g. "an .odt")."""

    def __init__(self, data: bytes, max_bytes: int, budget: Budget = UNLIMITED, what: str = "a package"):
        self.what = what
        self.budget = budget
        self.elements_left = max(max_bytes // BYTES_PER_ELEMENT, 1)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise FormatError(f"not {what} (not a valid zip archive: {exc})") from None
        if len(infos) > MAX_PARTS:
            raise FormatError(f"{what} of {len(infos):,} parts, more than the limit of {MAX_PARTS:,}")
        unpacked = sum(info.file_size for info in infos)
        limit = MAX_EXPANSION * max_bytes
        if unpacked > limit:
            raise FormatError(
                f"{what} that unpacks to {unpacked:,} bytes, more than the limit of {limit:,} "
                f"({MAX_EXPANSION} × input.max_bytes): a possible zip bomb"
            )
        self.names = {info.filename for info in infos}

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """The bytes of part ``name`` (a zip member name)."""
        if name not in self.names:
            raise FormatError(f"damaged {self.what}: the part {name!r} is missing")
        try:
            # zipfile reads at most the declared size and checks the CRC, so a lying header cannot
            # unpack more than the expansion check allowed.
            return self.zip.read(name)
        except Exception as exc:  # zlib.error, BadZipFile, NotImplementedError (encryption), …
            raise FormatError(
                f"damaged {self.what}: cannot unpack {name!r} ({type(exc).__name__}: {exc})"
            ) from None

    def xml(self, name: str) -> etree._Element:
        """Part ``name`` parsed as XML."""
        return self._parse(name, html=False)

    def html(self, name: str) -> etree._Element:
        """Part ``name`` (XHTML) parsed by the HTML parser, which knows HTML's named entities (EPUB 2
        chapters use ``&nbsp;`` without their DTD) and forgives the markup errors of real books."""
        return self._parse(name, html=True)

    def _parse(self, name: str, html: bool) -> etree._Element:
        data = self.read(name)
        options = {"remove_comments": True, "remove_pis": True, "no_network": True, "huge_tree": False}
        if html:  # libxml2's HTML parser would take bytes without <meta charset> for Latin-1
            data, options["encoding"] = decode(data, declared_charset(data)).encode("utf-8"), "utf-8"
        else:
            options |= {"resolve_entities": False, "load_dtd": False}
        root = None
        try:
            for _, el in etree.iterparse(io.BytesIO(data), events=("start",), html=html, **options):
                root = el if root is None else root
                self.elements_left -= 1
                if self.elements_left < 0:
                    raise FormatError(
                        f"{self.what} of more XML elements than the limit of one per {BYTES_PER_ELEMENT} "
                        "bytes of input.max_bytes"
                    )
                if self.elements_left % CHECK_EVERY == 0:
                    self.budget.check()
        except etree.LxmlError as exc:
            if "amplification" in str(exc):  # libxml2's own guard against entity bombs
                raise self._entities(name) from None
            raise FormatError(f"damaged {self.what}: {name!r} is not well-formed XML ({exc})") from None
        if root is None:
            raise FormatError(f"damaged {self.what}: {name!r} is empty")
        dtd = root.getroottree().docinfo.internalDTD
        if dtd is not None and any(True for _ in dtd.iterentities()):
            raise self._entities(name)
        return root

    def _entities(self, name: str) -> FormatError:
        return FormatError(
            f"{self.what} whose part {name!r} declares XML entities, which this format never needs: "
            "refused as a possible entity bomb"
        )

    def resolve(self, base: str, href: str) -> str:
        """The part that ``href`` (relative to part ``base``, percent-encoded) names; a reference that
        leaves the package or names a missing part is refused."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(href).path)
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), path))
        if path.startswith("/") or joined.startswith("../") or joined == "..":
            raise FormatError(f"{self.what} with a reference that leaves the package: {href!r}")
        if joined not in self.names:
            raise FormatError(f"damaged {self.what}: {base!r} refers to the missing part {joined!r}")
        return joined


def text_of(el: etree._Element) -> str:
    """All text inside ``el``."""
    return "".join(el.itertext())


def local(el: etree._Element) -> str:
    """The element's tag without its namespace ("" for comments and the like)."""
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""
