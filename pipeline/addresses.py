"""Web and e-mail addresses in running text: the one pattern the review detectors and the aligner use.

An address is never a number or a name to check, and never words to compare. It ends at white space or
at a character that cannot stand in a bare address in text (``<``, ``>``, ``"``), so the brackets and
quotes around "<https://x.de>" stay outside it.
"""

from __future__ import annotations

import re

ADDRESS = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
