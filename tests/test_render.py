from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.align import aligned_document, links_json
from pipeline.document import (
    Document,
    Link,
    ModelInfo,
    Paragraph,
    Sentence,
    Summary,
    SummaryItem,
    TargetSentence,
)
from pipeline.render import (
    SCHEMA,
    IndexEntry,
    briefing_dict,
    md_escape,
    render_html,
    render_index,
    render_json,
    render_markdown,
)

markdown_it = pytest.importorskip("markdown_it")

SCRIPT = "<script>alert(1)</script>"
LINK = "[click](javascript:alert(1))"
IMAGE = "![x](http://evil/x.png)"


def _para(
    pid: str, kind: str, de: list[str], en: list[str] | None, lang: str = "de", flags=None
) -> Paragraph:
    """A paragraph of German sentences `de` and their English `en` (None: not translated); `flags` maps
    a sentence's number (from 1) to the review flags on its English."""
    flags = flags or {}
    return Paragraph(
        id=pid,
        kind=kind,
        text=" ".join(de),
        lang=lang,
        sentences=[Sentence(f"{pid}.s{i}", t) for i, t in enumerate(de, 1)],
        translation=None
        if en is None
        else [
            TargetSentence(f"{pid}.s{i}.en", f"{pid}.s{i}", t, flags=flags.get(i, []))
            for i, t in enumerate(en, 1)
        ],
    )


def _doc() -> Document:
    return Document(
        path=Path("corpora/de/bericht.txt"),
        sha256="ab" * 32,
        lang="de",
        lang_confidence=0.99,
        paragraphs=[
            _para(
                "p1", "heading", ["Jahresbericht über Größe & <Gewinn>"], ["Annual report on size & <profit>"]
            ),
            _para("p2", "caption", ["Abb. 1: Umsatz | Gewinn"], ["Fig. 1: revenue | profit"]),
            _para(
                "p3",
                "body",
                [f"Der Umsatz stieg *stark* {SCRIPT}.", f"Siehe {LINK} und {IMAGE}\nneue | Zeile."],
                [f"Revenue rose *sharply* {SCRIPT}.", f"See {LINK} and {IMAGE}\nnew | line."],
            ),
            _para("p4", "body", ["This paragraph is already English | as is."], None, lang="en"),
        ],
        model=ModelInfo(
            "translate-de_en", "1.0", "de", "en", "/home/someone/.local/argos/de_en", {"length_penalty": 0.2}
        ),
        summary=Summary(
            source=[SummaryItem("p3.s1", f"Der Umsatz stieg *stark* {SCRIPT}.", "p3.s1.en")],
            target=[SummaryItem("p3.s1.en", f"Revenue rose *sharply* {SCRIPT}.", "p3.s1")],
            algorithm="lexrank",
            length="short",
        ),
    )


def _english_doc() -> Document:
    return Document(
        path=Path("corpora/de/notes.txt"),
        sha256="cd" * 32,
        lang="en",
        lang_confidence=0.97,
        paragraphs=[_para("p1", "body", ["Already English.", "Nothing to do."], None, lang="en")],
        summary=Summary([SummaryItem("p1.s1", "Already English.", None)], [], "lexrank", "short"),
    )


def _aligned_doc() -> Document:
    """A German document aligned with an English version: every link type, headings, hostile text."""
    german = [
        _para("p1", "heading", ["Jahresbericht"], None),
        _para("p2", "body", ["Der Umsatz stieg."], None),
        _para("p3", "body", ["Der Gewinn sank.", "Das war erwartet."], None),
        _para("p4", "body", ["Nur auf Deutsch."], None),
        _para("p5", "heading", ["Ausblick"], None),
        _para("p6", "body", ["Ein langer Absatz.", "Mit zwei Sätzen."], None),
    ]
    english = [
        _para("p1", "heading", ["Annual report"], None, lang="en"),
        _para("p2", "body", [f"Revenue rose {SCRIPT} and profit fell, as expected."], None, lang="en"),
        _para("p3", "body", [f"Only in English | see {LINK}."], None, lang="en"),
        _para("p4", "heading", ["Outlook"], None, lang="en"),
        _para("p5", "body", ["A long paragraph."], None, lang="en"),
        _para("p6", "body", ["With two sentences."], None, lang="en"),
    ]
    de = Document(Path("de/bericht.md"), "ab" * 32, german, lang="de", lang_confidence=1.0)
    en = Document(Path("en/report.md"), "cd" * 32, english, lang="en", lang_confidence=1.0)
    doc = aligned_document(de, en, ALIGNED_LINKS)
    doc.summary = Summary(
        source=[SummaryItem("p2.s1", "Der Umsatz stieg.", None)],
        target=[SummaryItem("en:p2.s1", english[1].sentences[0].text, None)],
        algorithm="lexrank",
        length="1",
    )
    return doc


