"""Keras's own callbacks with `SeqGAN.fit`, alongside the keras_seqgan callbacks."""

import csv
import glob
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_callbacks import REAL, B, Recorder, T, V, fit, shared_gan, tiny_oracle

import keras_seqgan as ks
from keras_seqgan.callbacks import BatchTimer, OracleNLL, TemperatureAnnealing

MODEL_KEYS = (
    "d_loss",
    "d_loss_real",
    "d_loss_fake",
    "d_acc",
    "g_loss",
    "reward_mean",
    "temperature",
    "g_skipped",
    "d_skipped",
)
CALLBACK_KEYS = (
    "batch_ms_mean",
    "batch_ms_min",
    "batch_ms_max",
    "epoch_s",
    "nll_oracle",
    "nll_gen",
    "nll_sum",
)


def ours(**oracle_kwargs):
    """The keras_seqgan callbacks that add log keys; Keras's callbacks go after them."""
    oracle_kwargs.setdefault("num_samples", 16)
    oracle_kwargs.setdefault("seed", 1)
    return [
        TemperatureAnnealing(),
        BatchTimer(verbose=0),
        OracleNLL(tiny_oracle(), **oracle_kwargs),
    ]


def test_csv_logger_writes_every_key(tmp_path):
    path = tmp_path / "log.csv"
    history = fit(shared_gan(), epochs=3, callbacks=[*ours(), keras.callbacks.CSVLogger(path)])
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 3 and [row["epoch"] for row in rows] == ["0", "1", "2"]
    for key in MODEL_KEYS + CALLBACK_KEYS:
        assert key in rows[0], key
        assert [float(row[key]) for row in rows] == pytest.approx(history.history[key]), key
    assert [float(row["temperature"]) for row in rows] == pytest.approx([2.0, 1.9, 1.805])


def test_tensorboard_writes_a_scalar_for_every_metric(tmp_path):
    pytest.importorskip("tensorboard.summary.v2", reason="TensorBoard is not installed")
    log_dir = str(tmp_path / "tb")
    history = fit(
        shared_gan(), epochs=2, callbacks=[*ours(), keras.callbacks.TensorBoard(log_dir=log_dir)]
    )
    scalars = {}
    for path in glob.glob(os.path.join(log_dir, "train", "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                number = (
                    tf.make_ndarray(value.tensor)
                    if value.HasField("tensor")
                    else value.simple_value
                )
                scalars.setdefault(value.tag, []).append(float(number))
    for key in history.history:
        assert f"epoch_{key}" in scalars, key
        assert scalars[f"epoch_{key}"] == pytest.approx(history.history[key], rel=1e-5), key
    assert set(MODEL_KEYS + CALLBACK_KEYS) <= set(history.history)


def test_early_stopping_on_nll_oracle():
    # No `mode=`: fit sets "min" for the NLLs and losses, which Keras cannot infer.
    # An improvement must exceed 100 nats: none does, so training stops after `patience`.
    stopper = keras.callbacks.EarlyStopping(monitor="nll_oracle", patience=1, min_delta=100.0)
    history = fit(shared_gan(), epochs=6, callbacks=[*ours(), stopper])
    assert stopper.mode == "min" and stopper.monitor_op is keras.ops.less
    assert len(history.epoch) == 2 and stopper.stopped_epoch == 1
    assert np.isfinite(history.history["nll_oracle"]).all()


@pytest.mark.parametrize("monitor", ["g_loss", "d_loss", "d_loss_fake", "nll_sum"])
def test_early_stopping_infers_lower_is_better(monitor):
    stopper = keras.callbacks.EarlyStopping(monitor=monitor, patience=100)
    history = fit(shared_gan(), epochs=2, callbacks=[*ours(), stopper])
    assert stopper.mode == "min"
    assert stopper.best == pytest.approx(min(history.history[monitor]))


def test_monitor_directions_set_by_the_user_or_unknown_are_left_alone():
    kept = keras.callbacks.EarlyStopping(monitor="g_loss", mode="max", patience=100)
    fit(shared_gan(), epochs=1, callbacks=[kept])
    assert kept.mode == "max" and kept.monitor_op is keras.ops.greater
    # The discriminator's accuracy has no better direction: Keras's own error, unchanged.
    with pytest.raises(ValueError, match=r"monitor=d_acc.*mode='max'"):
        fit(shared_gan(), epochs=1, callbacks=[keras.callbacks.EarlyStopping(monitor="d_acc")])


def test_early_stopping_on_nll_oracle_in_mle_pretraining():
    generator = ks.models.Generator(V, T, embedding_dim=4, hidden_dim=4, seed=2)
    generator.compile(optimizer=keras.optimizers.Adam(1e-2))
    stopper = keras.callbacks.EarlyStopping(monitor="nll_gen", patience=100)
    oracle = OracleNLL(tiny_oracle(), num_samples=16, seed=1, held_out=REAL[:16])
    generator.fit(
        ks.data.mle_dataset(REAL, batch_size=B), epochs=2, verbose=0, callbacks=[oracle, stopper]
    )
    assert stopper.mode == "min" and stopper.best is not None


def test_model_checkpoint_keeps_the_best_nll_oracle(tmp_path):
    path = str(tmp_path / "best.keras")
    checkpoint = keras.callbacks.ModelCheckpoint(path, monitor="nll_oracle", save_best_only=True)
    recorder = Recorder()
    # every=1: Keras's ModelCheckpoint saves on epochs whose logs lack the monitored key.
    fit(shared_gan(), epochs=3, callbacks=[*ours(), checkpoint, recorder])
    scored = {epoch: logs for epoch, logs in recorder.epochs}
    best = min(scored, key=lambda epoch: scored[epoch]["nll_oracle"])
    assert checkpoint.best == pytest.approx(scored[best]["nll_oracle"])
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, ks.SeqGAN) and loaded.compiled
    assert float(loaded.temperature.numpy()) == pytest.approx(scored[best]["temperature"])


