"""SeqGAN's adversarial updates count regularization losses as Keras's `fit` does.

Each test trains one step twice from the same weights and random streams, once with a
penalty and once without, with plain SGD and no clipping: every other term of the
gradient is the same, so the two updates differ by exactly `-learning_rate` times the
penalty's gradient, on the penalized weight alone.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import ops

import keras_seqgan as ks
from keras_seqgan.models import Discriminator, Generator

V, T, B = 12, 6, 8
LR = 0.1


class PenalizedGenerator(Generator):
    """A generator whose `call` adds `coefficient * sum(output kernel ** 2)` by `add_loss`."""

    def __init__(self, coefficient=0.0, **kwargs):
        super().__init__(**kwargs)
        self.coefficient = coefficient

    def call(self, inputs, training=False):
        if self.coefficient:
            kernel = self.output_projection.kernel
            self.add_loss(self.coefficient * ops.sum(ops.square(kernel)))
        return super().call(inputs, training=training)


def one_step(objective="reinforce", output_l2=0.0, add_loss=0.0, generator_l2=0.0):
    keras.utils.set_random_seed(0)
    generator = PenalizedGenerator(
        add_loss, vocabulary_size=V, sequence_length=T, embedding_dim=4, hidden_dim=4, seed=1
    )
    if generator_l2:
        generator.output_projection.kernel.regularizer = keras.regularizers.L2(generator_l2)
    discriminator = Discriminator(
        vocabulary_size=V,
        sequence_length=T,
        embedding_dim=4,
        filter_sizes=(1, 2),
        num_filters=(4, 4),
        seed=2,
        output_l2=output_l2,
    )
    discriminator.output_dense.bias.assign([0.5])  # nonzero, so that its penalty shows
    gan = ks.SeqGAN(generator, discriminator, objective=objective, num_rollouts=2, seed=3)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(LR),
        discriminator_optimizer=keras.optimizers.SGD(LR),
        gradient_clip=None,
    )
    before = {
        "d": np.array(discriminator.output_dense.kernel),
        "d_bias": np.array(discriminator.output_dense.bias),
        "g": np.array(generator.output_projection.kernel),
    }
    real = np.random.default_rng(0).integers(0, V, size=(B, T)).astype("int32")
    gan.fit(real, batch_size=B, epochs=1, shuffle=False, verbose=0)
    after = {
        "d": np.array(discriminator.output_dense.kernel),
        "d_bias": np.array(discriminator.output_dense.bias),
        "g": np.array(generator.output_projection.kernel),
    }
    others = {
        "d": [np.array(w) for w in discriminator.weights],
        "g": [np.array(w) for w in generator.weights],
    }
    return before, after, others


def assert_only(name, plain, penalized, expected_shift):
    """`penalized` moved from `plain` by `expected_shift` on `name`, and no other weight
    of that model moved (a D penalty changes D, hence G's rewards and G too)."""
    np.testing.assert_allclose(penalized[1][name] - plain[1][name], expected_shift, atol=1e-6)
    assert np.abs(expected_shift).max() > 1e-3  # the penalty's effect is visible
    model = name[0]
    changed = [
        i for i, (a, b) in enumerate(zip(plain[2][model], penalized[2][model], strict=True))
        if not np.allclose(a, b, atol=1e-6)
    ]  # fmt: skip
    assert len(changed) == (2 if model == "d" else 1)  # (the output kernel and bias, for D)
    if model == "g":  # the discriminator's update came first and is untouched
        for a, b in zip(plain[2]["d"], penalized[2]["d"], strict=True):
            np.testing.assert_array_equal(a, b)


def test_the_discriminator_update_counts_its_weight_regularizers():
    """`Discriminator(output_l2=l)`: the authors' `l * (sum(w**2) + sum(b**2)) / 2`."""
    plain, penalized = one_step(), one_step(output_l2=2.0)
    start = plain[0]
    assert_only("d", plain, penalized, -LR * 2.0 * start["d"])
    np.testing.assert_allclose(
        penalized[1]["d_bias"] - plain[1]["d_bias"], -LR * 2.0 * start["d_bias"], atol=1e-6
    )
    assert start["d_bias"][0] == 0.5


def test_the_generator_update_counts_its_add_loss_terms():
    plain, penalized = one_step(), one_step(add_loss=0.5)
    assert_only("g", plain, penalized, -LR * 2 * 0.5 * plain[0]["g"])


@pytest.mark.backend_independent(
    "the penalties are summed by the code the two tests above run on both backends"
)
@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_the_generator_update_counts_its_weight_regularizers(objective):
    plain, penalized = one_step(objective), one_step(objective, generator_l2=0.3)
    assert_only("g", plain, penalized, -LR * 2 * 0.3 * plain[0]["g"])


@pytest.mark.backend_independent("a Keras regularizer's value and a config round trip")
def test_pre_training_fit_counts_the_output_penalty_too():
    """Plain Keras `fit` of the discriminator sees the same penalty in `losses`."""
    discriminator = Discriminator(
        vocabulary_size=V, sequence_length=T, filter_sizes=(1,), num_filters=(2,), output_l2=0.2
    )
    kernel, bias = discriminator.output_dense.kernel, discriminator.output_dense.bias
    expected = 0.2 * (np.sum(np.square(kernel)) + np.sum(np.square(bias))) / 2
    np.testing.assert_allclose(float(sum(discriminator.losses)), expected, rtol=1e-6)
    clone = Discriminator.from_config(discriminator.get_config())
    assert clone.output_l2 == 0.2


@pytest.mark.parametrize("value, error", [(-0.1, ValueError), ("0.2", TypeError)])
def test_output_l2_is_checked(value, error):
    with pytest.raises(error, match="output_l2"):
        Discriminator(
            vocabulary_size=V, sequence_length=T, filter_sizes=(2,), num_filters=(2,),
            output_l2=value,
        )  # fmt: skip
