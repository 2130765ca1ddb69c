"""The SeqGAN generator: token embedding -> LSTM -> vocabulary logits."""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
from keras import ops

from keras_seqgan import backend
from keras_seqgan._seed_state import SeedStateMixin
from keras_seqgan._validation import (
    check_auto_or_bool,
    check_index,
    check_int,
    check_seed,
    check_temperature,
    fold_seed,
)
from keras_seqgan.conditions import (
    check_condition_names,
    check_condition_values,
    check_conditions,
    split_inputs,
    with_conditions,
)
from keras_seqgan.data.datasets import EpochOrder, check_fit_data
from keras_seqgan.losses import TokenCrossEntropy
from keras_seqgan.models._compile import recompile_from_config
from keras_seqgan.models._monitoring import fill_monitor_modes
from keras_seqgan.models.generation import sample_in_batches, text_condition_ids
from keras_seqgan.sampling import default_block_size, sample_from_logits


def _check_initializer(initializer):
    """`None` or the serialized config of a Keras initializer given in any accepted form."""
    if initializer is None:
        return None
    try:
        instance = keras.initializers.get(initializer)
    except (ValueError, TypeError) as error:
        raise ValueError(
            "`initializer` must be None or a Keras initializer (an instance, a name such "
            f"as 'glorot_uniform', or a config dict). Received: initializer={initializer!r}"
        ) from error
    return keras.initializers.serialize(instance)


def _initializer_factory(config):
    """Returns a function giving a fresh initializer per weight.

    A seeded initializer would draw the same numbers for weights of the same shape (the
    LSTM's kernel and recurrent kernel), so each weight gets the seed plus its index.
    """
    count = [0]

    def fresh():
        item = {**config, "config": dict(config.get("config", {}))}
        seed = item["config"].get("seed")
        if isinstance(seed, int):
            item["config"]["seed"] = seed + count[0]
        count[0] += 1
        return keras.initializers.deserialize(item)

    return fresh


def _check_tokenizer(tokenizer, vocabulary_size, sequence_length, conditions):
    """`None` or a tokenizer (a serialized one is deserialized) that fits the generator."""
    if tokenizer is None:
        return None
    if isinstance(tokenizer, Mapping):
        tokenizer = keras.saving.deserialize_keras_object(dict(tokenizer))
    needed = ("encode", "decode", "encode_conditions", "vocabulary_size", "get_config")
    missing = [key for key in needed if not hasattr(tokenizer, key)]
    if missing:
        raise TypeError(
            "`tokenizer` must be None or a keras_seqgan.data.Tokenizer. Received a "
            f"{type(tokenizer).__name__} lacking {missing}."
        )
    mismatches = []
    if tokenizer.vocabulary_size != vocabulary_size:
        mismatches.append(f"vocabulary_size {tokenizer.vocabulary_size} != {vocabulary_size}")
    if getattr(tokenizer, "sequence_length", sequence_length) != sequence_length:
        mismatches.append(f"sequence_length {tokenizer.sequence_length} != {sequence_length}")
    sizes = dict(getattr(tokenizer, "condition_sizes", {}) or {})
    if sizes != dict(conditions or {}):
        mismatches.append(f"condition sizes {sizes} != conditions {dict(conditions or {})}")
    if mismatches:
        raise ValueError(
            "`tokenizer` does not fit the generator: " + "; ".join(mismatches) + ". Build the "
            "generator from the tokenizer: vocabulary_size=tokenizer.vocabulary_size, "
            "sequence_length=tokenizer.sequence_length, conditions=tokenizer.condition_sizes."
        )
    return tokenizer


