"""KerasTuner search over SeqGAN's annealing and schedule hyper-parameters.

`SeqGANHyperModel` builds a compiled `keras_seqgan.SeqGAN` for each trial and trains it
with a `TemperatureAnnealing` set from the trial's values; `DEFAULT_OBJECTIVE` (`nll_sum`,
minimised) and `oracle_nll_callback` give the objective; `trials_table` and
`format_trials_table` summarise a search.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import keras
import keras_tuner as kt
import numpy as np

from keras_seqgan._validation import (
    SEED_LIMIT,
    check_float,
    check_int,
    check_int_sequence,
    check_optional_int,
    check_seed,
    fold_seed,
)
from keras_seqgan.callbacks import OracleNLL, TemperatureAnnealing
from keras_seqgan.callbacks.temperature_annealing import RELGAN_SCHEDULES, SCHEDULES
from keras_seqgan.models import Discriminator, Generator, PrefixDiscriminator
from keras_seqgan.models.discriminator import check_filter_widths
from keras_seqgan.objectives import OBJECTIVES
from keras_seqgan.seqgan import SeqGAN

__all__ = [
    "DEFAULT_OBJECTIVE",
    "DEFAULT_SEARCH_SPACE",
    "SEED_DEFAULTS",
    "SeqGANHyperModel",
    "format_trials_table",
    "oracle_nll_callback",
    "trials_table",
]

DEFAULT_OBJECTIVE = kt.Objective("nll_sum", direction="min")
"""`nll_sum` (`nll_oracle + nll_gen`, both sampled at temperature 1.0), minimised.

NLL-oracle alone rewards a generator that samples sharply (less diversity): it can be
lowered by the temperature alone. NLL-gen penalises exactly that, so their sum can only
be lowered by a better model. `keras_seqgan.callbacks.OracleNLL` logs it
(`oracle_nll_callback` builds one).
"""

# The library's default schedule and balance, the values a search is compared against; also
# the defaults of the search space's hyper-parameters (`tune_new_entries=False` keeps them).
SEED_DEFAULTS = {
    "temperature_schedule": "exponential",
    "temperature_start": 2.0,
    "temperature_end": 0.5,
    "temperature_decay": 0.95,
    "d_train_interval": 1,
    "d_steps": 1,
}

# name: (kind, arguments). The ranges of the default search space.
DEFAULT_SEARCH_SPACE = {
    "temperature_schedule": ("choice", {"values": ["exponential", "linear", "cosine"]}),
    "temperature_start": ("float", {"min_value": 1.0, "max_value": 3.0}),
    "temperature_end": ("float", {"min_value": 0.3, "max_value": 1.0}),
    "temperature_decay": ("float", {"min_value": 0.85, "max_value": 0.99}),
    "max_inverse_temperature": ("float", {"min_value": 10.0, "max_value": 1000.0}),
    "d_train_interval": ("int", {"min_value": 1, "max_value": 3}),
    "d_steps": ("int", {"min_value": 1, "max_value": 3}),
    "generator_learning_rate": ("float", {"min_value": 1e-4, "max_value": 1e-2}),
    "discriminator_learning_rate": ("float", {"min_value": 1e-5, "max_value": 1e-3}),
}
_DEFAULT_MAX_INVERSE_TEMPERATURE = 100.0
_COMPILE_KEYS_TAKEN = (
    "generator_optimizer",
    "discriminator_optimizer",
    "d_train_interval",
    "d_steps",
    "gradient_clip",
)
_COMPILE_KEYS_ALLOWED = (
    "g_steps",
    "jit_compile",
    "steps_per_execution",
    "run_eagerly",
    "rollout_jit_compile",
    "rollout_chunk_size",
    "rollout_sample_rows",
    "rollout_score_rows",
)
# The objectives a hypermodel trains: those of a whole-sequence `Discriminator`, and
# "dense", whose discriminator built from sizes is a `PrefixDiscriminator`.
_HYPERMODEL_OBJECTIVES = (*OBJECTIVES, "dense")
# Hyperband's bookkeeping values that `trials_table` shows, under shorter names.
_TUNER_KEYS = {"tuner/epochs": "epochs", "tuner/trial_id": "continues"}


def _check_positive_float(name: str, value) -> float:
    return check_float(name, value, low=0.0, low_inclusive=False)


def _check_callable(name: str, value) -> Callable | None:
    if value is not None and not callable(value):
        raise TypeError(
            f"`{name}` must be a callable `f(hp) -> keras.Model` or None. Received: "
            f"{name}={value!r} (of type {type(value).__name__})"
        )
    return value


def _weights_source(name: str, value, model_type: type, model_description: str):
    """`(config, class, arrays)` from a model (config and weights) or a list of arrays."""
    if value is None:
        return None, None, None
    if isinstance(value, keras.Model):
        if not isinstance(value, model_type):
            raise TypeError(
                f"`{name}` must be a {model_description} or a list of weight arrays. "
                f"Received a model of type {type(value).__name__}."
            )
        try:
            config = value.get_config()
        except NotImplementedError as error:
            raise TypeError(
                f"`{name}` must be a model with `get_config()` (each trial builds a copy "
                f"from it), or a list of weight arrays. Received a {type(value).__name__} "
                "without one: pass `build_...` for its architecture and its "
                "`get_weights()` here instead."
            ) from error
        return config, type(value), [np.array(array) for array in value.get_weights()]
    if isinstance(value, (list, tuple)) and all(
        isinstance(array, np.ndarray) or keras.ops.is_tensor(array) for array in value
    ):
        return None, None, [np.array(array) for array in value]
    raise TypeError(
        f"`{name}` must be a {model_description}, a list of weight arrays (from "
        f"`get_weights()`) or None. Received: {name} of type {type(value).__name__}"
    )


def _defined(hp: kt.HyperParameters, name: str) -> list:
    """The hyper-parameters called `name` in `hp`'s space (any conditions)."""
    return [entry for entry in hp.space if entry.name == name]


