"""`SeqGAN`: adversarial training of a token generator against a discriminator."""

from __future__ import annotations

import functools
import warnings

import keras
import numpy as np
from keras import ops

from keras_seqgan import _tf, backend
from keras_seqgan import objectives as objectives_module
from keras_seqgan._optimizer_pair import check_learning_rate_callbacks
from keras_seqgan._seed_state import SeedStateMixin
from keras_seqgan._validation import (
    check_bool,
    check_float,
    check_int,
    check_seed,
    check_temperature,
    derive_seed,
    fold_seed,
)
from keras_seqgan.conditions import with_conditions
from keras_seqgan.data.datasets import EpochOrder, check_fit_data
from keras_seqgan.data.fit_data import clear_batch_errors, unpack_batch, validate_training_data
from keras_seqgan.models._monitoring import fill_monitor_modes
from keras_seqgan.models.generator import Generator
from keras_seqgan.models.prefix_discriminator import PrefixDiscriminator
from keras_seqgan.objectives import (
    Objective,
    Reinforce,
    dense_advantages,
    gumbel_generator_loss,
    rollout_completions,
    rollout_rewards,
)

_TRACKED = ("d_loss", "d_loss_real", "d_loss_fake", "d_acc", "g_loss", "reward_mean")
_EPOCH_KEY = "epoch_in_progress"
_STREAMS_KEY = "random_streams"


def clip_by_global_norm(gradients, clip_norm):
    """Scales `gradients` so that their global L2 norm is at most `clip_norm`."""
    squares = [ops.sum(ops.square(ops.cast(g, "float32"))) for g in gradients]
    norm = ops.sqrt(ops.sum(ops.stack(squares)))
    factor = clip_norm / ops.maximum(norm, clip_norm)
    return [ops.cast(ops.cast(g, "float32") * factor, g.dtype) for g in gradients], norm


def discriminator_losses(real_logits, fake_logits):
    """`(d_loss, d_loss_real, d_loss_fake, d_acc)` from the logits of real and fake.

    Binary cross-entropy on logits (real = 1, fake = 0); `d_loss` is the mean of the two
    halves and `d_acc` the accuracy over both (a logit > 0 means "real"). The
    `"standard"` loss of `keras_seqgan.objectives.adversarial_losses`.
    """
    return objectives_module.adversarial_losses("standard", real_logits, fake_logits)


def all_finite(tensors):
    """A scalar bool tensor: whether every element of every tensor is finite."""
    return ops.all(ops.stack([ops.all(ops.isfinite(t)) for t in tensors]))


def _check_networks(generator, discriminator) -> None:
    """A `Generator` and a discriminator of the same sizes and conditions."""
    if not isinstance(generator, Generator):
        raise TypeError(
            "`generator` must be a `keras_seqgan.models.Generator`. "
            f"Received: generator={generator!r} (of type {type(generator).__name__})"
        )
    if not isinstance(discriminator, keras.Model):
        raise TypeError(
            "`discriminator` must be a `keras.Model` mapping tokens [B, T] to logits "
            f"[B, 1]. Received: discriminator of type {type(discriminator).__name__}"
        )
    for size in ("vocabulary_size", "sequence_length"):
        d_size = getattr(discriminator, size, None)
        if d_size is not None and d_size != getattr(generator, size):
            raise ValueError(
                f"The generator and the discriminator disagree on `{size}`: "
                f"generator.{size}={getattr(generator, size)}, "
                f"discriminator.{size}={d_size}. Build both with the same value."
            )
    g_conditions = generator.conditions
    d_conditions = getattr(discriminator, "conditions", None)
    d_conditions = None if d_conditions is None else dict(d_conditions)
    if (g_conditions is None) != (d_conditions is None) or (
        g_conditions is not None and dict(g_conditions) != d_conditions
    ):
        raise ValueError(
            "The generator and the discriminator must have the same `conditions` (the "
            "discriminator judges (sequence, condition) pairs that the generator makes). "
            f"Received: generator.conditions={_plain(g_conditions)}, "
            f"discriminator.conditions={d_conditions}."
        )


def _check_discriminator_output(objective, discriminator, generator) -> None:
    """Logits that fit the objective: one per prefix `[B, T]` for `"dense"`; for
    `"reinforce"`'s rollouts, not a `PrefixDiscriminator`'s (any `"gumbel"` one works)."""
    length = generator.sequence_length
    if objective.name == "reinforce" and isinstance(discriminator, PrefixDiscriminator):
        raise ValueError(
            "The 'reinforce' objective scores whole sequences, [B, 1], and a "
            "PrefixDiscriminator emits a logit per prefix, [B, T]: use `objective='dense'` "
            "with it, or a whole-sequence `keras_seqgan.models.Discriminator`."
        )
    if objective.name != "dense":
        return
    tokens = keras.KerasTensor((None, length), "int32")
    ids = {name: keras.KerasTensor((None,), "int32") for name in generator.conditions or {}}
    try:
        shape = tuple(discriminator.compute_output_spec(with_conditions(tokens, ids or None)).shape)
    except Exception as error:  # a model that cannot be traced symbolically
        raise ValueError(
            "The 'dense' objective needs a discriminator that emits a logit per prefix, "
            f"[B, {length}], and this one's output shape could not be worked out: {error}"
        ) from error
    if shape[1:] != (length,):
        raise ValueError(
            "The 'dense' objective needs a discriminator that emits a logit for every "
            f"prefix, [B, T] = [B, {length}], such as "
            "`keras_seqgan.models.PrefixDiscriminator`. Received a discriminator whose "
            f"output shape is {shape}."
        )


