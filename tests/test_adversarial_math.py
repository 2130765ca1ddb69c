"""The adversarial math against formulas and directions, not against itself.

Each loss is checked on fixed inputs against a formula written out here; each network is
shown to learn the right way (a fixed discriminator that likes one token makes the
generator emit it, under both objectives; the discriminator learns to tell real from
fake with the default dropout); the rollout rewards are checked against a slow per-row
loop with the default dropout on (scored with `training=False`); and the temperature a
callback assigns after the step was traced is the one the step samples with. Negating
the policy-gradient loss, swapping the discriminator's labels or sampling at a fixed
temperature each make tests here fail (issue 19).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import ops

import keras_seqgan as ks
from keras_seqgan.models import Discriminator, Generator
from keras_seqgan.objectives import (
    OBJECTIVES,
    gumbel_generator_loss,
    policy_gradient_loss,
)
from keras_seqgan.seqgan import discriminator_losses
from tests.test_seqgan import assert_rewards_match_the_reference

V, T, B, K = 8, 4, 16, 3  # K: the token the fixed discriminator likes


class TokenLover(keras.Model):
    """A discriminator that likes token `token`: logit `scale * (share - 0.5) + offset`.

    `share` is the fraction of positions holding `token` (for relaxed one-hot input, the
    mean weight on it), so it scores int tokens `[N, T]` and Gumbel-softmax samples
    `[N, T, V]` alike. `scale` and `offset` are trainable: a custom (non-`Discriminator`)
    discriminator that `SeqGAN` can also train.
    """

    def __init__(self, token=K, scale=8.0, **kwargs):
        super().__init__(**kwargs)
        self.token = token
        self.scale = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(scale), name="scale"
        )
        self.offset = self.add_weight(shape=(), initializer="zeros", name="offset")
        self.built = True

    def call(self, inputs, training=False):
        if "int" in keras.backend.standardize_dtype(inputs.dtype):
            share = ops.mean(ops.cast(ops.equal(inputs, self.token), "float32"), axis=1)
        else:
            share = ops.mean(ops.cast(inputs[..., self.token], "float32"), axis=1)
        return (self.scale * (share - 0.5) + self.offset)[:, None]


def make_generator(**kwargs):
    config = dict(vocabulary_size=V, sequence_length=T, embedding_dim=8, hidden_dim=8, seed=1)
    config.update(kwargs)
    return Generator(**config)


def default_discriminator():
    """The paper's CNN with its default dropout (0.25): only the filters fit T = 4."""
    return Discriminator(
        vocabulary_size=V,
        sequence_length=T,
        embedding_dim=8,
        filter_sizes=(1, 2, 3),
        num_filters=(8, 8, 8),
    )


def log_softmax(x):
    x = np.asarray(x, dtype="float64")
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def share_of(tokens, token=K):
    return float(np.mean(np.asarray(tokens) == token))


# ------------------------------------------------------------------- formulas
def test_discriminator_losses_are_binary_cross_entropy_with_real_labelled_one():
    real = np.array([[2.0], [-1.0], [0.0], [30.0]], "float32")
    fake = np.array([[-3.0], [0.5], [0.0], [-40.0]], "float32")
    d_loss, d_loss_real, d_loss_fake, d_acc = (float(v) for v in discriminator_losses(real, fake))
    # -log sigmoid(x) for the real ones (label 1), -log(1 - sigmoid(x)) for the fakes.
    expected_real = np.mean(np.log1p(np.exp(-real.astype("float64"))))
    expected_fake = np.mean(np.log1p(np.exp(fake.astype("float64"))))
    np.testing.assert_allclose(d_loss_real, expected_real, rtol=1e-6)
    np.testing.assert_allclose(d_loss_fake, expected_fake, rtol=1e-6)
    np.testing.assert_allclose(d_loss, 0.5 * (expected_real + expected_fake), rtol=1e-6)
    # Keras's own cross-entropy with those labels agrees.
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    np.testing.assert_allclose(d_loss_real, float(bce(np.ones_like(real), real)), rtol=1e-5)
    np.testing.assert_allclose(d_loss_fake, float(bce(np.zeros_like(fake), fake)), rtol=1e-5)
    # Accuracy: a logit > 0 says "real". Real: 2 of 4 (0.0 is not > 0); fake: 3 of 4.
    assert d_acc == pytest.approx(0.5 * (2 / 4 + 3 / 4))