def _possible_values(hp: kt.HyperParameters, name: str) -> list:
    values: list = []
    for entry in _defined(hp, name):
        if isinstance(entry, kt.engine.hyperparameters.Choice):
            values += list(entry.values)
        elif isinstance(entry, kt.engine.hyperparameters.Fixed):
            values.append(entry.value)
    return values


def _value(hp: kt.HyperParameters, name: str, define: Callable[[], Any]):
    """The trial's value of `name`: the user's definition if there is one, else `define()`.

    A hyper-parameter the user registered (`hp.Fixed`, a narrower `hp.Float`, ...) wins,
    whatever conditions it was registered under; `None` when it is inactive.
    """
    if _defined(hp, name):
        try:
            return hp.get(name)
        except ValueError:  # registered but inactive in this trial
            return None
    return define()


def _check_filters(filter_sizes, num_filters):
    """Both `None`, or two int sequences of the same length."""
    if filter_sizes is not None:
        filter_sizes = check_int_sequence("filter_sizes", filter_sizes)
    if num_filters is not None:
        num_filters = check_int_sequence("num_filters", num_filters)
    if (filter_sizes is None) != (num_filters is None) or (
        filter_sizes is not None and len(filter_sizes) != len(num_filters)
    ):
        raise ValueError(
            "`filter_sizes` and `num_filters` go together: give both, of the same "
            f"length, or neither. Received: filter_sizes={filter_sizes!r}, "
            f"num_filters={num_filters!r}"
        )
    return filter_sizes, num_filters


def _definer(hp: kt.HyperParameters):
    """`define(name, kind, default, **extra)`: a function that defines `name` in `hp` with
    its `DEFAULT_SEARCH_SPACE` range, for `_value` to call when `hp` lacks it."""

    def define(name, kind, default, **extra):
        arguments = dict(DEFAULT_SEARCH_SPACE[name][1], **extra)
        if kind == "choice":
            return lambda: hp.Choice(name, default=default, **arguments)
        if kind == "int":
            return lambda: hp.Int(name, default=default, **arguments)
        return lambda: hp.Float(name, default=default, **arguments)

    return define


def _schedule_values(hp: kt.HyperParameters, define) -> dict[str, Any]:
    """The temperature schedule's values; its decay and RelGAN cap conditional on it."""
    defaults = SEED_DEFAULTS
    values: dict[str, Any] = {}
    values["temperature_schedule"] = _value(
        hp,
        "temperature_schedule",
        define("temperature_schedule", "choice", defaults["temperature_schedule"]),
    )
    for name in ("temperature_start", "temperature_end"):
        values[name] = _value(hp, name, define(name, "float", defaults[name]))
    with hp.conditional_scope("temperature_schedule", ["exponential"]):
        values["temperature_decay"] = _value(
            hp,
            "temperature_decay",
            define("temperature_decay", "float", defaults["temperature_decay"]),
        )
    relgan = [s for s in _possible_values(hp, "temperature_schedule") if s in RELGAN_SCHEDULES]
    values["max_inverse_temperature"] = None
    if relgan:
        with hp.conditional_scope("temperature_schedule", relgan):
            values["max_inverse_temperature"] = _value(
                hp,
                "max_inverse_temperature",
                define(
                    "max_inverse_temperature",
                    "float",
                    _DEFAULT_MAX_INVERSE_TEMPERATURE,
                    sampling="log",
                ),
            )
    return values


def _settled(values: dict[str, Any]) -> dict[str, Any]:
    """Checks the schedule's name and fills in what it needs: an exponential schedule's
    decay (and an end no higher than its start), a RelGAN schedule's cap."""
    schedule = values["temperature_schedule"]
    if schedule not in SCHEDULES:
        raise kt.errors.FatalValueError(
            f"The hyper-parameter `temperature_schedule` must take values in {SCHEDULES}. "
            f"Received: {schedule!r}"
        )
    if schedule == "exponential":
        if values["temperature_decay"] is None:
            values["temperature_decay"] = SEED_DEFAULTS["temperature_decay"]
        if values["temperature_end"] > values["temperature_start"]:
            values["temperature_end"] = values["temperature_start"]
    if schedule in RELGAN_SCHEDULES and values["max_inverse_temperature"] is None:
        values["max_inverse_temperature"] = _DEFAULT_MAX_INVERSE_TEMPERATURE
    return values