@keras.saving.register_keras_serializable(package="keras_seqgan")
class SeqGAN(SeedStateMixin, keras.Model):
    """Adversarial training of a sequence generator, as one Keras model.

    `fit` alternates discriminator and generator updates inside one compiled
    `train_step`. The discriminator learns to tell real batches from generated ones;
    the generator learns from the discriminator through an `objective`:

    - `"reinforce"` (SeqGAN): policy gradient with rewards from Monte-Carlo rollouts. For
      every prefix of a generated sequence, `num_rollouts` completions are sampled by a
      rollout copy of the generator and scored by the discriminator; all rollouts of a
      step are one batched computation. The rollout copy follows the generator after
      every generator update: `rollout <- r * rollout + (1 - r) * generator`, with
      `r = rollout_update_rate`.
    - `"gumbel"` (RelGAN style): the generator emits Gumbel-softmax relaxed one-hot
      tokens at the model's temperature; the discriminator scores them and the
      generator learns by backpropagation.
    - `"dense"` (ScratchGAN): policy gradient with no rollouts. A discriminator that
      scores every prefix (`keras_seqgan.models.PrefixDiscriminator`) gives a reward at
      every position of a generated sequence; the rewards are discounted forward and a
      moving-average baseline (`model.reward_baseline`, saved with the model) is
      subtracted. See `keras_seqgan.objectives.DenseReward`.

    Every update clips its gradients by global norm and is applied only when all of its
    gradients are finite; a skipped update leaves the weights (and optimizer state)
    exactly as they were and is counted in `g_skipped` / `d_skipped`. Metrics are
    `keras.metrics` trackers on the device: `d_loss`, `d_loss_real`, `d_loss_fake`,
    `d_acc`, `g_loss`, `reward_mean`, with `temperature`, `g_skipped`, `d_skipped` and
    `loss` (`d_loss + g_loss`, for callbacks that watch `loss` such as `TerminateOnNaN`).

    The sampling temperature is a non-trainable variable (`model.temperature`) that the
    compiled step reads, so callbacks can `assign` it without retracing.

    Conditional generation: when the generator and the discriminator were both built with
    the same `conditions={name: number_of_values}`, every real batch is a dict
    `{"tokens": int [B, T], name: int ids [B], ...}` (see
    `keras_seqgan.data.sequence_dataset(..., conditions=...)`). The step's fakes are
    generated for the real batch's conditions, the discriminator judges real
    `(x, c)` against fake `(G(c), c)`, and the rollouts complete each sequence under
    its own conditions.

    Args:
        generator: `keras_seqgan.models.Generator`. The generator (pre-trained or not).
        discriminator: `keras.Model`. Maps int tokens `[B, T]` (and, for `"gumbel"`,
            relaxed one-hot `[B, T, V]`) to one logit `[B, 1]`, e.g.
            `keras_seqgan.models.Discriminator`; for `"dense"`, to a logit per prefix
            `[B, T]`, e.g. `keras_seqgan.models.PrefixDiscriminator` (checked here: a
            `ValueError` otherwise). Its `conditions` attribute (`None` if it
            has none) must equal the generator's; a conditional one takes the dict
            `{"tokens": ..., name: ids [B], ...}`.
        objective: `keras_seqgan.objectives.Reinforce`, `Gumbel` or `DenseReward` (the
            recipe, with all its knobs: rollouts, reward baseline, loss reduction, the
            adversarial loss), or the name `"reinforce"` / `"gumbel"` / `"dense"` for the
            defaults. Defaults to
            `"reinforce"`.
        num_rollouts: int or `None`. With the name `"reinforce"`: Monte-Carlo
            completions per prefix (`Reinforce(num_rollouts=...)`). Defaults to `None`
            (`16`, the paper's). Give it on the objective when passing one.
        rollout_update_rate: float in `[0, 1]` or `None`. With the name `"reinforce"`:
            how much of its own weights the rollout copy keeps at each generator update.
            Defaults to `None` (`0.8`, the paper's).
        temperature: float. Initial sampling temperature. Defaults to `1.0`.
        seed: int or `None`. Seed of the training step's random stream. Defaults to
            `None` (random).
        **kwargs: Standard `keras.Model` arguments such as `name`.

    Example:

    ```python
    import keras
    import keras_seqgan as ks

    oracle = ks.data.OracleLSTM(vocabulary_size=20, sequence_length=6, seed=1)
    real = oracle.sample(256, seed=2)
    generator = ks.models.Generator(vocabulary_size=20, sequence_length=6)
    discriminator = ks.models.Discriminator(
        vocabulary_size=20, sequence_length=6, filter_sizes=(2, 3), num_filters=(8, 8)
    )
    gan = ks.SeqGAN(generator, discriminator, num_rollouts=4, seed=3)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-2),
        discriminator_optimizer=keras.optimizers.Adam(1e-4),
    )
    gan.fit(ks.data.sequence_dataset(real, batch_size=32), epochs=1)
    tokens = gan.generate(10, temperature=1.0, seed=1)

    gan.save("seqgan.keras")
    # In another process: import keras_seqgan first. It registers SeqGAN, Generator and
    # Discriminator with Keras; without it `load_model` cannot locate their classes.
    gan = keras.models.load_model("seqgan.keras")
    ```

    Reference:
        - [Yu et al., 2017](https://arxiv.org/abs/1609.05473). SeqGAN.
        - [Nie et al., 2019](https://openreview.net/forum?id=rJedV3R5tm). RelGAN.
    """

    def __init__(
        self,
        generator: Generator,
        discriminator: keras.Model,
        objective: str | Objective = "reinforce",
        num_rollouts: int | None = None,
        rollout_update_rate: float | None = None,
        temperature: float = 1.0,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        _check_networks(generator, discriminator)
        self.objective = _objective(objective, num_rollouts, rollout_update_rate)
        _check_discriminator_output(self.objective, discriminator, generator)
        # The rollout settings (a `Gumbel` objective has none: the defaults, unused).
        settings = self.objective if isinstance(self.objective, Reinforce) else Reinforce()
        self.num_rollouts = settings.num_rollouts
        self.rollout_update_rate = settings.rollout_update_rate
        self.initial_temperature = check_temperature(temperature)
        self.seed = check_seed(seed)
        self.generator = generator
        self.discriminator = discriminator

        rollout_config = generator.get_config()
        rollout_config["name"] = "rollout"
        self.rollout = Generator.from_config(rollout_config)
        self.rollout.trainable = False
        self.sync_rollout()

        self.temperature = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(self.initial_temperature),
            dtype="float32",
            trainable=False,
            name="temperature",
        )
        self.step_counter = self._add_counter("step_counter")
        self.g_skipped = self._add_counter("g_skipped")
        self.d_skipped = self._add_counter("d_skipped")
        if self.objective.name == "dense":
            # The moving-average baseline of the rewards: a variable, so that the JAX step
            # threads it and `.keras` files save it.
            self.reward_baseline = self.add_weight(
                shape=(),
                initializer="zeros",
                dtype="float32",
                trainable=False,
                name="reward_baseline",
            )
        self.seed_generator = keras.random.SeedGenerator(fold_seed(seed), name="seqgan_seed")
        # `evaluate` draws its fakes from a stream of its own, so that validation
        # (`fit(validation_data=...)`) leaves the training run's random numbers alone.
        self.evaluation_seed_generator = keras.random.SeedGenerator(
            derive_seed(self.seed, 1), name="seqgan_evaluation_seed"
        )
        self.trackers = {name: keras.metrics.Mean(name=name) for name in _TRACKED}
        # [epoch, step_counter at its start] while `fit` runs an epoch, else [-1, 0]:
        # saved, so that a run resumed in the middle of an epoch can say so.
        self._epoch_in_progress = (-1, 0)
        # Batches the resumed epoch's first calls read and do not train (already trained
        # before a mid-epoch backup); set by `_DataOrder`, never saved.
        self._batches_to_skip = 0
        self.generator_optimizer = None
        self.discriminator_optimizer = None
        self.built = True

    def _add_counter(self, name):
        return self.add_weight(
            shape=(), initializer="zeros", dtype="int64", trainable=False, name=name
        )

    @property
    def vocabulary_size(self) -> int:
        return self.generator.vocabulary_size

    @property
    def sequence_length(self) -> int:
        return self.generator.sequence_length

    @property
    def conditions(self) -> dict[str, int] | None:
        """The generator's (and discriminator's) `{name: number_of_values}`, or `None`."""
        return _plain(self.generator.conditions)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def sync_rollout(self):
        """Copies the generator's weights into the rollout copy."""
        for target, source in zip(
            _float_weights(self.rollout), _float_weights(self.generator), strict=True
        ):
            target.assign(ops.copy(source))  # a buffer of its own (JAX donates state)

    # ---------------------------------------------------------------- compile
    def compile(
        self,
        generator_optimizer="adam",
        discriminator_optimizer="adam",
        d_train_interval: int = 1,
        d_steps: int = 1,
        g_steps: int = 1,
        gradient_clip: float | None = 5.0,
        jit_compile="auto",
        steps_per_execution: int = 1,
        run_eagerly: bool = False,
        sync_rollout: bool = True,
        rollout_jit_compile: bool = False,
        rollout_chunk_size: int | None = None,
        rollout_sample_rows="auto",
        rollout_score_rows="auto",
        rollout_shared_prefix: bool = True,
        mismatched_conditions: float = 0.0,
    ):
        """Configures adversarial training.

        Args:
            generator_optimizer: optimizer or name. Updates the generator. Defaults to
                `"adam"`.
            discriminator_optimizer: optimizer or name. Updates the discriminator.
                Defaults to `"adam"`.
            d_train_interval: int >= 1. The discriminator is updated on steps where
                `step % d_train_interval == 0`. Defaults to `1` (every step).
            d_steps: int >= 0. Discriminator updates on such a step, each on fresh fakes.
                `0` leaves the discriminator alone in `fit` (its `d_*` logs stay 0), for
                schedules that train it with its own `fit` between generator steps, as
                the SeqGAN paper's does. Defaults to `1`.
            g_steps: int >= 1. Generator updates per step. Defaults to `1`.
            gradient_clip: float > 0 or `None`. Global-norm clip for every update.
                Defaults to `5.0` (the paper's).
            jit_compile: bool or `"auto"`. Compile the whole step with XLA. `"auto"`
                uses XLA where Keras would (not on CPU-only TensorFlow; always on JAX,
                where `False` runs the step op by op, ~650x slower, with a warning).
                Defaults to `"auto"`.
            steps_per_execution: int. Steps per compiled call. Defaults to `1`.
            run_eagerly: bool. Run the step eagerly (debugging). Defaults to `False`.
            sync_rollout: bool. Copy the generator's weights into the rollout copy now,
                so that the rollouts start from a pre-trained generator. Defaults to
                `True`.
            rollout_jit_compile: bool. Compile the rollout sampling (`"reinforce"`)
                with XLA even when the rest of the step runs as a graph. On a CPU, XLA
                samples faster while TensorFlow's graph kernels run the discriminator's
                convolutions faster, so this mix can beat both `jit_compile` settings
                (see `benchmarks/step_time.py`). The random numbers, and so the
                results, are the same either way. Defaults to `False`.
            rollout_chunk_size: int >= 1 or `None`. Batch rows whose Monte-Carlo
                rollouts (`"reinforce"`) are sampled and scored together, one chunk
                after another, so that memory grows with the chunk instead of the
                batch: the largest tensors are the logits at the last position,
                `rollout_chunk_size * num_rollouts * (T - 1)` rows of the vocabulary,
                and the discriminator's activations for as many completions. The
                rewards, and so the training, are the same for every chunk size.
                `None` rolls the whole batch out at once. Defaults to `None`.
            rollout_sample_rows: int >= 1, `None` or `"auto"`. Rollout rows whose
                logits over the vocabulary are computed and sampled together at each
                position, one block after another. On a CPU a block that fits the
                cache is several times faster than all `B * num_rollouts * (T - 1)`
                rows at once, whose logits make a trip through memory for every
                operation. `"auto"` takes blocks of about 4 MB of logits
                (`max(16, 2**20 // vocabulary_size)` rows) on a CPU and no blocks where
                TensorFlow sees a GPU. The rewards are the same for every value.
                Defaults to `"auto"`.
            rollout_score_rows: int >= 1, `None` or `"auto"`. Rollout completions the
                discriminator scores per call, one block after another (smaller
                activations, faster on a CPU). `"auto"`: 1024 on a CPU, all at once
                where TensorFlow sees a GPU. The rewards are the same for every value.
                Defaults to `"auto"`.
            rollout_shared_prefix: bool. Score the rollouts of each prefix with the
                discriminator's `completion_logits`, which computes what they share once
                (`keras_seqgan.models.Discriminator`: the convolution windows inside the
                prefix, about a third of the paper discriminator's scoring work at
                `T = 20`). A discriminator without that method scores every completion
                whole. The rewards equal the unshared ones within float rounding (see
                `docs/speed.md`). Defaults to `True`.
            mismatched_conditions: float in `[0, 1)`. Conditional models only: the
                weight of a third set in each discriminator update, the real batch
                under another row's conditions (the conditions rolled by one row), as
                negatives beside the generated ones (a matching-aware discriminator,
                Reed et al. 2016, "Generative Adversarial Text to Image Synthesis").
                Without it, nothing asks the discriminator to check that a sequence fits
                its conditions, only that it looks real: on Shakespeare's speakers
                (`docs/text.md`) it scores real lines the same under their own and a
                wrong speaker. The loss becomes `(1 - w) * loss(real, generated) + w *
                loss(real, mismatched)`; `d_loss_fake` and `d_acc` stay the generated
                rows'. A row whose neighbour has the same conditions counts as
                mismatched too (about one row in C for C equally common values).
                Defaults to `0.0` (off).
        """
        self.d_train_interval = check_int("d_train_interval", d_train_interval)
        self.d_steps = check_int("d_steps", d_steps, minimum=0)
        self.g_steps = check_int("g_steps", g_steps)
        self._set_rollout_options(rollout_chunk_size, rollout_sample_rows, rollout_score_rows)
        self.rollout_shared_prefix = check_bool("rollout_shared_prefix", rollout_shared_prefix)
        self.mismatched_conditions = check_float(
            "mismatched_conditions", mismatched_conditions, low=0.0, high=1.0,
            high_inclusive=False,
        )  # fmt: skip
        if self.mismatched_conditions and not self.conditions:
            raise ValueError(
                "`mismatched_conditions` needs a conditional model (a generator and a "
                "discriminator built with `conditions`); this SeqGAN has none. Received: "
                f"mismatched_conditions={mismatched_conditions}"
            )
        if gradient_clip is not None:
            gradient_clip = check_float(
                "gradient_clip", gradient_clip, low=0.0, low_inclusive=False
            )
        self.gradient_clip = gradient_clip
        self._set_optimizers(generator_optimizer, discriminator_optimizer)
        self._requested_jit_compile = jit_compile
        self.rollout_jit_compile = bool(rollout_jit_compile)
        self._completions_fn = None
        if self.rollout_jit_compile and not run_eagerly:
            self._completions_fn = self._compiled_completions()
        super().compile(
            optimizer=None,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )
        # Variables must exist before the compiled step runs (and before loading state).
        for optimizer, network in (
            (self.generator_optimizer, self.generator),
            (self.discriminator_optimizer, self.discriminator),
        ):
            if not optimizer.built:
                optimizer.build(network.trainable_variables)
        # `model.optimizer` is a pair of both optimizers: Keras's JAX trainer carries its
        # `variables` between steps, Keras's learning-rate callbacks set its
        # `learning_rate` (both optimizers, their ratio kept), TensorBoard counts its
        # `iterations` (the step counter).
        self.optimizer = backend.trainer_optimizer(
            self.generator_optimizer,
            self.discriminator_optimizer,
            jit_compile,
            run_eagerly,
            iterations=self.step_counter,
        )
        # What `get_compile_config` saves and `compile_from_config` passes back to
        # `compile` (Keras keeps its own arguments the same way).
        self._compile_arguments = dict(
            generator_optimizer=self.generator_optimizer,
            discriminator_optimizer=self.discriminator_optimizer,
            d_train_interval=self.d_train_interval,
            d_steps=self.d_steps,
            g_steps=self.g_steps,
            gradient_clip=self.gradient_clip,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            rollout_jit_compile=self.rollout_jit_compile,
            rollout_chunk_size=self.rollout_chunk_size,
            rollout_sample_rows=self.rollout_sample_rows,
            rollout_score_rows=self.rollout_score_rows,
            rollout_shared_prefix=self.rollout_shared_prefix,
            mismatched_conditions=self.mismatched_conditions,
        )
        if sync_rollout:
            self.sync_rollout()

    def _set_rollout_options(self, chunk_size, sample_rows, score_rows) -> None:
        """The rollouts' chunking options, checked, and the row counts they resolve to
        here (on CPU, `"auto"` bounds the rows sampled or scored at once)."""
        if chunk_size is not None:
            chunk_size = check_int("rollout_chunk_size", chunk_size)
        self.rollout_chunk_size = chunk_size
        self.rollout_sample_rows = _check_rows_option("rollout_sample_rows", sample_rows)
        self.rollout_score_rows = _check_rows_option("rollout_score_rows", score_rows)
        on_cpu = not backend.has_accelerator()
        self._sample_rows = _resolve_rows(
            self.rollout_sample_rows, max(16, 2**20 // self.vocabulary_size) if on_cpu else None
        )
        self._score_rows = _resolve_rows(self.rollout_score_rows, 1024 if on_cpu else None)

    def _set_optimizers(self, generator_optimizer, discriminator_optimizer) -> None:
        """The two optimizers, as instances; they must be two."""
        self.generator_optimizer = _get_optimizer("generator_optimizer", generator_optimizer)
        self.discriminator_optimizer = _get_optimizer(
            "discriminator_optimizer", discriminator_optimizer
        )
        if self.generator_optimizer is self.discriminator_optimizer:
            raise ValueError(
                "`generator_optimizer` and `discriminator_optimizer` must be two different "
                "optimizer instances (each keeps state for its own network)."
            )

    def get_compile_config(self):
        if not self.compiled:
            return None
        return keras.saving.serialize_keras_object(self._compile_arguments)

    def _compiled_completions(self):
        """`rollout_completions` as its own XLA program, called from the step."""

        def completions(tokens, temperature, uniforms, conditions=None, sample_rows=None):
            return rollout_completions(
                self.rollout,
                tokens,
                num_rollouts=self.num_rollouts,
                temperature=temperature,
                uniforms=uniforms,
                conditions=conditions,
                sample_rows=sample_rows,
            )

        compiled = backend.compile_function(
            completions, jit_compile=True, state=self.rollout.variables
        )

        def completions_fn(
            rollout,
            tokens,
            *,
            num_rollouts,
            temperature,
            uniforms,
            conditions=None,
            sample_rows=None,
        ):
            # `sample_rows` is a Python int (or None): part of the traced program.
            return compiled(tokens, temperature, uniforms, conditions, sample_rows=sample_rows)

        return completions_fn

    def compile_from_config(self, config):
        # Loading restores the rollout copy's own weights after this.
        self.compile(**keras.saving.deserialize_keras_object(config), sync_rollout=False)

    # ------------------------------------------------------------------- step
    def _update(self, loss_fn, variables, optimizer, skip_counter, after_apply=None):
        """One guarded update: gradients -> clip -> all finite ? apply : count a skip."""
        state = self._state_variables()
        loss, aux, grads = backend.value_and_gradients(loss_fn, variables, state)
        # Under tf.distribute: the gradient of the global batch, the same on every
        # replica, so that the check, the clip and the skip agree everywhere.
        grads = backend.replica_mean(grads)
        finite = all_finite(grads)
        if self.gradient_clip is not None:
            grads, _ = clip_by_global_norm(grads, self.gradient_clip)

        def apply():
            backend.apply_gradients(optimizer, grads, variables)
            if after_apply is not None:
                after_apply()
            return ops.zeros((), "int64")

        def skip():
            skip_counter.assign_add(ops.ones((), "int64"))
            return ops.zeros((), "int64")

        backend.cond(finite, apply, skip, state)
        return loss, aux

    def _fake_for_discriminator(self, batch_size, temperature, conditions=None, seed=None):
        """Fakes for the discriminator, made for `conditions` (the real batch's) if any.

        `seed` defaults to the training stream.
        """
        seed = self.seed_generator if seed is None else seed
        if self.objective.name == "gumbel":
            soft, _ = self.generator.sample_relaxed(
                batch_size, temperature=temperature, seed=seed, conditions=conditions
            )
            return with_conditions(ops.stop_gradient(soft), conditions)
        fake = self.generator.sample(
            batch_size, temperature=temperature, seed=seed, conditions=conditions
        )
        return with_conditions(fake, conditions)

    def _discriminator_updates(self, real, batch_size, temperature, conditions=None):
        totals = [ops.zeros((), "float32") for _ in range(4)]
        variables = self.discriminator.trainable_variables
        weight = self.mismatched_conditions
        mismatched = None
        if weight:  # the real rows under their neighbours' conditions
            mismatched = with_conditions(
                real, {name: ops.roll(ids, 1, axis=0) for name, ids in conditions.items()}
            )
        real = with_conditions(real, conditions)
        for _ in range(self.d_steps):
            fake = self._fake_for_discriminator(batch_size, temperature, conditions)

            def loss_fn(fake=fake):
                real_logits = self.discriminator(real, training=True)
                added = _added_losses(self.discriminator)  # by `add_loss` in this call
                fake_logits = self.discriminator(fake, training=True)
                added += _added_losses(self.discriminator)
                loss, loss_real, loss_fake, accuracy = self.objective.discriminator_losses(
                    real_logits, fake_logits
                )
                if mismatched is not None:
                    wrong_logits = self.discriminator(mismatched, training=True)
                    added += _added_losses(self.discriminator)
                    wrong_loss = self.objective.discriminator_losses(real_logits, wrong_logits)[0]
                    loss = (1.0 - weight) * loss + weight * wrong_loss
                # What `fit` adds too: add_loss terms and weight regularizers.
                total = loss + _sum(added + _weight_penalties(self.discriminator))
                return total, (loss_real, loss_fake, accuracy)

            loss, (loss_real, loss_fake, accuracy) = self._update(
                loss_fn, variables, self.discriminator_optimizer, self.d_skipped
            )
            for i, value in enumerate((loss, loss_real, loss_fake, accuracy)):
                totals[i] = totals[i] + ops.cast(value, "float32") / self.d_steps
        return tuple(backend.replica_mean(totals))

    def _update_rollout(self):
        rate = self.rollout_update_rate
        for target, source in zip(
            _float_weights(self.rollout), _float_weights(self.generator), strict=True
        ):
            target.assign(rate * target + (1.0 - rate) * ops.cast(source, target.dtype))

    def _generator_updates(self, real, batch_size, temperature, conditions=None):
        variables = self.generator.trainable_variables
        total_loss = ops.zeros((), "float32")
        total_reward = ops.zeros((), "float32")
        for _ in range(self.g_steps):
            if self.objective.name in ("reinforce", "dense"):  # policy gradients
                tokens = self.generator.sample(
                    batch_size,
                    temperature=temperature,
                    seed=self.seed_generator,
                    conditions=conditions,
                )
                if self.objective.name == "dense":
                    weights, baseline, reward = dense_advantages(
                        self.objective, self.discriminator, tokens, self.reward_baseline, conditions
                    )
                    after_apply = functools.partial(self.reward_baseline.assign, baseline)
                else:
                    weights = rollout_rewards(
                        self.rollout,
                        self.discriminator,
                        tokens,
                        num_rollouts=self.num_rollouts,
                        temperature=temperature,
                        seed=self.seed_generator,
                        completions_fn=self._completions_fn,
                        conditions=conditions,
                        chunk_size=self.rollout_chunk_size,
                        sample_rows=self._sample_rows,
                        score_rows=self._score_rows,
                        share_prefix=self.rollout_shared_prefix,
                    )
                    reward = ops.mean(weights)
                    after_apply = self._update_rollout

                def loss_fn(tokens=tokens, weights=weights, reward=reward):
                    log_probs = self.generator.log_prob(
                        tokens, temperature=temperature, conditions=conditions
                    )  # calls the generator once: its add_loss terms count
                    loss = self.objective.policy_loss(log_probs, weights)
                    extra = _added_losses(self.generator) + _weight_penalties(self.generator)
                    return loss + _sum(extra), reward

            else:

                def loss_fn():
                    # The relaxed sample steps the LSTM cell without calling the
                    # generator, so only its weight regularizers apply here.
                    loss, reward = gumbel_generator_loss(
                        self.generator,
                        self.discriminator,
                        batch_size,
                        temperature=temperature,
                        seed=self.seed_generator,
                        conditions=conditions,
                        loss=self.objective.loss,
                        real=with_conditions(real, conditions),
                    )
                    return loss + _sum(_weight_penalties(self.generator)), reward

                after_apply = None
            loss, reward = self._update(
                loss_fn, variables, self.generator_optimizer, self.g_skipped, after_apply
            )
            total_loss = total_loss + ops.cast(loss, "float32") / self.g_steps
            total_reward = total_reward + ops.cast(reward, "float32") / self.g_steps
        return total_loss, total_reward

    def _state_variables(self):
        """Every variable a step may read or write: the model's, both optimizers', metrics'.

        The JAX backend threads their values through branches and gradients explicitly.
        """
        variables = list(self.variables) + list(self.metrics_variables)
        for optimizer in (self.generator_optimizer, self.discriminator_optimizer):
            variables.extend(optimizer.variables)
        return variables

    def train_step(self, *args):
        """One adversarial step.

        TensorFlow calls `train_step(data)` and the step assigns variables in place. JAX
        calls `train_step(state, data)` with the values of the trainable, non-trainable,
        optimizer and metric variables and expects `(logs, new_state)`. Keras carries the
        variables of `self.optimizer` only, so `compile` sets `self.optimizer` to an
        `OptimizerPair` whose variables are both optimizers'; the same stateful step then
        runs in a `keras.StatelessScope`. `backend.run_step` does either (see
        `backend.jax`).
        """
        return backend.run_step(self._train_step, args, self._train_state)

    def _train_state(self):
        """The variable lists Keras's JAX trainer passes a train step, in its order."""
        return (
            self.trainable_variables,
            self.non_trainable_variables,
            self.optimizer.variables,
            self.metrics_variables,
        )

    def _train_step(self, data):
        real, conditions = unpack_batch(data, self.conditions)
        batch_size = ops.shape(real)[0]
        temperature = ops.cast(self.temperature, "float32")  # a tensor, read once
        train_d = ops.equal(ops.mod(self.step_counter, self.d_train_interval), 0)
        if self.d_steps == 0:
            train_d = ops.zeros((), "bool")
        d_values = backend.cond(
            train_d,
            lambda: self._discriminator_updates(real, batch_size, temperature, conditions),
            lambda: tuple(ops.zeros((), "float32") for _ in range(4)),
            self._state_variables(),
        )
        weight = ops.cast(train_d, "float32")
        for name, value in zip(
            ("d_loss", "d_loss_real", "d_loss_fake", "d_acc"), d_values, strict=True
        ):
            self.trackers[name].update_state(value, sample_weight=weight)
        g_loss, reward = self._generator_updates(real, batch_size, temperature, conditions)
        g_loss, reward = backend.replica_mean((g_loss, reward))
        self.trackers["g_loss"].update_state(g_loss)
        self.trackers["reward_mean"].update_state(reward)
        self.step_counter.assign_add(ops.ones((), "int64"))
        return self._logs()

    def test_step(self, *args):
        """Scores the discriminator on real data against fresh fakes; trains nothing.

        The fakes come from the evaluation stream (`evaluation_seed_generator`), so the
        training stream, the weights and the optimizers are left as they were.

        On JAX: `test_step(state, data) -> (logs, state)`, as `train_step`.
        """
        return backend.run_step(
            self._test_step,
            args,
            lambda: (
                self.trainable_variables,
                self.non_trainable_variables,
                self.metrics_variables,
            ),
        )

    def _test_step(self, data):
        real, conditions = unpack_batch(data, self.conditions)
        batch_size = ops.shape(real)[0]
        temperature = ops.cast(self.temperature, "float32")
        fake = self._fake_for_discriminator(
            batch_size, temperature, conditions, seed=self.evaluation_seed_generator
        )
        values = self.objective.discriminator_losses(
            self.discriminator(with_conditions(real, conditions), training=False),
            self.discriminator(fake, training=False),
        )
        values = backend.replica_mean(values)
        for name, value in zip(
            ("d_loss", "d_loss_real", "d_loss_fake", "d_acc"), values, strict=True
        ):
            self.trackers[name].update_state(value)
        return backend.step_logs({name: self.trackers[name].result() for name in _TRACKED[:4]})

    def _logs(self):
        logs = {name: tracker.result() for name, tracker in self.trackers.items()}
        # `loss` (d_loss + g_loss) is what Keras's own callbacks watch (TerminateOnNaN).
        logs["loss"] = logs["d_loss"] + logs["g_loss"]
        logs["temperature"] = ops.convert_to_tensor(self.temperature)
        logs["g_skipped"] = ops.convert_to_tensor(self.g_skipped)
        logs["d_skipped"] = ops.convert_to_tensor(self.d_skipped)
        return backend.step_logs(logs)

    def call(self, inputs, training=False):
        """Scores token sequences with the discriminator: probabilities `[B, 1]` (a
        per-prefix discriminator's: `[B, T]`)."""
        return ops.sigmoid(self.discriminator(inputs, training=training))

    # ------------------------------------------------------------ user-facing
    def fit(self, x=None, *args, **kwargs):
        """Keras's `fit`, with the data order of a shuffled dataset set per epoch.

        A shuffled `sequence_dataset` serves each epoch the order of that epoch (its
        `DataPosition`), so `fit(initial_epoch=k)` in a fresh process, or a run resumed
        by `keras.callbacks.BackupAndRestore` at an epoch's end, continues as the
        uninterrupted run would. Other shuffled pipelines cannot be repositioned: a
        resumed `fit` warns about them.

        `keras.callbacks.EarlyStopping`, `ModelCheckpoint` and `ReduceLROnPlateau`
        watching a loss (`g_loss`, `d_loss`, `d_loss_real`, `d_loss_fake`) or `OracleNLL`'s
        `nll_oracle`, `nll_gen`, `nll_sum` (or their `val_` forms) need no `mode=`: it is
        set to `"min"`. `d_acc` and `reward_mean` have no better direction; pass `mode=`.

        `keras.callbacks.LearningRateScheduler` and `ReduceLROnPlateau` set
        `model.optimizer.learning_rate`, which scales both optimizers by the same factor
        (the generator's new rate over its old one). When either optimizer's learning
        rate is a `keras.optimizers.schedules.LearningRateSchedule`, which cannot be
        assigned, `fit` raises a `TypeError` naming it before training.
        """
        self._check_ready_to_train()
        if kwargs.get("batch_size") is not None:
            check_int("batch_size", kwargs["batch_size"])
        is_array = isinstance(x, (np.ndarray, list))
        positioned = hasattr(x, "data_position")  # the datasets of keras_seqgan.data
        position = getattr(x, "data_position", None)
        check_fit_data(x, kwargs.get("steps_per_epoch"))
        x = validate_training_data(
            x, self.vocabulary_size, self.sequence_length, self.conditions, "x"
        )
        if not is_array and not args:
            kwargs.setdefault("shuffle", False)  # datasets shuffle themselves
        fill_monitor_modes(args[4] if len(args) > 4 else kwargs.get("callbacks"))
        check_learning_rate_callbacks(
            args[4] if len(args) > 4 else kwargs.get("callbacks"), self.optimizer
        )
        if len(args) < 5:  # `callbacks` is fit's 6th positional argument
            callbacks = list(kwargs.get("callbacks") or [])
            resumes = _resumes(kwargs.get("initial_epoch", 0), callbacks)
            if resumes:
                _warn_if_not_repositioned(x, positioned, is_array, kwargs.get("shuffle", True))
            kwargs["callbacks"] = [_DataOrder(position, resumes), *callbacks]
        with clear_batch_errors():
            return super().fit(x, *args, **kwargs)

    def make_train_function(self, force=False):
        """Keras's train function, wrapped so that a resumed epoch can skip its first batches.

        After a mid-epoch `BackupAndRestore`, Keras restarts the epoch at its first batch;
        `_DataOrder` sets `_batches_to_skip` to the batches trained before the backup, and
        the first calls of the epoch read those batches from the iterator and train
        nothing, so the epoch continues with the batch after the backup.
        """
        super().make_train_function(force)
        train_function = self.train_function
        if getattr(train_function, "_skips_resumed_batches", False):
            return train_function

        def function(*args):
            if self._batches_to_skip <= 0:
                return train_function(*args)
            iterator = args[-1]  # TF: (iterator); JAX: (state, iterator)
            for _ in range(min(self.steps_per_execution, self._batches_to_skip)):
                next(iterator)
                self._batches_to_skip -= 1
            # Logs only: on JAX with the state passed in, unchanged.
            return backend.run_step(lambda _: self._logs(), args, self._train_state)

        function._skips_resumed_batches = True
        self.train_function = function
        return function

    def train_on_batch(self, x=None, *args, **kwargs):
        self._check_ready_to_train()
        x = validate_training_data(
            x, self.vocabulary_size, self.sequence_length, self.conditions, "x"
        )
        return super().train_on_batch(x, *args, **kwargs)

    def _check_ready_to_train(self):
        if not self.compiled or self.generator_optimizer is None:
            raise RuntimeError(
                "SeqGAN must be compiled before training: call "
                "`gan.compile(generator_optimizer=..., discriminator_optimizer=...)` first."
            )

    def generate(
        self,
        num_samples: int,
        *,
        temperature: float = 1.0,
        seed: int | None = None,
        batch_size: int | None = None,
        conditions=None,
    ) -> np.ndarray:
        """Generates `num_samples` token sequences (NumPy int32 `[N, T]`).

        Args:
            num_samples: int. How many sequences.
            temperature: float. Logits are divided by it. Defaults to `1.0` (this is
                independent of the training temperature).
            seed: int or `None`. The same seed gives the same tokens. Defaults to `None`.
            batch_size: int or `None`. Rows per compiled call. Defaults to up to 1,024.
            conditions: dict or `None`. For a conditional model, `{name: value}` with an
                int id (for every sample) or an int array of `num_samples` ids per
                condition; see `keras_seqgan.models.Generator.generate`. Defaults to
                `None`.
        """
        return self.generator.generate(
            num_samples,
            temperature=temperature,
            seed=seed,
            batch_size=batch_size,
            conditions=conditions,
        )

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None):
        """Exports generation as a TensorFlow SavedModel, for TF Serving or `tf.saved_model.load`.

        The SavedModel's `serve` endpoint (also its `serving_default` signature) takes
        `num_samples` (int32 scalar), `temperature` (float32 scalar > 0), `seed` (int64
        scalar in `[0, 2**32)`) and, for a conditional model, one int32 input
        `[num_samples]` of ids per condition name. It returns `{"tokens": int32
        [num_samples, T]}`: the tokens `gan.generate(num_samples, temperature=...,
        seed=..., conditions=...)` gives. When the generator carries its tokenizer
        (`Generator(tokenizer=...)`), it also returns `"text"`, string `[num_samples]`
        (UTF-8): the lines `gan.generate_text` gives for the same seed, temperature and
        conditions (the values of those ids), decoded inside the graph as the tokenizer's
        `decode` does, for `Tokenizer` and every `SubwordTokenizer` kind. A tokenizer
        whose decoding the graph cannot repeat exactly (a subclass with its own `decode`,
        a `tokenizer_json` with a decoder of another make) gives no `"text"`, rather than
        text that differs. Only the generator's weights and the vocabulary are in it, and
        loading it needs TensorFlow only, not `keras_seqgan`. A second endpoint,
        `log_prob`, scores sequences: int32 `tokens` `[N, T]`, float32 `temperature`
        and the condition ids `[N]` in, `{"log_probs": float32 [N, T]}` out (each token's
        log-probability, as `generator.log_prob`). `gan.generator.export(path)` writes
        the same SavedModel.

        TensorFlow backend only: on JAX a `NotImplementedError` says why (load the
        `.keras` file with `KERAS_BACKEND=tensorflow` and export there).

        Args:
            filepath: str or `pathlib.Path`. The SavedModel's folder.
            format: `"tf_saved_model"`, the only format. Defaults to `"tf_saved_model"`.
            verbose: bool or `None`. Print where it was written. Defaults to `None` (yes).
            input_signature: must be `None`: the endpoint's inputs are fixed.
        """
        self.generator.export(
            filepath, format=format, verbose=verbose, input_signature=input_signature
        )

    def generate_text(
        self,
        num_samples: int,
        *,
        conditions=None,
        temperature: float = 1.0,
        seed: int | None = None,
        batch_size: int | None = None,
    ) -> list[str]:
        """Generates lines of text with the generator's tokenizer.

        See `keras_seqgan.models.Generator.generate_text`: `conditions` maps each condition
        name to a value as seen in training (`{"character": "HAMLET"}`) or to a list of
        `num_samples` values; tokens after end-of-sequence are dropped.
        """
        return self.generator.generate_text(
            num_samples,
            conditions=conditions,
            temperature=temperature,
            seed=seed,
            batch_size=batch_size,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
                "objective": keras.saving.serialize_keras_object(self.objective),
                "temperature": self.initial_temperature,
                "seed": self.seed,
            }
        )
        return config

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store[_EPOCH_KEY] = np.asarray(self._epoch_in_progress, dtype="int64")
        streams = self._random_streams()
        if streams:
            store[_STREAMS_KEY] = np.stack([np.asarray(v) for v in streams])

    def load_own_variables(self, store):
        if _EPOCH_KEY in list(store.keys()):
            self._epoch_in_progress = tuple(int(v) for v in np.asarray(store[_EPOCH_KEY]))
            store = {key: store[key] for key in store.keys() if key != _EPOCH_KEY}
        if _STREAMS_KEY in list(store.keys()):
            saved = np.asarray(store[_STREAMS_KEY])
            streams = self._random_streams()
            if len(saved) != len(streams):
                raise ValueError(
                    f"The saved model has {len(saved)} random streams (seed generators) "
                    f"and this one {len(streams)}: it was built differently."
                )
            for variable, value in zip(streams, saved, strict=True):
                variable.assign(value)
            store = {key: store[key] for key in store.keys() if key != _STREAMS_KEY}
        super().load_own_variables(store)

    def _random_streams(self):
        """The state of every `SeedGenerator` in the model, Keras's layers' and users' too.

        Keras saves none of them; they are the model's variables that are not weights.
        """
        weights = {id(w) for w in self.weights}
        return [v for v in self.variables if id(v) not in weights]

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        if config.get("objective", "reinforce") == "reinforce":
            # Saved before the objective classes, when the policy-gradient loss was the
            # mean: it resumes with the loss it was trained with, not today's default.
            settings = {
                key: config.pop(key)
                for key in ("num_rollouts", "rollout_update_rate")
                if config.get(key) is not None
            }
            config["objective"] = Reinforce(**settings, reduction="mean")
        return cls(**config)