ALIGNED_LINKS = [
    Link(("p1",), ("p1",), 0.9),
    Link(("p2", "p3"), ("p2",), 0.5),
    Link(("p4",), (), 0.03),
    Link((), ("p3",), 0.03),
    Link(("p5",), ("p4",), 0.8),
    Link(("p6",), ("p5", "p6"), 0.4),
]


# --- a tiny DOM over html.parser, enough to query the rendered pages --------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}


@dataclass
class El:
    tag: str
    attrs: dict[str, str | None]
    children: list[El | str] = field(default_factory=list)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, El):
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, attr: str | None = None) -> list[El]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (cls is None or cls in (e.attrs.get("class") or "").split())
            and (attr is None or attr in e.attrs)
        ]

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children if not _is_code(c))


def _is_code(node: El | str) -> bool:
    return isinstance(node, El) and node.tag in ("script", "style")


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = El("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        el = El(tag, dict(attrs))
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(El(tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> El:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def md_to_html(md: str) -> str:
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)


def unescaped(md: str, char: str) -> int:
    """How many times ``char`` occurs in ``md`` not backslash-escaped (after an even run of backslashes)."""
    return len(re.findall(r"(?<!\\)(?:\\\\)*" + re.escape(char), md))


# --- JSON ------------------------------------------------------------------------------------------


def test_json_structure_and_alignment():
    doc = _doc()
    data = json.loads(render_json(doc))
    assert data == briefing_dict(doc)
    assert render_json(doc).endswith("}\n") and "Größe" in render_json(doc)
    assert set(data) == {"schema", "document", "model", "paragraphs", "summary"}
    assert data["schema"] == SCHEMA
    assert data["document"] == {
        "path": "corpora/de/bericht.txt",
        "sha256": "ab" * 32,
        "source_lang": "de",
        "target_lang": "en",
        "lang_confidence": 0.99,
        "metadata": {},
        "notes": [],
    }
    assert data["model"] == {
        "package": "translate-de_en",
        "version": "1.0",
        "from_code": "de",
        "to_code": "en",
        "settings": {"length_penalty": 0.2},
    }
    para = data["paragraphs"][2]
    assert set(para) == {"id", "kind", "source", "target"}
    assert set(para["source"]) == {"lang", "text", "sentences"}
    assert set(para["target"]) == {"text", "sentences"}
    assert set(para["target"]["sentences"][0]) == {"id", "source_id", "text"}
    assert data["paragraphs"][3]["target"] is None
    assert set(data["summary"]) == {"source", "target", "algorithm", "length", "mode", "agreement"}
    assert data["summary"]["target"][0] == {
        "sentence_id": "p3.s1.en",
        "text": f"Revenue rose *sharply* {SCRIPT}.",
        "counterpart_id": "p3.s1",
    }

    source_ids = {s["id"] for p in data["paragraphs"] for s in p["source"]["sentences"]}
    target = [t for p in data["paragraphs"] if p["target"] for t in p["target"]["sentences"]]
    assert len(target) == 4
    assert all(t["source_id"] in source_ids for t in target)


def test_english_document_has_no_target_side():
    doc = _english_doc()
    data = briefing_dict(doc)
    assert data["model"] is None
    assert [p["target"] for p in data["paragraphs"]] == [None]
    assert data["summary"]["target"] == [] and len(data["summary"]["source"]) == 1
    md = render_markdown(doc)
    assert "Summary (English)" in md and "(not translated: en)" in md
    root = parse_html(render_html(doc))
    assert len(root.find_all(attr="data-pid")) == 1
    assert len(root.find_all("div", cls="summary")) == 1


# --- title -----------------------------------------------------------------------------------------


def _titled(first_kind: str, metadata: dict[str, str]) -> Document:
    """A document opening with a paragraph of `first_kind`, with a section heading further down."""
    return Document(
        path=Path("corpora/de/xi-besuch.txt"),
        sha256="ef" * 32,
        lang="de",
        paragraphs=[
            _para("p1", first_kind, ["Der Besuch begann am Montag."], ["The visit began on Monday."]),
            _para("p2", "heading", ["Engere Bindungen"], ["Closer ties"]),
            _para("p3", "body", ["Beide Seiten lobten das Treffen."], ["Both sides praised the meeting."]),
        ],
        metadata=metadata,
    )


@pytest.mark.parametrize(
    ("first_kind", "metadata", "title"),
    [
        ("heading", {"title": "Seitentitel"}, "Der Besuch begann am Montag."),  # the opening heading
        ("body", {"title": " Xi in  Berlin "}, "Xi in Berlin"),  # the declared title (HTML <title>, PDF)
        ("body", {}, "xi-besuch.txt"),  # else the file name, never "Engere Bindungen"
    ],
)
def test_title_is_the_documents_own_never_a_section_heading(first_kind, metadata, title):
    doc = _titled(first_kind, metadata)
    assert parse_html(render_html(doc)).find_all("title")[0].text() == title
    assert render_markdown(doc).splitlines()[0] == f"# {md_escape(title)}"


# --- HTML ------------------------------------------------------------------------------------------


def test_html_page_and_rows():
    doc = _doc()
    html = render_html(doc)
    root = parse_html(html)
    assert root.find_all("html")[0].attrs["lang"] == "de"
    assert {"charset": "utf-8"} in [m.attrs for m in root.find_all("meta")]
    assert any(m.attrs.get("name") == "viewport" for m in root.find_all("meta"))
    assert root.find_all("title")[0].text() == "Jahresbericht über Größe & <Gewinn>"
    assert not root.find_all(attr="src") and not root.find_all("link"), "no external resources"
    assert "@media print" in html and "max-width: 700px" in html

    rows = root.find_all(attr="data-pid")
    assert [r.attrs["data-pid"] for r in rows] == [p.id for p in doc.paragraphs]
    for row, p in zip(rows, doc.paragraphs, strict=True):
        assert f"kind-{p.kind}" in row.attrs["class"].split()
        cells = [c for c in row.children if isinstance(c, El)]
        assert [c.attrs["class"] for c in cells] == ["cell src", "cell tgt"]
        assert [c.attrs["lang"] for c in cells] == [p.lang, "en" if p.translation else p.lang]
        if p.kind == "heading":
            assert all(c.find_all("h2") for c in cells)

    untranslated = root.find_all(cls="untranslated")
    assert [r.attrs["data-pid"] for r in untranslated] == ["p4"]
    assert "not translated: en" in untranslated[0].text()

    summaries = root.find_all("div", cls="summary")
    assert [s.attrs["lang"] for s in summaries] == ["de", "en"]
    assert [a.attrs["href"] for s in summaries for a in s.find_all("a")] == ["#p3.s1", "#p3.s1.en"]


def test_html_sentence_pairs_point_at_each_other():
    root = parse_html(render_html(_doc()))
    de = {s.attrs["id"]: s for c in root.find_all(cls="src") for s in c.find_all("span", cls="s")}
    en = {s.attrs["id"]: s for c in root.find_all(cls="tgt") for s in c.find_all("span", cls="s")}
    assert set(de) == {"p1.s1", "p2.s1", "p3.s1", "p3.s2", "p4.s1"}
    assert set(en) == {"p1.s1.en", "p2.s1.en", "p3.s1.en", "p3.s2.en"}
    ids = [e.attrs["id"] for e in root.find_all(attr="id")]
    assert len(ids) == len(set(ids))
    for sid, span in de.items():
        if sid == "p4.s1":  # untranslated: nothing to pair with, so no hover target either
            assert "data-pair" not in span.attrs and "tabindex" not in span.attrs
            continue
        assert span.attrs["tabindex"] == "0"
        assert span.attrs["data-pair"].split() == [f"{sid}.en"]
    for span in en.values():
        assert span.attrs["data-pair"] in de and span.attrs["tabindex"] == "0"


def test_html_escapes_document_text():
    html = render_html(_doc())
    root = parse_html(html)
    scripts = root.find_all("script")
    assert len(scripts) == 1 and "alert" not in "".join(scripts[0].children)
    text = root.text()
    assert text.count(SCRIPT) == 4  # twice in the body, twice in the summaries
    assert LINK in text and IMAGE in text and "<profit>" in text
    assert all(a.attrs["href"].startswith("#") for a in root.find_all("a"))


# --- Markdown --------------------------------------------------------------------------------------


def test_markdown_layout():
    doc = _doc()
    md = render_markdown(doc)
    lines = md.splitlines()
    assert lines[0] == r"# Jahresbericht über Größe \& \<Gewinn\>"
    assert lines[2] == r"Source: corpora/de/bericht.txt · Deutsch → English · Model: translate-de\_en 1.0"
    assert lines.index("## Summary (Deutsch)") < lines.index("## Summary (English)")
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| Deutsch | English |"
    assert len(table) == 2 + len(doc.paragraphs)
    assert all(unescaped(row, "|") == 3 for row in table), table
    assert table[2].startswith("| **Jahresbericht") and "| **Annual report" in table[2]
    assert table[5].endswith(r"| *This paragraph is already English \| as is.* (not translated: en) |")
    assert md.endswith("|\n")

    rendered = parse_html(md_to_html(md))
    cells = [[c.text() for c in tr.find_all("td")] for tr in rendered.find_all("tr")[1:]]
    assert cells[1] == ["Abb. 1: Umsatz | Gewinn", "Fig. 1: revenue | profit"]
    assert cells[2][1] == f"Revenue rose *sharply* {SCRIPT}. See {LINK} and {IMAGE} new | line."
    assert rendered.find_all("td")[0].find_all("strong")


def test_markdown_injection_is_inert():
    md = render_markdown(_doc())
    assert SCRIPT not in md
    for char in "<>[]`":
        assert unescaped(md, char) == 0, char
    rendered = parse_html(md_to_html(md))
    assert not rendered.find_all("script") and not rendered.find_all("a") and not rendered.find_all("img")
    assert all("stark" not in e.text() for e in rendered.find_all("em")), "escaped * made no emphasis"
    text = rendered.text()
    assert text.count(SCRIPT) == 4 and LINK in text and IMAGE in text


INERT_TAGS = {"#root", "h1", "ul", "li", "table", "thead", "tbody", "tr", "th", "td"}


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=string.printable + "äöüß€—\u00a0", max_size=40))
def test_md_escape_is_literal_in_any_context(text):
    escaped = md_escape(text)
    assert "\n" not in escaped
    expected = " ".join(text.split())
    for md, tag in ((f"# {escaped}", "h1"), (f"- {escaped}", "li"), (f"| a |\n| --- |\n| {escaped} |", "td")):
        root = parse_html(md_to_html(md + "\n"))
        assert {e.tag for e in root.iter()} <= INERT_TAGS
        assert root.find_all(tag)[0].text() == expected, md