class SeqGANHyperModel(kt.HyperModel):
    """A KerasTuner `HyperModel` that tunes SeqGAN's annealing and D/G balance.

    `build(hp)` returns a compiled `keras_seqgan.SeqGAN`; `fit(hp, model, ...)` trains it
    with a `keras_seqgan.callbacks.TemperatureAnnealing` set from the trial's values and
    passes every other argument to `SeqGAN.fit`. The networks come from builders
    (`build_generator(hp)`, `build_discriminator(hp)`, which may define their own
    hyper-parameters), from pre-trained models (`generator_weights`,
    `discriminator_weights`: each trial starts from a copy of them, so one MLE
    pre-training serves the whole search), or from sizes.

    The default search space (names are the `hp` names; defaults are the seed
    project's values, which `tune_new_entries=False` keeps):

    - `temperature_schedule`: `"exponential"`, `"linear"` or `"cosine"` (default
      `"exponential"`): `TemperatureAnnealing(schedule=)`.
    - `temperature_start`: 1.0 to 3.0 (default 2.0): the first temperature.
    - `temperature_end`: 0.3 to 1.0 (default 0.5): the last (lowest) temperature.
    - `temperature_decay`: 0.85 to 0.99 (default 0.95), only with `"exponential"`: the
      factor per epoch.
    - `d_train_interval`: 1 to 3 (default 1): `SeqGAN.compile(d_train_interval=)`.
    - `d_steps`: 1 to 3 (default 1): `SeqGAN.compile(d_steps=)`.
    - with `tune_learning_rates=True`, `generator_learning_rate` (1e-4 to 1e-2) and
      `discriminator_learning_rate` (1e-5 to 1e-3), log scale, defaults the arguments
      of the same names: the two Adam optimizers.

    To narrow, fix or extend it, give the tuner your own `keras_tuner.HyperParameters`
    (`hyperparameters=hp`): a name you define there wins over the default definition
    (`hp.Fixed("d_steps", 1)`, `hp.Float("temperature_start", 1.5, 2.5)`,
    `hp.Choice("temperature_schedule", ["exponential", "exp"])`: a RelGAN schedule adds
    `max_inverse_temperature`, 10 to 1000, log); with `tune_new_entries=False` every
    name you leave out keeps its default. With `"exponential"` an `end` above `start`
    is lowered to `start` (that schedule only decreases).

    Every trial starts from the same initial weights and random streams when `seed` is
    given, so trials differ only by their hyper-parameters, and a seeded tuner repeats
    a search exactly. The tuner must not be given `optimizer`, `loss` or `metrics` (it
    would recompile the model as a single-optimizer model); the learning rates are this
    class's arguments or hyper-parameters.

    Args:
        vocabulary_size: int >= 2 or `None`. Tokens in the vocabulary, for networks
            built from sizes. Defaults to `None`: taken from `generator_weights` or
            `discriminator_weights` when they are models (required otherwise, unless
            both builders are given).
        sequence_length: int >= 1 or `None`. Tokens per sequence; as `vocabulary_size`.
        embedding_dim: int or `None`. Generator embedding size when built from sizes.
            Defaults to `None` (32, the `Generator` default).
        hidden_dim: int or `None`. Generator LSTM size when built from sizes. Defaults
            to `None` (32).
        discriminator_embedding_dim: int. Discriminator embedding size when built from
            sizes. Defaults to `64`.
        filter_sizes: sequence of ints or `None`. Discriminator convolution widths when
            built from sizes (not with `objective="dense"`). Defaults to `None`: the
            paper's widths up to `sequence_length`.
        num_filters: sequence of ints or `None`. Filters per width. Defaults to `None`:
            the paper's counts for those widths.
        build_generator: callable `f(hp) -> keras_seqgan.models.Generator` or `None`.
            Builds each trial's generator (and may define hyper-parameters). Defaults to
            `None`.
        build_discriminator: callable `f(hp) -> keras.Model` or `None`. Builds each
            trial's discriminator. Defaults to `None`.
        generator_weights: a `Generator`, a list of arrays or `None`. Initial weights of
            every trial's generator, e.g. an MLE-pre-trained generator. A model is copied
            (its config, and its weights as they are now) when no `build_generator` is
            given. Defaults to `None`.
        discriminator_weights: a `keras.Model`, a list of arrays or `None`. Initial
            weights of every trial's discriminator, as `generator_weights`. Defaults to
            `None`.
        objective: str. `"reinforce"`, `"gumbel"` or `"dense"` (`SeqGAN(objective=)`).
            With `"dense"` the discriminator built from sizes is a
            `keras_seqgan.models.PrefixDiscriminator` (its defaults, with
            `discriminator_embedding_dim` and, given `seed`, the seed `seed + 2`), and a
            discriminator from `build_discriminator` or `discriminator_weights` must score
            every prefix (logits `[batch, length]`). Defaults to `"reinforce"`.
        num_rollouts: int >= 1. Monte-Carlo rollouts per prefix, `"reinforce"` only.
            Defaults to `16`.
        seed: int in `[0, 2**63)` or `None`. Seeds each trial's initial weights (Keras's
            global seed is set at every build) and the SeqGAN's random stream (and, built
            from sizes, the generator's, with `seed + 1`, and a `PrefixDiscriminator`'s,
            with `seed + 2`). Defaults to `None` (random).
        generator_learning_rate: float > 0. Adam learning rate of the generator (the
            default of its hyper-parameter when tuned). Defaults to `1e-3`.
        discriminator_learning_rate: float > 0. Adam learning rate of the discriminator.
            Defaults to `1e-4`.
        tune_learning_rates: bool. Add both learning rates to the search space.
            Defaults to `False`.
        gradient_clip: float > 0 or `None`. `SeqGAN.compile(gradient_clip=)`. Defaults
            to `5.0`.
        annealing_epochs: int >= 1 or `None`. The epochs over which `"linear"`,
            `"cosine"` and the RelGAN schedules go from start to end
            (`TemperatureAnnealing(total=)`). Defaults to `None`: `fit`'s `epochs`. With
            `Hyperband` set it to `max_epochs`, so that a trial continued for more epochs
            follows the same schedule.
        compile_kwargs: dict or `None`. More `SeqGAN.compile` arguments (`g_steps`,
            `jit_compile`, `steps_per_execution`, `run_eagerly`, `rollout_jit_compile`,
            `rollout_chunk_size`, `rollout_sample_rows`, `rollout_score_rows`).
            Defaults to `None`.
        name: str or `None`. The hypermodel's name. Defaults to `None`.
        tunable: bool. Whether new hyper-parameters may be added to the search space
            (KerasTuner's argument). Defaults to `True`.

    Example:

    ```python
    import keras_tuner as kt
    import keras_seqgan as ks

    oracle = ks.data.OracleLSTM(vocabulary_size=20, sequence_length=6, seed=1)
    real = oracle.sample(256, seed=2)
    hypermodel = ks.tuning.SeqGANHyperModel(
        vocabulary_size=20, sequence_length=6, embedding_dim=8, hidden_dim=8,
        filter_sizes=(2, 3), num_filters=(8, 8), num_rollouts=2, seed=3,
    )
    tuner = kt.RandomSearch(
        hypermodel, objective=ks.tuning.DEFAULT_OBJECTIVE, max_trials=2, seed=4,
        directory="tuning", project_name="seqgan",
    )
    tuner.search(
        # A function: each trial gets a fresh dataset, so the same batches in the same order.
        lambda: ks.data.sequence_dataset(real, batch_size=32, seed=5, repeat=True),
        epochs=2, steps_per_epoch=3, verbose=0,
        callbacks=[ks.tuning.oracle_nll_callback(oracle, num_samples=200, seed=6)],
    )
    print(ks.tuning.format_trials_table(ks.tuning.trials_table(tuner)))
    best = tuner.get_best_models(1)[0]  # a compiled SeqGAN, weights of its best epoch
    ```
    """

    def __init__(
        self,
        vocabulary_size: int | None = None,
        sequence_length: int | None = None,
        *,
        embedding_dim: int | None = None,
        hidden_dim: int | None = None,
        discriminator_embedding_dim: int = 64,
        filter_sizes: Sequence[int] | None = None,
        num_filters: Sequence[int] | None = None,
        build_generator: Callable[[kt.HyperParameters], Generator] | None = None,
        build_discriminator: Callable[[kt.HyperParameters], keras.Model] | None = None,
        generator_weights: Generator | Sequence[np.ndarray] | None = None,
        discriminator_weights: keras.Model | Sequence[np.ndarray] | None = None,
        objective: str = "reinforce",
        num_rollouts: int = 16,
        seed: int | None = None,
        generator_learning_rate: float = 1e-3,
        discriminator_learning_rate: float = 1e-4,
        tune_learning_rates: bool = False,
        gradient_clip: float | None = 5.0,
        annealing_epochs: int | None = None,
        compile_kwargs: Mapping[str, Any] | None = None,
        name: str | None = None,
        tunable: bool = True,
    ):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be a str or None. Received: name={name!r}")
        if not isinstance(tunable, bool):
            raise TypeError(f"`tunable` must be a bool. Received: tunable={tunable!r}")
        super().__init__(name=name, tunable=tunable)
        vocabulary_size = check_optional_int("vocabulary_size", vocabulary_size, 2)
        sequence_length = check_optional_int("sequence_length", sequence_length, 1)
        self.embedding_dim = check_optional_int("embedding_dim", embedding_dim)
        self.hidden_dim = check_optional_int("hidden_dim", hidden_dim)
        self.discriminator_embedding_dim = check_int(
            "discriminator_embedding_dim", discriminator_embedding_dim
        )
        self.filter_sizes, self.num_filters = _check_filters(filter_sizes, num_filters)
        self.build_generator = _check_callable("build_generator", build_generator)
        self.build_discriminator = _check_callable("build_discriminator", build_discriminator)
        self._generator_source = _weights_source(
            "generator_weights", generator_weights, Generator, "`keras_seqgan.models.Generator`"
        )
        self._discriminator_source = _weights_source(
            "discriminator_weights", discriminator_weights, keras.Model, "`keras.Model`"
        )
        if not isinstance(objective, str) or objective not in _HYPERMODEL_OBJECTIVES:
            raise ValueError(
                f"`objective` must be one of {_HYPERMODEL_OBJECTIVES}. Received: "
                f"objective={objective!r}"
            )
        if objective == "dense" and self.filter_sizes is not None:
            raise ValueError(
                "`filter_sizes` and `num_filters` shape the convolutional `Discriminator`; "
                "with objective='dense' the discriminator built from sizes is a "
                "`PrefixDiscriminator`, which has none (pass `build_discriminator` for "
                f"another one). Received: filter_sizes={self.filter_sizes!r}, "
                "objective='dense'"
            )
        self.objective = objective
        self.num_rollouts = check_int("num_rollouts", num_rollouts)
        self.seed = check_seed(seed)
        self.generator_learning_rate = _check_positive_float(
            "generator_learning_rate", generator_learning_rate
        )
        self.discriminator_learning_rate = _check_positive_float(
            "discriminator_learning_rate", discriminator_learning_rate
        )
        if not isinstance(tune_learning_rates, bool):
            raise TypeError(
                "`tune_learning_rates` must be a bool. "
                f"Received: tune_learning_rates={tune_learning_rates!r}"
            )
        self.tune_learning_rates = tune_learning_rates
        if gradient_clip is not None:
            gradient_clip = _check_positive_float("gradient_clip", gradient_clip)
        self.gradient_clip = gradient_clip
        self.annealing_epochs = check_optional_int("annealing_epochs", annealing_epochs)
        self.compile_kwargs = self._check_compile_kwargs(compile_kwargs)
        self.vocabulary_size, self.sequence_length = self._sizes(vocabulary_size, sequence_length)
        if self.filter_sizes is not None and self.sequence_length is not None:
            check_filter_widths(self.filter_sizes, self.num_filters, self.sequence_length)

    # ------------------------------------------------------------ arguments
    @staticmethod
    def _check_compile_kwargs(compile_kwargs):
        if compile_kwargs is None:
            return {}
        if not isinstance(compile_kwargs, Mapping):
            raise TypeError(
                "`compile_kwargs` must be a dict of `SeqGAN.compile` arguments or None. "
                f"Received: compile_kwargs={compile_kwargs!r}"
            )
        taken = sorted(set(compile_kwargs) & set(_COMPILE_KEYS_TAKEN))
        if taken:
            raise ValueError(
                f"`compile_kwargs` must not set {taken}: the hypermodel sets them (the "
                "optimizers from the learning rates, the others from the trial's "
                "hyper-parameters or its own arguments). Received: "
                f"compile_kwargs={dict(compile_kwargs)!r}"
            )
        unknown = sorted(set(compile_kwargs) - set(_COMPILE_KEYS_ALLOWED))
        if unknown:
            raise ValueError(
                f"`compile_kwargs` has unknown keys {unknown}; allowed: "
                f"{list(_COMPILE_KEYS_ALLOWED)}. Received: compile_kwargs={dict(compile_kwargs)!r}"
            )
        return dict(compile_kwargs)

    def _sizes(self, vocabulary_size, sequence_length):
        """Sizes from the arguments and the weight sources, which must agree."""
        sizes = {"vocabulary_size": vocabulary_size, "sequence_length": sequence_length}
        sources = (
            ("generator_weights", self._generator_source[0]),
            ("discriminator_weights", self._discriminator_source[0]),
        )
        for key in sizes:
            for source_name, config in sources:
                found = (config or {}).get(key)
                if found is None:
                    continue
                if sizes[key] is None:
                    sizes[key] = found
                elif sizes[key] != found:
                    raise ValueError(
                        f"`{key}` disagrees with `{source_name}`: {key}={sizes[key]}, "
                        f"{source_name}.{key}={found}. Pass the model's sizes or leave "
                        f"`{key}` out."
                    )
        config = self._generator_source[0]
        if config is not None and self.build_generator is None:
            for key in ("embedding_dim", "hidden_dim"):
                mine = getattr(self, key)
                if mine is not None and mine != config.get(key):
                    raise ValueError(
                        f"`{key}` disagrees with `generator_weights`: {key}={mine}, "
                        f"generator_weights.{key}={config.get(key)}. Each trial's "
                        f"generator is a copy of that model: leave `{key}` out."
                    )
        needs_sizes = [
            label
            for label, builder, source in (
                ("generator", self.build_generator, self._generator_source[0]),
                ("discriminator", self.build_discriminator, self._discriminator_source[0]),
            )
            if builder is None and source is None
        ]
        missing = [key for key, value in sizes.items() if value is None]
        if needs_sizes and missing:
            raise ValueError(
                f"The {' and '.join(needs_sizes)} must be built from sizes (no builder and "
                f"no model given for them), so {missing} are required. Received: "
                f"vocabulary_size={vocabulary_size!r}, sequence_length={sequence_length!r}"
            )
        return sizes["vocabulary_size"], sizes["sequence_length"]

    # ------------------------------------------------------ hyper-parameters
    def declare_hyperparameters(self, hp: kt.HyperParameters) -> None:
        if self.tunable:  # `tunable=False`: KerasTuner adds none of this model's entries
            self.hyperparameter_values(hp)

    def hyperparameter_values(self, hp: kt.HyperParameters) -> dict[str, Any]:
        """The trial's values of this hypermodel's hyper-parameters, defining missing ones.

        A name already defined in `hp` (by you, under any conditions) keeps its
        definition; the others are defined with the default ranges. Returns a dict with
        `temperature_schedule`, `temperature_start`, `temperature_end`,
        `temperature_decay` (`None` unless exponential), `max_inverse_temperature`
        (`None` unless a RelGAN schedule), `d_train_interval`, `d_steps`,
        `generator_learning_rate` and `discriminator_learning_rate`.

        Args:
            hp: `keras_tuner.HyperParameters`. The trial's hyper-parameters.
        """
        if not isinstance(hp, kt.HyperParameters):
            raise kt.errors.FatalTypeError(
                f"`hp` must be a `keras_tuner.HyperParameters`. Received: hp={hp!r}"
            )

        # Defined in this order: KerasTuner's samplers draw in the order of definition.
        define = _definer(hp)
        values = _schedule_values(hp, define)
        for name in ("d_train_interval", "d_steps"):
            values[name] = _value(hp, name, define(name, "int", SEED_DEFAULTS[name]))
        values.update(self._learning_rate_values(hp))
        return _settled(values)

    def _learning_rate_values(self, hp: kt.HyperParameters) -> dict[str, float]:
        """The learning rates: searched on a log scale (`tune_learning_rates`), else fixed."""
        values = {}
        for name, default in (
            ("generator_learning_rate", self.generator_learning_rate),
            ("discriminator_learning_rate", self.discriminator_learning_rate),
        ):
            if self.tune_learning_rates:
                low, high = (DEFAULT_SEARCH_SPACE[name][1][k] for k in ("min_value", "max_value"))
                values[name] = _value(
                    hp,
                    name,
                    lambda name=name, default=default, low=low, high=high: hp.Float(
                        name,
                        min_value=min(low, default),
                        max_value=max(high, default),
                        sampling="log",
                        default=default,
                    ),
                )
            else:
                values[name] = _value(hp, name, lambda default=default: default)
        return values

    def default_hyperparameters(self) -> kt.HyperParameters:
        """The library's default values, all `Fixed`: a search space of one point.

        `temperature_schedule="exponential"`, `temperature_start=2.0`,
        `temperature_end=0.5`, `temperature_decay=0.95`, `d_train_interval=1`,
        `d_steps=1` (and this hypermodel's learning rates when they are tuned). Give it
        to a tuner (`hyperparameters=`, `tune_new_entries=False`, `max_trials=1`) to
        train the defaults with the same budget and scoring as a search's trials.
        """
        hp = kt.HyperParameters()
        for name, value in SEED_DEFAULTS.items():
            hp.Fixed(name, value)
        if self.tune_learning_rates:
            hp.Fixed("generator_learning_rate", self.generator_learning_rate)
            hp.Fixed("discriminator_learning_rate", self.discriminator_learning_rate)
        return hp

    def temperature_annealing(self, hp: kt.HyperParameters) -> TemperatureAnnealing:
        """The trial's `TemperatureAnnealing` callback (what `fit` adds).

        Args:
            hp: `keras_tuner.HyperParameters`. The trial's hyper-parameters.
        """
        values = self.hyperparameter_values(hp)
        schedule = values["temperature_schedule"]
        arguments: dict[str, Any] = {"schedule": schedule, "total": self.annealing_epochs}
        if schedule in RELGAN_SCHEDULES:
            arguments["max_inverse_temperature"] = values["max_inverse_temperature"]
        else:
            arguments.update(start=values["temperature_start"], end=values["temperature_end"])
            if schedule == "exponential":
                arguments["decay"] = values["temperature_decay"]
        return TemperatureAnnealing(**arguments)

    # ------------------------------------------------------------- building
    def build(self, hp: kt.HyperParameters) -> SeqGAN:
        values = self.hyperparameter_values(hp)
        if self.seed is not None:
            keras.utils.set_random_seed(fold_seed(self.seed))
        generator = self._generator(hp)
        discriminator = self._discriminator(hp)
        if values["temperature_schedule"] in RELGAN_SCHEDULES:
            temperature = 1.0
        else:
            temperature = values["temperature_start"]
        gan = SeqGAN(
            generator,
            discriminator,
            objective=self.objective,
            num_rollouts=self.num_rollouts,
            temperature=temperature,
            seed=self.seed,
        )
        gan.compile(
            generator_optimizer=keras.optimizers.Adam(values["generator_learning_rate"]),
            discriminator_optimizer=keras.optimizers.Adam(values["discriminator_learning_rate"]),
            d_train_interval=values["d_train_interval"],
            d_steps=values["d_steps"],
            gradient_clip=self.gradient_clip,
            **self.compile_kwargs,
        )
        return gan

    def _generator(self, hp):
        config, cls, arrays = self._generator_source
        if self.build_generator is not None:
            generator = self.build_generator(hp)
            if not isinstance(generator, Generator):
                raise kt.errors.FatalTypeError(
                    "`build_generator(hp)` must return a `keras_seqgan.models.Generator`. "
                    f"Received: {generator!r} (of type {type(generator).__name__})"
                )
        elif config is not None:
            generator = cls.from_config(config)
        else:
            generator = Generator(
                vocabulary_size=self.vocabulary_size,
                sequence_length=self.sequence_length,
                embedding_dim=self.embedding_dim or 32,
                hidden_dim=self.hidden_dim or 32,
                # Not the SeqGAN's stream; wrapped, so that every valid seed gives a valid one.
                seed=None if self.seed is None else (self.seed + 1) % SEED_LIMIT,
            )
        if arrays is not None:
            _set_weights("generator_weights", generator, arrays)
        return generator

    def _discriminator(self, hp):
        config, cls, arrays = self._discriminator_source
        if self.build_discriminator is not None:
            discriminator = self.build_discriminator(hp)
            if not isinstance(discriminator, keras.Model):
                raise kt.errors.FatalTypeError(
                    "`build_discriminator(hp)` must return a `keras.Model`. Received: "
                    f"{discriminator!r} (of type {type(discriminator).__name__})"
                )
        elif config is not None:
            discriminator = cls.from_config(config)
        elif self.objective == "dense":
            discriminator = PrefixDiscriminator(
                vocabulary_size=self.vocabulary_size,
                sequence_length=self.sequence_length,
                embedding_dim=self.discriminator_embedding_dim,
                # Its dropout stream; wrapped as the generator's seed.
                seed=None if self.seed is None else (self.seed + 2) % SEED_LIMIT,
            )
        else:
            discriminator = Discriminator(
                vocabulary_size=self.vocabulary_size,
                sequence_length=self.sequence_length,
                embedding_dim=self.discriminator_embedding_dim,
                filter_sizes=self.filter_sizes,
                num_filters=self.num_filters,
            )
        if arrays is not None:
            _set_weights("discriminator_weights", discriminator, arrays)
        return discriminator

    # ------------------------------------------------------------- training
    def fit(self, hp: kt.HyperParameters, model: SeqGAN, *args, callbacks=None, **kwargs):
        """Trains `model` with the trial's `TemperatureAnnealing` first in the callbacks.

        Every other argument goes to `SeqGAN.fit` unchanged (Hyperband's `epochs` and
        `initial_epoch` included: the annealing index is the epoch number, so a continued
        trial carries on its schedule), except that the data (`x`, the first positional
        argument, and `validation_data`) may be a function that returns it: it is called
        for each trial. A `tf.data` dataset shuffled with a seed draws a new order every
        time it is iterated, so trials sharing one dataset object would each see another
        order (and a resumed search other orders than an uninterrupted one); a function
        that builds the dataset gives every trial the same data in the same order.

        Args:
            hp: `keras_tuner.HyperParameters`. The trial's hyper-parameters.
            model: `keras_seqgan.SeqGAN`. The model `build(hp)` returned.
            *args: Passed to `SeqGAN.fit`: the data (or a function returning it), ...
            callbacks: list of callbacks or `None`. Yours (the tuner has deep-copied
                them and appended its own). Must not hold a `TemperatureAnnealing`: the
                trial's values set it. Defaults to `None`.
            **kwargs: Passed to `SeqGAN.fit`.

        Returns:
            The `keras.callbacks.History` of `SeqGAN.fit`.
        """
        if not isinstance(model, SeqGAN):
            raise kt.errors.FatalTypeError(
                "`model` must be the `keras_seqgan.SeqGAN` that `build(hp)` returned. "
                f"Received a {type(model).__name__}."
            )
        callbacks = list(callbacks or [])
        if any(isinstance(callback, TemperatureAnnealing) for callback in callbacks):
            raise kt.errors.FatalValueError(
                "SeqGANHyperModel.fit adds the trial's own `TemperatureAnnealing`; remove "
                "yours from `callbacks`. To fix its values for every trial, define them in "
                "your `keras_tuner.HyperParameters`, e.g. hp.Fixed('temperature_start', 2.0)."
            )
        args = list(args)
        if args and callable(args[0]):
            args[0] = args[0]()
        for key in ("x", "validation_data"):
            if callable(kwargs.get(key)):
                kwargs[key] = kwargs[key]()
        return model.fit(*args, callbacks=[self.temperature_annealing(hp), *callbacks], **kwargs)


