"""A recurrent discriminator that scores every prefix: one logit per position (ScratchGAN)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from keras_seqgan import backend
from keras_seqgan._validation import check_bool, check_float, check_int, check_seed
from keras_seqgan.conditions import check_conditions, split_inputs
from keras_seqgan.models._compile import recompile_from_config
from keras_seqgan.models.discriminator import _SeedStream
from keras_seqgan.models.dropout import CounterDropout


@keras.saving.register_keras_serializable(package="keras_seqgan")
class PrefixDiscriminator(keras.Model):
    """A recurrent discriminator that scores every prefix: logits `[batch, length]`.

    Reads the sequence left to right with an LSTM and emits, at every position `t`, a
    logit for "the prefix `tokens[:, :t + 1]` is real": `sigmoid(logits[:, t])` is the
    probability that the first `t + 1` tokens come from the data. This is ScratchGAN's
    discriminator: its per-position scores are the dense rewards of
    `keras_seqgan.objectives.DenseReward`, which needs no Monte-Carlo rollouts. (The
    whole-sequence `keras_seqgan.models.Discriminator`, one logit `[batch, 1]`, is the
    one for `Reinforce`'s rollouts.)

    Tokens are embedded, dropped out (training only), and read by an LSTM whose gate
    pre-activations are layer-normalized (`gates = LayerNorm(x W + h U)`, as Sonnet's
    `LSTM(use_layer_norm=True)` that ScratchGAN uses); a dense layer maps each hidden
    state to a logit. With `layer_norm=False` it is a plain LSTM (`x W + h U + b`, the
    forget gate's bias starting at 1).

    It accepts int token ids `[batch, time]` or float relaxed one-hot sequences
    `[batch, time, vocabulary_size]` (soft tokens of the `Gumbel` objective, embedded by
    a product with the embedding table so that gradients reach them); a one-hot float
    input gives the logits of its ids. Any length is accepted (the LSTM reads what it
    gets); the model is built on construction, so its weights exist at once.

    A conditional discriminator (`conditions={name: number_of_values}`) judges
    (prefix, condition) pairs: it is called on a dict `{"tokens": ..., name: int ids
    [B], ...}` and adds, for every condition and position, a projection term
    `e_c(y_c) . (P_c h_t)` to the logit of position `t` (`h_t` the hidden state after
    the position, `e_c` an embedding of size `condition_embedding_dim`, `P_c` a linear
    map), as `keras_seqgan.models.Discriminator` does with its pooled features.

    `compile()` defaults to `BinaryCrossentropy(from_logits=True)` and an `accuracy`
    metric thresholded at logit 0, so pre-training is plain `fit` on `(tokens, labels)`
    with float labels `[batch, length]`: 1 at every position of a real sequence, 0 of a
    generated one; labels `[batch, 1]` (one per sequence, as
    `keras_seqgan.pipeline.pretrain_discriminator` gives them) label every position.

    Args:
        vocabulary_size: int. Number of distinct tokens, at least 2.
        sequence_length: int. Length of the sequences the model is built for.
        embedding_dim: int. Size of the token embeddings. Defaults to `64` (ScratchGAN's
            trainable embedding).
        hidden_dim: int. Size of the LSTM state. Defaults to `64` (ScratchGAN uses 512 on
            natural text; the SeqGAN oracle's generator has 32).
        layer_norm: bool. Layer-normalize the LSTM's gate pre-activations. Defaults to
            `True` (ScratchGAN's).
        dropout: float in `[0, 1)`. Dropout rate on the token embeddings in training,
            drawn by `keras_seqgan.models.CounterDropout` (the same mask eagerly, in a
            graph, under XLA and on both backends). Defaults to `0.1` (ScratchGAN's).
        l2: float >= 0. L2 penalty `l2 * sum(w ** 2) / 2` on every embedding, kernel and
            bias (not the layer normalization's scale and offset), added to the loss by
            `fit` and by `SeqGAN`'s discriminator updates. Defaults to `1e-6`
            (ScratchGAN's).
        conditions: `None` or a dict `{name: number_of_values}`; the same as the
            generator's in a `keras_seqgan.SeqGAN`. Defaults to `None` (unconditional).
        condition_embedding_dim: int. Size of each condition's embedding (the rank of
            its projection term). Unused when `conditions` is `None`. Defaults to `8`.
        seed: int or `None`. Seeds the initial weights and the dropout's random stream,
            so that the same arguments build the same model and train the same way.
            Defaults to `None` (Keras's global random state).
        **kwargs: Standard `keras.Model` arguments (`name`, `trainable`, `dtype`).

    Example:

    ```python
    import keras
    import numpy as np
    import keras_seqgan

    discriminator = keras_seqgan.models.PrefixDiscriminator(
        vocabulary_size=20, sequence_length=6, hidden_dim=16, seed=1
    )
    tokens = np.random.randint(0, 20, size=(8, 6))
    logits = discriminator(tokens)  # float32 [8, 6]: a logit per prefix

    generator = keras_seqgan.models.Generator(vocabulary_size=20, sequence_length=6)
    gan = keras_seqgan.SeqGAN(generator, discriminator, objective="dense")
    ```

    Reference:
        - [de Masson d'Autume et al., 2019](https://arxiv.org/abs/1905.09922), "Training
          Language GANs from Scratch", NeurIPS 2019; code at
          https://github.com/deepmind/deepmind-research (`scratchgan/`).
        - [Ba et al., 2016](https://arxiv.org/abs/1607.06450), "Layer Normalization".
    """

    def __init__(
        self,
        vocabulary_size: int,
        sequence_length: int,
        embedding_dim: int = 64,
        hidden_dim: int = 64,
        layer_norm: bool = True,
        dropout: float = 0.1,
        l2: float = 1e-6,
        conditions: dict[str, int] | None = None,
        condition_embedding_dim: int = 8,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        vocabulary_size = check_int("vocabulary_size", vocabulary_size, 2)
        sequence_length = check_int("sequence_length", sequence_length, 1)
        embedding_dim = check_int("embedding_dim", embedding_dim, 1)
        hidden_dim = check_int("hidden_dim", hidden_dim, 1)
        layer_norm = check_bool("layer_norm", layer_norm)
        dropout = check_float("dropout", dropout, low=0.0, high=1.0, high_inclusive=False)
        l2 = check_float("l2", l2, low=0.0)
        conditions = check_conditions(conditions)
        condition_embedding_dim = check_int(
            "condition_embedding_dim", condition_embedding_dim, minimum=1
        )
        seed = check_seed(seed)

        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.sequence_length = sequence_length
        self.embedding_dim = embedding_dim
        self.hidden_dim = hidden_dim
        self.layer_norm = layer_norm
        self.dropout = dropout
        self.l2 = l2
        self.conditions = conditions
        self.condition_embedding_dim = condition_embedding_dim
        self.seed = seed
        self._make_layers(_SeedStream(seed))
        self.build((None, sequence_length))

    def _make_layers(self, seeds) -> None:
        # Keras's L2(l) is l * sum(x ** 2); ScratchGAN's tf.nn.l2_loss is sum(x ** 2) / 2.
        penalty = keras.regularizers.L2(self.l2 / 2) if self.l2 else None

        def dense(units, name, use_bias=True, bias_initializer="zeros"):
            return keras.layers.Dense(
                units,
                use_bias=use_bias,
                kernel_initializer=seeds.initializer("glorot_uniform"),
                bias_initializer=bias_initializer,
                kernel_regularizer=penalty,
                bias_regularizer=penalty if use_bias else None,
                dtype=self.dtype_policy,
                name=name,
            )

        def embedding(size, dim, name):
            return keras.layers.Embedding(
                size,
                dim,
                embeddings_initializer=seeds.initializer("uniform"),
                embeddings_regularizer=penalty,
                dtype=self.dtype_policy,
                name=name,
            )

        hidden = self.hidden_dim
        self.embedding = embedding(self.vocabulary_size, self.embedding_dim, "embedding")
        self.dropout_layer = CounterDropout(
            self.dropout, seed=seeds.next(), dtype=self.dtype_policy, name="dropout"
        )
        # Gates in the order input, forget, cell, output; without layer normalization the
        # input projection carries the bias (the forget gate's starting at 1), with it
        # the normalization's offset does.
        forget_bias = keras.initializers.Constant(
            [0.0] * hidden + [1.0] * hidden + [0.0] * hidden * 2
        )
        self.input_projection = dense(
            4 * hidden, "input_projection", not self.layer_norm, forget_bias
        )
        self.recurrent_projection = dense(4 * hidden, "recurrent_projection", use_bias=False)
        self.gate_normalization = (
            keras.layers.LayerNormalization(
                epsilon=1e-6,
                beta_initializer=forget_bias,
                dtype=self.dtype_policy,
                name="gate_normalization",
            )  # fmt: skip
            if self.layer_norm
            else None
        )
        self.output_dense = dense(1, "logit")
        self.condition_embeddings = [
            embedding(size, self.condition_embedding_dim, f"condition_embedding_{name}")
            for name, size in (self.conditions or {}).items()
        ]
        self.condition_projections = [
            dense(self.condition_embedding_dim, f"condition_projection_{name}", use_bias=False)
            for name in self.conditions or {}
        ]

    def build(self, input_shape: tuple | None = None) -> None:
        hidden = self.hidden_dim
        for layer, shape in [
            (self.embedding, (None, self.sequence_length)),
            (self.input_projection, (None, self.sequence_length, self.embedding_dim)),
            (self.recurrent_projection, (None, hidden)),
            (self.gate_normalization, (None, 4 * hidden)),
            (self.output_dense, (None, self.sequence_length, hidden)),
            *[(layer, (None,)) for layer in self.condition_embeddings],
            *[
                (layer, (None, self.sequence_length, hidden))
                for layer in self.condition_projections
            ],
        ]:
            if layer is not None and not layer.built:
                layer.build(shape)
        self.built = True

    def call(self, inputs, training: bool = False):
        inputs, conditions = split_inputs(inputs, self.conditions, "discriminator")
        embedded = self._embed(inputs)
        embedded = self.dropout_layer(embedded, training=training)
        hidden_states = self._recurrence(self.input_projection(embedded))  # [B, T, H]
        logits = self.output_dense(hidden_states)[..., 0]  # [B, T]
        if conditions is not None:
            for name, embedding, projection in zip(
                self.conditions, self.condition_embeddings, self.condition_projections, strict=True
            ):
                vector = embedding(ops.cast(conditions[name], "int32"))[:, None, :]  # [B, 1, E_c]
                logits = logits + ops.sum(vector * projection(hidden_states), axis=-1)
        return ops.cast(logits, "float32")

    def _embed(self, inputs):
        """Token embeddings `[B, T, E]` of ids `[B, T]` or relaxed one-hot `[B, T, V]`."""
        if "int" in keras.backend.standardize_dtype(inputs.dtype):
            if len(inputs.shape) != 2:
                raise ValueError(
                    "Integer inputs must be token ids of shape [batch, time]. "
                    f"Received: inputs.shape={inputs.shape}"
                )
            return self.embedding(inputs)
        if len(inputs.shape) != 3 or inputs.shape[-1] != self.vocabulary_size:
            raise ValueError(
                "Float inputs must be relaxed one-hot sequences of shape "
                f"[batch, time, vocabulary_size={self.vocabulary_size}]; pass token "
                f"ids with an integer dtype. Received: inputs.shape={inputs.shape}, "
                f"dtype={inputs.dtype}"
            )
        table = ops.cast(self.embedding.embeddings, self.compute_dtype)
        return ops.matmul(ops.cast(inputs, self.compute_dtype), table)

    def _recurrence(self, projected):
        """The LSTM over time: hidden states `[B, T, H]` from input projections `[B, T, 4H]`."""
        zeros = ops.zeros((ops.shape(projected)[0], self.hidden_dim), projected.dtype)

        def body(carry, x_t):
            h, c = carry
            gates = x_t + self.recurrent_projection(h)
            if self.gate_normalization is not None:
                gates = self.gate_normalization(gates)
            i, f, g, o = ops.split(gates, 4, axis=-1)
            c = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)
            return ops.sigmoid(o) * ops.tanh(c), c

        hs, _ = backend.scan(body, (zeros, zeros), ops.transpose(projected, (1, 0, 2)))
        return ops.transpose(hs, (1, 0, 2))

    def compute_output_shape(self, input_shape) -> tuple:
        if isinstance(input_shape, dict):
            input_shape = input_shape["tokens"]
        return (input_shape[0], input_shape[1])

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
            loss: a loss, or `None` for `keras.losses.BinaryCrossentropy(from_logits=True)`
                (the mean over positions and rows).
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

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        # One label per sequence, [B, 1] (what `keras_seqgan.pipeline.pretrain_discriminator`
        # gives a whole-sequence discriminator), is every position's label.
        if y is not None and y_pred is not None and len(y.shape) == 2 and y.shape[-1] == 1:
            y = ops.broadcast_to(ops.cast(y, y_pred.dtype), ops.shape(y_pred))
        return super().compute_loss(x, y, y_pred, sample_weight, training)

    def compile_from_config(self, config: dict) -> None:
        recompile_from_config(self, config)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "sequence_length": self.sequence_length,
                "embedding_dim": self.embedding_dim,
                "hidden_dim": self.hidden_dim,
                "layer_norm": self.layer_norm,
                "dropout": self.dropout,
                "l2": self.l2,
                "conditions": None if self.conditions is None else dict(self.conditions),
                "condition_embedding_dim": self.condition_embedding_dim,
                "seed": self.seed,
            }
        )
        return config
