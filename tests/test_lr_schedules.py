"""Learning-rate callbacks and schedules with a SeqGAN's two optimizers (issue 27, item 1).

Keras's `LearningRateScheduler` and `ReduceLROnPlateau` set `model.optimizer.learning_rate`:
on a SeqGAN that is an `OptimizerPair`, which scales both optimizers by the generator's
factor. `keras_seqgan.callbacks.LearningRateScheduler(which=...)` sets one optimizer or
both and logs `g_learning_rate` / `d_learning_rate`. `keras.optimizers.schedules` keep
working without these callbacks; with them, a `TypeError` names the optimizer before
training.

One tiny SeqGAN (V=20, T=6, 2 rollouts, 2 batches an epoch) serves the tests that need no
other optimizers; each sets its rates first.
"""

import copy
import functools
import os

import keras
import numpy as np
import pytest
from _models import tiny_gan, tiny_models

import keras_seqgan as ks
from keras_seqgan._optimizer_pair import OptimizerPair

V, T, B = 20, 6, 4
REAL = np.random.default_rng(0).integers(0, V, size=(2 * B, T)).astype("int32")
G_RATE, D_RATE = 1e-2, 1e-3


def new_gan(generator_optimizer=None, discriminator_optimizer=None):
    models = tiny_models(V, T, num_filters=2, dropout=0.0)
    return tiny_gan(
        *models,
        generator_optimizer=generator_optimizer or keras.optimizers.Adam(G_RATE),
        discriminator_optimizer=discriminator_optimizer or keras.optimizers.Adam(D_RATE),
    )


@functools.cache
def _shared_gan():
    return new_gan()


def shared_gan():
    """The module's SeqGAN, its rates set back to `G_RATE` and `D_RATE`."""
    gan = _shared_gan()
    gan.generator_optimizer.learning_rate = G_RATE
    gan.discriminator_optimizer.learning_rate = D_RATE
    gan._initial_epoch = None  # BackupAndRestore leaves it set
    return gan


def fit(gan, epochs=2, callbacks=(), **kwargs):
    kwargs.setdefault("verbose", 0)
    return gan.fit(
        REAL, batch_size=B, epochs=epochs, shuffle=False, callbacks=list(callbacks), **kwargs
    )


def rates(gan):
    return (
        float(keras.ops.convert_to_numpy(gan.generator_optimizer.learning_rate)),
        float(keras.ops.convert_to_numpy(gan.discriminator_optimizer.learning_rate)),
    )


def decay():
    return keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=1, decay_rate=0.5)


# ------------------------------------------------------------- model.optimizer
def test_model_optimizer_is_the_pair_with_the_documented_rule():
    gan = shared_gan()
    pair = gan.optimizer
    assert isinstance(pair, OptimizerPair) and pair.built
    assert not hasattr(pair, "optimizers")  # Keras would schedule each on its own
    assert pair.variables == (
        gan.generator_optimizer.variables + gan.discriminator_optimizer.variables
    )
    assert pair.iterations is gan.step_counter
    assert float(keras.ops.convert_to_numpy(pair.learning_rate)) == pytest.approx(G_RATE)
    pair.learning_rate = 2.5e-3  # the generator's rate x 0.25: both, ratio kept
    assert rates(gan) == pytest.approx((2.5e-3, 2.5e-4), rel=1e-6)
    with pytest.raises(ValueError, match="finite float >= 0"):
        pair.learning_rate = -1.0
    gan.generator_optimizer.learning_rate = 0.0
    with pytest.raises(ValueError, match="no factor"):
        pair.learning_rate = 1e-3


def test_keras_learning_rate_scheduler_scales_both_optimizers():
    gan = shared_gan()
    history = fit(gan, callbacks=[keras.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5)])
    assert rates(gan) == pytest.approx((G_RATE / 4, D_RATE / 4), rel=1e-6)
    assert history.history["learning_rate"] == pytest.approx([G_RATE / 2, G_RATE / 4], rel=1e-6)
    # An absolute schedule is the generator's rate; the discriminator keeps its ratio.
    gan = shared_gan()
    fit(gan, epochs=1, callbacks=[keras.callbacks.LearningRateScheduler(lambda e, lr: 4e-3)])
    assert rates(gan) == pytest.approx((4e-3, 4e-4), rel=1e-6)