# --- a document aligned with an existing English version -------------------------------------------

BRIEFING_SCHEMA = json.loads(
    (Path(__file__).parent.parent / "pipeline" / "schemas" / "briefing-1.schema.json").read_text("utf-8")
)


def test_aligned_json_has_links_and_every_english_paragraph():
    data = json.loads(render_json(_aligned_doc()))
    jsonschema.validate(data, BRIEFING_SCHEMA)
    jsonschema.validate(briefing_dict(_doc()), BRIEFING_SCHEMA)
    assert "links" not in briefing_dict(_doc()) and "counterpart" not in briefing_dict(_doc())
    assert data["links"] == links_json(ALIGNED_LINKS)["links"]
    assert data["links"][1] == {"source": ["p2", "p3"], "target": ["p2"], "score": 0.5}
    other = data["counterpart"]
    assert other["path"] == "en/report.md" and other["lang"] == "en"
    assert [p["id"] for p in other["paragraphs"]] == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert other["paragraphs"][2]["sentences"] == [
        {"id": "en:p3.s1", "text": f"Only in English | see {LINK}."}
    ]
    targets = {p["id"]: p["target"] for p in data["paragraphs"]}
    assert targets["p2"]["sentences"] == [
        {"id": "en:p2.s1", "source_id": None, "text": f"Revenue rose {SCRIPT} and profit fell, as expected."}
    ]
    assert targets["p3"] == targets["p4"] == {"text": "", "sentences": []}  # merged into p2's link / omitted
    assert [s["id"] for s in targets["p6"]["sentences"]] == ["en:p5.s1", "en:p6.s1"]


