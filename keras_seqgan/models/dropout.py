"""Dropout whose mask is the same eagerly, in graph mode, under XLA and on both backends."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from keras_seqgan import backend
from keras_seqgan._seed_state import SeedStateMixin
from keras_seqgan._validation import check_float, check_seed, fold_seed


@keras.saving.register_keras_serializable(package="keras_seqgan")
class CounterDropout(SeedStateMixin, keras.layers.Layer):
    """Dropout with its mask drawn from keras_seqgan's counter-based random numbers.

    In training, each element is kept with probability `1 - rate` and scaled by
    `1 / (1 - rate)`, as `keras.layers.Dropout` does; outside training the layer is the
    identity. The difference is where the mask comes from. `keras.layers.Dropout` draws
    it from the backend's stateless generator, which on TensorFlow can give different
    masks under XLA than in graph mode from the same seed, so a model with dropout
    trained with `jit_compile=True` and with `False` drifts apart from the first step.
    This layer draws its uniform numbers with the counter-based hash that every other
    random number of a `keras_seqgan.SeqGAN` step uses
    (`keras_seqgan.backend.uniform`): the same bits eagerly, in a graph, under XLA and
    on TensorFlow and JAX. Under `tf.distribute`, each replica draws its own mask.

    Its random stream is a `keras.random.SeedGenerator` whose position is saved with the
    layer (Keras saves no seed-generator state), so a model reloaded from a `.keras`
    file continues the stream where it stopped.

    Args:
        rate: float in `[0, 1)`. Fraction of the inputs to drop.
        seed: int or `None`. Seed of the layer's random stream. Defaults to `None`
            (drawn from Keras's global random state, as `keras.random.SeedGenerator`
            does).
        **kwargs: Standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    import numpy as np
    import keras_seqgan as ks

    layer = ks.models.CounterDropout(0.5, seed=1)
    outputs = layer(np.ones((2, 4), "float32"), training=True)  # zeros and 2.0s
    ```
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        rate = check_float("rate", rate, low=0.0, high=1.0, high_inclusive=False)
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(fold_seed(self.seed), name="dropout_seed")
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0.0:
            return inputs
        # `batch_rows`: under tf.distribute each row of the global batch gets the mask
        # it gets on one device.
        uniforms = backend.uniform(ops.shape(inputs), self.seed_generator, batch_rows=True)
        keep = uniforms >= self.rate
        scale = ops.cast(1.0 / (1.0 - self.rate), inputs.dtype)
        return ops.where(keep, inputs * scale, ops.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
