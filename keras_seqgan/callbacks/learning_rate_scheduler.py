"""`LearningRateScheduler`: sets a SeqGAN's generator, discriminator or both learning rates."""

from __future__ import annotations

from collections.abc import Callable

import keras

from keras_seqgan._optimizer_pair import check_assignable, learning_rate_of
from keras_seqgan._validation import check_choice, check_float, check_verbose
from keras_seqgan.callbacks._printing import print_message

WHICH = ("generator", "discriminator", "both")
LOG_KEYS = {"generator": "g_learning_rate", "discriminator": "d_learning_rate"}


class LearningRateScheduler(keras.callbacks.Callback):
    """Sets the learning rate of a SeqGAN's generator, discriminator or both, epoch by epoch.

    Keras's own `keras.callbacks.LearningRateScheduler` and `ReduceLROnPlateau` work on a
    `SeqGAN` too: they set `model.optimizer.learning_rate`, which reads the generator's
    rate and scales both optimizers by the same factor, keeping their ratio. This
    callback is the per-optimizer form: at the start of every epoch it calls
    `schedule(epoch, learning_rate)` with the current rate of each optimizer that
    `which` names and assigns what it returns to that optimizer. `"both"` calls the
    schedule once per optimizer, each with its own rate: `lambda epoch, lr: lr * 0.9`
    keeps the ratio, an absolute schedule gives both the same rate.

    At the end of every epoch it writes both optimizers' rates into the logs, as
    `g_learning_rate` and `d_learning_rate` (for `History`, `CSVLogger`, `TensorBoard`:
    put this callback before them in the list). A learning rate is a variable of its
    optimizer, so `.keras` files and `keras.callbacks.BackupAndRestore` save it, and
    the epoch index counts from the start of training (it honours `initial_epoch` and
    `BackupAndRestore`): a resumed run continues the schedule.

    An optimizer whose learning rate is a `keras.optimizers.schedules.LearningRateSchedule`
    cannot be assigned: naming it in `which` is a `TypeError` before training. Its rate
    still appears in the logs.

    Args:
        schedule: callable. `schedule(epoch, learning_rate) -> float`: the epoch index
            (from 0) and the optimizer's learning rate before this epoch, as a Python
            float; it returns the rate for this epoch (a float >= 0).
        which: `"generator"`, `"discriminator"` or `"both"`. The optimizers the schedule
            sets. Defaults to `"both"`.
        verbose: 0 or 1. With 1, prints each new rate. Defaults to `0`.

    Example:

    ```python
    import keras
    import keras_seqgan as ks

    oracle = ks.data.OracleLSTM(vocabulary_size=20, sequence_length=6, seed=1)
    real = oracle.sample(64, seed=2)
    gan = ks.SeqGAN(
        ks.models.Generator(vocabulary_size=20, sequence_length=6),
        ks.models.Discriminator(vocabulary_size=20, sequence_length=6,
                                filter_sizes=(2, 3), num_filters=(8, 8)),
        num_rollouts=2,
    )
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-2),
                discriminator_optimizer=keras.optimizers.Adam(1e-4))
    # Halve the discriminator's rate every epoch; the generator's stays.
    decay = ks.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5,
                                               which="discriminator")
    history = gan.fit(ks.data.sequence_dataset(real, batch_size=32), epochs=3,
                      callbacks=[decay])
    print(history.history["d_learning_rate"])  # ~[5e-05, 2.5e-05, 1.25e-05] (float32)
    ```
    """

    def __init__(
        self,
        schedule: Callable[[int, float], float],
        which: str = "both",
        verbose: int = 0,
    ):
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "`schedule` must be a callable schedule(epoch, learning_rate) -> float. "
                f"Received: schedule={schedule!r} (of type {type(schedule).__name__})"
            )
        self.schedule = schedule
        self.which = check_choice("which", which, WHICH)
        self.verbose = check_verbose(verbose)

    @property
    def networks(self) -> tuple[str, ...]:
        """The networks whose optimizers the schedule sets (`"generator"`, `"discriminator"`)."""
        return ("generator", "discriminator") if self.which == "both" else (self.which,)

    def _optimizer(self, network: str):
        return getattr(self.model, f"{network}_optimizer", None)

    def on_train_begin(self, logs=None):
        for network in ("generator", "discriminator"):
            if self._optimizer(network) is None:
                raise TypeError(
                    "keras_seqgan.callbacks.LearningRateScheduler needs a compiled model with "
                    "a `generator_optimizer` and a `discriminator_optimizer`, such as "
                    "`keras_seqgan.SeqGAN`. Received a model of type "
                    f"{type(self.model).__name__} without them (for a model with one "
                    "optimizer, use `keras.callbacks.LearningRateScheduler`)."
                )
        for network in self.networks:
            check_assignable(
                self._optimizer(network),
                f"{network}_optimizer",
                f"keras_seqgan.callbacks.LearningRateScheduler(which={self.which!r})",
                "Give it a float learning rate, or leave it to its schedule: pass "
                f"which={'discriminator' if network == 'generator' else 'generator'!r} "
                "to set only the other optimizer's rate.",
            )

    def on_epoch_begin(self, epoch, logs=None):
        for network in self.networks:
            optimizer = self._optimizer(network)
            current = learning_rate_of(optimizer)  # one host read per optimizer and epoch
            value = self.schedule(epoch, current)
            try:
                value = check_float("learning_rate", value, low=0.0)
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"The schedule {self.schedule!r} must return a finite float >= 0. "
                    f"Received {value!r} for epoch={epoch}, learning_rate={current} "
                    f"(the {network}'s)"
                ) from error
            optimizer.learning_rate = value
            if self.verbose:
                print_message(
                    f"Epoch {epoch + 1}: LearningRateScheduler set the {network}'s "
                    f"learning rate to {value:.4e}."
                )

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for network, key in LOG_KEYS.items():
            logs[key] = learning_rate_of(self._optimizer(network))
