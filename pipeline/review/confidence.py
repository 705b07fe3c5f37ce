"""Low model confidence: the decoder's own length-normalised log-probability of its output.

pipeline.translate gets it from CTranslate2 (``return_scores=True``, the length penalty undone: the
mean log-probability per output token) and keeps it in the translation cache. The threshold is the
``[review] min_confidence`` key: configs/default.toml says how its default was chosen.
"""

from __future__ import annotations

from pipeline.document import Flag


def confidence_flags(log_prob: float, min_log_prob: float) -> list[Flag]:
    if log_prob >= min_log_prob:
        return []
    return [Flag("confidence", f"{log_prob:.2f}", f"model log-probability per token under {min_log_prob}")]
