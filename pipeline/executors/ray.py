"""The Ray executor (`pipeline run --executor ray`): documents flow through Ray Data datasets.

Per chunk of documents: reading, detecting and splitting run as map tasks; the driver then looks up
every sentence in the translation cache, so the actors only translate what is new; translation runs in
`map_batches` on a pool of actors that each load the CTranslate2 model once; review and summary run as
map tasks; the finished documents stream back to the driver, which writes their briefings (streamed to
the files, pipeline.briefing) and puts the fresh translations in its cache as they arrive. Every step
is pipeline.steps', so the briefings are the same bytes as the local executor's.

Rows carry one pickled value ("payload"): a document's state between the stages, or its Failure. The
`pipeline` package (and its model, under the same argos packages directory) must be installed on
every node.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import signal
import socket
import threading
import warnings
from collections.abc import Iterator
from functools import cache

from pipeline.budget import Interrupted, StopFlag
from pipeline.config import Config, ConfigError
from pipeline.reader import read_bytes
from pipeline.steps import (
    Failure,
    Outcome,
    Todo,
    Work,
    document_budget,
    failure,
    finish_work,
    prepare_work,
    translate_works,
)

# Documents planned at once (batch_size × actors × this): their shipped bytes and prepared documents
# wait on the driver for the cache look-up, so this bounds the driver's memory (1,024 documents of the
# bench corpus, ~2 kB each and ~30 kB prepared: ~30 MB), while each actor gets many batches per chunk.
# Only memory and the pause at the start of each chunk depend on it.
CHUNK_BATCHES_PER_ACTOR = 16
# CPUs a read/detect/split or review/summary/render task asks of Ray: these stages are ~3 % of the
# translation's time (README, Speed), so a small share lets them run beside actors that hold whole CPUs.
TASK_CPUS = 0.25
# Object store of a Ray started by the pipeline itself (no executor.address): rows are documents of at
# most input.max_bytes, a chunk at a time, so a small store is enough and leaves memory to the models.
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024
# How long a cluster address may take to accept a connection before the run gives up on it: ray.init
# itself retries for minutes, logging a warning every few seconds (measured: still waiting after 80 s).
CONNECT_SECONDS = 5.0
# How often the driver looks at the stop flag while it waits for the next result, which may be minutes
# away (a long document in translation): a SIGTERM is honoured within this, not when the result arrives.
STOP_POLL_SECONDS = 0.2
# Results read ahead of the driver's writing: it writes hundreds a second (README, bench/ray_executor.py).
READ_AHEAD = 64


class RayExecutor:
    def __init__(self, config: Config, translator, stop: StopFlag):
        self.config = config
        self.translator = translator  # the driver's: its cache and model id; its model is never loaded
        self.stop = stop

    def execute(self, todo: Todo) -> Iterator[Outcome]:
        started_here = _connect(self.config.executor.address)
        try:
            ex = self.config.executor
            chunk = ex.batch_size * ex.actors * CHUNK_BATCHES_PER_ACTOR
            for start in range(0, len(todo), chunk):
                yield from self._chunk(todo[start : start + chunk])
        finally:
            if started_here:
                import ray

                ray.shutdown()

    def _chunk(self, todo: Todo) -> Iterator[Outcome]:
        import ray.data

        rows = []
        for source, sha256 in todo:
            data = None
            if self.config.executor.inputs == "ship":
                try:
                    data = read_bytes(
                        source.path, self.config.input.max_bytes, document_budget(self.stop, self.config)
                    )
                except Exception as exc:  # noqa: BLE001 — recorded as the local executor would
                    yield failure(source, sha256, exc, 0.0)
                    continue
            rows.append(_row((source, sha256, data)))
        if not rows:
            return
        prepared = ray.data.from_items(rows).map(
            _prepare_row, fn_kwargs={"config": self.config}, num_cpus=TASK_CPUS
        )
        to_translate = []
        for outcome in self._stream(prepared):
            if isinstance(outcome, Failure):
                yield outcome
            else:
                to_translate.append(_row((outcome, self._cached(outcome))))
        if not to_translate:
            return
        ex = self.config.executor
        finished = (
            ray.data.from_items(to_translate)
            .map_batches(
                _Translate,
                fn_constructor_kwargs={
                    "config": self.config,
                    "cache_key": self.translator.cache_key,
                    "glossary": self.translator.glossary,
                    "shortlist": self.translator.shortlist,
                },
                batch_size=ex.batch_size,
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=ex.actors),
                num_cpus=ex.cpus_per_actor,
                # translate.device "cuda": a GPU for each actor ("auto" actors get none, so use the CPU)
                num_gpus=1 if self.config.translate.device == "cuda" else 0,
            )
            .map(
                _finish_row,
                fn_kwargs={"config": self.config, "glossary": self.translator.glossary},
                num_cpus=TASK_CPUS,
            )
        )
        for outcome, fresh in self._stream(finished):
            if fresh and self.translator.cache:
                entries = [(source, *english) for source, english in fresh.items()]
                self.translator.cache.put_many(self.translator.cache_key, entries)
            yield outcome

    def _stream(self, dataset) -> Iterator:
        """The payloads of a dataset as they arrive. The dataset is read in a thread of its own, so a stop
        signal ends the run within STOP_POLL_SECONDS even while no result is due; the reading thread then
        lets go of the dataset (and its actors) at its next result, or with the driver's Ray session."""
        rows: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
        closing = threading.Event()
        done = object()

        def offer(item) -> bool:
            while not closing.is_set():
                try:
                    rows.put(item, timeout=STOP_POLL_SECONDS)
                    return True
                except queue.Full:
                    continue
            return False

        def read() -> None:
            results = iter(dataset.iter_rows())
            try:
                for row in results:
                    if not offer(row):
                        return
                offer(done)
            except BaseException as exc:  # noqa: BLE001 — raised again in the driver's thread
                offer(exc)
            finally:
                results.close()

        threading.Thread(target=read, name="ray-results", daemon=True).start()
        try:
            while True:
                try:
                    row = rows.get(timeout=STOP_POLL_SECONDS)
                except queue.Empty:
                    row = None
                if self.stop.is_set():
                    raise Interrupted(self.stop.signum)
                if row is None:
                    continue
                if row is done:
                    return
                if isinstance(row, BaseException):
                    raise row
                yield pickle.loads(row["payload"])
        finally:
            closing.set()
        if self.stop.is_set():
            raise Interrupted(self.stop.signum)

    def _cached(self, work: Work) -> dict[str, tuple[str, float]]:
        """The driver's cached translations of a document's sentences, shipped with it."""
        if not self.translator.cache or not work.doc.needs_translation:
            return {}
        texts = list(dict.fromkeys(s.text for s in work.doc.sentences()))
        return self.translator.cache.get_many(self.translator.cache_key, texts)