def test_reduce_lr_on_plateau_reduces_both_optimizers_to_the_generators_min_lr():
    gan = shared_gan()
    # Every epoch is a plateau (min_delta is huge): reduce by 0.5 after each, down to 3e-3.
    plateau = keras.callbacks.ReduceLROnPlateau(
        monitor="g_loss", mode="min", factor=0.5, patience=0, min_delta=1e9, min_lr=3e-3
    )
    history = fit(gan, epochs=3, callbacks=[plateau])
    assert history.history["learning_rate"] == pytest.approx([G_RATE, G_RATE, 5e-3], rel=1e-6)
    assert rates(gan) == pytest.approx((3e-3, 3e-4), rel=1e-6)


# ------------------------------------------------------------------ schedules
def test_schedules_keep_working_without_learning_rate_callbacks():
    # Both optimizers scheduled (one of them alone: the per-optimizer test below).
    gan = new_gan(keras.optimizers.Adam(decay()), keras.optimizers.SGD(decay()))
    history = fit(gan, epochs=1)
    assert np.isfinite(history.history["g_loss"]).all()
    for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):
        iterations = int(keras.ops.convert_to_numpy(optimizer.iterations))
        assert iterations == 2  # one update a step, two steps
        rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        assert rate == pytest.approx(1e-2 * 0.5**iterations, rel=1e-6)
    # The per-optimizer callback logs a schedule's rate too (without setting it).
    logs = {}
    callback = ks.callbacks.LearningRateScheduler(lambda e, lr: lr)
    callback.set_model(gan)
    callback.on_epoch_end(0, logs)
    assert logs["g_learning_rate"] == pytest.approx(rates(gan)[0])
    assert logs["d_learning_rate"] == pytest.approx(rates(gan)[1])


@pytest.mark.parametrize(
    "callback",
    [
        keras.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5),
        keras.callbacks.ReduceLROnPlateau(monitor="g_loss", mode="min"),
    ],
    ids=["LearningRateScheduler", "ReduceLROnPlateau"],
)
@pytest.mark.parametrize("scheduled", ["generator", "discriminator"])
def test_keras_learning_rate_callbacks_refuse_a_schedule_before_training(callback, scheduled):
    gan = new_gan(
        keras.optimizers.Adam(decay()) if scheduled == "generator" else None,
        keras.optimizers.Adam(decay()) if scheduled == "discriminator" else None,
    )
    with pytest.raises(TypeError, match=f"`{scheduled}_optimizer`.*ExponentialDecay") as error:
        fit(gan, callbacks=[callback])
    assert "keras_seqgan.callbacks.LearningRateScheduler" in str(error.value)
    assert int(keras.ops.convert_to_numpy(gan.step_counter)) == 0  # nothing trained


# ------------------------------------------------- the per-optimizer callback
@pytest.mark.parametrize(
    "which, expected",
    [
        ("generator", (G_RATE / 4, D_RATE)),
        ("discriminator", (G_RATE, D_RATE / 4)),
        ("both", (G_RATE / 4, D_RATE / 4)),
    ],
)
def test_per_optimizer_scheduler_sets_the_named_optimizers_and_logs_both(which, expected):
    gan = shared_gan()
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return lr * 0.5

    scheduler = ks.callbacks.LearningRateScheduler(schedule, which=which)
    history = fit(gan, callbacks=[scheduler])
    assert rates(gan) == pytest.approx(expected, rel=1e-6)
    assert history.history["g_learning_rate"][-1] == pytest.approx(expected[0], rel=1e-6)
    assert history.history["d_learning_rate"][-1] == pytest.approx(expected[1], rel=1e-6)
    assert [epoch for epoch, _ in seen] == ([0, 0, 1, 1] if which == "both" else [0, 1])
    assert seen[0][1] == pytest.approx(D_RATE if which == "discriminator" else G_RATE)