def test_backup_and_restore_resumes_weights_optimizers_and_temperature(tmp_path):
    gan = shared_gan()
    backup = str(tmp_path / "backup")
    state = {}

    def snapshot():
        return [
            np.array(v)
            for v in gan.weights
            + gan.generator_optimizer.variables
            + gan.discriminator_optimizer.variables
        ]

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                state["saved"] = snapshot()  # what BackupAndRestore just wrote
                raise RuntimeError("interrupted")

    full = [TemperatureAnnealing(schedule="linear").temperature_at(e, total=4) for e in range(4)]
    with pytest.raises(RuntimeError, match="interrupted"):
        fit(
            gan,
            epochs=4,
            callbacks=[
                TemperatureAnnealing(schedule="linear"),
                keras.callbacks.BackupAndRestore(backup),
                Interrupt(),
            ],
        )
    # Disturb everything the backup holds, then resume.
    gan.temperature.assign(3.0)
    fit(gan, epochs=1)

    class Restored(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            state["restored"] = snapshot()

    try:
        history = fit(
            gan,
            epochs=4,
            callbacks=[
                keras.callbacks.BackupAndRestore(backup),
                Restored(),
                TemperatureAnnealing(schedule="linear"),
            ],
        )
    finally:
        gan._initial_epoch = None  # BackupAndRestore leaves it set on the shared model
    assert history.epoch == [2, 3]
    assert history.history["temperature"] == pytest.approx(full[2:])
    for before, after in zip(state["saved"], state["restored"], strict=True):
        np.testing.assert_array_equal(before, after)
    assert not os.path.exists(backup)  # deleted after a completed run


def test_terminate_on_nan_stops_training():
    gan = shared_gan()
    bias = gan.discriminator.output_dense.bias
    healthy = np.array(bias)
    bias.assign(np.full(bias.shape, np.nan, "float32"))
    recorder = Recorder()
    try:
        history = fit(gan, epochs=3, callbacks=[keras.callbacks.TerminateOnNaN(), recorder])
    finally:
        bias.assign(healthy)
    assert np.isnan(recorder.batches[0]["d_loss"])
    assert len(recorder.batches) == 1 and len(history.epoch) == 1


def test_terminate_on_nan_leaves_healthy_training_alone():
    history = fit(shared_gan(), epochs=2, callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(history.epoch) == 2


def test_progbar_logger_shows_every_key(capsys):
    fit(shared_gan(), epochs=2, verbose=1, callbacks=[*ours(), keras.callbacks.ProgbarLogger()])
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    for key in MODEL_KEYS + ("nll_oracle", "batch_ms_mean"):
        assert f"{key}:" in out, key
