"""When long work must stop: a stop signal for the whole run and a time budget for one document.

One `Budget` is handed down to every stage of a document; each long loop (reading, splitting, every
translation batch, every summarizer step) calls `check()`, which raises as soon as the run was told to
stop or the document ran out of time. Stages know nothing else about signals or clocks.
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass, field


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; the run stopped within seconds, keeping what was finished.

    A BaseException, like KeyboardInterrupt: the handlers that record one document's failure and go on
    (`except Exception`) must let it through."""

    def __init__(self, signum: int):
        super().__init__(
            f"stopped by {signal.Signals(signum).name}; finished documents are kept and the next run "
            "picks up where this one stopped"
        )
        self.signum = signum


class OverBudget(Exception):
    """One document took longer than limits.document_seconds; it is failed, the batch goes on."""

    def __init__(self, seconds: float):
        super().__init__(f"took longer than {seconds:g} s; raise limits.document_seconds")


class StopFlag(threading.Event):
    """Set (from a signal handler) when the whole run must stop; remembers which signal."""

    signum: int = signal.SIGINT

    def stop(self, signum: int) -> None:
        self.signum = signum
        self.set()


@dataclass(frozen=True)
class Budget:
    """The run's stop flag and, optionally, the deadline (time.monotonic()) of the current document,
    which may spend `limit` seconds in all."""

    stop: StopFlag = field(default_factory=StopFlag)
    limit: float | None = None
    deadline: float | None = None

    def for_document(self, limit: float, spent: float = 0.0) -> Budget:
        """The same stop flag, with what is left of `limit` seconds once `spent` are used, from now.

        A document's time is its own work: waiting while other documents are worked on does not count."""
        return Budget(self.stop, limit, time.monotonic() + limit - spent)

    def check(self) -> None:
        """Raise Interrupted after a stop signal, OverBudget once the deadline has passed."""
        if self.stop.is_set():
            raise Interrupted(self.stop.signum)
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OverBudget(self.limit)


UNLIMITED = Budget()  # for library calls outside a run: never stops
