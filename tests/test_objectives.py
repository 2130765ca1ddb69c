"""`keras_seqgan.objectives`: the objectives as configurable, saved objects."""

from __future__ import annotations

import os

import keras
import numpy as np
import pytest
from _models import tiny_gan, tiny_models

import keras_seqgan as ks
from keras_seqgan.objectives import Gumbel, Reinforce, adversarial_losses

V, T, B = 10, 5, 8
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def make_gan(objective, **kwargs):
    """Not compiled; the objective's own rollouts unless `num_rollouts` is given."""
    kwargs.setdefault("num_rollouts", None)
    models = tiny_models(V, T, discriminator_seed=2)
    return tiny_gan(*models, objective=objective, seed=3, compile=False, **kwargs)


def real_tokens():
    return np.random.default_rng(0).integers(0, V, size=(B, T)).astype("int32")


# ------------------------------------------------------------- the objects
@pytest.mark.backend_independent("configs, argument checks and formulas on small arrays")
def test_names_configs_and_objects_give_the_same_objective():
    assert ks.objectives.get("reinforce") == Reinforce()
    assert ks.objectives.get("gumbel") == Gumbel()
    objective = Reinforce(num_rollouts=4, rollout_update_rate=0.0, reduction="sum",
                          baseline="mean", loss="hinge", reward="log")  # fmt: skip
    assert ks.objectives.get(objective) is objective
    config = keras.saving.serialize_keras_object(objective)
    assert ks.objectives.get(config) == objective
    assert Gumbel.from_config(Gumbel(loss="relativistic").get_config()).loss == "relativistic"
    assert objective == "reinforce" and objective != Reinforce()  # names compare too
    assert "baseline='mean'" in repr(objective)
    # Issue 18's ablation made the authors' summed loss the default (docs/oracle.md).
    assert Reinforce().reduction == "sum" and ks.objectives.get("reinforce").reduction == "sum"


