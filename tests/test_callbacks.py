"""Tests of keras_seqgan.callbacks: schedules, timing, evaluation, display, resume, errors.

One tiny SeqGAN (`shared_gan()`, compiled once, graph mode) serves most tests: every fit
uses the same data shape, so the step is traced once for the whole module (and for
test_callbacks_standard.py, which imports it).
"""

import copy
import functools
import math

import keras
import numpy as np
import pytest
from _models import tiny_gan as shared_tiny_gan
from _models import tiny_models

import keras_seqgan as ks
from keras_seqgan.callbacks import (
    BatchTimer,
    GeneratedSamples,
    OracleNLL,
    TemperatureAnnealing,
    TrainingDisplay,
)
from keras_seqgan.models import Generator

V, T, B = 10, 5, 4
REAL = np.random.default_rng(0).integers(0, V, size=(2 * B, T)).astype("int32")


def tiny_gan(objective="gumbel", vocabulary_size=V, sequence_length=T, **compile_kwargs):
    models = tiny_models(vocabulary_size, sequence_length, num_filters=2, dropout=0.0)
    return shared_tiny_gan(
        *models,
        objective=objective,
        generator_optimizer=keras.optimizers.SGD(0.01),
        discriminator_optimizer=keras.optimizers.SGD(0.01),
        **compile_kwargs,
    )


@functools.cache
def shared_gan():
    return tiny_gan()


@functools.cache
def tiny_oracle():
    return ks.data.OracleLSTM(
        vocabulary_size=V, sequence_length=T, embedding_dim=4, hidden_dim=4, seed=1
    )


def fit(model, epochs=2, callbacks=(), data=REAL, **kwargs):
    kwargs.setdefault("verbose", 0)
    return model.fit(
        data, batch_size=B, epochs=epochs, shuffle=False, callbacks=list(callbacks), **kwargs
    )


class Recorder(keras.callbacks.Callback):
    """Keeps every batch's and epoch's logs (as Keras hands them to callbacks)."""

    def __init__(self):
        super().__init__()
        self.batches, self.epochs = [], []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(dict(logs))

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append((epoch, dict(logs)))


# ------------------------------------------------------------------ schedules
def test_default_schedule_is_the_seeds_exponential_decay():
    annealing = TemperatureAnnealing()
    assert (annealing.start, annealing.end, annealing.decay) == (2.0, 0.5, 0.95)
    expected = {0: 2.0, 1: 1.9, 2: 1.805, 10: 1.1974738, 27: 0.5006, 28: 0.5, 100: 0.5}
    for epoch, value in expected.items():
        assert annealing.temperature_at(epoch) == pytest.approx(value, abs=1e-4), epoch


def test_linear_and_cosine_schedules():
    linear = TemperatureAnnealing(schedule="linear", total=5)
    values = [linear.temperature_at(i) for i in range(7)]
    np.testing.assert_allclose(values, [2.0, 1.625, 1.25, 0.875, 0.5, 0.5, 0.5])
    cosine = TemperatureAnnealing(schedule="cosine", total=5)
    assert cosine.temperature_at(0) == pytest.approx(2.0)
    assert cosine.temperature_at(1) == pytest.approx(0.5 + 0.75 * (1 + math.cos(math.pi / 4)))
    assert cosine.temperature_at(2) == pytest.approx(1.25)
    assert cosine.temperature_at(4) == pytest.approx(0.5)
    assert cosine.temperature_at(9) == pytest.approx(0.5)
    rising = TemperatureAnnealing(start=0.5, end=1.5, schedule="linear", total=3)
    assert [rising.temperature_at(i) for i in range(3)] == pytest.approx([0.5, 1.0, 1.5])
    # `total` given to `temperature_at` overrides the constructor's.
    assert linear.temperature_at(1, total=3) == pytest.approx(1.25)


