"""Properties of the reader and the renderers over arbitrary input (hypothesis, derandomized)."""

from __future__ import annotations

import codecs
import hashlib
import io
import zipfile
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from pipeline.document import (
    PARAGRAPH_KINDS,
    VERBATIM_KINDS,
    Document,
    ModelInfo,
    Paragraph,
    Sentence,
    Summary,
    SummaryItem,
    TargetSentence,
)
from pipeline.reader import InputError, parse_paragraphs, read_document
from pipeline.render import document_title, render_html, render_markdown

# --- parse_paragraphs keeps every character but markup markers -------------------------------------

# What parse_paragraphs may drop besides whitespace: heading #s, quote >s and list bullets ("-", "1.", "2)").
MARKERS = frozenset("#>-*+•–0123456789.)")
_PREFIXES = [
    "",
    "# ",
    "###### ",
    "####### ",
    "#",
    "> ",
    ">",
    "- ",
    "* ",
    "+ ",
    "• ",
    "– ",
    "1. ",
    "12) ",
    "  ",
]
_SEPARATORS = ["\n", "\n\n", "\r\n", "\r\n\r\n", "\r", "\r\r", "\n \t\n", "\u2028", "\u00a0\n\n"]
_CHARS = st.characters(exclude_categories=("Cs",)) | st.sampled_from("#>-*•–1.) \t\u00a0\u3000")
_LINE = st.tuples(
    st.sampled_from(_PREFIXES), st.text(_CHARS, max_size=25), st.sampled_from(["", " #", " ##"])
)
# Markdown-like text (the interesting paths) as well as any text at all.
TEXTS = st.text(max_size=200) | st.lists(
    st.tuples(_LINE.map("".join), st.sampled_from(_SEPARATORS)), max_size=12
).map(lambda parts: "".join(line + sep for line, sep in parts))


def _kept(text: str) -> list[str]:
    return [c for c in text if not c.isspace() and c not in MARKERS]


def _is_subsequence(part: str, whole: str) -> bool:
    rest = iter(whole)
    return all(c in rest for c in part)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(TEXTS)
def test_parse_paragraphs_keeps_all_text_but_markers(text):
    paragraphs = parse_paragraphs(text)
    assert [p.id for p in paragraphs] == [f"p{i}" for i in range(1, len(paragraphs) + 1)]
    for p in paragraphs:
        assert p.kind in PARAGRAPH_KINDS
        assert p.text and p.text == " ".join(p.text.split()), "non-empty, whitespace collapsed"
    out = "".join(p.text for p in paragraphs)
    # In order and nothing invented; and only markers are ever dropped.
    assert _is_subsequence(
        "".join(c for c in out if not c.isspace()), "".join(c for c in text if not c.isspace())
    )
    assert _kept(out) == _kept(text)


# --- read_document: any bytes give a Document or an InputError -------------------------------------