@pytest.mark.backend_independent("configs, argument checks and formulas on small arrays")
@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: ks.objectives.get("ppo"), ValueError, "objective"),
        (lambda: ks.objectives.get(3), TypeError, "objective"),
        (lambda: Reinforce(num_rollouts=0), ValueError, "num_rollouts"),
        (lambda: Reinforce(rollout_update_rate=1.5), ValueError, "rollout_update_rate"),
        (lambda: Reinforce(reduction="max"), ValueError, "reduction"),
        (lambda: Reinforce(baseline="median"), ValueError, "baseline"),
        (lambda: Reinforce(reward="logit"), ValueError, "reward"),
        (lambda: Reinforce(loss="relativistic"), ValueError, "pairs"),
        (lambda: Gumbel(loss="wasserstein"), ValueError, "loss"),
        (lambda: make_gan(Reinforce(), num_rollouts=4), ValueError, "belong to the objective"),
    ],
)
def test_bad_objectives_name_the_argument(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.backend_independent("configs, argument checks and formulas on small arrays")
def test_the_adversarial_losses_are_their_formulas():
    real = np.array([[2.0], [-1.0], [0.5]], "float32")
    fake = np.array([[-3.0], [0.5], [1.0]], "float32")

    def softplus(x):
        return np.log1p(np.exp(x))

    expected = {
        "standard": (softplus(-real).mean(), softplus(fake).mean()),
        "hinge": (np.maximum(0, 1 - real).mean(), np.maximum(0, 1 + fake).mean()),
        "least_squares": (((real - 1) ** 2).mean(), (fake**2).mean()),
    }
    for loss, (loss_real, loss_fake) in expected.items():
        values = [float(v) for v in adversarial_losses(loss, real, fake)]
        np.testing.assert_allclose(
            values,
            [(loss_real + loss_fake) / 2, loss_real, loss_fake, (2 / 3 + 1 / 3) / 2],
            rtol=1e-6,
        )
    relativistic = softplus(fake - real).mean()
    values = [float(v) for v in adversarial_losses("relativistic", real, fake)]
    np.testing.assert_allclose(values, [relativistic] * 3 + [1 / 3], rtol=1e-6)
    for loss, value in {
        "standard": softplus(-fake).mean(),
        "relativistic": softplus(real - fake).mean(),
        "hinge": -fake.mean(),
        "least_squares": ((fake - 1) ** 2).mean(),
    }.items():
        got = ks.objectives.generator_adversarial_loss(loss, fake, real)
        np.testing.assert_allclose(float(got), value, rtol=1e-6, err_msg=loss)


@pytest.mark.backend_independent("configs, argument checks and formulas on small arrays")
def test_the_mean_baseline_centres_each_positions_rewards():
    rewards = np.random.default_rng(1).uniform(size=(6, 4)).astype("float32")
    centred = np.asarray(Reinforce(baseline="mean").advantages(rewards))
    np.testing.assert_allclose(centred.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(centred, rewards - rewards.mean(axis=0), atol=1e-6)
    np.testing.assert_array_equal(np.asarray(Reinforce().advantages(rewards)), rewards)


@pytest.mark.backend_independent("configs, argument checks and formulas on small arrays")
def test_log_rewards_are_floored_logs_and_centred_after():
    rewards = np.array([[0.5, 0.0], [0.25, 1e-9], [1.0, 0.1]], "float32")
    logs = np.log(np.maximum(rewards, 1e-6))
    shaped = np.asarray(Reinforce(reward="log").advantages(rewards))
    np.testing.assert_allclose(shaped, logs, rtol=1e-6)
    assert np.isfinite(shaped).all() and shaped.min() == pytest.approx(np.log(1e-6))
    centred = np.asarray(Reinforce(reward="log", baseline="mean").advantages(rewards))
    np.testing.assert_allclose(centred, logs - logs.mean(axis=0), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------- in a SeqGAN
def one_step(objective, learning_rate):
    gan = make_gan(objective)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(learning_rate),
        discriminator_optimizer=keras.optimizers.SGD(1e-2),
        gradient_clip=None,
    )
    gan.fit(real_tokens(), batch_size=B, epochs=1, shuffle=False, verbose=0)
    return [np.array(w) for w in gan.generator.weights]


def test_reduction_sum_is_the_mean_times_batch_and_length():
    """The authors' sum and our mean point the same way: SGD at lr / (B * T) on the sum
    makes the update SGD at lr makes on the mean."""
    mean = one_step(Reinforce(num_rollouts=2, reduction="mean"), 0.1)
    summed = one_step(Reinforce(num_rollouts=2), 0.1 / (B * T))  # the default is the sum
    for a, b in zip(mean, summed, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    baseline = one_step(Reinforce(num_rollouts=2, reduction="mean", baseline="mean"), 0.1)
    assert any(not np.allclose(a, b, atol=1e-6) for a, b in zip(mean, baseline, strict=True))


@pytest.mark.parametrize("loss", ["relativistic", "hinge", "least_squares"])
def test_every_gumbel_loss_trains(loss):
    gan = make_gan(Gumbel(loss=loss))
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    before = [np.array(w) for w in gan.weights]
    history = gan.fit(real_tokens(), batch_size=B, epochs=2, shuffle=False, verbose=0)
    logs = history.history
    assert all(np.isfinite(logs[key][-1]) for key in ("d_loss", "g_loss", "d_acc"))
    assert logs["g_skipped"][-1] == 0 and logs["d_skipped"][-1] == 0
    changed = [
        not np.array_equal(a, np.asarray(w)) for a, w in zip(before, gan.weights, strict=True)
    ]
    assert sum(changed) > 4  # both players moved


def test_an_objective_travels_in_the_keras_file(tmp_path):
    # Not the defaults: the file must carry each (the mean too, no longer the default).
    objective = Reinforce(num_rollouts=2, rollout_update_rate=0.0, baseline="mean",
                          reduction="mean", loss="least_squares")  # fmt: skip
    gan = make_gan(objective)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    gan.fit(real_tokens(), batch_size=B, epochs=1, shuffle=False, verbose=0)
    path = str(tmp_path / "gan.keras")
    ks.saving.save_model(gan, path)
    loaded = keras.models.load_model(path)
    assert loaded.objective == objective and loaded.num_rollouts == 2
    assert loaded.rollout_update_rate == 0.0


def test_a_file_saved_before_the_objective_classes_still_loads():
    """Saved by the code of 93aba8f: `objective="reinforce", num_rollouts=3,
    rollout_update_rate=0.5` as SeqGAN arguments, trained one step."""
    gan = keras.models.load_model(os.path.join(DATA, "seqgan_before_objectives.keras"))
    # The policy-gradient loss was the mean then; the file resumes with it.
    assert gan.objective == Reinforce(num_rollouts=3, rollout_update_rate=0.5, reduction="mean")
    np.testing.assert_array_equal(
        gan.generate(5, seed=7),
        [[1, 3, 3, 5], [0, 4, 3, 1], [3, 3, 4, 5], [7, 4, 6, 3], [3, 5, 5, 6]],
    )


@pytest.mark.backend_independent("configs, argument checks and formulas on small arrays")
def test_label_smoothing_moves_the_real_target_only():
    real = np.array([[2.0], [-1.0], [0.5]], "float32")
    fake = np.array([[-3.0], [0.5], [1.0]], "float32")
    s = 0.1

    def softplus(x):
        return np.log1p(np.exp(x))

    smoothed_real = ((1 - s) * softplus(-real) + s * softplus(real)).mean()
    values = [float(v) for v in Reinforce(label_smoothing=s).discriminator_losses(real, fake)]
    np.testing.assert_allclose(
        values, [(smoothed_real + softplus(fake).mean()) / 2, smoothed_real,
                 softplus(fake).mean(), 0.5], rtol=1e-6,
    )  # fmt: skip
    squares = [float(v) for v in Gumbel("least_squares", 0.2).discriminator_losses(real, fake)]
    assert squares[1] == pytest.approx(float(((real - 0.8) ** 2).mean()), rel=1e-6)
    # A smoothed discriminator's loss is smallest at the logit of 1 - s, not at +infinity.
    logits = np.linspace(-1, 6, 701, dtype="float32")[:, None]
    per_logit = [float(Reinforce(label_smoothing=s).discriminator_losses(x[None], fake)[1])
                 for x in logits]  # fmt: skip
    best = float(logits[int(np.argmin(per_logit))][0])
    assert best == pytest.approx(np.log((1 - s) / s), abs=0.01)
    # Saved: the setting travels; off, the config is what it was before the option.
    objective = Reinforce(label_smoothing=s)
    assert ks.objectives.get(keras.saving.serialize_keras_object(objective)) == objective
    assert "label_smoothing" not in Reinforce().get_config()
    for make in (lambda: Reinforce(label_smoothing=1.0), lambda: Reinforce(label_smoothing=-0.1),
                 lambda: Gumbel("hinge", label_smoothing=0.1)):  # fmt: skip
        with pytest.raises(ValueError, match="label_smoothing"):
            make()
