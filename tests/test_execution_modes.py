"""Graph mode, XLA and eager execution train the same, with the defaults, at a real
vocabulary size.

TensorFlow runs a `SeqGAN` step as a graph on a CPU (`jit_compile="auto"`), under XLA
with `jit_compile=True`, and op by op with `run_eagerly=True`. All three draw the same
random numbers (a counter-based generator) and the same dropout masks
(`keras_seqgan.models.CounterDropout`: Keras's own `Dropout` drew other masks under XLA
and the runs parted at the first step), so they sample the same tokens; the float
results agree to rounding, not bit for bit, because XLA fuses and reorders the sums of
matrix products and reductions. Checked over 20 steps at vocabulary 2,000 with the
default discriminator (dropout 0.25), both objectives, shuffled data. JAX compiles every
step with XLA (its op-by-op mode took 441 s for these 20 steps), so there is nothing to
compare it with there.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_seqgan.data import sequence_dataset
from tests.test_reproducibility import seeded_gan

pytestmark = [
    pytest.mark.slow,
    pytest.mark.tensorflow_only("compares TensorFlow's graph mode with XLA and eager"),
]

V, T, B, STEPS = 2000, 6, 8, 20


def train(objective, jit_compile, run_eagerly=False):
    gan = seeded_gan(
        objective,
        vocabulary_size=V,
        sequence_length=T,
        jit_compile=jit_compile,
        run_eagerly=run_eagerly,
    )
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


def assert_same_training(reference, other):
    reference_weights, reference_logs, reference_tokens = reference
    weights, logs, tokens = other
    assert len(reference_logs) == len(logs) == STEPS
    for expected, got in zip(reference_logs, logs, strict=True):
        assert expected.keys() == got.keys()
        for key in expected:
            np.testing.assert_allclose(got[key], expected[key], rtol=1e-4, atol=1e-5, err_msg=key)
    for (name, expected), (_, got) in zip(reference_weights, weights, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4, err_msg=name)
    # The same random numbers and weights equal to rounding: the same samples, but for a
    # token whose uniform number falls within rounding of a boundary of the cumulative
    # distribution (1 of 1,536 tokens here, for one of the objectives).
    assert np.mean(reference_tokens != tokens) < 0.01


@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_graph_xla_and_eager_train_the_same_with_the_default_discriminator(objective):
    graph = train(objective, jit_compile=False)
    assert_same_training(graph, train(objective, jit_compile=True))
    assert_same_training(graph, train(objective, jit_compile=False, run_eagerly=True))
