"""`StopOnSkippedUpdates`: stops training when too many updates are skipped."""

from __future__ import annotations

import threading

import keras

from keras_seqgan._validation import check_float, check_int, check_verbose
from keras_seqgan.callbacks._printing import print_message, to_float

NETWORKS = ("any", "generator", "discriminator")
_COUNTERS = {"generator": "g_skipped", "discriminator": "d_skipped"}


class StopOnSkippedUpdates(keras.callbacks.Callback):
    """Stops `SeqGAN` training when too many of its updates are being skipped.

    A `keras_seqgan.SeqGAN` applies an update only when all of its gradients are
    finite; otherwise it skips it, leaving the weights untouched, and counts it in the
    `g_skipped` / `d_skipped` logs. A few skips are harmless, but a run that skips most
    of its updates has diverged (an exploding learning rate, a non-finite weight) and
    only burns time. This callback watches those counters at every batch end and sets
    `model.stop_training = True` once, after at least `min_steps` steps of the current
    `fit` call, the fraction of skipped updates exceeds `max_fraction`.

    The fraction is skipped updates / attempted updates since the start of this `fit`
    call, per network: the generator attempts `g_steps` updates per step, the
    discriminator `d_steps` on the steps where it trains (every `d_train_interval`-th
    step), so the fraction is in `[0, 1]` whatever the compile settings. With
    `network="any"` training stops when either network's fraction exceeds
    `max_fraction`. After stopping, `stopped_step` (steps run in this `fit`) and
    `reason` hold what happened, and with `verbose=1` the reason is printed.

    The batch hook only reads the logs Keras passes it, so the callback declares itself
    `async_safe`: on JAX and torch Keras then runs it in worker threads, where the hooks of
    one epoch may run concurrently and out of order. Each hook therefore judges only its
    own batch's logs, and the stop is taken once, under a lock. Training stops at the
    first batch end at which the check sees the threshold crossed; with asynchronous
    dispatch Keras may have started a step or two more by then, as with any callback.

    Args:
        max_fraction: float in `[0, 1)`. Stop when the fraction of skipped updates is
            above it. Defaults to `0.5`.
        min_steps: int >= 1. Steps of the current `fit` call before the first check.
            Defaults to `10`.
        network: str. `"any"`, `"generator"` or `"discriminator"`: whose skips count.
            Defaults to `"any"`.
        verbose: 0 or 1. Print why training stopped. Defaults to `1`.

    Example:

    ```python
    import keras
    import keras_seqgan as ks

    oracle = ks.data.OracleLSTM(vocabulary_size=20, sequence_length=6, seed=1)
    real = oracle.sample(256, seed=2)
    gan = ks.SeqGAN(
        ks.models.Generator(vocabulary_size=20, sequence_length=6),
        ks.models.Discriminator(vocabulary_size=20, sequence_length=6,
                                filter_sizes=(2, 3), num_filters=(8, 8)),
        num_rollouts=4,
    )
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-2),
        discriminator_optimizer=keras.optimizers.Adam(1e-4),
    )
    stopper = ks.callbacks.StopOnSkippedUpdates(max_fraction=0.5, min_steps=20)
    gan.fit(ks.data.sequence_dataset(real, batch_size=32), epochs=3, callbacks=[stopper])
    if stopper.stopped_step is not None:
        print(stopper.reason)
    ```
    """

    def __init__(
        self,
        max_fraction: float = 0.5,
        min_steps: int = 10,
        network: str = "any",
        verbose: int = 1,
    ):
        super().__init__()
        self.max_fraction = check_float(
            "max_fraction", max_fraction, low=0.0, high=1.0, high_inclusive=False
        )
        self.min_steps = check_int("min_steps", min_steps, 1)
        if not isinstance(network, str):
            raise TypeError(
                f"`network` must be one of {NETWORKS}. Received: network={network!r} "
                f"(of type {type(network).__name__})"
            )
        if network not in NETWORKS:
            raise ValueError(f"`network` must be one of {NETWORKS}. Received: network={network!r}")
        self.network = network
        self.verbose = check_verbose(verbose)
        # The batch hook reads only the logs Keras hands it: safe to dispatch async.
        self.async_safe = True
        self.stopped_step: int | None = None
        self.reason: str | None = None
        self._start = {}
        self._steps = 0
        self._epoch_base = 0
        self._lock = threading.Lock()

    def __getstate__(self):
        # A lock cannot be copied: KerasTuner deep-copies callbacks for every trial.
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def on_train_begin(self, logs=None):
        missing = [
            name
            for name in ("step_counter", "g_skipped", "d_skipped")
            if not hasattr(self.model, name)
        ]
        if missing:
            raise TypeError(
                "`StopOnSkippedUpdates` needs a `keras_seqgan.SeqGAN` (a model with "
                "`step_counter`, `g_skipped` and `d_skipped`). Received a model of type "
                f"{type(self.model).__name__}, lacking {missing}."
            )
        # Read once, before any step of this `fit` runs.
        self._start = {
            name: int(to_float(getattr(self.model, name)))
            for name in ("step_counter", "g_skipped", "d_skipped")
        }
        self._updates_per_step = {
            "generator": int(getattr(self.model, "g_steps", 1)),
            "discriminator": int(getattr(self.model, "d_steps", 1)),
        }
        self._d_interval = int(getattr(self.model, "d_train_interval", 1))
        self._steps = 0
        self._epoch_base = 0
        self.stopped_step = None
        self.reason = None

    def on_epoch_begin(self, epoch, logs=None):
        # Keras has run (flushed) every batch hook of the previous epoch by now.
        self._epoch_base = self._steps

    def on_train_batch_end(self, batch, logs=None):
        # Possibly run in a worker thread, concurrently with the hooks of other batches
        # of this epoch and in any order: everything is computed from this call's own
        # `batch` and `logs`; the shared state is only updated under the lock.
        steps = self._epoch_base + int(batch) + 1
        with self._lock:
            self._steps = max(self._steps, steps)
            if self.stopped_step is not None:
                return
        if steps < self.min_steps or not logs:
            return
        networks = ("generator", "discriminator") if self.network == "any" else (self.network,)
        for network in networks:
            counter = _COUNTERS[network]
            if counter not in logs:
                continue
            skipped = int(float(logs[counter])) - self._start[counter]
            attempted = self._attempted(network, steps)
            if attempted <= 0:
                continue
            fraction = skipped / attempted
            if fraction > self.max_fraction:
                with self._lock:
                    if self.stopped_step is None:
                        self._stop(network, counter, skipped, attempted, fraction, steps)
                return

    def _attempted(self, network: str, steps: int) -> int:
        """Updates `network` attempted in the first `steps` steps of this `fit`."""
        per_step = self._updates_per_step[network]
        if network == "generator":
            return steps * per_step
        first = self._start["step_counter"]
        last = first + steps - 1
        interval = self._d_interval
        return (last // interval - (first - 1) // interval) * per_step

    def _stop(self, network, counter, skipped, attempted, fraction, steps):
        self.model.stop_training = True
        self.stopped_step = steps
        self.reason = (
            f"StopOnSkippedUpdates: stopping training after {steps} steps: "
            f"{skipped} of {attempted} {network} updates were skipped ({counter}), a "
            f"fraction of {fraction:.3f} > max_fraction={self.max_fraction:g}. Skipped "
            "updates have non-finite gradients: lower the learning rate or check the "
            "weights and data for NaN/inf."
        )
        if self.verbose:
            print_message(self.reason)
