"""The SeqGAN generator: token embedding -> LSTM -> vocabulary logits."""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from keras_seqgan import backend
from keras_seqgan.models._compile import recompile_from_config
from keras_seqgan.sampling import default_block_size, sample_from_logits


def _check_positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int >= {minimum}. Received: {name}={value!r}")
    if value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}. Received: {name}={value}")
    return int(value)


def check_seed(seed, name: str = "seed") -> int | None:
    """Validates a seed: `None` or an int in `[0, 2**63)` (a random stream's int64 state)."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int or None. Received: {name}={seed!r}")
    if not 0 <= seed < 2**63:
        raise ValueError(f"`{name}` must be in [0, 2**63) or None. Received: {name}={seed}")
    return int(seed)


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


def check_temperature(temperature, name: str = "temperature") -> float:
    """Validates a Python temperature: a finite number > 0."""
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.number)):
        raise TypeError(
            f"`{name}` must be a positive float. Received: {name}={temperature!r} "
            f"(of type {type(temperature).__name__})"
        )
    if not math.isfinite(float(temperature)) or temperature <= 0:
        raise ValueError(f"`{name}` must be a finite float > 0. Received: {name}={temperature}")
    return float(temperature)


@keras.saving.register_keras_serializable(package="keras_seqgan")
class Generator(keras.Model):
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
            to `None`, `ceil(sqrt(vocabulary_size))`.
        seed: int or `None`. Seed of the generator's own random stream (used by `sample`
            and `generate` when no seed is given). Defaults to `None` (random).
        initializer: `None`, or a Keras initializer (instance, name or config dict) used
            for every weight: the embedding, the LSTM's kernels and biases and the output
            projection, with no extra forget-gate bias. The SeqGAN authors' code draws all
            of them from `keras.initializers.RandomNormal(stddev=0.1)`. Defaults to `None`:
            Keras's own defaults (uniform embedding, Glorot kernels, orthogonal recurrent
            kernel, zero biases with the forget gate's set to 1).
        **kwargs: Standard `keras.Model` arguments such as `name` and `dtype`.

    Example:

    ```python
    import keras
    import keras_seqgan

    generator = keras_seqgan.models.Generator(vocabulary_size=50, sequence_length=8)
    tokens = generator.generate(16, temperature=1.0, seed=1)  # int32 [16, 8]
    generator.compile(optimizer=keras.optimizers.Adam(1e-2))
    generator.fit(keras_seqgan.data.mle_dataset(tokens, batch_size=8), epochs=1)
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
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocabulary_size = _check_positive_int("vocabulary_size", vocabulary_size, 2)
        self.sequence_length = _check_positive_int("sequence_length", sequence_length)
        self.embedding_dim = _check_positive_int("embedding_dim", embedding_dim)
        self.hidden_dim = _check_positive_int("hidden_dim", hidden_dim)
        if isinstance(start_token, bool) or not isinstance(start_token, (int, np.integer)):
            raise TypeError(f"`start_token` must be an int. Received: start_token={start_token!r}")
        if not 0 <= start_token < vocabulary_size:
            raise ValueError(
                f"`start_token` must be in [0, vocabulary_size={vocabulary_size}). "
                f"Received: start_token={start_token}"
            )
        self.start_token = int(start_token)
        if sampler_block_size is not None:
            sampler_block_size = _check_positive_int("sampler_block_size", sampler_block_size)
        self.sampler_block_size = sampler_block_size
        self.seed = check_seed(seed)
        self.initializer = _check_initializer(initializer)

        if self.initializer is None:
            embedding_kw, cell_kw, dense_kw = {}, {}, {}
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
        self.seed_generator = keras.random.SeedGenerator(seed, name="generator_seed")
        self.build((None, self.sequence_length))

    def build(self, input_shape=None):
        self.embedding.build((None,))
        self.lstm_cell.build((None, self.embedding_dim))
        self.output_projection.build((None, self.hidden_dim))
        self.built = True

    # ----------------------------------------------------------------- pieces
    @property
    def block_size(self) -> int:
        return self.sampler_block_size or default_block_size(self.vocabulary_size)

    def initial_state(self, batch_size):
        """Zero LSTM state `[h, c]` for `batch_size` rows."""
        zeros = ops.zeros((batch_size, self.hidden_dim), dtype=self.compute_dtype)
        return [zeros, zeros]

    def step(self, previous_tokens, state, training=False):
        """One recurrence step: feeds `previous_tokens` `[R]`, returns `(logits, state)`."""
        inputs = self.embedding(previous_tokens)
        output, state = self.lstm_cell(inputs, state, training=training)
        return self.output_projection(output), list(state)

    def shifted_inputs(self, tokens):
        """The teacher-forcing inputs: `tokens` shifted right behind the start token."""
        tokens = ops.cast(tokens, "int32")
        start = ops.full((ops.shape(tokens)[0], 1), self.start_token, dtype="int32")
        return ops.concatenate([start, tokens[:, :-1]], axis=1)

    def forward(self, tokens, training=False):
        """Teacher-forced pass returning logits `[B, T, V]` and the states `(h, c)`.

        `h[:, t]` and `c[:, t]` are the LSTM state after reading the input at position
        `t` (the start token for `t = 0`, else `tokens[:, t - 1]`): the state whose
        logits predict position `t`.
        """
        inputs = self.embedding(self.shifted_inputs(tokens))  # [B, T, E]
        batch_size = ops.shape(inputs)[0]
        h0, c0 = self.initial_state(batch_size)

        def body(carry, x_t):
            _, (h, c) = self.lstm_cell(x_t, list(carry), training=training)
            return (h, c)

        hs, cs = backend.scan(body, (h0, c0), ops.transpose(inputs, (1, 0, 2)))
        hs = ops.transpose(hs, (1, 0, 2))
        cs = ops.transpose(cs, (1, 0, 2))
        return self.output_projection(hs), (hs, cs)

    def call(self, inputs, training=False):
        logits, _ = self.forward(inputs, training=training)
        return logits

    # --------------------------------------------------------------- sampling
    def sample(self, batch_size: int, *, temperature=1.0, seed=None):
        """Samples `batch_size` sequences autoregressively; returns int32 `[B, T]`.

        Runs as one loop over positions (a scan), so it compiles into a
        single graph or XLA program. All randomness is one draw of `[T, B]` uniform
        numbers from `seed` (an int, a `keras.random.SeedGenerator`, or `None` for the
        generator's own stream). `temperature` may be a float or a scalar tensor.
        """
        seed = self.seed_generator if seed is None else seed
        uniforms = backend.uniform((self.sequence_length, batch_size), seed)
        temperature = ops.cast(temperature, "float32")
        state = self.initial_state(batch_size)
        start = ops.full((batch_size,), self.start_token, dtype="int32")

        def body(carry, uniform):
            previous, h, c = carry
            logits, (h, c) = self.step(previous, [h, c])
            token = sample_from_logits(
                ops.cast(logits, "float32") / temperature, uniform, self.block_size
            )
            return (token, h, c)

        tokens, _, _ = backend.scan(body, (start, state[0], state[1]), uniforms)
        return ops.transpose(tokens, (1, 0))

    def sample_relaxed(self, batch_size: int, *, temperature=1.0, seed=None, training=False):
        """Gumbel-softmax sampling (RelGAN): returns `(soft [B, T, V], tokens [B, T])`.

        At each position the hard token is `argmax(logits + g)` with Gumbel noise `g`
        (an exact sample from `softmax(logits)`), and fed back as the next input; the
        relaxed one-hot `softmax((logits + g) / temperature)` carries gradients to the
        generator's weights.
        """
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
            logits, (h, c) = self.step(previous, [h, c], training=training)
            perturbed = ops.cast(logits, "float32") + gumbel
            token = ops.cast(ops.argmax(perturbed, axis=-1), "int32")
            soft = ops.softmax(perturbed / temperature, axis=-1)
            return (token, h, c, soft)

        no_soft = ops.zeros((batch_size, self.vocabulary_size), dtype="float32")
        tokens, _, _, soft = backend.scan(body, (start, state[0], state[1], no_soft), gumbels)
        return ops.transpose(soft, (1, 0, 2)), ops.transpose(tokens, (1, 0))

    def log_prob(self, tokens, *, temperature=1.0):
        """Per-token log-probabilities `[B, T]` of `tokens` under the generator."""
        tokens = ops.cast(tokens, "int32")
        logits = ops.cast(self(tokens), "float32") / ops.cast(temperature, "float32")
        log_probs = ops.log_softmax(logits, axis=-1)
        return ops.take_along_axis(log_probs, tokens[..., None], axis=-1)[..., 0]

    def compiled_log_prob(self, tokens, *, temperature=1.0):
        """`log_prob` as one compiled call (traced once per batch shape), for evaluation.

        Eager `log_prob` runs the recurrence op by op; scoring 10,000 held-out sequences
        (`keras_seqgan.evaluation.nll_gen`) was 3.5x slower that way.
        """
        function = self.__dict__.get("_log_prob_function")
        if function is None:

            def score(tokens, temperature):
                return self.log_prob(tokens, temperature=temperature)

            function = backend.compile_function(score)
            self.__dict__["_log_prob_function"] = function
        return function(
            ops.convert_to_tensor(tokens, dtype="int32"),
            ops.convert_to_tensor(temperature, dtype="float32"),
        )

    def generate(
        self,
        num_samples: int,
        *,
        temperature: float = 1.0,
        seed: int | None = None,
        batch_size: int | None = None,
        jit_compile: bool = False,
    ) -> np.ndarray:
        """Generates `num_samples` sequences as a NumPy int32 array `[N, T]`.

        Sampling runs in compiled batches of `batch_size` (default: up to 1,024). The
        same `seed` gives the same tokens, whatever ran before; `seed=None` continues the
        generator's own random stream.

        Args:
            num_samples: int. How many sequences.
            temperature: float. Logits are divided by it. Defaults to `1.0`.
            seed: int or `None`. Defaults to `None`.
            batch_size: int or `None`. Rows per compiled call. Defaults to
                `min(num_samples, 1024)`.
            jit_compile: bool. Compile the sampling loop with XLA. Defaults to `False`.
        """
        num_samples = _check_positive_int("num_samples", num_samples)
        temperature = check_temperature(temperature)
        batch_size = (
            min(num_samples, 1024)
            if batch_size is None
            else _check_positive_int("batch_size", batch_size)
        )
        seed = check_seed(seed)
        return _generate(self, num_samples, temperature, seed, batch_size, jit_compile)

    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs):
        """Compiles for MLE pre-training; `loss` defaults to cross-entropy over logits."""
        if loss is None:
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)

    def compile_from_config(self, config):
        recompile_from_config(self, config)

    def save_own_variables(self, store):
        super().save_own_variables(store)
        save_seed_state(self.seed_generator, store)

    def load_own_variables(self, store):
        super().load_own_variables(load_seed_state(self.seed_generator, store))

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
            }
        )
        return config


_SEED_KEY = "seed_generator_state"


def save_seed_state(seed_generator, store) -> None:
    """Adds a random stream's position to a layer's saved variables.

    Keras saves no `SeedGenerator` state, so a reloaded model would otherwise restart its
    random stream and a resumed run would not repeat an uninterrupted one.
    """
    store[_SEED_KEY] = np.asarray(seed_generator.state)


def load_seed_state(seed_generator, store):
    """Restores what `save_seed_state` saved; returns the rest of `store` for Keras."""
    keys = list(store.keys())
    if _SEED_KEY not in keys:
        return store  # files written before the state was saved
    seed_generator.state.assign(np.asarray(store[_SEED_KEY]))
    return {key: store[key] for key in keys if key != _SEED_KEY}


def _generate(generator, num_samples, temperature, seed, batch_size, jit_compile):
    """Host loop of compiled sampling calls, with a seed stream reset from `seed`."""
    cache = generator.__dict__.setdefault("_generate_cache", {})
    key = (batch_size, bool(jit_compile))
    if key not in cache:
        stream = generator.__dict__.get("_generate_stream")
        if stream is None:
            stream = keras.random.SeedGenerator(generator.seed, name="generate_seed")
            generator.__dict__["_generate_stream"] = stream

        def sample_batch(temperature):
            return generator.sample(batch_size, temperature=temperature, seed=stream)

        cache[key] = backend.compile_function(sample_batch, jit_compile=jit_compile)
    stream = generator.__dict__["_generate_stream"]
    if seed is not None:
        stream.state.assign(np.array([seed, 0], dtype=stream.state.dtype))
    temperature_tensor = ops.convert_to_tensor(temperature, dtype="float32")
    batches = []
    for _ in range(-(-num_samples // batch_size)):
        batches.append(np.asarray(cache[key](temperature_tensor)))
    return np.concatenate(batches, axis=0)[:num_samples].astype("int32")