def test_aligned_html_has_one_row_per_link():
    html = render_html(_aligned_doc())
    root = parse_html(html)
    rows = root.find_all("div", cls="row")
    assert [(r.attrs["data-source"], r.attrs["data-target"]) for r in rows] == [
        (" ".join(k.source), " ".join(k.target)) for k in ALIGNED_LINKS
    ]
    cells = [[c for c in row.children if isinstance(c, El)] for row in rows]
    assert all([c.attrs["class"].split()[1] for c in row] == ["src", "tgt"] for row in cells)
    assert [len(c.find_all("p")) for c in cells[1]] == [2, 1]  # 2-1
    assert [len(c.find_all("p")) for c in cells[5]] == [1, 2]  # 1-2
    assert "omitted" in cells[2][1].attrs["class"].split() and cells[2][1].text().strip() == "omitted"
    assert "added" in cells[3][0].attrs["class"].split() and cells[3][0].text().strip() == "added"
    assert [c.attrs["lang"] for c in cells[3]] == ["de", "en"]
    assert all(c.find_all("h2") for i in (0, 4) for c in cells[i]), "headings stay headings on both sides"
    assert not root.find_all(attr="data-pair") and not root.find_all(attr="tabindex"), "no sentence pairs"
    ids = [e.attrs["id"] for e in root.find_all(attr="id")]
    assert len(ids) == len(set(ids)) and "en:p3.s1" in ids and "p3.s1" in ids
    assert all(a.attrs["href"][1:] in ids for a in root.find_all("a"))
    assert "aligned with en/report.md" in root.find_all("p", cls="meta")[0].text()
    assert len(root.find_all("script")) == 1 and root.text().count(SCRIPT) == 2 and LINK in root.text()
    plain = render_html(_doc())
    assert "data-source" not in plain and ".omitted" not in plain, "translated documents keep their layout"


