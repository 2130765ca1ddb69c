"""`OracleNLL`: NLL-oracle (quality) and NLL-gen (diversity) after training epochs."""

from __future__ import annotations

import copy

import keras

from keras_seqgan._validation import (
    check_int,
    check_seed,
    check_temperature,
    check_verbose,
    draw_seed,
)
from keras_seqgan.callbacks._printing import print_message
from keras_seqgan.data.datasets import validate_tokens
from keras_seqgan.evaluation.nll import check_oracle, oracle_scores, scored_generator

LOG_KEYS = ("nll_oracle", "nll_gen", "nll_sum")


class OracleNLL(keras.callbacks.Callback):
    """Scores the generator against a synthetic oracle after training epochs.

    The two figures of the synthetic-data experiments of SeqGAN, Texygen and RelGAN,
    computed by `keras_seqgan.evaluation.nll_oracle` and `keras_seqgan.evaluation.nll_gen`
    and written into the epoch logs:

    - `nll_oracle` (quality): the oracle's mean per-token NLL of `num_samples` sequences
      generated at this callback's `temperature`.
    - `nll_gen` (diversity, coverage): the generator's mean per-token NLL, at the same
      temperature, of held-out oracle samples.
    - `nll_sum`: their sum, one number to minimise that penalises both failure modes.

    The callback samples at its own fixed temperature, never the training temperature
    (`model.temperature`): annealing the training temperature to 0.5 would otherwise
    lower `nll_oracle` by itself, as sharper sampling does for any model. Its samples come
    from a fixed seed at every evaluation (the same noise each time, so epochs compare
    fairly) through the generator's own `generate` stream, which leaves the training
    step's random stream untouched.

    Evaluations happen after the first epoch of each `fit` call, after every
    `every`-th epoch (epochs `every`, `2 * every`, ... counted from 1) and after the
    last epoch; on other epochs the keys are absent from the logs, as `val_*` keys are
    with `validation_freq`: `EarlyStopping(monitor="nll_oracle")` skips those epochs, but
    Keras 3's `ModelCheckpoint(save_best_only=True)` saves on every epoch that lacks its
    monitored key, so use `every=1` with it.
    Works with a `keras_seqgan.SeqGAN` (it scores `model.generator`) and with a
    `keras_seqgan.models.Generator` being pre-trained by maximum likelihood. Put it
    before `CSVLogger`, `TensorBoard`, `EarlyStopping` and `ModelCheckpoint` in the list.

    Args:
        oracle: `keras_seqgan.data.OracleLSTM` (or an object with `vocabulary_size`,
            `sequence_length`, `sample(n, seed=...)` and `nll(tokens)`).
        num_samples: int. Generated sequences scored by the oracle, and held-out oracle
            samples scored by the generator when `held_out` is not given. Defaults to
            `10_000` (Texygen's and RelGAN's figure).
        every: int >= 1. Evaluate every `every` epochs. Defaults to `1`.
        temperature: float > 0. Sampling temperature of the evaluation. Defaults to `1.0`.
        held_out: int array `[N, T]` or `None`. Held-out real sequences for `nll_gen`.
            Defaults to `None`: `num_samples` oracle samples drawn once with `seed`. They
            must not be the training data: pass a seed other than the training data's.
        seed: int or `None`. Seed of the held-out draw (`seed`) and of the generated
            samples (`seed + 1`). Defaults to `None`: drawn once from NumPy's global
            generator (which `keras.utils.set_random_seed` seeds).
        verbose: 0 or 1. Print the figures after each evaluation. Defaults to `0`.

    Example:

    ```python
    import keras
    import keras_seqgan as ks

    oracle = ks.data.OracleLSTM(vocabulary_size=20, sequence_length=6, seed=1)
    real = oracle.sample(256, seed=2)
    generator = ks.models.Generator(vocabulary_size=20, sequence_length=6)
    generator.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = generator.fit(
        ks.data.mle_dataset(real, batch_size=32), epochs=2,
        callbacks=[ks.callbacks.OracleNLL(oracle, num_samples=500, seed=3)],
    )
    print(history.history["nll_oracle"], history.history["nll_gen"])
    ```

    Reference:
        - [Yu et al., 2017](https://arxiv.org/abs/1609.05473). SeqGAN.
        - [Zhu et al., 2018](https://arxiv.org/abs/1802.01886). Texygen.
        - [Nie et al., 2019](https://openreview.net/forum?id=rJedV3R5tm). RelGAN.
    """

    def __init__(
        self,
        oracle,
        num_samples: int = 10_000,
        every: int = 1,
        temperature: float = 1.0,
        *,
        held_out=None,
        seed: int | None = None,
        verbose: int = 0,
    ):
        super().__init__()
        check_oracle(oracle)
        self.oracle = oracle
        self.num_samples = check_int("num_samples", num_samples, 1)
        self.every = check_int("every", every, 1)
        self.temperature = check_temperature(temperature)
        if held_out is not None:
            held_out = validate_tokens(
                held_out,
                vocabulary_size=int(oracle.vocabulary_size),
                sequence_length=int(oracle.sequence_length),
                name="held_out",
            )
        self.held_out = held_out
        seed = check_seed(seed)
        self.seed = draw_seed() if seed is None else seed
        self.verbose = check_verbose(verbose)
        self._first_epoch = None

    def __deepcopy__(self, memo):
        # KerasTuner deep-copies callbacks; the oracle is read-only and holds compiled
        # functions that do not copy, so copies share it.
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            shared = key in ("oracle", "_model")
            setattr(clone, key, value if shared else copy.deepcopy(value, memo))
        return clone

    # ------------------------------------------------------------ evaluation
    def evaluate(self, generator=None) -> dict[str, float]:
        """Computes `nll_oracle`, `nll_gen` and `nll_sum` now, for `generator` or the model's.

        Args:
            generator: a `keras_seqgan.models.Generator` (or a `SeqGAN`, whose generator is
                used) or `None` for the model being trained.
        """
        generator = self._generator(self.model if generator is None else generator)
        return oracle_scores(
            generator, self.oracle, self._held_out(), num_samples=self.num_samples,
            temperature=self.temperature, seed=self.seed,
        )  # fmt: skip

    def on_train_begin(self, logs=None):
        self._generator(self.model)  # fail before the first epoch, not after it
        self._first_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        if not self._should_evaluate(epoch):
            return
        values = self.evaluate()
        if logs is not None:
            logs.update(values)
        if self.verbose:
            print_message(
                f"Epoch {epoch + 1}: nll_oracle {values['nll_oracle']:.4f}, nll_gen "
                f"{values['nll_gen']:.4f} (temperature {self.temperature:g})"
            )

    def _should_evaluate(self, epoch: int) -> bool:
        if self._first_epoch is None:
            self._first_epoch = epoch
            return True
        epochs = (self.params or {}).get("epochs")
        return (epoch + 1) % self.every == 0 or (epochs is not None and epoch == epochs - 1)

    def _held_out(self):
        if self.held_out is None:
            self.held_out = self.oracle.sample(self.num_samples, seed=self.seed)
        return self.held_out

    def _generator(self, model):
        return scored_generator(model, self.oracle, "OracleNLL")
