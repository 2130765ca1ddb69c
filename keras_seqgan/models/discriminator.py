"""The SeqGAN discriminator: a highway CNN text classifier that emits one logit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
from keras import ops

from keras_seqgan._validation import (
    check_float,
    check_int,
    check_int_sequence,
    check_seed,
    derive_seed,
)
from keras_seqgan.conditions import check_conditions, split_inputs
from keras_seqgan.models._compile import recompile_from_config
from keras_seqgan.models.dropout import CounterDropout

PAPER_FILTER_SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)
PAPER_NUM_FILTERS = (100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)


def paper_filters(sequence_length: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The paper's filter widths that fit `sequence_length`, with their filter counts.

    The SeqGAN paper's discriminator has widths `(1, ..., 10, 15, 20)` for sequences of
    20 tokens; a 'valid' convolution wider than the sequence has no output, so for
    shorter sequences the widths above `sequence_length` are left out (with their
    counts). `paper_filters(20)` is the paper's whole set; `paper_filters(6)` is
    `((1, 2, 3, 4, 5, 6), (100, 200, 200, 200, 200, 100))`.
    """
    sequence_length = check_int("sequence_length", sequence_length, 1)
    pairs = [
        (size, count)
        for size, count in zip(PAPER_FILTER_SIZES, PAPER_NUM_FILTERS, strict=True)
        if size <= sequence_length
    ]
    return tuple(size for size, _ in pairs), tuple(count for _, count in pairs)


def _default_filters(filter_sizes, num_filters, sequence_length):
    """Fills in `None` widths or counts from the paper's set (see `paper_filters`)."""
    if filter_sizes is None:
        sizes, counts = paper_filters(sequence_length)
        return sizes, counts if num_filters is None else num_filters
    filter_sizes = check_int_sequence("filter_sizes", filter_sizes)
    if num_filters is not None:
        return filter_sizes, num_filters
    paper_count = dict(zip(PAPER_FILTER_SIZES, PAPER_NUM_FILTERS, strict=True))
    missing = [size for size in filter_sizes if size not in paper_count]
    if missing:
        raise ValueError(
            "`num_filters` is needed when `filter_sizes` has widths the paper does not use "
            f"(the paper's: {list(PAPER_FILTER_SIZES)}). Received: filter_sizes="
            f"{list(filter_sizes)}, num_filters=None (no paper count for {missing})"
        )
    return filter_sizes, tuple(paper_count[size] for size in filter_sizes)


def check_filter_widths(filter_sizes, num_filters, sequence_length) -> None:
    """One filter count per width, and no width wider than the sequence (checked ints)."""
    if len(filter_sizes) != len(num_filters):
        raise ValueError(
            "`filter_sizes` and `num_filters` must have the same length (one filter "
            f"count per width). Received: filter_sizes={list(filter_sizes)} "
            f"(length {len(filter_sizes)}), num_filters={list(num_filters)} "
            f"(length {len(num_filters)})"
        )
    too_wide = [size for size in filter_sizes if size > sequence_length]
    if too_wide:
        raise ValueError(
            f"Every filter width must be at most `sequence_length`={sequence_length}: "
            f"a 'valid' convolution wider than the sequence has no output. Received: "
            f"filter_sizes={list(filter_sizes)} (too wide: {too_wide}). Use smaller "
            f"widths, e.g. filter_sizes={[s for s in filter_sizes if s <= sequence_length]}"
        )