@pytest.mark.parametrize(
    "schedule, total, index",
    [
        ("exp", 100, 50),  # 100 ** (50 / 100) = 10 -> hand-checked below
        ("log", 100, 9),  # 1 + 99 / ln(100) * ln(10) = 50.5
        ("sigmoid", 100, 50),  # 99 / (1 + e^0) + 1 = 50.5
        ("quad", 101, 50),  # 99 / 100**2 * 50**2 + 1 = 25.75
        ("sqrt", 101, 25),  # 99 / 10 * 5 + 1 = 50.5
        ("lin", 101, 50),  # 1 + 99 * 50 / 100 = 50.5
    ],
)
def test_relgan_schedules_match_their_formulas(schedule, total, index):
    annealing = TemperatureAnnealing(schedule=schedule, max_inverse_temperature=100, total=total)
    beta = {"exp": 10.0, "quad": 25.75}.get(schedule, 50.5)
    assert annealing.temperature_at(index) == pytest.approx(1.0 / beta)
    start = annealing.temperature_at(0)
    assert start == pytest.approx(1.0, abs=5e-3)  # beta starts at 1 (sigmoid: 1.0045)
    assert annealing.temperature_at(total - 1) <= annealing.temperature_at(index)
    assert annealing.temperature_at(10 * total) == pytest.approx(0.01)  # capped at 1 / 100


def test_callable_schedule_gets_the_index_and_the_current_temperature():
    calls = []

    def halve(index, current):
        calls.append((index, current))
        return current / 2

    annealing = TemperatureAnnealing(schedule=halve)
    assert annealing.temperature_at(3, current=1.5) == 0.75
    assert calls == [(3, 1.5)]
    gan = shared_gan()
    gan.temperature.assign(1.6)
    history = fit(gan, epochs=3, callbacks=[annealing])
    assert history.history["temperature"] == pytest.approx([0.8, 0.4, 0.2])
    assert [c[0] for c in calls[1:]] == [0, 1, 2]
    bad = TemperatureAnnealing(schedule=lambda index, current: -1.0)
    with pytest.raises(ValueError, match="must return a finite float > 0"):
        bad.temperature_at(0)


def test_annealing_writes_logs_and_prints_with_verbose(capsys):
    gan = shared_gan()
    recorder = Recorder()
    history = fit(gan, epochs=3, callbacks=[TemperatureAnnealing(verbose=1), recorder])
    assert history.history["temperature"] == pytest.approx([2.0, 1.9, 1.805])
    assert [logs["temperature"] for logs in recorder.batches] == pytest.approx(
        [2.0, 2.0, 1.9, 1.9, 1.805, 1.805]
    )
    assert float(gan.temperature.numpy()) == pytest.approx(1.805)
    assert "Epoch 2: TemperatureAnnealing set the temperature to 1.9000." in capsys.readouterr().out


def test_jit_compiled_step_sees_every_new_temperature_without_retracing():
    gan = tiny_gan(vocabulary_size=4, sequence_length=2, jit_compile=True)
    assert gan.jit_compile
    traces = []
    train_step = gan.train_step

    def counting_train_step(*args):  # (data), or (state, data) on JAX
        traces.append(1)  # Python side effect: runs only while tracing
        return train_step(*args)

    gan.train_step = counting_train_step
    data = np.zeros((2 * B, 2), "int32")
    recorder = Recorder()
    per_step = TemperatureAnnealing(schedule="linear", total=8, per="step")
    fit(gan, epochs=1, callbacks=[per_step, recorder], data=data)
    traces_after_first_epoch = len(traces)
    fit(gan, epochs=4, initial_epoch=1, callbacks=[per_step, recorder], data=data)
    per_epoch = TemperatureAnnealing(decay=0.5)
    fit(gan, epochs=3, callbacks=[per_epoch, recorder], data=data)
    seen = [logs["temperature"] for logs in recorder.batches]  # read inside the XLA step
    expected = [per_step.temperature_at(i) for i in range(8)] + [2.0, 2.0, 1.0, 1.0, 0.5, 0.5]
    assert seen == pytest.approx(expected)
    assert len(set(np.round(seen, 6))) == 9
    assert len(traces) == traces_after_first_epoch <= 2