def _set_weights(name: str, model: keras.Model, arrays: list[np.ndarray]) -> None:
    expected = [tuple(weight.shape) for weight in model.weights]
    received = [tuple(array.shape) for array in arrays]
    if expected != received:
        raise kt.errors.FatalValueError(
            f"`{name}` does not fit the trial's {type(model).__name__}: it has "
            f"{len(received)} arrays of shapes {received}, the model expects {len(expected)} "
            f"of shapes {expected}."
        )
    model.set_weights(arrays)


def oracle_nll_callback(
    oracle,
    num_samples: int = 2000,
    *,
    held_out=None,
    seed: int | None = None,
) -> OracleNLL:
    """The `OracleNLL` callback that logs the default objective, `nll_sum`, every epoch.

    Evaluates after every epoch at temperature 1.0 (never the training temperature), so
    `nll_sum = nll_oracle + nll_gen` scores the model and not its sampling temperature:
    NLL-oracle alone rewards sampling sharply (less diversity), NLL-gen punishes it.
    Pass it in `tuner.search(..., callbacks=[...])`; KerasTuner deep-copies it for every
    trial (the copies share the oracle).

    Args:
        oracle: `keras_seqgan.data.OracleLSTM`. The synthetic oracle.
        num_samples: int >= 1. Generated sequences scored by the oracle, and held-out
            oracle samples scored by the generator when `held_out` is not given.
            Defaults to `2000`.
        held_out: int array `[N, T]` or `None`. Held-out real sequences for `nll_gen`
            (not the training data). Defaults to `None`: `num_samples` oracle samples
            drawn with `seed`.
        seed: int or `None`. Seed of the held-out draw and the generated samples: give
            one (other than the training data's) for a reproducible search. Defaults to
            `None` (drawn once from NumPy's global generator).

    Example:

    ```python
    import keras_seqgan as ks

    oracle = ks.data.OracleLSTM(vocabulary_size=20, sequence_length=6, seed=1)
    scorer = ks.tuning.oracle_nll_callback(oracle, num_samples=500, seed=99)
    ```
    """
    return OracleNLL(
        oracle, num_samples=num_samples, every=1, temperature=1.0, held_out=held_out, seed=seed
    )