_BOMS = [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE]
_HTML_BITS = ["<p>", "</p>", "<h1>", "<li>", "<br>", "<main>", "<script>", "<!--", "-->", "+2AA-", "\\udc80"]
_MARKUP = st.lists(st.text(max_size=8) | st.sampled_from(_HTML_BITS), max_size=20).map("".join)
BYTES = (
    st.binary(max_size=400)
    | st.tuples(st.sampled_from(_BOMS), st.binary(max_size=200)).map(b"".join)
    | st.tuples(
        _MARKUP | st.text(max_size=200),
        st.sampled_from(
            ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32", "cp1252", "latin-1", "cp850"]
        ),
    ).map(lambda t: t[0].encode(t[1], "ignore"))
)
# Labels browsers know, and labels only Python knows: no text encodings, or ones that yield lone surrogates.
_CHARSETS = ["cp1252", "iso-8859-1", "utf-8", "utf-16", "koi8-r", "shift_jis", "gb18030", "nonsense"]
_CHARSETS += ["undefined", "base64", "rot13", "utf-7", "unicode_escape", "raw_unicode_escape", "punycode"]
# Pages that are not UTF-8 (a Latin-1 "ü"), so that their <meta charset> is what decodes them.
PAGES = st.tuples(st.sampled_from(_CHARSETS), _MARKUP, st.binary(max_size=30)).map(
    lambda t: f'<meta charset="{t[0]}">{t[1]}'.encode() + b"\xfc" + t[2]
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bytes")


def _read_or_refuse(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        doc = read_document(path)
    except InputError as exc:
        assert str(exc).startswith(f"{path}: ")
        return
    assert doc.paragraphs and all(p.text for p in doc.paragraphs)
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


@settings(derandomize=True, max_examples=100, deadline=None)
@given(data=BYTES, suffix=st.sampled_from([".txt", ".md", ".html", ".docx"]))
def test_any_bytes_are_read_or_refused_with_input_error(scratch, data, suffix):
    _read_or_refuse(scratch / f"input{suffix}", data)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(PAGES)
def test_any_declared_charset_is_read_or_refused_with_input_error(scratch, data):
    _read_or_refuse(scratch / "page.html", data)


@pytest.fixture(scope="module")
def docx_members() -> dict[str, bytes]:
    """The parts of a small real .docx: heading, paragraph, list item and table."""
    import docx

    document = docx.Document()
    document.add_heading("Titel", level=1)
    document.add_paragraph("Ein Absatz.")
    document.add_paragraph("Ein Punkt", style="List Bullet")
    document.add_table(rows=1, cols=2).cell(0, 0).text = "Zelle"
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@settings(derandomize=True, max_examples=25, deadline=None)
@given(
    part=st.integers(0, 100),
    changes=st.lists(st.tuples(st.integers(0, 2**20), st.binary(max_size=4)), max_size=6),
)
def test_damaged_docx_is_read_or_refused_with_input_error(scratch, docx_members, part, changes):
    """A part of a real .docx overwritten here and there, packed again with valid checksums, so that
    python-docx's parsing (not zipfile's CRC check) meets the damage."""
    members = dict(docx_members)
    name = sorted(members)[part % len(members)]
    data = bytearray(members[name])
    for at, replacement in changes:
        at %= len(data)
        data[at : at + len(replacement)] = replacement
    members[name] = bytes(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    _read_or_refuse(scratch / "damaged.docx", buffer.getvalue())


# --- renderers: document text never becomes markup -------------------------------------------------

_HOSTILE_BITS = [
    "<script>",
    "</span>",
    "<b>",
    "&amp;",
    "&lt;",
    "](javascript:x)",
    "![i](x.png)",
    "<http://x>",
]
_HOSTILE_BITS += ["**", "_", "`", "|", "\\", "# ", "- ", "1. ", "<!--", "'", '"', "[", "]"]
# One rendered sentence: arbitrary characters and markup, whitespace collapsed as the splitter leaves it.
# NUL is left out: the reader refuses it, and CommonMark replaces it with U+FFFD.
_SENTENCE = (
    st.lists(
        st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\0"), max_size=6)
        | st.sampled_from(_HOSTILE_BITS),
        min_size=1,
        max_size=8,
    )
    .map(lambda parts: " ".join("".join(parts).split()))
    .filter(bool)
)


@st.composite
def documents(draw) -> Document:
    paragraphs = []
    for i in range(1, draw(st.integers(1, 4)) + 1):
        pid = f"p{i}"
        de = draw(st.lists(_SENTENCE, min_size=1, max_size=3))
        en = draw(st.none() | st.lists(_SENTENCE, min_size=len(de), max_size=len(de)))
        paragraphs.append(
            Paragraph(
                id=pid,
                kind=draw(st.sampled_from(PARAGRAPH_KINDS)),
                text=" ".join(de),
                lang="de" if en is not None else "en",
                sentences=[Sentence(f"{pid}.s{j}", t) for j, t in enumerate(de, 1)],
                translation=None
                if en is None
                else [TargetSentence(f"{pid}.s{j}.en", f"{pid}.s{j}", t) for j, t in enumerate(en, 1)],
            )
        )
    doc = Document(
        path=Path("corpora/de/bericht.txt"),
        sha256="ab" * 32,
        paragraphs=paragraphs,
        lang="de",
        lang_confidence=1.0,
        model=ModelInfo("translate-de_en", "1.9", "de", "en", "/models/de_en"),
    )
    first, targets = doc.sentences()[0], doc.target_sentences()
    doc.summary = Summary(
        source=[SummaryItem(first.id, first.text, None)],
        target=[SummaryItem(t.id, t.text, t.source_id) for t in targets[:1]],
        algorithm="lexrank",
        length="3",
    )
    return doc


def _with_text(doc: Document, word: str) -> Document:
    """The same document (ids, kinds, languages, summary) with every text replaced by ``word``."""
    paragraphs = [
        Paragraph(
            id=p.id,
            kind=p.kind,
            text=word,
            lang=p.lang,
            sentences=[Sentence(s.id, word) for s in p.sentences],
            translation=None
            if p.translation is None
            else [TargetSentence(t.id, t.source_id, word) for t in p.translation],
        )
        for p in doc.paragraphs
    ]
    summary = Summary(
        source=[SummaryItem(i.sentence_id, word, i.counterpart_id) for i in doc.summary.source],
        target=[SummaryItem(i.sentence_id, word, i.counterpart_id) for i in doc.summary.target],
        algorithm=doc.summary.algorithm,
        length=doc.summary.length,
    )
    return Document(
        path=doc.path,
        sha256=doc.sha256,
        paragraphs=paragraphs,
        lang=doc.lang,
        lang_confidence=doc.lang_confidence,
        model=doc.model,
        summary=summary,
    )


VOID = {"meta", "br", "hr", "img", "input", "link"}


class _Page(HTMLParser):
    """The elements of a page in order, and the text of every element with an id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, str, tuple]] = []
        self.open: list[str | None] = []  # ids of the open elements
        self.text_by_id: dict[str, str] = {}
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append(("start", tag, tuple(attrs)))
        if tag not in VOID:
            self.open.append(dict(attrs).get("id"))

    def handle_endtag(self, tag):
        self.elements.append(("end", tag, ()))
        self.open.pop()

    def handle_data(self, data):
        if self.open and self.open[-1]:
            self.text_by_id[self.open[-1]] = self.text_by_id.get(self.open[-1], "") + data


@settings(derandomize=True, max_examples=40, deadline=None)
@given(documents())
def test_html_never_turns_document_text_into_markup(doc):
    page = _Page(render_html(doc))
    # The same elements, with the same attributes, as for a document of harmless words: no text made any.
    assert page.elements == _Page(render_html(_with_text(doc, "x"))).elements
    sentences = {s.id: s.text for s in doc.sentences()} | {t.id: t.text for t in doc.target_sentences()}
    assert {i: t for i, t in page.text_by_id.items() if i in sentences} == sentences


_MD = MarkdownIt("commonmark").enable("table")
_UNSAFE = {"html_inline", "html_block", "link_open", "image", "code_inline", "code_block", "fence"}


def _md_tokens(md: str) -> list:
    """Block and inline tokens, flattened in document order."""
    return [t for block in _MD.parse(md) for t in [block, *(block.children or [])]]


def _text(inline) -> str:
    return "".join(c.content for c in inline.children if c.type == "text")


@settings(derandomize=True, max_examples=40, deadline=None)
@given(documents())
def test_markdown_never_turns_document_text_into_markup(doc):
    tokens = _md_tokens(render_markdown(doc))
    assert not [t.type for t in tokens if t.type in _UNSAFE]
    # Apart from text, the same tokens as for harmless words: no emphasis, heading or table cell from text.
    plain = _md_tokens(render_markdown(_with_text(doc, "x")))
    assert [(t.type, t.tag) for t in tokens if t.type != "text"] == [
        (t.type, t.tag) for t in plain if t.type != "text"
    ]
    assert _text(tokens[1]) == document_title(doc)  # after heading_open of the title
    cells = [_text(t) for before, t in pairwise(tokens) if before.type in ("td_open", "th_open")]
    expected = ["Deutsch", "English"]
    for p in doc.paragraphs:
        note = p.kind if p.kind in VERBATIM_KINDS else p.lang  # a formula or code is never translated
        if p.translation and p.kind == "notes":  # speaker notes are marked on both sides
            expected += [f"Notes: {p.text}", f"Notes: {p.translated_text}"]
        else:
            expected += [p.text, p.translated_text if p.translation else f"{p.text} (not translated: {note})"]
    assert cells == expected