# --------------------------------------------------------------------- resume
def test_resume_with_initial_epoch_continues_the_schedule():
    gan = shared_gan()
    full = fit(gan, epochs=4, callbacks=[TemperatureAnnealing(schedule="cosine")])
    gan.temperature.assign(1.0)
    resumed = fit(
        gan, epochs=4, initial_epoch=2, callbacks=[TemperatureAnnealing(schedule="cosine")]
    )
    assert resumed.history["temperature"] == pytest.approx(full.history["temperature"][2:])
    assert full.history["temperature"] == pytest.approx([2.0, 1.625, 0.875, 0.5])


def test_per_step_annealing_continues_from_the_models_step_counter():
    gan = shared_gan()
    annealing = TemperatureAnnealing(end=1e-3, decay=0.99, per="step")
    start = int(gan.step_counter.numpy())
    recorder = Recorder()
    fit(gan, epochs=2, callbacks=[annealing, recorder])
    expected = [annealing.temperature_at(start + i) for i in range(4)]
    assert [logs["temperature"] for logs in recorder.batches] == pytest.approx(expected)
    assert float(gan.temperature.numpy()) == pytest.approx(expected[-1])


def test_loaded_keras_model_continues_the_schedule(tmp_path):
    gan = shared_gan()
    fit(gan, epochs=2, callbacks=[TemperatureAnnealing()])
    steps = int(gan.step_counter.numpy())
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert float(loaded.temperature.numpy()) == pytest.approx(1.9)
    assert int(loaded.step_counter.numpy()) == steps
    # per="epoch": resume with initial_epoch, as with any Keras model.
    history = fit(loaded, epochs=3, initial_epoch=2, callbacks=[TemperatureAnnealing()])
    assert history.history["temperature"] == pytest.approx([1.805])
    # per="step": the saved step counter carries the schedule on, without initial_epoch.
    recorder = Recorder()
    per_step = TemperatureAnnealing(end=1e-3, decay=0.99, per="step")
    fit(loaded, epochs=1, callbacks=[per_step, recorder])
    assert [logs["temperature"] for logs in recorder.batches] == pytest.approx(
        [2.0 * 0.99 ** (steps + 2), 2.0 * 0.99 ** (steps + 3)]
    )


def test_annealing_needs_a_model_with_a_temperature_and_a_total():
    annealing = TemperatureAnnealing()
    annealing.set_model(keras.Sequential([keras.layers.Dense(1)]))
    with pytest.raises(TypeError, match="temperature"):
        annealing.on_train_begin()
    per_step = TemperatureAnnealing(schedule="linear", per="step")
    per_step.set_model(shared_gan())
    per_step.set_params({"epochs": 3, "steps": None})
    with pytest.raises(ValueError, match="total"):
        per_step.on_train_begin()
    with pytest.raises(ValueError, match="total"):
        TemperatureAnnealing(schedule="cosine").temperature_at(1)