def test_aligned_markdown_table():
    md = render_markdown(_aligned_doc())
    table = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(ALIGNED_LINKS)
    assert all(unescaped(row, "|") == 3 for row in table), table
    assert unescaped(md, "<") == md.count(" <br> ") == 2, "only the separators of merged paragraphs"
    assert "Aligned with: en/report.md" in md
    rendered = parse_html(md_to_html(md))
    cells = [[c.text() for c in tr.find_all("td")] for tr in rendered.find_all("tr")[1:]]
    assert rendered.find_all("tr")[2].find_all("td")[0].find_all("br")
    assert [c.split() for c in cells[1]] == [
        "Der Umsatz stieg. Der Gewinn sank. Das war erwartet.".split(),
        f"Revenue rose {SCRIPT} and profit fell, as expected.".split(),
    ]
    assert cells[2] == ["Nur auf Deutsch.", "(omitted)"]
    assert cells[3] == ["(added)", f"Only in English | see {LINK}."]
    assert rendered.find_all("tr")[5].find_all("strong") and not rendered.find_all("script")


# --- index -----------------------------------------------------------------------------------------

ENTRIES = [
    IndexEntry("bericht", "corpora/de/bericht.txt", "Jahresbericht", "de", "ok", 12, flags=4),
    IndexEntry("a b&<c>", "corpora/de/a b&<c>.txt", "[evil](javascript:x) <b>", None, "ok", 3),
    IndexEntry("kaputt", "corpora/de/kaputt.pdf", "kaputt.pdf", None, "failed", 0, "<b>boom</b> |\nline 2"),
]


def test_index_html():
    root = parse_html(render_index(ENTRIES, "html"))
    # grouped by day: the failed input first, then the briefings (of no known day here), newest first
    rows = [row for body in root.find_all("tbody") for row in body.find_all("tr")]
    assert len(rows) == len(ENTRIES)
    rows = rows[1:] + rows[:1]
    assert [a.attrs["href"] for a in root.find_all("a")] == ["a%20b%26%3Cc%3E.html", "bericht.html"]  # A–Z
    assert not root.find_all("b"), "titles and errors are escaped"
    text = root.text()
    assert "[evil](javascript:x) <b>" in text and "<b>boom</b>" in text and "corpora/de/a b&<c>.txt" in text
    failed = [c.text() for c in rows[2].find_all("td")]
    assert failed == [
        "kaputt.pdf",
        "",
        "",
        "corpora/de/kaputt.pdf",
        "?",
        "failed",
        "0",
        "0",
        "",
        "<b>boom</b> |\nline 2",
    ]
    assert [c.text() for c in rows[1].find_all("td")][6:8] == ["12", "4"]  # paragraphs, review flags


