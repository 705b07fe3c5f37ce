"""Precision and recall of the number and name review flags on real sentence pairs with planted errors.

The pairs are the German sentences of ``../shared/real/parallel/parallel.tsv`` (WMT21 newstest de-en,
read in place) with each of their two human references. For each detector, every pair that has
something to break gets a broken copy next to the unchanged one:

- numbers: in a pair whose English has a figure, one figure (chosen with a fixed seed) is changed
  (its last digit + 1) or, in every other such pair, deleted;
- names: in a pair where a German word that is capitalised (not the first word) or an acronym appears
  as it is in the English, that word is deleted from the English (with a possessive 's).

A detector is right on a broken pair that it flags, wrong on an unchanged one that it flags. Also
printed: how many unchanged pairs of the whole set get any flag of each kind, the largest length cost
(pipeline.review.length), and the share of German sentences flagged untranslated when the "English"
is the German itself. ``python bench/review_eval.py [--json]``.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.align import length_cost
from pipeline.review import ALL, review_pair
from pipeline.review.names import name_flags
from pipeline.review.numbers import number_flags
from pipeline.review.untranslated import untranslated_flags

PARALLEL = Path(__file__).resolve().parents[2] / "shared" / "real" / "parallel" / "parallel.tsv"
SEED = 13
_DIGITS = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_][\w]*")


@dataclass
class Score:
    pairs: int  # broken pairs, and as many unchanged ones
    true_positives: int
    false_positives: int

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.pairs if self.pairs else 0.0


def load_pairs(path: Path = PARALLEL) -> list[tuple[str, str]]:
    """(German, English) for each segment and each of its two references."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(row["de"], row[ref]) for ref in ("en_refA", "en_refB") for row in rows]


def break_number(english: str, rng: random.Random, delete: bool) -> str | None:
    found = list(_DIGITS.finditer(english))
    if not found:
        return None
    m = rng.choice(found)
    token = m.group()
    if delete:
        return (english[: m.start()].rstrip() + " " + english[m.end() :].lstrip()).strip()
    changed = token[:-1] + str((int(token[-1]) + 1) % 10)
    return english[: m.start()] + changed + english[m.end() :]


def shared_names(german: str, english: str) -> list[str]:
    """The eval's own notion of a name: a German word, capitalised and not the first word (or an
    acronym), that the English has verbatim and not as its first word."""
    words = _WORD.findall(german)
    first_en = (_WORD.findall(english) or [""])[0]
    names = []
    for i, word in enumerate(words):
        acronym = sum(c.isupper() for c in word) >= 2
        if (acronym or (i > 0 and word[0].isupper())) and word != first_en:
            if re.search(rf"\b{re.escape(word)}\b", english):
                names.append(word)
    return list(dict.fromkeys(names))


def break_name(german: str, english: str, rng: random.Random) -> str | None:
    names = shared_names(german, english)
    if not names:
        return None
    name = rng.choice(names)
    return " ".join(re.sub(rf"\b{re.escape(name)}(?:['’]s)?\b", "", english).split())


def evaluate(path: Path = PARALLEL) -> dict:
    pairs = load_pairs(path)
    rng = random.Random(SEED)
    scores = {}
    for kind, detect in (("number", number_flags), ("name", name_flags)):
        score = Score(0, 0, 0)
        for i, (german, english) in enumerate(pairs):
            if kind == "number":
                broken = break_number(english, rng, delete=i % 2 == 1)
            else:
                broken = break_name(german, english, rng)
            if broken is None:
                continue
            score.pairs += 1
            score.true_positives += bool(detect(german, broken))
            score.false_positives += bool(detect(german, english))
        scores[kind] = score
    germans = sorted({german for german, _ in pairs})
    unchanged = Counter(
        kind for german, english in pairs for kind in {f.kind for f in review_pair(german, english, ALL)}
    )
    return {
        "pairs": len(pairs),
        "scores": {
            kind: {**asdict(s), "precision": round(s.precision, 3), "recall": round(s.recall, 3)}
            for kind, s in scores.items()
        },
        "unchanged_pairs_flagged": dict(sorted(unchanged.items())),
        "max_length_cost": round(max(length_cost(len(de), len(en)) for de, en in pairs), 2),
        # each German sentence "translated" as itself
        "untranslated_recall": round(
            sum(bool(untranslated_flags(de, de)) for de in germans) / len(germans), 3
        ),
    }


def main() -> None:
    if not PARALLEL.is_file():
        sys.exit(f"{PARALLEL}: not found (the shared real-data folder is needed)")
    result = evaluate()
    if "--json" in sys.argv:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['pairs']} real sentence pairs ({PARALLEL})")
    for kind, s in result["scores"].items():
        print(
            f"{kind:7} {s['pairs']} broken + {s['pairs']} unchanged pairs: precision {s['precision']:.3f}, "
            f"recall {s['recall']:.3f} (TP {s['true_positives']}, FP {s['false_positives']})"
        )
    print(f"unchanged pairs with a flag, by kind: {result['unchanged_pairs_flagged']}")
    print(f"largest length cost: {result['max_length_cost']}")
    print(f"German sentences left as they are, flagged untranslated: {result['untranslated_recall']:.3f}")


if __name__ == "__main__":
    main()