def _objective(objective, num_rollouts, rollout_update_rate):
    """`SeqGAN`'s objective from its arguments; a name takes the two rollout settings."""
    given = {
        name: value
        for name, value in (
            ("num_rollouts", num_rollouts),
            ("rollout_update_rate", rollout_update_rate),
        )
        if value is not None
    }
    if isinstance(objective, str) and objective == "reinforce":
        return Reinforce(**given)
    objective = objectives_module.get(objective)
    if given and isinstance(objective, Reinforce):
        names = " and ".join(f"`{name}`" for name in given)
        raise ValueError(
            f"{names} belong to the objective: pass "
            f"`Reinforce({', '.join(f'{k}={v!r}' for k, v in given.items())}, ...)` "
            f"instead of setting them on SeqGAN as well. Received: objective={objective!r}"
        )
    return objective


def _check_rows_option(name, value):
    """`"auto"`, `None` or an int >= 1 (a number of rows); anything else raises."""
    if value is None or (isinstance(value, str) and value == "auto"):
        return value
    if isinstance(value, str):
        raise ValueError(
            f'`{name}` must be an int >= 1, None or "auto". Received: {name}={value!r}'
        )
    return check_int(name, value)


def _resolve_rows(value, auto):
    return auto if isinstance(value, str) else value


