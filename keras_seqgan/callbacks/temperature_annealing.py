"""`TemperatureAnnealing`: assigns the model's sampling temperature on a schedule."""

from __future__ import annotations

import math
from collections.abc import Callable

import keras

from keras_seqgan._validation import check_float, check_int, check_verbose
from keras_seqgan.callbacks._printing import print_message, to_float

START_END_SCHEDULES = ("exponential", "linear", "cosine")
RELGAN_SCHEDULES = ("exp", "log", "sigmoid", "quad", "sqrt", "lin")
SCHEDULES = START_END_SCHEDULES + RELGAN_SCHEDULES
PER = ("epoch", "step")


def relgan_inverse_temperature(schedule: str, maximum: float, index: int, total: int) -> float:
    """RelGAN's inverse temperature `beta` at iteration `index` of `total` (capped at `maximum`).

    The formulas of Nie et al. (2019), `get_fixed_temperature` in their code; `beta`
    multiplies the logits, so the equivalent temperature is `1 / beta`. With
    `total == 1` the formulas that divide by `total - 1` or `log(total)` give `1` at
    `index == 0` and `maximum` after it.
    """
    n, i = total, index
    if schedule == "exp":
        beta = maximum ** (i / n)
    elif schedule == "sigmoid":
        beta = (maximum - 1.0) / (1.0 + math.exp((n / 2 - i) * 20.0 / n)) + 1.0
    elif n == 1:
        beta = 1.0 if i == 0 else maximum
    elif schedule == "log":
        beta = 1.0 + (maximum - 1.0) / math.log(n) * math.log(i + 1)
    elif schedule == "quad":
        beta = (maximum - 1.0) / (n - 1) ** 2 * i**2 + 1.0
    elif schedule == "sqrt":
        beta = (maximum - 1.0) / math.sqrt(n - 1) * math.sqrt(i) + 1.0
    elif schedule == "lin":
        beta = 1.0 + (maximum - 1.0) * i / (n - 1)
    else:
        raise ValueError(
            f"`schedule` must be one of {RELGAN_SCHEDULES}. Received: schedule={schedule!r}"
        )
    return min(beta, maximum)


