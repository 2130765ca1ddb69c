"""Graph mode and XLA train the same, with the defaults, at a real vocabulary size.

TensorFlow runs a `SeqGAN` step as a graph on a CPU (`jit_compile="auto"`) and under XLA
with `jit_compile=True`. Both draw the same random numbers (a counter-based generator)
and the same dropout masks (`keras_seqgan.models.CounterDropout`: Keras's own `Dropout`
drew other masks under XLA and the runs parted at the first step), so they sample the
same tokens; the float results agree to rounding, not bit for bit, because XLA fuses
and reorders the sums of matrix products and reductions. Checked over 20 steps at
vocabulary 2,000 with the default discriminator (dropout 0.25), both objectives,
shuffled data. JAX compiles every step with XLA (its op-by-op mode took 441 s for these
20 steps), so there is nothing to compare it with there.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_seqgan.data import sequence_dataset
from tests.test_reproducibility import seeded_gan

pytestmark = [
    pytest.mark.slow,
    pytest.mark.tensorflow_only("compares TensorFlow's graph mode with XLA"),
]

V, T, B, STEPS = 2000, 6, 8, 20


def train(objective, jit_compile):
    gan = seeded_gan(objective, vocabulary_size=V, sequence_length=T, jit_compile=jit_compile)
    real = np.random.default_rng(0).integers(0, V, size=(STEPS * B, T)).astype("int32")

    class Batches(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            logs_by_batch.append(dict(logs))

    logs_by_batch = []
    gan.fit(
        sequence_dataset(real, batch_size=B, seed=11), epochs=1, verbose=0, callbacks=[Batches()]
    )
    optimizers = (gan.generator_optimizer, gan.discriminator_optimizer)
    variables = list(gan.variables) + [v for o in optimizers for v in o.variables]
    weights = [
        (v.name, np.asarray(v))
        for v in variables
        # The LSTM cells' unseeded, never-used dropout streams (their dropout is 0).
        if not (v.name == "seed_generator_state" and np.asarray(v)[1] == 0)
    ]
    return weights, logs_by_batch, np.asarray(gan.generate(256, seed=9))


@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_graph_and_xla_train_the_same_with_the_default_discriminator(objective):
    graph_weights, graph_logs, graph_tokens = train(objective, jit_compile=False)
    xla_weights, xla_logs, xla_tokens = train(objective, jit_compile=True)
    assert len(graph_logs) == len(xla_logs) == STEPS
    for graph, xla in zip(graph_logs, xla_logs, strict=True):
        assert graph.keys() == xla.keys()
        for key in graph:
            np.testing.assert_allclose(graph[key], xla[key], rtol=1e-4, atol=1e-5, err_msg=key)
    for (name, graph), (_, xla) in zip(graph_weights, xla_weights, strict=True):
        np.testing.assert_allclose(graph, xla, rtol=1e-4, atol=1e-4, err_msg=name)
    # The same random numbers and weights equal to rounding: the same samples, but for a
    # token whose uniform number falls within rounding of a boundary of the cumulative
    # distribution (1 of 1,536 tokens here, for one of the objectives).
    assert np.mean(graph_tokens != xla_tokens) < 0.01