def test_per_optimizer_scheduler_leaves_a_scheduled_optimizer_to_its_schedule():
    gan = new_gan(generator_optimizer=keras.optimizers.Adam(decay()))
    scheduler = ks.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5, which="discriminator")
    history = fit(gan, epochs=1, callbacks=[scheduler])
    assert history.history["d_learning_rate"] == pytest.approx([D_RATE / 2], rel=1e-6)
    assert history.history["g_learning_rate"] == pytest.approx([1e-2 * 0.5**2], rel=1e-6)
    for which in ("generator", "both"):
        with pytest.raises(TypeError, match="`generator_optimizer`.*which='discriminator'"):
            fit(gan, callbacks=[ks.callbacks.LearningRateScheduler(lambda e, lr: lr, which=which)])


def test_scheduled_rates_are_saved_in_the_keras_file(tmp_path):
    gan = shared_gan()
    scheduler = ks.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5, which="discriminator")
    fit(gan, callbacks=[scheduler, keras.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.1)])
    expected = (G_RATE * 0.01, D_RATE * 0.25 * 0.01)
    assert rates(gan) == pytest.approx(expected, rel=1e-5)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert rates(loaded) == pytest.approx(expected, rel=1e-6)
    assert isinstance(loaded.optimizer, OptimizerPair)
    # Training the loaded model continues from the saved rates.
    scheduler = ks.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5, which="generator")
    history = fit(loaded, epochs=1, callbacks=[scheduler])
    assert history.history["g_learning_rate"] == pytest.approx([expected[0] / 2], rel=1e-5)


def test_per_optimizer_scheduler_resumes_with_backup_and_restore(tmp_path):
    def schedulers():
        return [
            ks.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5, which="generator"),
            ks.callbacks.LearningRateScheduler(
                lambda e, lr: D_RATE / (e + 1), which="discriminator"
            ),
        ]

    uninterrupted = fit(shared_gan(), epochs=4, callbacks=schedulers()).history
    backup = str(tmp_path / "backup")

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    gan = shared_gan()
    with pytest.raises(RuntimeError, match="interrupted"):
        backup_callback = keras.callbacks.BackupAndRestore(backup)
        fit(gan, epochs=4, callbacks=[*schedulers(), backup_callback, Interrupt()])
    gan = shared_gan()  # the rates set back: the backup must restore them
    try:
        resumed = fit(
            gan, epochs=4, callbacks=[keras.callbacks.BackupAndRestore(backup), *schedulers()]
        ).history
    finally:
        gan._initial_epoch = None
    assert len(resumed["g_learning_rate"]) == 2  # epochs 2 and 3
    for key in ("g_learning_rate", "d_learning_rate"):
        assert resumed[key] == pytest.approx(uninterrupted[key][2:], rel=1e-6), key
    assert not os.path.exists(backup)


def test_per_optimizer_scheduler_bad_arguments_are_clear_errors():
    with pytest.raises(TypeError, match="`schedule` must be a callable.*0.5"):
        ks.callbacks.LearningRateScheduler(0.5)
    with pytest.raises(ValueError, match="`which` must be one of.*'gen'"):
        ks.callbacks.LearningRateScheduler(lambda e, lr: lr, which="gen")
    with pytest.raises(ValueError, match="`verbose` must be 0 or 1"):
        ks.callbacks.LearningRateScheduler(lambda e, lr: lr, verbose=2)
    gan = shared_gan()
    for bad in (-1.0, "fast", float("nan")):
        scheduler = ks.callbacks.LearningRateScheduler(lambda e, lr, bad=bad: bad)
        scheduler.set_model(gan)
        with pytest.raises(ValueError, match="must return a finite float >= 0"):
            scheduler.on_epoch_begin(0)
    generator, _ = tiny_models(V, T, num_filters=2, dropout=0.0)
    generator.compile(optimizer="adam")
    scheduler = ks.callbacks.LearningRateScheduler(lambda e, lr: lr)
    scheduler.set_model(generator)
    with pytest.raises(TypeError, match="`generator_optimizer` and a `discriminator_optimizer`"):
        scheduler.on_train_begin()


def test_per_optimizer_scheduler_is_deep_copyable():
    original = ks.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.5, which="generator")
    clone = copy.deepcopy(original)  # as KerasTuner copies callbacks for each trial
    assert type(clone) is type(original) and clone is not original
    assert vars(clone).keys() == vars(original).keys() and clone.which == "generator"
    assert clone.schedule(0, 1.0) == 0.5