def _connect(address: str) -> bool:
    """Join the configured cluster, or start a small local Ray; True when started here."""
    import ray
    import ray.data

    # The pipeline has its own progress output; no Ray progress bars, nor a line per dataset in cron logs.
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    # ... nor its advice on actor pools that a small chunk cannot fill (a document or two in a run)
    warnings.filterwarnings("ignore", "The minimum number of concurrent actors", UserWarning)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    if ray.is_initialized():
        return False
    _check_reachable(address)
    os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
    options = {"address": address} if address else {"object_store_memory": LOCAL_OBJECT_STORE_BYTES}
    # ray.init replaces the SIGTERM handler with sys.exit; the run's own (pipeline.run) is put back.
    handler = signal.getsignal(signal.SIGTERM)
    try:
        # Ray's own notices (token authentication on, …) are noise in a cron log; its errors still show.
        ray.init(include_dashboard=False, logging_level="error", **options)
    except ConnectionError as exc:  # "auto" with no cluster on this node
        raise ConfigError(f"executor.address {address}: {exc}") from None
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
    return True


def _check_reachable(address: str) -> None:
    """Fail at once, with one line, where a HOST:PORT (or ray://HOST:PORT) address has no one listening."""
    if not address or address == "auto":
        return
    host, _, port = address.split("://", 1)[-1].rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"executor.address {address!r}: expected HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
        raise ConfigError(
            f"executor.address {address}: no Ray cluster answers there ({reason}); "
            "start one with `ray start --head` there, or correct --ray-address"
        ) from None


def _row(value) -> dict[str, bytes]:
    return {"payload": pickle.dumps(value)}


@cache
def _detector(candidates: tuple[str, ...]):
    """One language detector per worker process (its profiles take a while to load)."""
    from pipeline.detect import LanguageDetector

    return LanguageDetector(list(candidates))


def _prepare_row(row: dict, config: Config) -> dict:
    source, sha256, data = pickle.loads(row["payload"])
    detector = _detector(tuple(config.language.candidates))
    return _row(prepare_work(source, sha256, detector, config, StopFlag(), data))


def _finish_row(row: dict, config: Config, glossary) -> dict:
    outcome, fresh = pickle.loads(row["payload"])
    if isinstance(outcome, Work):
        outcome = finish_work(outcome, config, StopFlag(), glossary)
    return _row((outcome, fresh))


class _Known:
    """In place of the translation cache on an actor: the driver's cached translations of the batch
    (get_many), and the fresh ones the actor made (put_many), which go back to the driver's cache.
    Both as the cache has them: source → (translation, log-probability per token)."""

    def __init__(self, known: dict[str, tuple[str, float]]):
        self.known = known
        self.fresh: dict[str, tuple[str, float]] = {}

    def get_many(self, key: str, sources) -> dict[str, tuple[str, float]]:
        return {s: self.known[s] for s in sources if s in self.known}

    def put_many(self, key: str, entries) -> None:
        self.fresh.update((source, (english, score)) for source, english, score in entries)


class _Translate:
    """A translation actor: one package loaded once, with one CTranslate2 worker of
    executor.intra_threads threads (set explicitly: Ray sets OMP_NUM_THREADS to the actor's CPUs)."""

    def __init__(self, config: Config, cache_key: str, glossary, shortlist):
        from pipeline.engine import actor_translator

        self.translator = actor_translator(config, glossary, shortlist)
        if self.translator.cache_key != cache_key:
            raise RuntimeError(
                f"the de→en package on this node ({self.translator.info.package} "
                f"{self.translator.info.version} at {self.translator.path}) differs from the driver's; "
                "install the same version on every node"
            )
        self.config = config

    def __call__(self, batch):
        import pyarrow as pa

        items = [pickle.loads(payload) for payload in batch["payload"].to_pylist()]
        known = _Known({text: english for _, cached in items for text, english in cached.items()})
        self.translator.cache = known
        works = [work for work, _ in items]
        translated, failures = translate_works(works, self.translator, self.config, StopFlag())
        payloads = [
            pickle.dumps((outcome, _fresh_of(outcome, known.fresh))) for outcome in translated + failures
        ]
        return pa.table({"payload": pa.array(payloads, pa.binary())})


def _fresh_of(outcome: Work | Failure, fresh: dict[str, tuple[str, float]]) -> dict[str, tuple[str, float]]:
    """The fresh translations of one document's sentences (each document carries its own)."""
    if isinstance(outcome, Failure):
        return {}
    return {s.text: fresh[s.text] for s in outcome.doc.sentences() if s.text in fresh}
