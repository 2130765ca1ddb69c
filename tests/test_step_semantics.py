"""What the documented step settings really do, with the default discriminator (dropout on).

- `evaluate` (the test step) trains nothing and draws its fakes from a stream of its own,
  so `fit(validation_data=...)` trains exactly as `fit` without it.
- `g_steps=2` is two generator updates, as two steps of `g_steps=1` would make them.
- `steps_per_execution=k` runs k ordinary steps per call.

Every model here is built from the same constructor seeds (`seeded_gan`), so two runs
that do the same updates end with the same weights.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_seqgan.data import sequence_dataset
from tests.test_reproducibility import B, T, V, seeded_gan

OBJECTIVES = ["reinforce", "gumbel"]


def real_tokens(rows=4 * B, seed=0):
    return np.random.default_rng(seed).integers(0, V, size=(rows, T)).astype("int32")


def state(gan):
    """Every variable a step may touch, by path: model, both optimizers, metrics."""
    variables = list(gan.variables) + list(gan.metrics_variables)
    for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):
        variables.extend(optimizer.variables)
    values = {}
    for variable in variables:
        values.setdefault(variable.path, np.array(variable))
    return values


def trained_weights(gan):
    return [np.array(w) for w in gan.weights]


def network_weights(gan):
    """The networks' weights and the training stream's position (not the step counter)."""
    layers = (gan.generator, gan.rollout, gan.discriminator)
    return [np.array(w) for layer in layers for w in layer.weights] + [
        np.array(gan.seed_generator.state)
    ]


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_evaluate_changes_nothing_but_its_own_stream_and_metrics(objective):
    gan = seeded_gan(objective)
    gan.fit(sequence_dataset(real_tokens(), batch_size=B, seed=11), epochs=1, verbose=0)
    before = state(gan)
    logs = gan.evaluate(real_tokens(2 * B, seed=1), batch_size=B, verbose=0, return_dict=True)
    after = state(gan)
    assert {"d_loss", "d_loss_real", "d_loss_fake", "d_acc"} <= set(logs)
    assert all(np.isfinite(value) for value in logs.values())
    metric_paths = {v.path for v in gan.metrics_variables}
    changed = {
        path
        for path in before
        if not np.array_equal(before[path], after[path]) and path not in metric_paths
    }
    assert changed == {gan.evaluation_seed_generator.state.path}
    # Its stream moves on (fresh fakes each call) and repeats from the same seeds.
    again = seeded_gan(objective)
    again.fit(sequence_dataset(real_tokens(), batch_size=B, seed=11), epochs=1, verbose=0)
    assert (
        again.evaluate(real_tokens(2 * B, seed=1), batch_size=B, verbose=0, return_dict=True)
        == logs
    )


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_validation_data_leaves_the_training_run_as_it_was(objective):
    def run(**kwargs):
        gan = seeded_gan(objective)
        data = sequence_dataset(real_tokens(), batch_size=B, seed=11)  # shuffled
        history = gan.fit(data, epochs=2, verbose=0, **kwargs)
        return trained_weights(gan), history.history

    plain_weights, plain = run()
    validated_weights, validated = run(validation_data=(real_tokens(2 * B, seed=1),))
    for a, b in zip(plain_weights, validated_weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert {f"val_{key}" for key in ("d_loss", "d_acc")} <= set(validated)
    assert {key: validated[key] for key in plain} == plain


def test_an_evaluation_stream_is_saved_and_restored(tmp_path):
    gan = seeded_gan("reinforce")
    gan.fit(real_tokens(), batch_size=B, epochs=1, verbose=0)
    gan.evaluate(real_tokens(B, seed=1), batch_size=B, verbose=0)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(
        np.array(loaded.evaluation_seed_generator.state),
        np.array(gan.evaluation_seed_generator.state),
    )
    data = real_tokens(B, seed=2)
    assert loaded.evaluate(data, batch_size=B, verbose=0, return_dict=True) == gan.evaluate(
        data, batch_size=B, verbose=0, return_dict=True
    )


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_g_steps_2_is_two_generator_updates(objective):
    """One step of `g_steps=2` (D, G, G) against two steps of `g_steps=1` with the
    discriminator trained every other step (D, G | G): the same updates from the same
    random stream, so the same weights; `g_loss` is the mean of the two updates'."""
    batch = real_tokens(B)
    twice = seeded_gan(objective, g_steps=2)
    twice_logs = twice.train_on_batch(batch, return_dict=True)
    once = seeded_gan(objective, d_train_interval=2)
    first = once.train_on_batch(batch, return_dict=True)
    second = once.train_on_batch(batch, return_dict=True)
    assert second["d_loss"] == 0.0  # no discriminator update in the second step
    for a, b in zip(network_weights(twice), network_weights(once), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        twice_logs["g_loss"], (first["g_loss"] + second["g_loss"]) / 2, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(twice_logs["d_loss"], first["d_loss"], rtol=1e-6)
    # And it is not one update: a g_steps=1 step ends elsewhere.
    single = seeded_gan(objective)
    single.train_on_batch(batch)
    assert any(
        not np.allclose(a, b, rtol=0, atol=1e-6)
        for a, b in zip(network_weights(single), network_weights(twice), strict=True)
    )


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_steps_per_execution_runs_k_ordinary_steps(objective):
    def run(steps_per_execution):
        gan = seeded_gan(objective, steps_per_execution=steps_per_execution)
        data = sequence_dataset(real_tokens(6 * B), batch_size=B, seed=11)
        history = gan.fit(data, epochs=2, verbose=0)
        return trained_weights(gan), history.history, int(gan.step_counter)

    weights_1, logs_1, steps_1 = run(1)
    weights_3, logs_3, steps_3 = run(3)
    assert steps_1 == steps_3 == 12
    for a, b in zip(weights_1, weights_3, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    assert sorted(logs_1) == sorted(logs_3)
    for key in logs_1:
        np.testing.assert_allclose(logs_3[key], logs_1[key], rtol=1e-5, atol=1e-6, err_msg=key)
