"""English subtitles from a translated subtitle file: ``NAME.en.srt`` / ``NAME.en.vtt`` beside the
briefing, one cue for every cue of the original, with the same times.

The reader (``pipeline.readers.subtitles``) joined the cues into paragraphs; each German sentence lies
over one or more cues. Its English is shared out over those cues in proportion to the German characters
each holds, cut at word boundaries, every cue getting at least one word where the sentence has enough.
A paragraph that was not translated (already English, another language) keeps its own text.
"""

from __future__ import annotations

import textwrap

from pipeline.document import Cue, Document, Paragraph

SUBTITLE_FORMATS = ("srt", "vtt")
# Broadcast subtitles hold about 37–42 characters a line (EBU, Netflix's style guides).
LINE_CHARS = 42


def subtitle_files(doc: Document, name: str) -> dict[str, str]:
    """``{NAME.en.srt: text}`` for a subtitle document (its own format), else nothing."""
    fmt = doc.path.suffix.lower().lstrip(".")
    if not doc.cues or fmt not in SUBTITLE_FORMATS:
        return {}
    cues = list(zip(doc.cues, cue_texts(doc), strict=True))
    return {f"{name}.{doc.target_lang}.{fmt}": write_vtt(cues) if fmt == "vtt" else write_srt(cues)}


def cue_texts(doc: Document) -> list[str]:
    """The English of every cue of ``doc.cues``, in order."""
    by_paragraph: dict[str, list[int]] = {}
    for index, cue in enumerate(doc.cues or []):
        by_paragraph.setdefault(cue.paragraph, []).append(index)
    texts = [""] * len(doc.cues or [])
    for paragraph in doc.paragraphs:
        indices = by_paragraph.get(paragraph.id, [])
        for index, text in zip(
            indices, _paragraph_cues(paragraph, [doc.cues[i] for i in indices]), strict=True
        ):
            texts[index] = text
    return texts


def _paragraph_cues(paragraph: Paragraph, cues: list[Cue]) -> list[str]:
    pieces: list[list[str]] = [[] for _ in cues]
    english: dict[str, list[str]] = {}
    for target in paragraph.translation or []:
        english.setdefault(target.source_id or "", []).append(target.text)
    position = 0
    for sentence in paragraph.sentences or []:
        start = paragraph.text.find(sentence.text, position)
        start = position if start < 0 else start
        end = position = start + len(sentence.text)
        words = (
            " ".join(english.get(sentence.id, [])) if paragraph.translation is not None else sentence.text
        ).split()
        overlaps = [(i, min(end, c.last) - max(start, c.first)) for i, c in enumerate(cues)]
        overlaps = [(i, chars) for i, chars in overlaps if chars > 0]
        for (i, _), share in zip(overlaps, _share(words, [chars for _, chars in overlaps]), strict=True):
            pieces[i].extend(share)
    return [" ".join(words) for words in pieces]


def _share(words: list[str], weights: list[int]) -> list[list[str]]:
    """``words`` cut into ``len(weights)`` runs in proportion to ``weights``; no run empty while there
    are enough words."""
    count, total = len(words), sum(weights) or 1
    cuts, running = [0], 0
    for j, weight in enumerate(weights[:-1], 1):
        running += weight
        cut = round(count * running / total)
        if count >= len(weights):  # room for a word in every run: keep one for each run still to come
            cut = min(max(cut, cuts[-1] + 1), count - (len(weights) - j))
        cuts.append(max(cut, cuts[-1]))
    cuts.append(count)
    return [words[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


def _timestamp(ms: int, separator: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _lines(text: str) -> str:
    return "\n".join(textwrap.wrap(text, LINE_CHARS, break_long_words=False)) or "…"


def write_srt(cues: list[tuple[Cue, str]]) -> str:
    return "".join(
        f"{n}\n{_timestamp(c.start_ms, ',')} --> {_timestamp(c.end_ms, ',')}\n{_lines(text)}\n\n"
        for n, (c, text) in enumerate(cues, 1)
    )


def write_vtt(cues: list[tuple[Cue, str]]) -> str:
    escaped = ((c, text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")) for c, text in cues)
    return "WEBVTT\n\n" + "".join(
        f"{_timestamp(c.start_ms, '.')} --> {_timestamp(c.end_ms, '.')}\n{_lines(text)}\n\n"
        for c, text in escaped
    )