@keras.saving.register_keras_serializable(package="keras_seqgan")
class Discriminator(keras.Model):
    """The SeqGAN discriminator: a highway CNN that scores whole token sequences.

    Embeds the tokens, runs parallel 1-D convolutions of several widths ('valid'
    padding, ReLU), max-pools each over time, concatenates the pooled features,
    passes them through highway layers
    (`t = sigmoid(W_t h + b_t); h = t * relu(W_h h + b_h) + (1 - t) * h`), applies
    dropout and a dense layer to one logit per sequence. `sigmoid(logit)` is the
    probability that the sequence is real. The defaults are the sizes of the paper's
    code; the original emits a 2-class softmax, which one logit is equivalent to.

    The model accepts either int token ids `[batch, time]` (embedding lookup) or
    float relaxed one-hot sequences `[batch, time, vocabulary_size]` (soft tokens
    from a Gumbel-softmax generator, embedded by a matrix product with the
    embedding table, so gradients flow back to the soft tokens). The dtype of the
    input picks the path; a one-hot float input gives the same logits as its ids.
    Any sequence at least as long as the widest filter is accepted; the model is
    built for `(None, sequence_length)` on construction, so its weights exist at once.

    A conditional discriminator (`conditions={name: number_of_values}`) judges
    (sequence, condition) pairs: it is called on a dict `{"tokens": ids [B, T] or
    relaxed one-hot [B, T, V], name: int ids [B], ...}` and adds, for every condition,
    a projection term `e_c(y_c) . (P_c f)` to the logit, where `f` is the feature
    vector after the highway layers, `e_c` an embedding of size
    `condition_embedding_dim` and `P_c` a linear map to that size (a low-rank
    projection discriminator, Miyato & Koyama, 2018). A real sequence paired with the
    wrong condition can so be scored as fake.

    `compile()` defaults to `BinaryCrossentropy(from_logits=True)` and an
    `accuracy` metric thresholded at logit 0, so pre-training is plain `fit` on
    `(tokens, labels)` with float labels `[batch, 1]`: 1 for real, 0 for generated.

    Args:
        vocabulary_size: int. Number of distinct tokens, at least 2.
        sequence_length: int. Length of the sequences the model is built for; every
            filter width must be at most this.
        embedding_dim: int. Size of the token embeddings. Defaults to `64`.
        filter_sizes: list of ints, or `None`. Widths of the parallel convolutions,
            each at most `sequence_length`. Defaults to `None`: the paper's widths
            `(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20)`, clipped to those that fit
            `sequence_length` (widths 1 to 6 for 6 tokens; see
            `keras_seqgan.models.paper_filters`).
        num_filters: list of ints, or `None`. Number of filters of each width, the
            same length as `filter_sizes`. Defaults to `None`: the paper's count of
            each width, `(100, 200, 200, 200, 200, 100, 100, 100, 100, 100, 160, 160)`
            for the widths above (1,720 pooled features at 20 tokens or more); a
            width the paper does not use needs an explicit count.
        highway_layers: int. Number of highway layers after pooling; `0` for none.
            Defaults to `1`.
        dropout: float. Dropout rate before the output layer, in `[0, 1)`. The mask
            comes from `keras_seqgan.models.CounterDropout`: the same eagerly, in graph
            mode, under XLA and on both backends. Defaults to `0.25`.
        output_l2: float >= 0. L2 penalty on the output layer's kernel and bias,
            `output_l2 * (sum(w ** 2) + sum(b ** 2)) / 2`, added to the loss by `fit`
            and by `SeqGAN`'s discriminator updates. The SeqGAN authors' discriminator
            uses `0.2` (`l2_reg_lambda`). Defaults to `0.0` (none).
        conditions: `None` or a dict `{name: number_of_values}`, e.g.
            `{"character": 30, "scene": 120}`; the same as the generator's in a
            `keras_seqgan.SeqGAN`. Defaults to `None` (unconditional).
        condition_embedding_dim: int. Size of each condition's embedding (the rank of
            its projection term). Unused when `conditions` is `None`. Defaults to `8`.
        seed: int or `None`. Seeds the initial weights (Keras's default initializers,
            each with its own seed drawn from this one) and the dropout's random
            stream, so that the same arguments build the same model and train the same
            way without `keras.utils.set_random_seed`. Defaults to `None`: both come
            from Keras's global random state.
        **kwargs: Standard `keras.Model` arguments (`name`, `trainable`, `dtype`).

    Example:

    ```python
    import keras
    import numpy as np
    import keras_seqgan

    discriminator = keras_seqgan.models.Discriminator(vocabulary_size=5000, sequence_length=20)
    tokens = np.random.randint(0, 5000, size=(64, 20))
    logits = discriminator(tokens)  # float32 [64, 1]
    probability_real = keras.ops.sigmoid(logits)

    # Soft tokens from a Gumbel-softmax generator, [batch, time, vocabulary].
    soft_tokens = keras.ops.softmax(keras.random.normal((64, 20, 5000)))
    soft_logits = discriminator(soft_tokens)

    # Pre-training: real sequences labelled 1, generated ones 0.
    labels = np.random.randint(0, 2, size=(64, 1)).astype("float32")
    discriminator.compile(optimizer=keras.optimizers.Adam(1e-4))
    discriminator.fit(tokens, labels, batch_size=32, epochs=1)

    # Conditional: (sequence, speaker) pairs.
    conditional = keras_seqgan.models.Discriminator(
        vocabulary_size=5000, sequence_length=20, conditions={"character": 30}
    )
    logits = conditional({"tokens": tokens, "character": np.random.randint(0, 30, size=64)})
    ```

    Reference:
        - [Yu et al., 2017](https://arxiv.org/abs/1609.05473), "SeqGAN: Sequence
          Generative Adversarial Nets with Policy Gradient", AAAI 2017; code at
          https://github.com/LantaoYu/SeqGAN (`discriminator.py`).
        - [Miyato & Koyama, 2018](https://arxiv.org/abs/1802.05637), "cGANs with
          Projection Discriminator", ICLR 2018.
    """

    def __init__(
        self,
        vocabulary_size: int,
        sequence_length: int,
        embedding_dim: int = 64,
        filter_sizes: Sequence[int] | None = None,
        num_filters: Sequence[int] | None = None,
        highway_layers: int = 1,
        dropout: float = 0.25,
        conditions: dict[str, int] | None = None,
        condition_embedding_dim: int = 8,
        seed: int | None = None,
        output_l2: float = 0.0,
        **kwargs: Any,
    ) -> None:
        vocabulary_size = check_int("vocabulary_size", vocabulary_size, 2)
        sequence_length = check_int("sequence_length", sequence_length, 1)
        embedding_dim = check_int("embedding_dim", embedding_dim, 1)
        filter_sizes, num_filters = _default_filters(filter_sizes, num_filters, sequence_length)
        filter_sizes = check_int_sequence("filter_sizes", filter_sizes)
        num_filters = check_int_sequence("num_filters", num_filters)
        check_filter_widths(filter_sizes, num_filters, sequence_length)
        highway_layers = check_int("highway_layers", highway_layers, 0)
        dropout = check_float("dropout", dropout, low=0.0, high=1.0, high_inclusive=False)
        output_l2 = check_float("output_l2", output_l2, low=0.0)
        conditions = check_conditions(conditions)
        condition_embedding_dim = check_int(
            "condition_embedding_dim", condition_embedding_dim, minimum=1
        )
        seed = check_seed(seed)

        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.sequence_length = sequence_length
        self.embedding_dim = embedding_dim
        self.filter_sizes = filter_sizes
        self.num_filters = num_filters
        self.highway_layers = highway_layers
        self.dropout = float(dropout)
        self.num_features = sum(num_filters)
        self.conditions = conditions
        self.condition_embedding_dim = condition_embedding_dim
        self.seed = seed
        self.output_l2 = float(output_l2)
        seeds = _SeedStream(seed)
        # A seed's weights follow from the order in which the layers draw their seeds.
        self._make_feature_layers(seeds)
        self._make_condition_layers(seeds)
        self.build((None, sequence_length))

    def _make_feature_layers(self, seeds) -> None:
        """The embedding, convolutions, highway, dropout and output layers."""
        self.embedding = keras.layers.Embedding(
            self.vocabulary_size,
            self.embedding_dim,
            embeddings_initializer=seeds.initializer("uniform"),
            dtype=self.dtype_policy,
            name="embedding",
        )
        self.convolutions = [
            keras.layers.Conv1D(
                filters,
                size,
                padding="valid",
                activation="relu",
                kernel_initializer=seeds.initializer("glorot_uniform"),
                dtype=self.dtype_policy,
                name=f"convolution_{size}",
            )
            for size, filters in zip(self.filter_sizes, self.num_filters, strict=True)
        ]
        self.highway_transforms = [
            keras.layers.Dense(
                self.num_features,
                activation="relu",
                kernel_initializer=seeds.initializer("glorot_uniform"),
                dtype=self.dtype_policy,
                name=f"highway_transform_{index}",
            )
            for index in range(self.highway_layers)
        ]
        self.highway_gates = [
            keras.layers.Dense(
                self.num_features,
                activation="sigmoid",
                kernel_initializer=seeds.initializer("glorot_uniform"),
                dtype=self.dtype_policy,
                name=f"highway_gate_{index}",
            )
            for index in range(self.highway_layers)
        ]
        self.dropout_layer = CounterDropout(
            self.dropout, seed=seeds.next(), dtype=self.dtype_policy, name="dropout"
        )
        # Keras's L2(l) is l * sum(x ** 2); the authors' tf.nn.l2_loss is sum(x ** 2) / 2.
        penalty = keras.regularizers.L2(self.output_l2 / 2) if self.output_l2 else None
        self.output_dense = keras.layers.Dense(
            1,
            kernel_initializer=seeds.initializer("glorot_uniform"),
            kernel_regularizer=penalty,
            bias_regularizer=penalty,
            dtype=self.dtype_policy,
            name="logit",
        )

    def _make_condition_layers(self, seeds) -> None:
        """Each condition's embedding and projection (none for an unconditional model)."""
        # Conditions enter as projection terms on the final features rather than as inputs
        # concatenated before the highway layers: concatenation with `highway_layers=0`
        # could only shift the logit by a per-condition bias and never tell a sequence
        # that fits its condition from one that does not, whereas the bilinear term
        # scores the match itself at any depth, and the unconditional path is untouched.
        self.condition_embeddings = [
            keras.layers.Embedding(
                size,
                self.condition_embedding_dim,
                embeddings_initializer=seeds.initializer("uniform"),
                dtype=self.dtype_policy,
                name=f"condition_embedding_{name}",
            )
            for name, size in (self.conditions or {}).items()
        ]
        self.condition_projections = [
            keras.layers.Dense(
                self.condition_embedding_dim,
                use_bias=False,
                kernel_initializer=seeds.initializer("glorot_uniform"),
                dtype=self.dtype_policy,
                name=f"condition_projection_{name}",
            )
            for name in self.conditions or {}
        ]

    def build(self, input_shape: tuple | None = None) -> None:
        if not self.embedding.built:
            self.embedding.build((None, self.sequence_length))
        for convolution in self.convolutions:
            if not convolution.built:
                convolution.build((None, self.sequence_length, self.embedding_dim))
        for layer in [
            *self.highway_transforms,
            *self.highway_gates,
            self.output_dense,
            *self.condition_projections,
        ]:
            if not layer.built:
                layer.build((None, self.num_features))
        for layer in self.condition_embeddings:
            if not layer.built:
                layer.build((None,))
        self.built = True

    def call(self, inputs, training: bool = False):
        inputs, conditions = split_inputs(inputs, self.conditions, "discriminator")
        time = inputs.shape[1] if len(inputs.shape) > 1 else None
        if time is not None and time < max(self.filter_sizes):
            raise ValueError(
                f"Sequences must be at least as long as the widest filter "
                f"({max(self.filter_sizes)}). Received: inputs.shape={inputs.shape}"
            )
        if "int" in keras.backend.standardize_dtype(inputs.dtype):
            if len(inputs.shape) != 2:
                raise ValueError(
                    "Integer inputs must be token ids of shape [batch, time]. "
                    f"Received: inputs.shape={inputs.shape}"
                )
            embedded = self.embedding(inputs)
        else:
            if len(inputs.shape) != 3 or inputs.shape[-1] != self.vocabulary_size:
                raise ValueError(
                    "Float inputs must be relaxed one-hot sequences of shape "
                    f"[batch, time, vocabulary_size={self.vocabulary_size}]; pass token "
                    f"ids with an integer dtype. Received: inputs.shape={inputs.shape}, "
                    f"dtype={inputs.dtype}"
                )
            embedding_matrix = ops.cast(self.embedding.embeddings, self.compute_dtype)
            embedded = ops.matmul(ops.cast(inputs, self.compute_dtype), embedding_matrix)

        pooled = [ops.max(convolution(embedded), axis=1) for convolution in self.convolutions]
        return self._head(pooled, conditions, training)

    def _head(self, pooled, conditions, training):
        """Logits from the pooled features of every convolution: highway, dropout, output."""
        features = ops.concatenate(pooled, axis=-1) if len(pooled) > 1 else pooled[0]
        for transform, gate in zip(self.highway_transforms, self.highway_gates, strict=True):
            carry = gate(features)
            features = carry * transform(features) + (1.0 - carry) * features
        features = self.dropout_layer(features, training=training)
        logits = self.output_dense(features)
        if conditions is not None:
            for name, embedding, projection in zip(
                self.conditions, self.condition_embeddings, self.condition_projections, strict=True
            ):
                match = embedding(ops.cast(conditions[name], "int32")) * projection(features)
                logits = logits + ops.sum(match, axis=-1, keepdims=True)
        return ops.cast(logits, "float32")

    def completion_logits(
        self, tokens, completions, *, prefix_length, num_rollouts, conditions=None
    ):
        """Logits of completions of `tokens[:, :prefix_length]`, sharing the prefix's windows.

        `completions` `[B * R, T]` holds `R = num_rollouts` completions of every row of
        `tokens` `[B, T]` (row `b * R + r` continues `tokens[b, :prefix_length]`), as
        Monte-Carlo rollouts make them. A convolution window that lies inside the
        prefix is the same for all `R` completions, and is a window of `tokens` itself:
        its outputs are computed once, on `tokens`, and only the windows that reach a
        sampled token are computed per completion. Max-pooling over both gives what
        `self(completions)` gives, within float rounding, for fewer operations (half of
        the windows of a width-2 filter, summed over the prefix lengths of a rollout
        pass). Always inference (no dropout).

        Args:
            tokens: int tokens `[B, T]` whose prefixes the completions continue.
            completions: int tokens `[B * R, T]`, `R` rows per row of `tokens`, whose first
                `prefix_length` tokens are that row's.
            prefix_length: Python int in `[0, T]`: the length of the shared prefix.
            num_rollouts: Python int `R`: completions per row of `tokens`.
            conditions: dict of condition ids `[B * R]` (the completions' own) or `None`.

        Returns:
            float32 logits `[B * R, 1]`.
        """
        tokens = ops.cast(tokens, "int32")
        completions = ops.cast(completions, "int32")
        length = completions.shape[1]
        embedded = self.embedding(completions)
        prefix_embedded = self.embedding(tokens[:, :prefix_length]) if prefix_length else None
        pooled = []
        for convolution, size in zip(self.convolutions, self.filter_sizes, strict=True):
            # Windows starting at 0 .. prefix_length - size lie inside the prefix.
            shared = max(0, prefix_length - size + 1)
            # The rest start at shared .. T - size; at least one, as prefix_length < T.
            start = min(shared, length - size)
            pooled_rows = ops.max(convolution(embedded[:, start:]), axis=1)
            if shared:
                inside = ops.max(convolution(prefix_embedded), axis=1)  # [B, F]
                pooled_rows = ops.maximum(pooled_rows, ops.repeat(inside, num_rollouts, axis=0))
            pooled.append(pooled_rows)
        return self._head(pooled, conditions, training=False)

    def compute_output_shape(self, input_shape) -> tuple:
        if isinstance(input_shape, dict):
            input_shape = input_shape["tokens"]
        return (input_shape[0], 1)

    def compile(
        self,
        optimizer: str | keras.optimizers.Optimizer = "adam",
        loss: Any = None,
        metrics: Any = None,
        **kwargs: Any,
    ) -> None:
        """Configures pre-training; the loss and metric default to logit-based ones.

        Args:
            optimizer: str or `keras.optimizers.Optimizer`. Defaults to `"adam"`.
            loss: a loss, or `None` for `keras.losses.BinaryCrossentropy(from_logits=True)`.
            metrics: a list of metrics, or `None` for
                `[keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0)]`
                (thresholded on the logit).
            **kwargs: other `keras.Model.compile` arguments, passed through.
        """
        if loss is None:
            loss = keras.losses.BinaryCrossentropy(from_logits=True)
        if metrics is None:
            metrics = [keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0)]
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)

    def compile_from_config(self, config: dict) -> None:
        recompile_from_config(self, config)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "sequence_length": self.sequence_length,
                "embedding_dim": self.embedding_dim,
                "filter_sizes": list(self.filter_sizes),
                "num_filters": list(self.num_filters),
                "highway_layers": self.highway_layers,
                "dropout": self.dropout,
                "conditions": None if self.conditions is None else dict(self.conditions),
                "condition_embedding_dim": self.condition_embedding_dim,
                "seed": self.seed,
                "output_l2": self.output_l2,
            }
        )
        return config


class _SeedStream:
    """Distinct, well-mixed seeds for each weight and random stream, from one seed.

    With `seed=None` every seed is `None` and every initializer is Keras's default by
    name, so the model draws from Keras's global random state as before.
    """

    def __init__(self, seed: int | None) -> None:
        self._seed = seed
        self._count = 0

    def next(self) -> int | None:
        self._count += 1
        return derive_seed(self._seed, self._count)

    def initializer(self, name: str):
        seed = self.next()
        if seed is None:
            return name
        if name == "uniform":  # Keras's default for embeddings
            return keras.initializers.RandomUniform(-0.05, 0.05, seed=seed)
        return keras.initializers.GlorotUniform(seed=seed)  # for kernels