# ----------------------------------------------------------------- BatchTimer
class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_batch_timer_arithmetic_with_blocks_and_out_of_order_completions(capsys):
    clock = FakeClock()
    timer = BatchTimer()
    timer._clock = clock

    def at(moment, hook, *args):
        clock.now = moment
        hook(*args)

    at(0.0, timer.on_train_begin)
    at(0.0, timer.on_epoch_begin, 0)
    at(0.5, timer.on_train_batch_begin, 0)
    at(1.5, timer.on_train_batch_end, 0)  # the first block: tracing and compilation
    at(1.5, timer.on_train_batch_begin, 1)
    at(1.6, timer.on_train_batch_end, 1)  # 100 ms
    at(1.6, timer.on_train_batch_begin, 2)
    at(1.8, timer.on_train_batch_end, 3)  # a block of 2 steps: 100 ms per batch
    logs = {}
    at(2.0, timer.on_epoch_end, 0, logs)
    assert logs == pytest.approx(
        {"batch_ms_mean": 100.0, "batch_ms_min": 100.0, "batch_ms_max": 100.0, "epoch_s": 2.0}
    )
    at(3.0, timer.on_epoch_begin, 1)
    at(3.0, timer.on_train_batch_begin, 0)
    at(3.5, timer.on_train_batch_end, 3)  # worker threads may record out of order:
    at(3.1, timer.on_train_batch_end, 1)  # batches 0-1 completed at 3.1, 2-3 at 3.5
    logs = {}
    at(4.0, timer.on_epoch_end, 1, logs)
    assert logs == pytest.approx(
        {"batch_ms_mean": 125.0, "batch_ms_min": 50.0, "batch_ms_max": 200.0, "epoch_s": 1.0}
    )
    logs = {}
    at(5.0, timer.on_train_end, logs)
    assert timer.summary == pytest.approx(
        {
            "train_s": 5.0,
            "epochs": 2,
            "batches": 7,
            "first_batch_ms": 1000.0,
            "first_batch_steps": 1,
            "batch_ms_min": 50.0,
            "batch_ms_mean": 800.0 / 7,
            "batch_ms_max": 200.0,
        }
    )
    assert logs["first_batch_ms"] == pytest.approx(1000.0) and logs["train_s"] == 5.0
    out = capsys.readouterr().out
    assert "First batch 1000.0 ms (tracing and compilation)" in out
    assert "114.3 ms/batch on average (min 50.0, max 200.0) over 7 batches" in out


def test_batch_timer_writes_epoch_logs_during_fit():
    timer = BatchTimer(verbose=0)
    assert timer.async_safe
    recorder = Recorder()
    history = fit(shared_gan(), epochs=3, callbacks=[timer, recorder])
    for key in ("batch_ms_mean", "batch_ms_min", "batch_ms_max", "epoch_s"):
        assert len(history.history[key]) == 3 and all(v > 0 for v in history.history[key]), key
    for epoch, logs in recorder.epochs:
        assert logs["batch_ms_min"] <= logs["batch_ms_mean"] <= logs["batch_ms_max"]
        if epoch:  # every block of the epoch is timed: they fit inside the epoch
            assert logs["batch_ms_mean"] * 2 / 1000 <= logs["epoch_s"]
    assert timer.summary["epochs"] == 3 and timer.summary["batches"] == 5
    assert timer.summary["first_batch_steps"] == 1 and timer.summary["first_batch_ms"] > 0


