"""Low model confidence: the decoder's own length-normalised log-probability of its output.

CTranslate2 gives it with ``translate_batch(..., return_scores=True)`` (the score of the best
hypothesis, divided by its length by default). Wiring it through pipeline.translate is still to do:
this is the detector, ready for that score.
"""

from __future__ import annotations

from pipeline.document import Flag

# To be calibrated: with the real argos de→en package, on the scores of correct and of broken
# translations (shared/real/parallel with introduced errors), choose the score under which most
# sentences are broken. -1.5 nats per token (a per-token probability of about 0.22) is a start only.
MIN_LOG_PROB = -1.5


def confidence_flags(log_prob: float) -> list[Flag]:
    if log_prob >= MIN_LOG_PROB:
        return []
    return [Flag("confidence", f"{log_prob:.2f}", f"model log-probability per token under {MIN_LOG_PROB}")]