def test_policy_gradient_loss_is_minus_mean_log_prob_times_reward():
    generator = make_generator()
    tokens = np.asarray(generator.generate(6, seed=2))
    rewards = np.random.default_rng(0).uniform(0.0, 1.0, size=tokens.shape).astype("float32")
    temperature = 0.7
    loss = float(policy_gradient_loss(generator, tokens, rewards, temperature=temperature))
    # The policy's log-probabilities by stepping the recurrence one token at a time.
    log_probs = np.zeros(tokens.shape)
    state = generator.initial_state(len(tokens))
    previous = np.full((len(tokens),), generator.start_token, "int32")
    for t in range(T):
        logits, state = generator.step(previous, state)
        table = log_softmax(np.asarray(logits) / temperature)
        log_probs[:, t] = table[np.arange(len(tokens)), tokens[:, t]]
        previous = tokens[:, t]
    expected = -np.mean(log_probs * rewards)
    assert expected > 0  # log-probabilities < 0, rewards > 0: the loss to minimise is > 0
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


def test_gumbel_generator_loss_is_minus_log_d_of_the_relaxed_samples():
    generator = make_generator()
    discriminator = TokenLover()
    loss, reward = gumbel_generator_loss(generator, discriminator, 32, temperature=0.5, seed=3)
    soft, hard = generator.sample_relaxed(32, temperature=0.5, seed=3, training=True)
    soft = np.asarray(soft, "float64")
    share = soft[..., K].mean(axis=1)
    probability = 1.0 / (1.0 + np.exp(-(8.0 * (share - 0.5))))
    np.testing.assert_allclose(float(loss), np.mean(-np.log(probability)), rtol=1e-5)
    np.testing.assert_allclose(float(reward), np.mean(probability), rtol=1e-5)
    # The hard tokens are the argmax of the relaxed ones (same noise, temperature > 0).
    np.testing.assert_array_equal(np.asarray(hard), soft.argmax(-1))


# ------------------------------------------------------------------ directions
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_a_fixed_discriminator_that_likes_a_token_makes_the_generator_emit_it(objective):
    # The discriminator is held fixed (d_steps=0); 20 generator updates must move the
    # generator toward what it likes. A negated loss moves it away.
    generator = make_generator()
    gan = ks.SeqGAN(generator, TokenLover(), objective=objective, num_rollouts=4, seed=5)
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-2), d_steps=0)
    before = share_of(generator.generate(4000, seed=123))
    history = gan.fit(np.zeros((20 * B, T), "int32"), batch_size=B, epochs=1, verbose=0)
    after = share_of(generator.generate(4000, seed=123))
    assert before < 0.2 and after > before + 0.15, (before, after)
    # What the discriminator gives the generator's samples rose with it.
    probability = np.asarray(gan(generator.generate(4000, seed=7)))
    assert float(probability.mean()) > history.history["reward_mean"][0] / 2 + 0.1


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_the_default_discriminator_learns_to_tell_real_from_fake(objective):
    # Real sequences are all token 0; the generator (barely moving) rarely emits them.
    # A few SeqGAN discriminator updates, the default dropout on, must make it say "real"
    # to the real ones and "fake" to the generator's: swapped labels do the opposite.
    generator = make_generator()
    gan = ks.SeqGAN(generator, default_discriminator(), objective=objective, num_rollouts=1, seed=5)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(0.0),
        discriminator_optimizer=keras.optimizers.Adam(2e-2),
    )
    real = np.zeros((30 * B, T), "int32")
    history = gan.fit(real, batch_size=B, epochs=1, verbose=0)
    assert history.history["d_acc"][-1] > 0.8  # the epoch's mean, from chance (0.5)
    logs = gan.evaluate(real[:B], batch_size=B, verbose=0, return_dict=True)
    assert logs["d_acc"] == 1.0 and logs["d_loss"] < 0.2, logs
    real_logits = np.asarray(gan.discriminator(real[:B], training=False))
    fake_logits = np.asarray(gan.discriminator(generator.generate(256, seed=9), training=False))
    assert np.all(real_logits > 0) and np.mean(fake_logits < 0) > 0.95