def test_index_markdown():
    md = render_index(ENTRIES, "md")
    table = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table) == 2 * 2 + len(ENTRIES)  # two days (failed, unknown), each a table
    assert all(unescaped(row, "|") == 12 for row in table), table
    root = parse_html(md_to_html(md))
    assert [a.attrs["href"] for a in root.find_all("a")] == ["a%20b%26%3Cc%3E.md", "bericht.md"]
    assert not root.find_all("b")
    assert [a.text() for a in root.find_all("a")] == ["[evil](javascript:x) <b>", "Jahresbericht"]
    assert root.find_all("tr")[1].find_all("td")[-1].text() == "<b>boom</b> | line 2"


def test_index_links_every_file_of_a_briefing():
    entry = IndexEntry("a b", "in/a b.srt", "Nachrichten", "de", "ok", 3, outputs=("a b.md", "a b.en.srt"))
    html = parse_html(render_index([entry], "html"))
    assert [(a.attrs["href"], a.text()) for a in html.find_all("a")][1:] == [
        ("a%20b.md", "md"),
        ("a%20b.en.srt", "en.srt"),
    ]
    md = parse_html(md_to_html(render_index([entry], "md")))
    assert [(a.attrs["href"], a.text()) for a in md.find_all("a")][1:] == [
        ("a%20b.md", "md"),
        ("a%20b.en.srt", "en.srt"),
    ]


def test_index_rejects_unknown_format():
    with pytest.raises(ValueError, match="pdf"):
        render_index(ENTRIES, "pdf")


# --- what the file says about itself (metadata) and how its text was got (notes) ------------------


def _page_doc(url: str) -> Document:
    doc = _doc()
    doc.path = Path("web/seite.html")
    doc.metadata = {
        "title": "Jahresbericht",
        "author": f"Erika <b>Muster</b> {SCRIPT}",
        "date": "2024-03-01",
        "sitename": "Beispiel & Co",
        "url": url,
    }
    doc.notes = ["trafilatura found no main text in the page; the text of its whole body was used"]
    return doc


def test_page_metadata_and_notes_in_json():
    doc = _page_doc("https://example.org/a?b=1&c=(2)")
    data = json.loads(render_json(doc))
    jsonschema.validate(data, BRIEFING_SCHEMA)
    assert data["document"]["metadata"] == doc.metadata
    assert data["document"]["notes"] == doc.notes


def test_page_metadata_and_notes_in_html_header_escaped_with_the_url_as_a_link():
    root = parse_html(render_html(_page_doc('https://example.org/a b?c=(2)&d="x"')))
    header = root.find_all("header")[0]
    assert f"by Erika <b>Muster</b> {SCRIPT}" in header.text() and "2024-03-01" in header.text()
    assert "Beispiel & Co" in header.text()
    assert "Note: trafilatura found no main text" in header.text()
    links = header.find_all("a")
    assert [a.attrs["href"] for a in links] == ["https://example.org/a%20b?c=%282%29&d=%22x%22"]
    assert len(root.find_all("script")) == 1  # the page's own; the author's stays text


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>x</script>", "file:///etc/passwd"]
)
def test_page_url_that_is_not_http_is_not_linked(url):
    root = parse_html(render_html(_page_doc(url)))
    assert all(a.attrs["href"].startswith("#") for a in root.find_all("a"))
    assert not parse_html(md_to_html(render_markdown(_page_doc(url)))).find_all("a")


def test_page_metadata_and_notes_in_markdown_header():
    md = render_markdown(_page_doc("https://example.org/a_(b)"))
    rendered = parse_html(md_to_html(md))
    paragraphs = [p.text() for p in rendered.find_all("p")]
    assert (
        f"By Erika <b>Muster</b> {SCRIPT} · 2024-03-01 · Beispiel & Co · https://example.org/a_%28b%29"
        in (paragraphs)
    )
    assert (
        "Note: trafilatura found no main text in the page; the text of its whole body was used" in paragraphs
    )
    assert [a.attrs["href"] for a in rendered.find_all("a")] == ["https://example.org/a_%28b%29"]
    assert SCRIPT not in md