@keras.saving.register_keras_serializable(package="keras_seqgan")
class Generator(SeedStateMixin, keras.Model):
    """An autoregressive LSTM token generator, as in SeqGAN.

    Tokens are embedded, run through one LSTM layer, and projected to logits over the
    vocabulary. Calling the model runs it with teacher forcing (the input shifted right
    by the start token), which is what maximum-likelihood pre-training needs: MLE
    pre-training is a plain `fit` on `(tokens, tokens)` pairs (see
    `keras_seqgan.data.mle_dataset`); `compile()` defaults the loss to sparse
    categorical cross-entropy over logits. `sample()` draws fixed-length sequences
    autoregressively in one compiled loop (it compiles under XLA), `log_prob()` scores
    given sequences, and `generate()` is the host-side convenience that returns NumPy.

    Sampling uses an exact two-level inverse-CDF sampler with one uniform number per
    token (see `keras_seqgan.sampling`), driven by a `keras.random.SeedGenerator`, so a
    seed fully determines the samples.

    Args:
        vocabulary_size: int. Number of distinct tokens.
        sequence_length: int. Length of every generated sequence.
        embedding_dim: int. Size of the token embedding. Defaults to `32` (the paper's).
        hidden_dim: int. Size of the LSTM state. Defaults to `32` (the paper's).
        start_token: int. The token fed as input before the first position; it does not
            appear in outputs. Defaults to `0`.
        sampler_block_size: int or `None`. Block size of the two-level sampler. Defaults
            to `None`: `keras_seqgan.sampling.default_block_size(vocabulary_size)`, a
            divisor of the vocabulary size near its square root (50 at 5,000), else
            `ceil(sqrt(vocabulary_size))`.
        seed: int or `None`. Seed of the generator's own random stream (used by `sample`
            and `generate` when no seed is given). Defaults to `None` (random).
        initializer: `None`, or a Keras initializer (instance, name or config dict) used
            for every weight: the embedding, the LSTM's kernels and biases and the output
            projection, with no extra forget-gate bias. The SeqGAN authors' code draws all
            of them from `keras.initializers.RandomNormal(stddev=0.1)`. Defaults to `None`:
            Keras's own defaults (uniform embedding, Glorot kernels, orthogonal recurrent
            kernel, zero biases with the forget gate's set to 1).
        conditions: `None` or a dict `{name: number_of_values}`, e.g.
            `{"character": 30, "scene": 120}`. Names are str identifiers other than
            `"tokens"`. A conditional generator embeds each condition's id with its own
            `keras.layers.Embedding(number_of_values, condition_embedding_dim)` and
            concatenates these embeddings (in the dict's order) to the token embedding at
            every step, so it models `p(tokens | conditions)`. It is then called on a dict
            `{"tokens": int [B, T], name: int ids [B], ...}`, and `sample`, `log_prob` and
            `generate` take `conditions=`. Defaults to `None` (unconditional).
        condition_embedding_dim: int. Size of each condition's embedding. Unused when
            `conditions` is `None`. Defaults to `8`.
        tokenizer: `None` or a `keras_seqgan.data.Tokenizer` adapted to the training text.
            It is saved in the model's config (vocabulary and condition vocabularies
            included), so a `.keras` file turns tokens back into text with no other file:
            see `generate_text`. Its vocabulary size, sequence length and condition sizes
            must match the generator's. Defaults to `None`.
        **kwargs: Standard `keras.Model` arguments such as `name` and `dtype`.

    Example:

    ```python
    import keras
    import keras_seqgan

    generator = keras_seqgan.models.Generator(vocabulary_size=50, sequence_length=8)
    tokens = generator.generate(16, temperature=1.0, seed=1)  # int32 [16, 8]
    generator.compile(optimizer=keras.optimizers.Adam(1e-2))
    generator.fit(keras_seqgan.data.mle_dataset(tokens, batch_size=8), epochs=1)

    # Conditional: who speaks (3 characters) in which mood (2 moods).
    conditional = keras_seqgan.models.Generator(
        vocabulary_size=50, sequence_length=8, conditions={"character": 3, "mood": 2}
    )
    conditional.compile(optimizer=keras.optimizers.Adam(1e-2))
    conditions = {"character": tokens[:, 0] % 3, "mood": tokens[:, 1] % 2}  # int [16] each
    conditional.fit(
        keras_seqgan.data.mle_dataset(tokens, batch_size=8, conditions=conditions), epochs=1
    )
    lines = conditional.generate(4, conditions={"character": 2, "mood": [0, 1, 0, 1]}, seed=1)
    ```

    Reference:
        - [Yu et al., 2017](https://arxiv.org/abs/1609.05473). SeqGAN: Sequence
          Generative Adversarial Nets with Policy Gradient.
    """

    def __init__(
        self,
        vocabulary_size: int,
        sequence_length: int,
        embedding_dim: int = 32,
        hidden_dim: int = 32,
        start_token: int = 0,
        sampler_block_size: int | None = None,
        seed: int | None = None,
        initializer=None,
        conditions: dict[str, int] | None = None,
        condition_embedding_dim: int = 8,
        tokenizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocabulary_size = check_int("vocabulary_size", vocabulary_size, 2)
        self.sequence_length = check_int("sequence_length", sequence_length)
        self.embedding_dim = check_int("embedding_dim", embedding_dim)
        self.hidden_dim = check_int("hidden_dim", hidden_dim)
        check_index("start_token", start_token, self.vocabulary_size, "vocabulary_size")
        self.start_token = int(start_token)
        if sampler_block_size is not None:
            sampler_block_size = check_int("sampler_block_size", sampler_block_size)
        self.sampler_block_size = sampler_block_size
        self.seed = check_seed(seed)
        self.initializer = _check_initializer(initializer)
        self.conditions = check_conditions(conditions)
        self.condition_embedding_dim = check_int("condition_embedding_dim", condition_embedding_dim)
        self.tokenizer = _check_tokenizer(
            tokenizer, self.vocabulary_size, self.sequence_length, self.conditions
        )

        if self.initializer is None:
            embedding_kw, cell_kw, dense_kw = {}, {}, {}
            condition_kw = [{} for _ in self.conditions or ()]
        else:
            fresh = _initializer_factory(self.initializer)
            embedding_kw = {"embeddings_initializer": fresh()}
            cell_kw = {
                "kernel_initializer": fresh(),
                "recurrent_initializer": fresh(),
                "bias_initializer": fresh(),
                "unit_forget_bias": False,
            }
            dense_kw = {"kernel_initializer": fresh(), "bias_initializer": fresh()}
            condition_kw = [{"embeddings_initializer": fresh()} for _ in self.conditions or ()]
        self.embedding = keras.layers.Embedding(
            self.vocabulary_size,
            self.embedding_dim,
            dtype=self.dtype_policy,
            name="embedding",
            **embedding_kw,
        )
        self.lstm_cell = keras.layers.LSTMCell(
            self.hidden_dim, dtype=self.dtype_policy, name="lstm_cell", **cell_kw
        )
        self.output_projection = keras.layers.Dense(
            self.vocabulary_size, dtype=self.dtype_policy, name="output_projection", **dense_kw
        )
        # One embedding per condition, in the order of `conditions` (empty if none).
        self.condition_embeddings = [
            keras.layers.Embedding(
                size,
                self.condition_embedding_dim,
                dtype=self.dtype_policy,
                name=f"condition_embedding_{name}",
                **kw,
            )
            for (name, size), kw in zip((self.conditions or {}).items(), condition_kw, strict=True)
        ]
        self.seed_generator = keras.random.SeedGenerator(fold_seed(seed), name="generator_seed")
        self.build((None, self.sequence_length))

    def build(self, input_shape=None):
        self.embedding.build((None,))
        condition_dim = len(self.condition_embeddings) * self.condition_embedding_dim
        self.lstm_cell.build((None, self.embedding_dim + condition_dim))
        self.output_projection.build((None, self.hidden_dim))
        for layer in self.condition_embeddings:
            layer.build((None,))
        self.built = True

    # ----------------------------------------------------------------- pieces
    @property
    def block_size(self) -> int:
        return self.sampler_block_size or default_block_size(self.vocabulary_size)

    def initial_state(self, batch_size):
        """Zero LSTM state `[h, c]` for `batch_size` rows."""
        zeros = ops.zeros((batch_size, self.hidden_dim), dtype=self.compute_dtype)
        return [zeros, zeros]

    def embed_conditions(self, conditions):
        """The concatenated condition embeddings `[B, C * condition_embedding_dim]`.

        `conditions` is a dict of int ids `[B]` with exactly the generator's condition
        names (checked; a `ValueError` otherwise), or `None` for an unconditional
        generator, which returns `None`.
        """
        check_condition_names(conditions, self.conditions, "generator")
        if self.conditions is None:
            return None
        parts = [
            layer(ops.cast(conditions[name], "int32"))
            for name, layer in zip(self.conditions, self.condition_embeddings, strict=True)
        ]
        return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)

    def step_inputs(self, previous_tokens, condition_vector=None):
        """The LSTM input of one step: token embedding `[R, E]` (+ condition embeddings)."""
        inputs = self.embedding(previous_tokens)
        if condition_vector is None:
            return inputs
        return ops.concatenate([inputs, ops.cast(condition_vector, inputs.dtype)], axis=-1)

    def advance(self, previous_tokens, state, training=False, condition_vector=None):
        """The recurrence alone: feeds `previous_tokens` `[R]`, returns the next `state`.

        `state` is `[h, c]` (`initial_state`, or a state this method or `step` returned);
        `condition_vector` is `embed_conditions(...)` for the same `R` rows, or `None`.
        With `project`, the generator's step interface: `step` is `project(advance(...)[0])`.
        The rollouts use the two halves apart, to project only the rows they sample, in
        blocks.
        """
        inputs = self.step_inputs(previous_tokens, condition_vector)
        _, state = self.lstm_cell(inputs, state, training=training)
        return list(state)

    def project(self, hidden):
        """The next-token logits `[R, V]` of hidden states `hidden` `[R, H]` (a state's
        first half), in the compute dtype, before any temperature."""
        return self.output_projection(hidden)

    def step(self, previous_tokens, state, training=False, condition_vector=None):
        """One recurrence step: feeds `previous_tokens` `[R]`, returns `(logits, state)`.

        `condition_vector` is `embed_conditions(...)` for the same `R` rows, or `None`.
        The same as `advance` then `project` of the new state's `h`.
        """
        state = self.advance(previous_tokens, state, training, condition_vector)
        return self.project(state[0]), state

    def shifted_inputs(self, tokens):
        """The teacher-forcing inputs: `tokens` shifted right behind the start token."""
        tokens = ops.cast(tokens, "int32")
        start = ops.full((ops.shape(tokens)[0], 1), self.start_token, dtype="int32")
        return ops.concatenate([start, tokens[:, :-1]], axis=1)

    def forward(self, tokens, training=False, conditions=None):
        """Teacher-forced pass returning logits `[B, T, V]` and the states `(h, c)`.

        `h[:, t]` and `c[:, t]` are the LSTM state after reading the input at position
        `t` (the start token for `t = 0`, else `tokens[:, t - 1]`): the state whose
        logits predict position `t`. `conditions`: dict of int ids `[B]`, or `None`.
        """
        inputs = self.embedding(self.shifted_inputs(tokens))  # [B, T, E]
        batch_size = ops.shape(inputs)[0]
        condition_vector = self.embed_conditions(conditions)
        if condition_vector is not None:  # the same condition embeddings at every step
            condition_vector = ops.cast(condition_vector, inputs.dtype)[:, None, :]
            shape = (batch_size, ops.shape(inputs)[1], condition_vector.shape[-1])
            inputs = ops.concatenate([inputs, ops.broadcast_to(condition_vector, shape)], -1)
        h0, c0 = self.initial_state(batch_size)

        def body(carry, x_t):
            _, (h, c) = self.lstm_cell(x_t, list(carry), training=training)
            return (h, c)

        hs, cs = backend.scan(body, (h0, c0), ops.transpose(inputs, (1, 0, 2)))
        hs = ops.transpose(hs, (1, 0, 2))
        cs = ops.transpose(cs, (1, 0, 2))
        return self.output_projection(hs), (hs, cs)

    def call(self, inputs, training=False):
        tokens, conditions = split_inputs(inputs, self.conditions, "generator")
        logits, _ = self.forward(tokens, training=training, conditions=conditions)
        return logits

    # --------------------------------------------------------------- sampling
    def sample(self, batch_size: int, *, temperature=1.0, seed=None, conditions=None):
        """Samples `batch_size` sequences autoregressively; returns int32 `[B, T]`.

        Runs as one loop over positions (a scan), so it compiles into a
        single graph or XLA program. All randomness is one draw of `[T, B]` uniform
        numbers from `seed` (an int, a `keras.random.SeedGenerator`, or `None` for the
        generator's own stream). `temperature` may be a float or a scalar tensor.
        `conditions` is, for a conditional generator, a dict of int ids `[B]` (one per
        row), else `None`.
        """
        condition_vector = self.embed_conditions(conditions)
        seed = self.seed_generator if seed is None else seed
        uniforms = backend.uniform((self.sequence_length, batch_size), seed)
        temperature = ops.cast(temperature, "float32")
        state = self.initial_state(batch_size)
        start = ops.full((batch_size,), self.start_token, dtype="int32")

        def body(carry, uniform):
            previous, h, c = carry
            logits, (h, c) = self.step(previous, [h, c], condition_vector=condition_vector)
            token = sample_from_logits(
                ops.cast(logits, "float32") / temperature, uniform, self.block_size
            )
            return (token, h, c)

        tokens, _, _ = backend.scan(body, (start, state[0], state[1]), uniforms)
        return ops.transpose(tokens, (1, 0))

    def sample_relaxed(
        self, batch_size: int, *, temperature=1.0, seed=None, training=False, conditions=None
    ):
        """Gumbel-softmax sampling (RelGAN): returns `(soft [B, T, V], tokens [B, T])`.

        At each position the hard token is `argmax(logits + g)` with Gumbel noise `g`
        (an exact sample from `softmax(logits)`), and fed back as the next input; the
        relaxed one-hot `softmax((logits + g) / temperature)` carries gradients to the
        generator's weights. `conditions`: as in `sample`.
        """
        condition_vector = self.embed_conditions(conditions)
        seed = self.seed_generator if seed is None else seed
        uniforms = backend.uniform(
            (self.sequence_length, batch_size, self.vocabulary_size),
            seed,
            minval=1e-7,
            maxval=1.0 - 1e-7,
        )
        gumbels = -ops.log(-ops.log(uniforms))
        temperature = ops.cast(temperature, "float32")
        state = self.initial_state(batch_size)
        start = ops.full((batch_size,), self.start_token, dtype="int32")

        def body(carry, gumbel):
            previous, h, c, _ = carry
            logits, (h, c) = self.step(
                previous, [h, c], training=training, condition_vector=condition_vector
            )
            perturbed = ops.cast(logits, "float32") + gumbel
            token = ops.cast(ops.argmax(perturbed, axis=-1), "int32")
            soft = ops.softmax(perturbed / temperature, axis=-1)
            return (token, h, c, soft)

        no_soft = ops.zeros((batch_size, self.vocabulary_size), dtype="float32")
        tokens, _, _, soft = backend.scan(body, (start, state[0], state[1], no_soft), gumbels)
        return ops.transpose(soft, (1, 0, 2)), ops.transpose(tokens, (1, 0))

    def log_prob(self, tokens, *, temperature=1.0, conditions=None):
        """Per-token log-probabilities `[B, T]` of `tokens` under the generator.

        `conditions`: for a conditional generator, a dict of int ids `[B]`; else `None`.
        """
        check_condition_names(conditions, self.conditions, "generator")
        tokens = ops.cast(tokens, "int32")
        inputs = with_conditions(tokens, conditions)
        logits = ops.cast(self(inputs), "float32") / ops.cast(temperature, "float32")
        log_probs = ops.log_softmax(logits, axis=-1)
        return ops.take_along_axis(log_probs, tokens[..., None], axis=-1)[..., 0]

    def compiled_log_prob(self, tokens, *, temperature=1.0, conditions=None):
        """`log_prob` as one compiled call (traced once per batch shape), for evaluation.

        Eager `log_prob` runs the recurrence op by op; scoring 10,000 held-out sequences
        (`keras_seqgan.evaluation.nll_gen`) was 3.5x slower that way. `conditions`: as in
        `log_prob`.
        """
        check_condition_names(conditions, self.conditions, "generator")
        function = self.__dict__.get("_log_prob_function")
        if function is None:

            def score(tokens, temperature, conditions=None):
                return self.log_prob(tokens, temperature=temperature, conditions=conditions)

            function = backend.compile_function(score, state=self.variables)
            self.__dict__["_log_prob_function"] = function
        arguments = [
            ops.convert_to_tensor(tokens, dtype="int32"),
            ops.convert_to_tensor(temperature, dtype="float32"),
        ]
        if conditions is not None:
            arguments.append(
                {
                    key: ops.convert_to_tensor(value, dtype="int32")
                    for key, value in conditions.items()
                }
            )
        return function(*arguments)

    def generate(
        self,
        num_samples: int,
        *,
        temperature: float = 1.0,
        seed: int | None = None,
        batch_size: int | None = None,
        jit_compile="auto",
        conditions=None,
    ) -> np.ndarray:
        """Generates `num_samples` sequences as a NumPy int32 array `[N, T]`.

        Sampling runs in compiled batches of `batch_size` (default: up to 1,024). The
        same `seed` gives the same tokens, whatever ran before; `seed=None` continues the
        generator's own random stream. A conditional generator needs `conditions`.

        Args:
            num_samples: int. How many sequences.
            temperature: float. Logits are divided by it. Defaults to `1.0`.
            seed: int or `None`. Defaults to `None`.
            batch_size: int or `None`. Rows per compiled call. Defaults to
                `min(num_samples, 1024)`.
            jit_compile: `"auto"` or bool. Compile the sampling loop with XLA. `"auto"`
                does for a float32 generator, on TensorFlow's CPU too: 1.73x faster at
                the paper's sizes, the same tokens but where float rounding crosses a
                sampling boundary (`docs/speed.md`); TensorFlow's graph for a
                `mixed_bfloat16` one. On JAX sampling is always compiled with XLA.
                Defaults to `"auto"`.
            conditions: dict or `None`. For a conditional generator, the condition of
                every sample: `{name: value}` with, for each of its condition names, an
                int id (the same for all samples) or an int array of `num_samples` ids,
                each in `[0, number_of_values)`. Must be `None` for an unconditional
                generator. Defaults to `None`.
        """
        num_samples = check_int("num_samples", num_samples)
        temperature = check_temperature(temperature)
        batch_size = (
            min(num_samples, 1024) if batch_size is None else check_int("batch_size", batch_size)
        )
        seed = check_seed(seed)
        if check_auto_or_bool("jit_compile", jit_compile) == "auto":
            jit_compile = backend.auto_jit_compile(self.compute_dtype) is True
        conditions = check_condition_values(conditions, self.conditions, num_samples)
        return sample_in_batches(
            self, num_samples, temperature, seed, batch_size, jit_compile, conditions
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
        """Generates `num_samples` lines of text with the generator's `tokenizer`.

        Tokens from the first end-of-sequence on are dropped, padding is skipped.

        Args:
            num_samples: int. How many lines.
            conditions: dict or `None`. For a conditional generator, `{name: value}` for
                each of its conditions, with a value as seen in training (e.g.
                `{"character": "HAMLET"}`, the same for every line) or a list of
                `num_samples` values. A value never seen in training raises a
                `ValueError` naming it. Defaults to `None`.
            temperature: float. Logits are divided by it. Defaults to `1.0`.
            seed: int or `None`. The same seed gives the same lines. Defaults to `None`.
            batch_size: int or `None`. Rows per compiled call. Defaults to up to 1,024.

        Returns:
            A list of `num_samples` strings.

        Example:

        ```python
        tokenizer = keras_seqgan.data.Tokenizer(sequence_length=8).adapt(
            ["To be, or not to be.", "Good night, sweet prince."],
            conditions={"character": ["HAMLET", "HORATIO"]},
        )
        generator = keras_seqgan.models.Generator(
            vocabulary_size=tokenizer.vocabulary_size,
            sequence_length=tokenizer.sequence_length,
            conditions=tokenizer.condition_sizes,
            tokenizer=tokenizer,
        )  # untrained: its lines are random words of the vocabulary
        lines = generator.generate_text(5, conditions={"character": "HAMLET"}, seed=1)
        ```
        """
        if self.tokenizer is None:
            raise ValueError(
                "generate_text() needs the generator's `tokenizer`, and this generator has "
                "none (it was built without `tokenizer=`). Use generate() for token ids, or "
                "build the generator with `tokenizer=keras_seqgan.data.Tokenizer(...)`."
            )
        num_samples = check_int("num_samples", num_samples)
        ids = text_condition_ids(self, conditions, num_samples)
        tokens = self.generate(
            num_samples,
            temperature=temperature,
            seed=seed,
            batch_size=batch_size,
            conditions=ids,
        )
        return self.tokenizer.decode(tokens)

    def compile(self, optimizer="adam", loss=None, metrics=None, jit_compile="auto", **kwargs):
        """Compiles for MLE pre-training.

        `loss` defaults to `keras_seqgan.losses.TokenCrossEntropy()`: the per-token
        cross-entropy that `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`
        computes, faster on a CPU with TensorFlow. Any Keras loss of
        `(tokens, logits)` works in its place.

        `jit_compile` is Keras's, with one difference in `"auto"` (the default): on
        TensorFlow it compiles a float32 generator's MLE step with XLA on a CPU too,
        where Keras's `"auto"` would not, because that step is faster so (an MLE epoch
        at the SeqGAN paper's sizes: 1.15-1.43x, `docs/speed.md`). For a
        `mixed_bfloat16` generator (no faster under XLA on a CPU), under a `tf.distribute`
        strategy, with op determinism enabled or with `run_eagerly=True` it is Keras's
        `"auto"`. On JAX every step is compiled with XLA either way. `False` runs
        TensorFlow's graph.
        """
        if loss is None:
            loss = TokenCrossEntropy()
        if jit_compile == "auto" and not kwargs.get("run_eagerly"):
            jit_compile = backend.auto_jit_compile(self.compute_dtype)
        super().compile(
            optimizer=optimizer, loss=loss, metrics=metrics, jit_compile=jit_compile, **kwargs
        )

    def compile_from_config(self, config):
        recompile_from_config(self, config)

    def fit(self, x=None, *args, **kwargs):
        """Keras's `fit` (MLE pre-training), with the order of an `mle_dataset` set per epoch.

        A shuffled `keras_seqgan.data.mle_dataset` serves each epoch that epoch's order
        (its `DataPosition`), so `fit(initial_epoch=k)` in a fresh process, or a run
        resumed by `keras.callbacks.BackupAndRestore(save_freq="epoch")`, trains on the
        batches an uninterrupted run would. `EarlyStopping`, `ModelCheckpoint` and
        `ReduceLROnPlateau` watching `OracleNLL`'s `nll_oracle`, `nll_gen` or `nll_sum`
        need no `mode=`: it is set to `"min"`.
        """
        check_fit_data(x, kwargs.get("steps_per_epoch"))
        position = getattr(x, "data_position", None)
        fill_monitor_modes(args[4] if len(args) > 4 else kwargs.get("callbacks"))
        if position is not None and len(args) < 5:  # `callbacks` is fit's 6th argument
            kwargs["callbacks"] = [EpochOrder(position), *(kwargs.get("callbacks") or [])]
        return super().fit(x, *args, **kwargs)

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None):
        """Exports generation and scoring as a TensorFlow SavedModel (TF Serving).

        Keras's own `Model.export` would serve `call`: float tokens in, teacher-forced
        logits out, nothing a client can generate with. This SavedModel has two
        endpoints instead (see `keras_seqgan.SeqGAN.export`, which writes the same):
        `serve` (`num_samples`, `temperature`, `seed` and the condition ids in; the tokens
        `generate` gives for that seed out, int32 `[num_samples, T]`, and with a
        `tokenizer` the lines `generate_text` gives, string `[num_samples]` `"text"`) and
        `log_prob` (int32 `tokens` `[N, T]`, `temperature` and the condition ids in; each
        token's log-probability out, float32 `[N, T]`). It loads with
        `tf.saved_model.load` without `keras_seqgan`. TensorFlow backend only.

        Args:
            filepath: str or `pathlib.Path`. The SavedModel's folder.
            format: `"tf_saved_model"`, the only format. Defaults to `"tf_saved_model"`.
            verbose: bool or `None`. Print where it was written. Defaults to `None` (yes).
            input_signature: must be `None`: the endpoints' inputs are fixed.
        """
        if format != "tf_saved_model":
            raise ValueError(
                f"`export` writes a TensorFlow SavedModel only. Received: format={format!r}"
            )
        if input_signature is not None:
            raise ValueError(
                "`export` has fixed inputs (num_samples, temperature, seed and the condition "
                f"ids; tokens for `log_prob`). Received: input_signature={input_signature!r}"
            )
        backend.export_generation(
            self, filepath, verbose=True if verbose is None else bool(verbose)
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "sequence_length": self.sequence_length,
                "embedding_dim": self.embedding_dim,
                "hidden_dim": self.hidden_dim,
                "start_token": self.start_token,
                "sampler_block_size": self.sampler_block_size,
                "seed": self.seed,
                "initializer": self.initializer,
                "conditions": None if self.conditions is None else dict(self.conditions),
                "condition_embedding_dim": self.condition_embedding_dim,
                "tokenizer": None
                if self.tokenizer is None
                else keras.saving.serialize_keras_object(self.tokenizer),
            }
        )
        return config