def test_rollout_rewards_with_dropout_on_match_a_per_row_reference():
    # The default discriminator (dropout 0.25) must score the completions with
    # training=False: scored in training mode, dropout would change every reward.
    keras.utils.set_random_seed(0)
    generator = make_generator()
    discriminator = default_discriminator()
    assert discriminator.dropout > 0
    assert_rewards_match_the_reference(generator, discriminator)


# ----------------------------------------------------------------- temperature
def make_temperature_gan(objective, jit_compile, temperature):
    generator = make_generator()
    bias = np.zeros(V, "float32")
    bias[K] = 2.0  # K is the likeliest token, far less so at a high temperature
    generator.output_projection.bias.assign(bias)
    gan = ks.SeqGAN(
        generator, TokenLover(), objective=objective, num_rollouts=2, temperature=temperature
    )
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(1e-2),
        discriminator_optimizer=keras.optimizers.SGD(1e-2),
        jit_compile=jit_compile,
    )
    return gan


def all_state(gan):
    optimizers = (gan.generator_optimizer, gan.discriminator_optimizer)
    return list(gan.variables) + [v for o in optimizers for v in o.variables]


# On TensorFlow the graph case runs by default and the XLA one in the slow set; on JAX
# (whose step is always XLA) the XLA case runs by default.
XLA_MARKS = pytest.mark.slow if keras.backend.backend() == "tensorflow" else ()


@pytest.mark.parametrize(
    "jit_compile",
    [pytest.param(False, id="graph"), pytest.param(True, id="xla", marks=XLA_MARKS)],
)
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_a_temperature_assigned_after_tracing_is_the_one_the_step_samples_with(
    objective, jit_compile
):
    if keras.backend.backend() == "jax" and not jit_compile:
        pytest.skip("on JAX, jit_compile=False runs the step op by op (the XLA case covers it)")
    real = np.zeros((B, T), "int32")
    # Traced and stepped at 1.0, then the temperature is assigned as a callback does.
    traced = make_temperature_gan(objective, jit_compile, temperature=1.0)
    first = traced.train_on_batch(real, return_dict=True)
    fresh = make_temperature_gan(objective, jit_compile, temperature=4.0)
    for target, source in zip(all_state(fresh), all_state(traced), strict=True):
        # fresh: the same state (copied: JAX's step donates the buffers it was given),
        # its step never traced at 1.0.
        target.assign(np.array(source))
    traced.temperature.assign(4.0)
    fresh.temperature.assign(4.0)
    for gan in (traced, fresh):
        gan.reset_metrics()
    second = traced.train_on_batch(real, return_dict=True)
    reference = fresh.train_on_batch(real, return_dict=True)
    assert second == reference
    for a, b in zip(all_state(traced), all_state(fresh), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)
    # And the step really used 4.0: K's share of the samples (reinforce) or the weight
    # the relaxed one-hot samples put on K (gumbel), so the reward, fell sharply.
    assert second["temperature"] == 4.0 and first["temperature"] == 1.0
    assert second["reward_mean"] < first["reward_mean"] - 0.15, (first, second)
