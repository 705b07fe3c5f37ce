"""argostranslate 1.11's own `apply_packaged_translation`, one sentence at a time: the parity reference.

Runs in `.venv-bench` (argostranslate with its real dependencies), started by bench/parity.py with
ARGOS_PACKAGES_DIR, XDG_* and ARGOS_COMPUTE_TYPE in the environment. The CTranslate2 translator is made
as argostranslate's `PackageTranslation` makes it; the sentence splitter is replaced by one that returns
the sentence as it is, so both sides translate exactly the same unit. num_hypotheses is 1, as in
argostranslate's `translate()`.

usage: argos_parity.py PACKAGE_DIR SENTENCES_JSON   → prints a JSON list of translations on stdout
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


class WholeSentence:
    """A sentencizer that leaves the input as one sentence."""

    def split_sentences(self, text: str) -> list[str]:
        return [text]


def main() -> None:
    import ctranslate2
    from argostranslate import settings
    from argostranslate.package import Package
    from argostranslate.translate import apply_packaged_translation

    pkg = Package(Path(sys.argv[1]))
    sentences = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    translator = ctranslate2.Translator(
        str(pkg.package_path / "model"),
        device=settings.device,
        inter_threads=settings.inter_threads,
        intra_threads=settings.intra_threads,
        compute_type=settings.compute_type,
    )
    english = [
        apply_packaged_translation(pkg, sentence, translator, WholeSentence(), num_hypotheses=1)[0].value
        for sentence in sentences
    ]
    json.dump(english, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
