"""`BatchTimer`: wall-clock time per training batch and per epoch, from completed work."""

from __future__ import annotations

import math
import time

import keras

from keras_seqgan._validation import check_verbose
from keras_seqgan.callbacks._printing import print_message

EPOCH_KEYS = ("batch_ms_mean", "batch_ms_min", "batch_ms_max", "epoch_s")


def _stats(blocks):
    """(mean, min, max) milliseconds per batch over `(block_ms, block_steps)` pairs."""
    if not blocks:
        return math.nan, math.nan, math.nan
    per_batch = [ms / steps for ms, steps in blocks]
    mean = sum(ms for ms, _ in blocks) / sum(steps for _, steps in blocks)
    return mean, min(per_batch), max(per_batch)


class BatchTimer(keras.callbacks.Callback):
    """Times training batches and epochs and writes the figures into the epoch logs.

    What it measures: the wall-clock time between the *completions* of consecutive
    training blocks, where a block is the `steps_per_execution` steps of one compiled
    call (one batch by default), divided by the number of steps in the block. The first
    block of an epoch is timed from the `on_train_batch_begin` of its first batch. So a
    batch's time is everything the training loop spends on it: fetching the input,
    dispatch, the device's work and the other callbacks' batch hooks; in a steady state
    it is the inverse of the throughput.

    Why these are completion times, not dispatch times: Keras converts every batch's
    logs to Python floats before it calls `on_train_batch_end` (`CallbackList` does it,
    this callback reads no tensor itself). Converting a log value waits for the step that
    computes it, so by the time the hook runs the block's work is done. On TensorFlow,
    Keras makes that conversion on the main thread after every compiled call whatever the
    callbacks are, so this callback adds no host synchronisation of its own; on backends
    with asynchronous callback dispatch (JAX, torch) it declares itself `async_safe` and
    its hook runs in Keras's worker thread once the logs are ready, so the training loop
    does not wait for it either. With `steps_per_execution=k` there is one completion per
    `k` steps: the timer sees blocks of `k` steps and reports their mean per batch
    (`batch_ms_min` and `batch_ms_max` are then over blocks).

    Epoch logs (for `History`, `CSVLogger`, `TensorBoard`: put this callback before them):
    `batch_ms_mean` (total time of the epoch's blocks over its number of batches),
    `batch_ms_min`, `batch_ms_max` (milliseconds per batch) and `epoch_s` (seconds from
    `on_epoch_begin` to this callback's `on_epoch_end`, validation included). The first
    block of each `fit` call includes tracing and compilation: it is left out of these
    statistics (unless it is its epoch's only block) and reported apart.

    At the end of training `summary` holds the whole run's figures (`train_s`, `epochs`,
    `batches` timed, `first_batch_ms` and `first_batch_steps` for the first block,
    `batch_ms_min`, `batch_ms_mean`, `batch_ms_max` over the other blocks); they are also
    written into the `logs` of `on_train_end` (where `keras_seqgan.callbacks.TrainingDisplay`
    shows them) and, with `verbose=1`, printed on one line.

    Args:
        verbose: 0 or 1. Print the run's summary at the end of training. Defaults to `1`
            (pass `0` alongside `TrainingDisplay`, whose own summary shows the same
            figures).

    Example:

    ```python
    import keras
    import keras_seqgan as ks

    oracle = ks.data.OracleLSTM(vocabulary_size=20, sequence_length=6, seed=1)
    real = oracle.sample(128, seed=2)
    gan = ks.SeqGAN(
        ks.models.Generator(vocabulary_size=20, sequence_length=6),
        ks.models.Discriminator(vocabulary_size=20, sequence_length=6,
                                filter_sizes=(2, 3), num_filters=(8, 8)),
        num_rollouts=4,
    )
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-3),
                discriminator_optimizer=keras.optimizers.Adam(1e-3))
    timer = ks.callbacks.BatchTimer()
    history = gan.fit(ks.data.sequence_dataset(real, batch_size=32), epochs=2,
                      callbacks=[timer, keras.callbacks.CSVLogger("log.csv")])
    print(history.history["batch_ms_mean"], timer.summary["first_batch_ms"])
    ```
    """

    def __init__(self, verbose: int = 1):
        super().__init__()
        self.verbose = check_verbose(verbose)
        # Safe for Keras's asynchronous batch-end dispatch: the hook only appends a
        # (batch, time) pair, and `on_epoch_end` runs after Keras has flushed the hooks.
        self.async_safe = True
        self.summary: dict[str, float] = {}
        self._clock = time.perf_counter
        self._train_start = None
        self._epoch_start = None
        self._block_start = None
        self._completions: list[tuple[int, float]] = []
        self._first_block = None
        self._run_blocks: list[tuple[float, int]] = []
        self._epochs = 0

    def on_train_begin(self, logs=None):
        self._train_start = self._clock()
        self._first_block = None
        self._run_blocks = []
        self._epochs = 0
        self.summary = {}

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = self._clock()
        self._block_start = None
        self._completions = []

    def on_train_batch_begin(self, batch, logs=None):
        if self._block_start is None:
            self._block_start = self._clock()

    def on_train_batch_end(self, batch, logs=None):
        self._completions.append((int(batch), self._clock()))

    def on_epoch_end(self, epoch, logs=None):
        now = self._clock()
        if self._epoch_start is None:  # used outside `fit`: nothing was timed
            self._epoch_start = now
        blocks = self._blocks()
        timed = blocks
        if self._first_block is None and blocks:
            self._first_block = blocks[0]
            timed = blocks[1:]
        self._run_blocks.extend(timed)
        self._epochs += 1
        mean, low, high = _stats(timed or blocks)
        values = {
            "batch_ms_mean": mean,
            "batch_ms_min": low,
            "batch_ms_max": high,
            "epoch_s": now - self._epoch_start,
        }
        if logs is not None:
            logs.update(values)

    def on_train_end(self, logs=None):
        end = self._clock()
        start = self._train_start if self._train_start is not None else end
        mean, low, high = _stats(self._run_blocks)
        first_ms, first_steps = self._first_block or (math.nan, 0)
        self.summary = {
            "train_s": end - start,
            "epochs": self._epochs,
            "batches": sum(steps for _, steps in self._run_blocks),
            "first_batch_ms": first_ms,
            "first_batch_steps": first_steps,
            "batch_ms_min": low,
            "batch_ms_mean": mean,
            "batch_ms_max": high,
        }
        if logs is not None:
            logs.update(
                {
                    key: self.summary[key]
                    for key in (
                        "train_s",
                        "first_batch_ms",
                        "batch_ms_min",
                        "batch_ms_mean",
                        "batch_ms_max",
                    )
                }
            )
        if self.verbose:
            print_message(self.describe())

    def describe(self) -> str:
        """The run's summary as one line of text (after training)."""
        s = self.summary
        if not s:
            return "BatchTimer: nothing timed yet."
        total = s["batches"] + s["first_batch_steps"]
        text = f"BatchTimer: {s['epochs']} epochs, {total} batches in {s['train_s']:.1f} s. "
        first = (
            "first batch"
            if s["first_batch_steps"] <= 1
            else (f"first block of {s['first_batch_steps']} batches")
        )
        text += f"{first.capitalize()} {s['first_batch_ms']:.1f} ms (tracing and compilation)"
        if s["batches"]:
            text += (
                f"; then {s['batch_ms_mean']:.1f} ms/batch on average (min "
                f"{s['batch_ms_min']:.1f}, max {s['batch_ms_max']:.1f}) over "
                f"{s['batches']} batches"
            )
            k = getattr(self.model, "steps_per_execution", 1) if self._model else 1
            if isinstance(k, int) and k > 1:
                text += f", timed in blocks of {k} (steps_per_execution)"
        return text + "."

    def _blocks(self):
        """The epoch's blocks as (milliseconds, steps), in batch order."""
        blocks = []
        previous_batch = -1
        previous_time = self._block_start if self._block_start is not None else self._epoch_start
        for batch, moment in sorted(self._completions):
            moment = max(moment, previous_time)  # worker threads may record out of order
            steps = batch - previous_batch
            if steps > 0:
                blocks.append(((moment - previous_time) * 1000.0, steps))
            previous_batch, previous_time = batch, moment
        return blocks