class TemperatureAnnealing(keras.callbacks.Callback):
    """Anneals the model's sampling temperature during `fit`, epoch by epoch or step by step.

    At the start of every epoch (or every training step, with `per="step"`) the callback
    computes a temperature from the epoch (step) index and `assign`s it to the model's
    `temperature` variable, which the compiled training step reads: the new value takes
    effect at once, without retracing, in graph mode and under XLA alike. The value is
    also written into the epoch's logs as `temperature` (for `History`, `CSVLogger`,
    `TensorBoard`: put this callback before them in the list).

    Schedules (`i` is the epoch or step index counted from the start of training, `N`
    is `total`):

    - `"exponential"` (the default): `max(end, start * decay**i)`.
    - `"linear"`: from `start` at `i = 0` to `end` at `i = N - 1`, then `end`.
    - `"cosine"`: `end + (start - end) * (1 + cos(pi * p)) / 2` with
      `p = min(i / (N - 1), 1)`: also from `start` to `end` at `i = N - 1`.
    - RelGAN's family, `"exp"`, `"log"`, `"sigmoid"`, `"quad"`, `"sqrt"`, `"lin"`: an
      inverse temperature `beta` rises from 1 to `max_inverse_temperature` over `N`
      iterations (formulas of Nie et al. 2019, capped at the maximum afterwards) and the
      temperature is `1 / beta` (RelGAN multiplies the logits by `beta`; this library
      divides them by the temperature). `start`, `end` and `decay` are not used.
    - Any callable `f(index, current) -> float`, given the index and the temperature
      the model holds before this epoch (step) as a Python float.

    Resuming continues the schedule: with `per="epoch"` the index is the epoch number
    that `fit` reports, which honours `initial_epoch` and `keras.callbacks.BackupAndRestore`;
    with `per="step"` it is the model's training-step counter (`model.step_counter`,
    else `model.optimizer.iterations`), which `.keras` files and `BackupAndRestore` save,
    so a loaded model continues even without `initial_epoch`. With
    `steps_per_execution=k` and `per="step"`, the temperature changes every `k` steps
    (the value of the block's first step).

    Args:
        start: float > 0. The first temperature of `"exponential"`, `"linear"` and
            `"cosine"`. Defaults to `2.0`.
        end: float > 0. The last (lowest, for `"exponential"`) temperature. Defaults to
            `0.5`.
        decay: float in `(0, 1]`. Factor per epoch (step) of `"exponential"`. Defaults to
            `0.95`.
        schedule: str or callable. One of the schedules above. Defaults to
            `"exponential"`.
        max_inverse_temperature: float > 1 or `None`. The largest `beta` of the RelGAN
            schedules (RelGAN's `temper`, e.g. `100` or `1000`); required by them and
            refused by the others. Defaults to `None`.
        total: int >= 1 or `None`. `N`, the number of epochs (steps) the schedule spans,
            for every schedule but `"exponential"` and callables. Defaults to `None`: the
            `epochs` given to `fit` (times its steps per epoch with `per="step"`).
        per: `"epoch"` or `"step"`. How often the temperature changes. Defaults to
            `"epoch"`.
        verbose: 0 or 1. With 1, prints the temperature at each change of epoch.
            Defaults to `0`.

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
        objective="gumbel",
    )
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-3),
                discriminator_optimizer=keras.optimizers.Adam(1e-3))
    annealing = ks.callbacks.TemperatureAnnealing(start=2.0, end=0.5, decay=0.95)
    # RelGAN style: beta rises from 1 to 100 over the run, temperature = 1 / beta.
    # annealing = ks.callbacks.TemperatureAnnealing(
    #     schedule="exp", max_inverse_temperature=100, per="step")
    history = gan.fit(ks.data.sequence_dataset(real, batch_size=32), epochs=3,
                      callbacks=[annealing])
    print(history.history["temperature"])  # [2.0, 1.9, 1.805]
    ```

    Reference:
        - [Nie et al., 2019](https://openreview.net/forum?id=rJedV3R5tm). RelGAN:
          Relational Generative Adversarial Networks for Text Generation.
    """

    def __init__(
        self,
        start: float = 2.0,
        end: float = 0.5,
        decay: float = 0.95,
        *,
        schedule: str | Callable[[int, float], float] = "exponential",
        max_inverse_temperature: float | None = None,
        total: int | None = None,
        per: str = "epoch",
        verbose: int = 0,
    ):
        super().__init__()
        self.start = check_float("start", start, low=0.0, low_inclusive=False)
        self.end = check_float("end", end, low=0.0, low_inclusive=False)
        self.decay = check_float("decay", decay, low=0.0, high=1.0, low_inclusive=False)
        if isinstance(schedule, str):
            if schedule not in SCHEDULES:
                raise ValueError(
                    f"`schedule` must be one of {SCHEDULES} or a callable "
                    f"f(index, current) -> float. Received: schedule={schedule!r}"
                )
        elif not callable(schedule):
            raise TypeError(
                "`schedule` must be a schedule name or a callable f(index, current) -> float. "
                f"Received: schedule={schedule!r} (of type {type(schedule).__name__})"
            )
        self.schedule = schedule
        if schedule == "exponential" and self.end > self.start:
            raise ValueError(
                "With schedule='exponential' the temperature only decreases: `end` must be "
                f"<= `start`. Received: start={start}, end={end}"
            )
        if schedule in RELGAN_SCHEDULES:
            if max_inverse_temperature is None:
                raise ValueError(
                    f"schedule={schedule!r} (RelGAN) needs `max_inverse_temperature`, the "
                    "largest inverse temperature (RelGAN's `temper`, e.g. 100). "
                    "Received: max_inverse_temperature=None"
                )
            max_inverse_temperature = check_float(
                "max_inverse_temperature", max_inverse_temperature, low=1.0, low_inclusive=False
            )
        elif max_inverse_temperature is not None:
            raise ValueError(
                "`max_inverse_temperature` is used only by the RelGAN schedules "
                f"{RELGAN_SCHEDULES}. Received: max_inverse_temperature="
                f"{max_inverse_temperature!r} with schedule={schedule!r}"
            )
        self.max_inverse_temperature = max_inverse_temperature
        self.total = None if total is None else check_int("total", total, 1)
        if per not in PER:
            raise ValueError(f"`per` must be one of {PER}. Received: per={per!r}")
        self.per = per
        self.verbose = check_verbose(verbose)
        self._current = None
        self._step_base = 0
        self._total = self.total

    # ------------------------------------------------------------- schedule
    @property
    def needs_total(self) -> bool:
        """Whether the schedule depends on `total` (all but `"exponential"` and callables)."""
        return isinstance(self.schedule, str) and self.schedule != "exponential"

    def temperature_at(
        self, index: int, *, total: int | None = None, current: float | None = None
    ) -> float:
        """The schedule's temperature at epoch (step) `index`, as a Python float.

        Args:
            index: int >= 0. The epoch (or step) index, counted from the start of training.
            total: int >= 1 or `None`. `N`; defaults to the constructor's `total` (or, in
                `fit`, the value derived from its `epochs`).
            current: float or `None`. The current temperature, passed to a callable
                schedule. Defaults to `start`.
        """
        index = check_int("index", index, 0)
        if callable(self.schedule):
            current = self.start if current is None else float(current)
            value = self.schedule(index, current)
            try:
                return check_float("temperature", value, low=0.0, low_inclusive=False)
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"The schedule {self.schedule!r} must return a finite float > 0. "
                    f"Received {value!r} for index={index}, current={current}"
                ) from error
        if self.schedule == "exponential":
            return max(self.end, self.start * self.decay**index)
        if total is None:
            total = self._total
        if total is None:
            raise ValueError(
                f"schedule={self.schedule!r} needs `total`, the number of epochs (steps) it "
                "spans. Pass `total=` to the constructor or to `temperature_at`."
            )
        total = check_int("total", total, 1)
        if self.schedule in RELGAN_SCHEDULES:
            beta = relgan_inverse_temperature(
                self.schedule, self.max_inverse_temperature, index, total
            )
            return 1.0 / beta
        progress = min(index / max(total - 1, 1), 1.0)
        if self.schedule == "linear":
            return self.start + (self.end - self.start) * progress
        return self.end + (self.start - self.end) * 0.5 * (1.0 + math.cos(math.pi * progress))

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        variable = getattr(self.model, "temperature", None)
        if variable is None or not callable(getattr(variable, "assign", None)):
            raise TypeError(
                "TemperatureAnnealing needs a model with a `temperature` variable that its "
                "training step reads, such as `keras_seqgan.SeqGAN`. Received a model of "
                f"type {type(self.model).__name__} without one."
            )
        self._total = self.total
        if self._total is None and self.needs_total:
            params = self.params or {}
            epochs, steps = params.get("epochs"), params.get("steps")
            if self.per == "step" and steps is None:
                raise ValueError(
                    f"schedule={self.schedule!r} with per='step' needs the number of steps "
                    "per epoch, which this dataset does not know: pass `total=` (the "
                    "number of steps the schedule spans) or `steps_per_epoch` to `fit`."
                )
            if epochs is None:
                raise ValueError(
                    f"schedule={self.schedule!r} needs `total`; it could not be derived "
                    "from `fit`'s parameters. Pass `total=` to the constructor."
                )
            self._total = max(int(epochs) * (int(steps) if self.per == "step" else 1), 1)

    def on_epoch_begin(self, epoch, logs=None):
        current = to_float(self.model.temperature)  # one host read per epoch
        if self.per == "epoch":
            self._assign(self.temperature_at(epoch, total=self._total, current=current))
            if self.verbose:
                print_message(
                    f"Epoch {epoch + 1}: TemperatureAnnealing set the temperature to "
                    f"{self._current:.4f}."
                )
        else:
            self._current = current
            self._step_base = self._global_step(epoch)

    def on_train_batch_begin(self, batch, logs=None):
        if self.per == "step":
            index = self._step_base + int(batch)
            self._assign(self.temperature_at(index, total=self._total, current=self._current))

    def on_epoch_end(self, epoch, logs=None):
        if self._current is None:
            self._current = to_float(self.model.temperature)
        if logs is not None:
            logs["temperature"] = self._current
        if self.verbose and self.per == "step":
            print_message(f"Epoch {epoch + 1}: the temperature is now {self._current:.4f}.")

    def _assign(self, value: float) -> None:
        self.model.temperature.assign(value)
        self._current = value

    def _global_step(self, epoch: int) -> int:
        counter = getattr(self.model, "step_counter", None)
        if counter is None and getattr(self.model, "optimizer", None) is not None:
            counter = self.model.optimizer.iterations
        if counter is not None:
            return int(to_float(counter))
        steps = (self.params or {}).get("steps")
        if steps is None:
            raise ValueError(
                "per='step' needs the model's step count (`model.step_counter` or "
                "`model.optimizer.iterations`) or a known number of steps per epoch; "
                f"neither is available for this {type(self.model).__name__}."
            )
        return int(epoch) * int(steps)
