"""Words the OCR was unsure of (pipeline.readers.ocr_layout.LOW_CONFIDENCE): the sentence may not say
what the scan says, so its translation cannot either."""

from __future__ import annotations

import re

from pipeline.document import Flag


def ocr_flags(german: str, uncertain: list[str]) -> list[Flag]:
    """A flag naming the low-confidence words of the paragraph that occur in this sentence."""
    found = [word for word in dict.fromkeys(uncertain) if _occurs(word, german)]
    if not found:
        return []
    return [Flag("ocr", ", ".join(found), "OCR was unsure of these words; check against the scan")]


def _occurs(word: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None
