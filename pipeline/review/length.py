"""An English side far longer or shorter than its German one (a dropped clause, a runaway loop)."""

from __future__ import annotations

from pipeline.align import length_cost
from pipeline.document import Flag

# Gale & Church cost (-log probability) of the character-length difference, from pipeline.align. On
# the 618 real sentence pairs of shared/real/parallel (WMT21 de-en, references A and B) the largest
# cost is 2.6 and 99 % stay under 1.6; 6 (probability 0.25 %) is far outside that: about under 20 or
# over 160 English characters for 100 German ones. Re-check: bench/review_eval.py prints the largest.
MAX_LENGTH_COST = 6.0


def length_flags(german: str, english: str) -> list[Flag]:
    de, en = len(german.strip()), len(english.strip())
    if not de or length_cost(de, en) <= MAX_LENGTH_COST:
        return []
    return [Flag("length", f"{de} → {en} characters", f"English is {en / de:.1f}× the German length")]
