"""`TrainingDisplay`: a readable progress display for SeqGAN training (a `ProgbarLogger`)."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence

import keras

from keras_seqgan._validation import check_float
from keras_seqgan.callbacks._printing import format_value, print_message

DEFAULT_METRICS = (
    "d_loss",
    "d_acc",
    "g_loss",
    "reward_mean",
    "nll_oracle",
    "nll_gen",
    "temperature",
)
_NOT_METRICS = (
    "batch_ms_mean",
    "batch_ms_min",
    "batch_ms_max",
    "epoch_s",
    "g_skipped",
    "d_skipped",
)


class TrainingDisplay(keras.callbacks.ProgbarLogger):
    """The progress display of SeqGAN training: short epoch lines and an end-of-training summary.

    A `keras.callbacks.ProgbarLogger`, so passing it to `fit` replaces Keras's default
    progress bar, and `fit`'s `verbose` drives it as usual: `0` prints nothing, `1` draws
    a progress bar during each epoch, `1` and `2` print one line per epoch. The line
    shows a few metrics instead of every log key (by default, those of `DEFAULT_METRICS`
    that are logged: losses, `d_acc`, `reward_mean`, `nll_oracle`, `nll_gen` and the
    `temperature`, with their `val_` counterparts), the skipped-update counters when they
    are not zero, and marks `d_acc` with `[D winning]` when it exceeds `d_acc_threshold`
    (the discriminator is winning: the generator's rewards fade), e.g.

    ```
    Epoch 3/10
    8/8 - 1.2s - 150ms/step - d_loss: 0.4410 - d_acc: 0.7812 [D winning] - g_loss: 2.1038
    - reward_mean: 0.2310 - nll_oracle: 8.9213 - nll_gen: 8.4120 - temperature: 1.8050
    ```

    At the end of training it prints a summary: time, steps, batch times (when
    `keras_seqgan.callbacks.BatchTimer` runs before it in the callback list), skipped
    updates, how often the discriminator was winning, and the final metrics. Put it last
    in the callback list so that it sees the keys other callbacks add (`OracleNLL`,
    `BatchTimer`, `TemperatureAnnealing`). Everything is printed on the host at epoch and
    training end (and by the progress bar, at batch end): nothing runs inside the step.

    Args:
        metrics: sequence of str or `None`. The log keys shown, in order (`val_` keys of
            the same names follow them). Defaults to `None`: `DEFAULT_METRICS`, or every
            key when the model logs none of them (e.g. a `Generator` pre-trained by `fit`).
        d_acc_threshold: float in `[0, 1]`. `d_acc` above it is marked. Defaults to `0.7`.
        summary: bool. Print the summary at the end of training. Defaults to `True`.

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
    gan.fit(ks.data.sequence_dataset(real, batch_size=32), epochs=3, verbose=2, callbacks=[
        ks.callbacks.TemperatureAnnealing(),
        ks.callbacks.BatchTimer(verbose=0),
        ks.callbacks.OracleNLL(oracle, num_samples=500),
        ks.callbacks.TrainingDisplay(),
    ])
    ```
    """

    def __init__(
        self,
        metrics: Sequence[str] | None = None,
        d_acc_threshold: float = 0.7,
        summary: bool = True,
    ):
        super().__init__()
        if metrics is not None:
            if isinstance(metrics, (str, bytes)) or not isinstance(metrics, Sequence):
                raise TypeError(
                    "`metrics` must be a sequence of log keys (str) or None. Received: "
                    f"metrics={metrics!r}"
                )
            if not metrics or not all(isinstance(m, str) and m for m in metrics):
                raise ValueError(
                    "`metrics` must be a non-empty sequence of log keys (non-empty str). "
                    f"Received: metrics={metrics!r}"
                )
            metrics = tuple(metrics)
        self.metrics = metrics
        self.d_acc_threshold = check_float("d_acc_threshold", d_acc_threshold, low=0.0, high=1.0)
        if not isinstance(summary, bool):
            raise TypeError(f"`summary` must be a bool. Received: summary={summary!r}")
        self.summary = summary
        self._reset_run()

    def _reset_run(self):
        self._train_start = time.perf_counter()
        self._epoch_start = self._train_start
        self._last_batch_end = None
        self._epochs_run = 0
        self._epoch_range = None
        self._steps = 0
        self._winning = 0
        self._with_accuracy = 0
        self._latest: dict = {}

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._reset_run()

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)  # resets the bar, prints "Epoch i/N"
        self._epoch_start = time.perf_counter()
        self._last_batch_end = None

    def on_train_batch_end(self, batch, logs=None):
        self.seen = int(batch) + 1
        self._last_batch_end = time.perf_counter()
        if self.verbose == 1 and self.progbar is not None:
            values = self._selected(logs or {})
            self.progbar.update(
                self.seen, [(k, v) for k, v in values if _is_number(v)], finalize=False
            )

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        now = time.perf_counter()
        seconds = now - self._epoch_start
        training = (self._last_batch_end or now) - self._epoch_start
        steps = self.seen or (self.target or 0)
        self._epochs_run += 1
        first = epoch if self._epoch_range is None else self._epoch_range[0]
        self._epoch_range = (first, epoch)
        self._steps += steps
        self._latest.update(logs)
        if _is_number(logs.get("d_acc")):
            self._with_accuracy += 1
            self._winning += int(logs["d_acc"] > self.d_acc_threshold)
        if not self.verbose:
            return
        line = self.format_epoch_line(logs, steps=steps, seconds=seconds, step_seconds=training)
        if (
            self.verbose == 1
            and getattr(self.progbar, "_dynamic_display", False)
            and keras.config.is_interactive_logging_enabled()
        ):
            sys.stdout.write("\r\x1b[2K")  # the epoch line replaces the progress bar
        print_message(line)

    def on_train_end(self, logs=None):
        if self.verbose and self.summary and self._epochs_run:
            print_message(self.format_summary(logs or {}))

    # ------------------------------------------------------------- formatting
    def format_epoch_line(
        self, logs: dict, *, steps: int, seconds: float, step_seconds: float | None = None
    ) -> str:
        """One epoch's line: steps, time, the chosen metrics and the `d_acc` mark.

        `seconds` is the whole epoch (epoch-end callbacks such as `OracleNLL` included);
        the time per step divides `step_seconds` (the training loop's part, up to the
        last batch's end; defaults to `seconds`) by `steps`.
        """
        target = self.target or steps
        parts = [f"{steps}/{target}", f"{seconds:.1f}s"]
        if steps:
            step_seconds = seconds if step_seconds is None else step_seconds
            parts.append(_format_duration(step_seconds / steps) + "/step")
        parts += self._format_metrics(logs)
        skipped = [logs.get("g_skipped"), logs.get("d_skipped")]
        if all(_is_number(v) for v in skipped) and any(v > 0 for v in skipped):
            parts.append(f"skipped g/d: {int(skipped[0])}/{int(skipped[1])}")
        return " - ".join(parts)

    def format_summary(self, logs: dict) -> str:
        """The end-of-training summary (several lines)."""
        seconds = time.perf_counter() - self._train_start
        first, last = self._epoch_range
        epochs = f"{self._epochs_run} epoch{'s' if self._epochs_run != 1 else ''}"
        if self._epochs_run > 1:
            epochs += f" ({first + 1}-{last + 1})"
        lines = [
            "Training summary",
            f"  time: {seconds:.1f} s for {epochs}, {self._steps} steps"
            + (
                f" ({1000.0 * seconds / self._steps:.1f} ms/step on average, the first "
                "compiled step included)"
                if self._steps
                else ""
            ),
        ]
        if _is_number(logs.get("first_batch_ms")):
            text = f"  batch time: first {logs['first_batch_ms']:.1f} ms (tracing and compilation)"
            if _is_number(logs.get("batch_ms_mean")) and not math.isnan(logs["batch_ms_mean"]):
                text += (
                    f"; then {logs['batch_ms_mean']:.1f} ms mean, {logs['batch_ms_min']:.1f} "
                    f"min, {logs['batch_ms_max']:.1f} max"
                )
            lines.append(text)
        g_skipped, d_skipped = self._latest.get("g_skipped"), self._latest.get("d_skipped")
        if _is_number(g_skipped) and _is_number(d_skipped):
            lines.append(
                f"  skipped updates: generator {int(g_skipped)}, discriminator {int(d_skipped)}"
            )
        if self._with_accuracy:
            lines.append(
                f"  discriminator winning (d_acc > {self.d_acc_threshold:.2f}) in "
                f"{self._winning} of {self._with_accuracy} epochs"
            )
        final = self._format_metrics(self._latest)
        if final:
            lines.append("  final: " + " - ".join(final))
        return "\n".join(lines)

    def _selected(self, logs: dict) -> list:
        if self.metrics is not None:
            names = self.metrics
        else:
            names = [m for m in DEFAULT_METRICS if m in logs or f"val_{m}" in logs]
            if not names:
                names = [k for k in logs if not k.startswith("val_") and k not in _NOT_METRICS]
        ordered = [n for n in names if n in logs]
        ordered += [f"val_{n}" for n in names if f"val_{n}" in logs and f"val_{n}" not in names]
        return [(name, logs[name]) for name in ordered]

    def _format_metrics(self, logs: dict) -> list:
        parts = []
        for name, value in self._selected(logs):
            text = f"{name}: {format_value(value)}"
            if name == "d_acc" and _is_number(value) and value > self.d_acc_threshold:
                text += " [D winning]"
            parts.append(text)
        return parts


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _format_duration(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.1f}s"
    if seconds >= 1e-3:
        return f"{seconds * 1000.0:.0f}ms"
    return f"{seconds * 1e6:.0f}us"