class _DataOrder(EpochOrder):
    """Added by `SeqGAN.fit`: positions a shuffled dataset at each epoch's order, notes
    which epoch is in progress (saved with the model), and makes a fit that resumes a
    state saved in the middle of an epoch (`BackupAndRestore(save_freq=N)`, or a model
    saved mid-epoch and fitted with `initial_epoch`) continue after the batches already
    trained. A fit that does not resume starts its epochs afresh."""

    def __init__(self, position, resumes):
        super().__init__(position)
        self._first = resumes

    def on_epoch_begin(self, epoch, logs=None):
        step = int(np.asarray(self.model.step_counter))
        in_progress, start = self.model._epoch_in_progress
        if self._first and in_progress >= 0 and step > start:
            self._resume_in_epoch(epoch, in_progress, step - start)
            start = step - self.model._batches_to_skip
        else:
            start = step
        self._first = False
        self.model._epoch_in_progress = (epoch, start)
        super().on_epoch_begin(epoch, logs)

    def _resume_in_epoch(self, epoch, saved_epoch, trained):
        """A state saved `trained` batches into `saved_epoch` resumes at `epoch`'s start."""
        spe = self.model.steps_per_execution
        if saved_epoch == epoch and trained % spe == 0:
            self.model._batches_to_skip = trained  # read, not trained, by the first calls
            return
        if saved_epoch != epoch:
            why = (
                f"this fit starts at epoch {epoch}: the backup's epoch number does not "
                "match the state (Keras's BackupAndRestore records epoch 0 for a backup "
                "taken in a resumed run before its first epoch ended)"
            )
        else:
            why = (
                f"{trained} batches is not a multiple of steps_per_execution={spe}, "
                "so the epoch restarts at its first batch and those batches are trained "
                "again"
            )
        warnings.warn(
            f"This fit resumes from a state saved in the middle of epoch {saved_epoch}, "
            f"{trained} steps in, but {why}. The run will not equal an uninterrupted one.",
            stacklevel=3,
        )

    def on_epoch_end(self, epoch, logs=None):
        self.model._epoch_in_progress = (-1, 0)

    def on_train_end(self, logs=None):
        self.model._batches_to_skip = 0
        super().on_train_end(logs)