def trials_table(tuner: kt.Tuner) -> list[dict[str, Any]]:
    """One row per trial of `tuner`: its id, hyper-parameter values and objective, best first.

    Completed trials come first, sorted by the objective (best first); unfinished,
    failed and invalid ones follow with an empty score. Each row is a dict: `trial`,
    `status`, one key per hyper-parameter (`None` where inactive; Hyperband's epochs as
    `epochs` and the trial it continues as `continues`), the objective's name with the
    trial's score (the best epoch's value), and `nll_oracle` / `nll_gen` at that epoch
    when they were logged.

    Args:
        tuner: a `keras_tuner.Tuner` (searched or reloaded).
    """
    oracle = tuner.oracle
    objective_name = oracle.objective.name
    names: list[str] = []
    for entry in oracle.hyperparameters.space:
        if entry.name not in names and not entry.name.startswith("tuner/"):
            names.append(entry.name)
    trials = list(oracle.trials.values())
    for trial in trials:
        for name in trial.hyperparameters.values:
            if name not in names and not name.startswith("tuner/"):
                names.append(name)
    tuner_keys = [
        key for key in _TUNER_KEYS if any(key in trial.hyperparameters.values for trial in trials)
    ]
    direction = oracle.objective.direction
    completed = [t for t in trials if t.status == "COMPLETED" and t.score is not None]
    completed.sort(key=lambda t: t.score, reverse=direction == "max")
    others = [t for t in trials if t not in completed]
    rows = []
    for trial in completed + sorted(others, key=lambda t: t.trial_id):
        values = trial.hyperparameters.values
        row: dict[str, Any] = {"trial": trial.trial_id, "status": trial.status}
        row.update({name: values.get(name) for name in names})
        row.update({_TUNER_KEYS[key]: values.get(key) for key in tuner_keys})
        row[objective_name] = None if trial.score is None else float(trial.score)
        for metric in ("nll_oracle", "nll_gen"):
            if metric != objective_name and trial.metrics.exists(metric):
                row[metric] = float(trial.metrics.get_last_value(metric))
        rows.append(row)
    return rows


def format_trials_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None):
    """Formats `trials_table` rows as an aligned text table (one line per row).

    Args:
        rows: sequence of dicts, e.g. from `trials_table`.
        columns: the keys to show, in order, or `None` for every key of the rows (in
            the order first seen), without `status` when every row is `COMPLETED`.
            Defaults to `None`.
    """
    if columns is None:
        columns = []
        for row in rows:
            columns += [key for key in row if key not in columns]
        if all(row.get("status") in (None, "COMPLETED") for row in rows):
            columns = [key for key in columns if key != "status"]

    def cell(value) -> str:
        if value is None:
            return "-"
        if isinstance(value, bool) or not isinstance(value, (Real, np.number)):
            return str(value)
        if isinstance(value, Integral):
            return str(int(value))
        value = float(value)
        # Four decimals, so objectives that differ in the third one stay apart.
        return f"{value:.4f}" if 1e-3 <= abs(value) < 1e4 else f"{value:.4g}"

    cells = [[cell(row.get(column)) for column in columns] for row in rows]
    widths = [
        max([len(str(column))] + [len(line[index]) for line in cells])
        for index, column in enumerate(columns)
    ]
    lines = ["  ".join(str(c).rjust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    return "\n".join(lines)