# --- streaming: every format written a piece at a time, the same bytes as rendered whole -------------


def _flagged_doc() -> Document:
    from pipeline.document import Flag

    doc = _doc()
    doc.paragraphs[2].translation[0].flags = [Flag("number", "2024", "missing in English")]
    return doc


@pytest.mark.parametrize(
    "make", [_doc, _english_doc, _aligned_doc, _flagged_doc, lambda: _page_doc("https://example.org/a")]
)
def test_streamed_briefing_files_are_the_bytes_of_the_whole_briefing(tmp_path, make):
    """The files `write_briefing` streams equal what the whole structure gives: json.dumps of
    briefing_dict, and each template rendered at once with every list made whole."""
    from pipeline.briefing import write_briefing
    from pipeline.render import _context, _env

    doc = make()
    assert write_briefing(doc, tmp_path, "b", ("md", "html", "json")) == ["b.md", "b.html", "b.json"]
    whole = {**_context(doc), "b": briefing_dict(doc)}
    expected = {
        "b.json": json.dumps(briefing_dict(doc), ensure_ascii=False, indent=2) + "\n",
        "b.md": _env().get_template("briefing.md.j2").render(whole),
        "b.html": _env().get_template("briefing.html.j2").render(whole),
    }
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        name: text.encode("utf-8") for name, text in expected.items()
    }


def test_writing_a_briefing_holds_no_format_whole_in_memory(tmp_path):
    """The memory that writing takes stays a small part of the largest file it writes (rendering that
    format as one string took more than the file)."""
    import tracemalloc

    from pipeline.briefing import render_briefing, write_briefing

    render_briefing(_doc(), "warm", ("md", "html", "json"))  # the templates compiled and cached

    doc = _doc()
    doc.paragraphs = [
        _para(f"p{i}", "body", [f"Satz {i} über Größe.", "Noch einer."], [f"Sentence {i}.", "Another."])
        for i in range(4_000)
    ]
    tracemalloc.start()
    try:
        write_briefing(doc, tmp_path, "doc", ("md", "html", "json"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    largest = max(p.stat().st_size for p in tmp_path.iterdir())
    assert peak < largest / 4, (peak, {p.name: p.stat().st_size for p in tmp_path.iterdir()})


@pytest.mark.parametrize(
    ("spoil", "where"),
    [
        (
            lambda d: d.model.settings.update(length_penalty=float("nan")),
            "model.settings.length_penalty is nan",
        ),
        (lambda d: setattr(d, "lang_confidence", float("inf")), "document.lang_confidence is inf"),
        (lambda d: setattr(d.summary, "agreement", float("nan")), "summary.agreement is nan"),
    ],
)
def test_the_json_briefing_is_strict_and_a_nan_is_refused_naming_where(tmp_path, spoil, where):
    from pipeline.briefing import write_briefing
    from pipeline.jsonstream import NotJSON

    doc = _doc()
    write_briefing(doc, tmp_path, "b", ("md", "html", "json"))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    spoil(doc)
    with pytest.raises(NotJSON, match=f"^{re.escape(where)}, which JSON cannot hold$"):
        render_json(doc)
    with pytest.raises(NotJSON):
        write_briefing(doc, tmp_path, "b", ("md", "html", "json"))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # the old briefing, whole


def test_a_nan_in_a_streamed_list_is_named_by_its_place():
    from pipeline.jsonstream import NotJSON

    doc = _aligned_doc()
    doc.links[1] = Link(doc.links[1].source, doc.links[1].target, float("nan"))
    with pytest.raises(NotJSON, match=r"^links\[1\]\.score is nan"):
        render_json(doc)


def test_a_stop_while_writing_leaves_the_old_briefing_whole(tmp_path):
    from pipeline.briefing import write_briefing
    from pipeline.budget import Budget, Interrupted, StopFlag

    write_briefing(_english_doc(), tmp_path, "b", ("md", "html", "json"))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    stop = StopFlag()
    stop.stop(15)
    with pytest.raises(Interrupted):
        write_briefing(_doc(), tmp_path, "b", ("md", "html", "json"), Budget(stop))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