def test_batch_timer_times_blocks_of_steps_per_execution():
    gan = tiny_gan(vocabulary_size=4, sequence_length=2, steps_per_execution=2)
    ends = []

    class Ends(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            ends.append(batch)

    timer = BatchTimer(verbose=0)
    history = fit(gan, epochs=2, callbacks=[timer, Ends()], data=np.zeros((4 * B, 2), "int32"))
    assert ends == [1, 3, 1, 3]  # one completion per block of 2 steps
    assert timer.summary["first_batch_steps"] == 2 and timer.summary["batches"] == 6
    assert "blocks of 2" in timer.describe()
    assert all(v > 0 for v in history.history["batch_ms_mean"])


# ------------------------------------------------------------------ OracleNLL
def test_oracle_nll_logs_quality_diversity_and_sum_at_its_own_temperature():
    gan, oracle = shared_gan(), tiny_oracle()
    callback = OracleNLL(oracle, num_samples=64, seed=7)
    gan.temperature.assign(0.3)  # the training temperature must not matter
    history = fit(gan, epochs=2, callbacks=[callback])
    for key in ("nll_oracle", "nll_gen", "nll_sum"):
        assert len(history.history[key]) == 2 and np.isfinite(history.history[key]).all()
    last = {key: history.history[key][-1] for key in ("nll_oracle", "nll_gen", "nll_sum")}
    assert last["nll_sum"] == pytest.approx(last["nll_oracle"] + last["nll_gen"])
    samples = gan.generate(64, temperature=1.0, seed=8)
    assert last["nll_oracle"] == pytest.approx(ks.evaluation.nll_oracle(oracle, samples))
    held_out = oracle.sample(64, seed=7)
    assert last["nll_gen"] == pytest.approx(ks.evaluation.nll_gen(gan.generator, held_out))
    assert callback.evaluate() == pytest.approx(last)
    # Both figures use the callback's temperature, whatever the training temperature.
    temperatures = []

    class Spy:  # the shared generator, recording the temperatures it is asked for
        vocabulary_size, sequence_length = V, T

        def generate(self, num_samples, *, temperature, seed):
            temperatures.append(temperature)
            return gan.generate(num_samples, temperature=temperature, seed=seed)

        def log_prob(self, tokens, *, temperature=1.0):
            temperatures.append(temperature)
            return gan.generator.log_prob(tokens, temperature=temperature)

    values = OracleNLL(oracle, num_samples=64, seed=7, temperature=0.5).evaluate(Spy())
    assert temperatures and set(temperatures) == {0.5}
    samples = gan.generate(64, temperature=0.5, seed=8)
    assert values["nll_oracle"] == pytest.approx(ks.evaluation.nll_oracle(oracle, samples))
    log_probs = np.asarray(gan.generator.log_prob(held_out, temperature=0.5))
    assert values["nll_gen"] == pytest.approx(-log_probs.mean(), rel=1e-5)
    assert float(gan.temperature.numpy()) == pytest.approx(0.3)


def test_oracle_nll_every_n_epochs_first_and_last():
    recorder = Recorder()
    callback = OracleNLL(tiny_oracle(), num_samples=16, every=2, seed=1, verbose=1)
    fit(shared_gan(), epochs=5, callbacks=[callback, recorder])
    evaluated = [epoch for epoch, logs in recorder.epochs if "nll_oracle" in logs]
    assert evaluated == [0, 1, 3, 4]  # first of the fit, every 2nd (counted from 1), last


def test_oracle_nll_during_mle_pretraining_of_a_generator():
    oracle = tiny_oracle()
    generator = Generator(V, T, embedding_dim=4, hidden_dim=4, seed=2)
    generator.compile(optimizer=keras.optimizers.Adam(1e-2))
    data = ks.data.mle_dataset(oracle.sample(32, seed=3), batch_size=16)
    history = generator.fit(
        data, epochs=2, verbose=0, callbacks=[OracleNLL(oracle, num_samples=32, seed=4)]
    )
    assert len(history.history["nll_gen"]) == 2 and "loss" in history.history


def test_oracle_nll_rejects_a_mismatched_or_unsuitable_model():
    callback = OracleNLL(ks.data.OracleLSTM(vocabulary_size=V + 1, sequence_length=T, seed=1))
    callback.set_model(shared_gan())
    with pytest.raises(ValueError, match="disagree on `vocabulary_size`"):
        callback.on_train_begin()
    callback = OracleNLL(tiny_oracle())
    callback.set_model(keras.Sequential([keras.layers.Dense(1)]))
    with pytest.raises(TypeError, match="generate"):
        callback.on_train_begin()


# ----------------------------------------------------------- GeneratedSamples
def test_generated_samples_print_decode_and_write(tmp_path, capsys):
    gan = shared_gan()
    vocabulary = [f"w{i}" for i in range(V)]
    printed = GeneratedSamples(every=2, num_samples=2, decode=vocabulary, seed=3)
    path = tmp_path / "out" / "samples.txt"
    written = GeneratedSamples(num_samples=3, decode=lambda row: "-".join(map(str, row)), path=path)
    fit(gan, epochs=2, callbacks=[printed, written])
    out = capsys.readouterr().out
    assert "Epoch 1 samples" not in out and "Epoch 2 samples:" in out
    assert len(printed.samples) == 2 and all(s.split()[0].startswith("w") for s in printed.samples)
    assert all(s in out for s in printed.samples)
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch 1" and lines[4] == "epoch 2" and len(lines) == 8
    assert lines[1].count("-") == T - 1
    bad = GeneratedSamples(decode=lambda row: 5)
    bad.set_model(gan)
    with pytest.raises(TypeError, match="must return a str"):
        bad.on_epoch_end(0, {})
    short = GeneratedSamples(decode=["a", "b"])
    short.set_model(gan)
    with pytest.raises(ValueError, match="vocabulary"):
        short.on_train_begin()


# -------------------------------------------------------------------- display
def drive_display(display, epochs):
    """Runs the display's hooks on synthetic logs; returns nothing (it prints)."""
    display.set_params({"verbose": 2, "epochs": len(epochs), "steps": 2})
    display.on_train_begin()
    for epoch, logs in enumerate(epochs):
        display.on_epoch_begin(epoch)
        for batch in range(2):
            display.on_train_batch_end(batch, logs)
        display.on_epoch_end(epoch, dict(logs))


def test_display_epoch_lines_show_temperature_and_mark_a_winning_discriminator(capsys):
    base = {
        "d_loss": 0.5,
        "d_loss_fake": 0.4,
        "g_loss": 1.25,
        "reward_mean": 0.3,
        "temperature": 1.9,
        "g_skipped": 0.0,
        "d_skipped": 0.0,
    }
    display = TrainingDisplay()
    drive_display(display, [{**base, "d_acc": 0.81}, {**base, "d_acc": 0.55, "g_skipped": 2.0}])
    display.on_train_end(
        {
            **base,
            "d_acc": 0.55,
            "g_skipped": 2.0,
            "first_batch_ms": 900.0,
            "batch_ms_mean": 10.0,
            "batch_ms_min": 8.0,
            "batch_ms_max": 12.0,
        }
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert "d_acc: 0.8100 [D winning]" in lines[1] and "temperature: 1.9000" in lines[1]
    assert lines[1].startswith("2/2 - ") and "d_loss_fake" not in lines[1]
    assert "d_acc: 0.5500 - " in lines[3] and "[D winning]" not in lines[3]
    assert "skipped g/d: 2/0" in lines[3] and "skipped" not in lines[1]
    summary = "\n".join(lines[4:])
    assert lines[4] == "Training summary"
    assert (
        "first 900.0 ms (tracing and compilation); then 10.0 ms mean, 8.0 min, 12.0 max" in summary
    )
    assert "skipped updates: generator 2, discriminator 0" in summary
    assert "discriminator winning (d_acc > 0.70) in 1 of 2 epochs" in summary
    assert "final: d_loss: 0.5000 - d_acc: 0.5500" in summary


def test_display_replaces_the_default_progress_bar_in_fit(capsys):
    callbacks = [
        TemperatureAnnealing(),
        BatchTimer(verbose=0),
        OracleNLL(tiny_oracle(), num_samples=16, seed=1),
        TrainingDisplay(d_acc_threshold=0.0, metrics=("d_acc", "nll_oracle", "temperature")),
    ]
    fit(shared_gan(), epochs=2, callbacks=callbacks, verbose=2)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 2 and "d_loss" not in out.split("Training summary")[0]
    assert "temperature: 2.0000" in out and "temperature: 1.9000" in out
    assert "nll_oracle: " in out and "batch time: first" in out
    fit(shared_gan(), epochs=1, callbacks=[TrainingDisplay()], verbose=0)
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------ copies, errors
def test_callbacks_are_deep_copyable():
    oracle = tiny_oracle()
    oracle.sample(4, seed=1)  # compiled functions inside: copies share the oracle
    originals = [
        TemperatureAnnealing(schedule=lambda index, current: 1.0),
        TemperatureAnnealing(schedule="sqrt", max_inverse_temperature=10, per="step"),
        BatchTimer(verbose=0),
        OracleNLL(oracle, num_samples=8, held_out=oracle.sample(4, seed=2)),
        GeneratedSamples(decode=lambda row: str(row)),
        TrainingDisplay(metrics=["d_acc"]),
    ]
    for original in originals:
        clone = copy.deepcopy(original)
        assert type(clone) is type(original) and clone is not original
        assert vars(clone).keys() == vars(original).keys()
    clone = copy.deepcopy(originals[3])
    assert clone.oracle is oracle and clone.seed == originals[3].seed
    assert clone.held_out is not originals[3].held_out
    np.testing.assert_array_equal(clone.held_out, originals[3].held_out)
    assert copy.deepcopy(originals[1]).temperature_at(3, total=10) == pytest.approx(
        originals[1].temperature_at(3, total=10)
    )


def _oracle():
    return tiny_oracle()


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: TemperatureAnnealing(start=0), ValueError, r"`start`.*Received: start=0"),
        (lambda: TemperatureAnnealing(end=float("nan")), ValueError, r"`end`.*end=nan"),
        (lambda: TemperatureAnnealing(start="2"), TypeError, r"`start`.*start='2'"),
        (lambda: TemperatureAnnealing(decay=0.0), ValueError, r"`decay`.*decay=0.0"),
        (lambda: TemperatureAnnealing(decay=1.5), ValueError, r"`decay`.*decay=1.5"),
        (lambda: TemperatureAnnealing(schedule="step"), ValueError, r"schedule='step'"),
        (lambda: TemperatureAnnealing(schedule=3), TypeError, r"schedule=3"),
        (lambda: TemperatureAnnealing(start=0.5, end=2.0), ValueError, r"end.*<= `start`"),
        (lambda: TemperatureAnnealing(schedule="exp"), ValueError, r"max_inverse_temperature"),
        (
            lambda: TemperatureAnnealing(schedule="lin", max_inverse_temperature=1.0),
            ValueError,
            r"max_inverse_temperature=1.0",
        ),
        (
            lambda: TemperatureAnnealing(max_inverse_temperature=10),
            ValueError,
            r"only by the RelGAN.*max_inverse_temperature=10",
        ),
        (lambda: TemperatureAnnealing(total=0), ValueError, r"`total`.*total=0"),
        (lambda: TemperatureAnnealing(total=2.5), TypeError, r"`total`.*total=2.5"),
        (lambda: TemperatureAnnealing(per="batch"), ValueError, r"per='batch'"),
        (lambda: TemperatureAnnealing(verbose=2), ValueError, r"verbose=2"),
        (lambda: BatchTimer(verbose="yes"), ValueError, r"verbose='yes'"),
        (lambda: OracleNLL("oracle"), TypeError, r"`oracle`.*oracle='oracle'"),
        (lambda: OracleNLL(_oracle(), num_samples=0), ValueError, r"num_samples=0"),
        (lambda: OracleNLL(_oracle(), every=0), ValueError, r"every=0"),
        (lambda: OracleNLL(_oracle(), temperature=0.0), ValueError, r"temperature=0.0"),
        (
            lambda: OracleNLL(_oracle(), held_out=np.zeros((3, T + 1), "int32")),
            ValueError,
            r"held_out",
        ),
        (
            lambda: OracleNLL(_oracle(), held_out=np.full((3, T), V, "int32")),
            ValueError,
            r"held_out",
        ),
        (lambda: OracleNLL(_oracle(), seed=-1), ValueError, r"seed=-1"),
        (lambda: GeneratedSamples(every=0), ValueError, r"every=0"),
        (lambda: GeneratedSamples(num_samples=-2), ValueError, r"num_samples=-2"),
        (lambda: GeneratedSamples(decode=5), TypeError, r"decode=5"),
        (lambda: GeneratedSamples(decode=[1, 2]), TypeError, r"non-str entries such as 1"),
        (lambda: GeneratedSamples(path=3), TypeError, r"path=3"),
        (lambda: GeneratedSamples(temperature=-1.0), ValueError, r"temperature=-1.0"),
        (lambda: TrainingDisplay(metrics="d_acc"), TypeError, r"metrics='d_acc'"),
        (lambda: TrainingDisplay(metrics=[]), ValueError, r"metrics=\[\]"),
        (lambda: TrainingDisplay(d_acc_threshold=1.5), ValueError, r"d_acc_threshold=1.5"),
        (lambda: TrainingDisplay(summary="yes"), TypeError, r"summary='yes'"),
    ],
)
def test_bad_arguments_are_clear_errors(build, error, match):
    with pytest.raises(error, match=match):
        build()