def _resumes(initial_epoch, callbacks):
    """Whether a `fit` continues an earlier run: from `initial_epoch` or a backup."""
    import os

    if initial_epoch:
        return True
    return any(
        isinstance(c, keras.callbacks.BackupAndRestore)
        and os.path.exists(c._training_metadata_path)
        for c in callbacks
    )


def _warn_if_not_repositioned(x, positioned, is_array, shuffle):
    """Warns when a resumed `fit` reads shuffled data it cannot put at the epoch's order."""
    tf = _tf.loaded()  # a tf.data.Dataset means TensorFlow is imported
    if is_array and shuffle:
        what = "NumPy arrays shuffled by Keras (`shuffle=True`)"
    elif tf is not None and isinstance(x, tf.data.Dataset) and not positioned:
        what = "a tf.data pipeline other than `keras_seqgan.data.sequence_dataset`"
    else:
        return
    warnings.warn(
        f"This fit resumes an earlier run on {what}: if its order is shuffled, this "
        "process serves its first epoch's order, not the resumed epoch's, and the run "
        "will not equal an uninterrupted one. Pass `sequence_dataset(..., seed=...)` "
        "(its order is a function of the seed and the epoch), or shuffle=False.",
        stacklevel=3,
    )


def _weight_penalties(model):
    """The regularizers' penalties on `model`'s trainable weights (as `model.losses` has them)."""
    return [
        variable.regularizer(variable.value)
        for variable in model.trainable_weights
        if variable.regularizer is not None
    ]


def _added_losses(model):
    """The losses `add_loss` recorded in `model`'s latest call (`model.losses` without the
    weight penalties, which `model.losses` lists last)."""
    losses = list(model.losses)
    penalties = sum(1 for v in model.trainable_weights if v.regularizer is not None)
    return losses[: len(losses) - penalties]


def _sum(losses):
    """The sum of scalar losses as float32; `0.0` for none."""
    if not losses:
        return ops.zeros((), "float32")
    return ops.sum(ops.stack([ops.cast(ops.sum(loss), "float32") for loss in losses]))


def _float_weights(model):
    return [w for w in model.weights if "float" in str(w.dtype)]


def _get_optimizer(name, identifier):
    try:
        optimizer = keras.optimizers.get(identifier)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"`{name}` must be a Keras optimizer or its name. Received: {name}={identifier!r}"
        ) from error
    if optimizer is None:
        raise ValueError(f"`{name}` must be a Keras optimizer or its name. Received: None")
    return optimizer


def _plain(conditions):
    """A conditions spec as a plain dict (Keras tracks dict attributes), or `None`."""
    return None if conditions is None else dict(conditions)
