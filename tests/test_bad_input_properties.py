"""Bad inputs and numerical storms.

Property tests (hypothesis): random shapes, dtypes and values thrown at the public entry
points either work or raise `ValueError` / `TypeError`, never a raw TensorFlow error.
Then numerical storms: an absurd learning rate or a poisoned weight makes the updates
skip, every weight stays finite or unchanged, and `StopOnSkippedUpdates` stops the run.
"""

from __future__ import annotations

import copy

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import keras_seqgan as ks
from keras_seqgan.callbacks import StopOnSkippedUpdates
from keras_seqgan.data import OracleLSTM, sequence_dataset, validate_tokens
from keras_seqgan.models import Discriminator, Generator

V, T, B = 10, 5, 4
CLEAN = (ValueError, TypeError)
PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

DTYPES = st.sampled_from(
    ["int8", "uint8", "int16", "int32", "int64", "uint64", "float16", "float32", "float64", "bool"]
)


@st.composite
def token_arrays(draw):
    """Arrays of rank 0-4 and any dtype, often close to valid `[N, T]` int tokens."""
    dtype = np.dtype(draw(DTYPES))
    near_valid = draw(st.booleans())
    if near_valid:
        shape = (draw(st.sampled_from([B, 2 * B])), T)
    else:
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if near_valid and draw(st.booleans()):
            elements = st.integers(0, V - 1)
        else:
            elements = st.integers(int(info.min), int(info.max))
    elif dtype.kind == "f":
        elements = st.floats(allow_nan=True, allow_infinity=True, width=8 * dtype.itemsize)
    else:
        elements = st.booleans()
    return draw(hnp.arrays(dtype, shape, elements=elements))


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([np.int64(3), np.float32(0.5), "3", b"3", [2], (1, 2), np.array([2])]),
)


def make_models(seed=0):
    keras.utils.set_random_seed(seed)
    generator = Generator(
        vocabulary_size=V, sequence_length=T, embedding_dim=4, hidden_dim=4, seed=1
    )
    discriminator = Discriminator(
        vocabulary_size=V,
        sequence_length=T,
        embedding_dim=4,
        filter_sizes=(1, 2),
        num_filters=(4, 4),
        dropout=0.0,
    )
    return generator, discriminator


def make_gan(generator_optimizer=None, discriminator_optimizer=None, **compile_kwargs):
    generator, discriminator = make_models()
    gan = ks.SeqGAN(generator, discriminator, num_rollouts=2, seed=5)
    gan.compile(
        generator_optimizer=generator_optimizer or keras.optimizers.Adam(1e-2),
        discriminator_optimizer=discriminator_optimizer or keras.optimizers.Adam(1e-2),
        **compile_kwargs,
    )
    return gan


@pytest.fixture(scope="module")
def shared_gan():
    return make_gan()


@pytest.fixture(scope="module")
def oracle():
    return OracleLSTM(vocabulary_size=V, sequence_length=T, embedding_dim=4, hidden_dim=4, seed=1)


def clean_or_works(call):
    """Runs `call`; a ValueError or TypeError is fine, any other exception fails."""
    try:
        return call()
    except CLEAN:
        return None


# ------------------------------------------------------------------- properties
@PROPERTY
@given(tokens=token_arrays())
def test_validate_tokens_works_or_raises_cleanly(tokens):
    result = clean_or_works(lambda: validate_tokens(tokens, vocabulary_size=V, sequence_length=T))
    if result is not None:
        assert result.dtype == np.int32 and result.shape == tokens.shape
        assert result.min() >= 0 and result.max() < V


@PROPERTY
@given(
    tokens=token_arrays(),
    batch_size=st.one_of(st.integers(-3, 9), SCALARS),
    seed=st.one_of(st.none(), st.integers(-5, 2**40), st.floats(allow_nan=True)),
)
def test_sequence_dataset_works_or_raises_cleanly(tokens, batch_size, seed):
    dataset = clean_or_works(
        lambda: sequence_dataset(tokens, batch_size=batch_size, seed=seed, vocabulary_size=V)
    )
    if dataset is not None:
        for batch in dataset.take(2):
            assert batch.dtype == "int32" and batch.shape[1:] == tokens.shape[1:]


@settings(PROPERTY, max_examples=25)
@given(tokens=token_arrays())
def test_seqgan_fit_on_numpy_arrays_works_or_raises_cleanly(shared_gan, tokens):
    before = int(shared_gan.step_counter.numpy())
    history = clean_or_works(
        lambda: shared_gan.fit(tokens, batch_size=B, epochs=1, steps_per_epoch=1, verbose=0)
    )
    if history is not None:
        assert int(shared_gan.step_counter.numpy()) == before + 1
    for weight in shared_gan.weights:
        assert np.all(np.isfinite(np.asarray(weight, dtype="float64"))), weight.path


@PROPERTY
@given(
    num_samples=st.one_of(st.integers(-3, 6), SCALARS),
    temperature=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e-30, 1e30]), SCALARS
    ),
    seed=st.one_of(st.integers(-3, 2**64), SCALARS),
    batch_size=st.one_of(st.sampled_from([None, 1, 2, 3]), st.integers(-3, 0), SCALARS),
)
def test_generate_arguments_work_or_raise_cleanly(
    shared_gan, num_samples, temperature, seed, batch_size
):
    if isinstance(num_samples, int) and num_samples > 6:
        num_samples = 6  # valid but slow: a huge count is not a bad input
    if isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size > 3:
        batch_size = 3  # each batch size compiles its own sampler

    def generate():
        return shared_gan.generator.generate(
            num_samples, temperature=temperature, seed=seed, batch_size=batch_size
        )

    tokens = clean_or_works(generate)
    if tokens is not None:
        assert tokens.shape == (num_samples, T) and tokens.dtype == np.int32
        assert tokens.min() >= 0 and tokens.max() < V


@PROPERTY
@given(tokens=token_arrays(), batch_size=st.one_of(st.just(250), st.integers(-2, 0), SCALARS))
def test_oracle_nll_works_or_raises_cleanly(oracle, tokens, batch_size):
    if isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size > 0:
        batch_size = 250  # each batch size compiles its own scorer
    nll = clean_or_works(lambda: oracle.nll(tokens, batch_size=batch_size))
    if nll is not None:
        assert np.isfinite(nll) and nll > 0


# ------------------------------------------------------------ StopOnSkippedUpdates
class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(dict(logs or {}))


def real_tokens(n=2 * B, seed=0):
    return np.random.default_rng(seed).integers(0, V, size=(n, T)).astype("int32")


def all_finite(model):
    return all(
        np.all(np.isfinite(np.asarray(w))) for w in model.variables if "float" in str(w.dtype)
    )


def test_absurd_learning_rate_keeps_weights_finite():
    # SGD(1e38) without clipping. Whether the generator saturates (its softmax collapses
    # to one token and the gradients vanish: nothing is skipped) or overflows (the
    # gradients turn non-finite: the updates are skipped) is a numerical accident of the
    # backend and the machine: TensorFlow here saturates, JAX/XLA overflowed on CI's
    # machine. What must hold either way: every weight and optimizer slot stays finite,
    # every step logs its skip counters, and the run either completes with at most
    # `max_fraction` of its updates skipped or is stopped on skipped updates, with the
    # reason, as soon as the fraction crosses it.
    gan = make_gan(generator_optimizer=keras.optimizers.SGD(1e38), gradient_clip=None)
    recorder = Recorder()
    stopper = StopOnSkippedUpdates(min_steps=2, verbose=0)
    history = gan.fit(
        real_tokens(),
        batch_size=B,
        epochs=6,
        shuffle=False,
        verbose=0,
        callbacks=[stopper, recorder],
    )
    assert recorder.batches and all(
        "g_skipped" in logs and "d_skipped" in logs for logs in recorder.batches
    )
    fractions = [
        max(logs["g_skipped"], logs["d_skipped"]) / (step + 1)  # 1 update of each per step
        for step, logs in enumerate(recorder.batches)
    ]
    if stopper.stopped_step is None:
        assert len(history.epoch) == 6 and len(recorder.batches) == 12
        assert all(f <= 0.5 for f in fractions[1:]), fractions  # min_steps=2
    else:
        first_over = next(s for s, f in enumerate(fractions) if s >= 1 and f > 0.5)
        assert stopper.stopped_step == first_over + 1 == len(recorder.batches)
        assert len(history.epoch) < 6
        assert "updates were skipped" in stopper.reason
        assert f"stopping training after {stopper.stopped_step} steps" in stopper.reason
    assert all_finite(gan)
    assert all_finite(gan.generator_optimizer) and all_finite(gan.discriminator_optimizer)


def test_poisoned_generator_is_stopped_and_weights_stay_unchanged(capsys):
    gan = make_gan()
    bias = gan.generator.output_projection.bias
    poisoned = np.array(bias)
    poisoned[0] = np.inf  # every generator gradient is non-finite: every update skips
    bias.assign(poisoned)
    g_before = [np.array(w) for w in gan.generator.weights]

    # The discriminator still learns: watching it alone never stops the run.
    watch_d = StopOnSkippedUpdates(min_steps=2, network="discriminator", verbose=0)
    history = gan.fit(real_tokens(), batch_size=B, epochs=3, verbose=0, callbacks=[watch_d])
    assert len(history.epoch) == 3 and watch_d.stopped_step is None
    assert int(gan.g_skipped.numpy()) == 6 and int(gan.d_skipped.numpy()) == 0

    # Many epochs, any network: stopped as soon as min_steps steps of this fit have run.
    recorder = Recorder()
    stopper = StopOnSkippedUpdates(max_fraction=0.5, min_steps=10, network="any", verbose=1)
    history = gan.fit(
        real_tokens(), batch_size=B, epochs=50, verbose=0, callbacks=[stopper, recorder]
    )
    assert stopper.stopped_step == 10 == len(recorder.batches) and len(history.epoch) == 5
    assert [logs["g_skipped"] for logs in recorder.batches] == list(range(7, 17))
    assert all(logs["d_skipped"] == 0 for logs in recorder.batches)
    out = capsys.readouterr().out
    assert "StopOnSkippedUpdates: stopping training after 10 steps" in out
    assert "10 of 10 generator updates were skipped (g_skipped)" in out

    # Counting starts at each fit: the 16 earlier skips do not count.
    watch_g = StopOnSkippedUpdates(max_fraction=0.9, min_steps=4, network="generator", verbose=0)
    gan.fit(real_tokens(), batch_size=B, epochs=10, verbose=0, callbacks=[watch_g])
    assert watch_g.stopped_step == 4 and "4 of 4 generator updates" in watch_g.reason

    for before, after in zip(g_before, gan.generator.weights, strict=True):
        np.testing.assert_array_equal(before, np.asarray(after))  # skipped: unchanged
    assert all_finite(gan.discriminator) and all_finite(gan.discriminator_optimizer)


def test_counts_attempted_updates_with_d_train_interval_and_g_steps():
    gan = make_gan()
    gan.d_train_interval, gan.g_steps = 3, 2  # set directly: no recompile, no new trace
    stopper = StopOnSkippedUpdates()
    stopper.set_model(gan)
    gan.step_counter.assign(4)
    stopper.on_train_begin()
    stopper.on_epoch_begin(0)
    stopper.on_train_batch_end(5, {"g_skipped": 0, "d_skipped": 0})  # steps 4..9 ran
    assert stopper._attempted("generator", 6) == 12
    assert stopper._attempted("discriminator", 6) == 2  # steps 6 and 9
    stopper.on_train_batch_end(11, {"g_skipped": 0, "d_skipped": 2})  # steps 4..15
    assert stopper._attempted("discriminator", 12) == 4  # steps 6, 9, 12 and 15
    assert stopper.stopped_step is None  # 2 of 4 is not above max_fraction=0.5
    stopper.on_train_batch_end(12, {"g_skipped": 0, "d_skipped": 3})
    assert stopper.stopped_step == 13 and gan.stop_training
    assert "3 of 4 discriminator updates" in stopper.reason


def test_batch_hooks_run_out_of_order_still_stop_at_the_right_step():
    # With asynchronous dispatch (JAX, torch) Keras runs batch hooks in worker threads,
    # so a later batch's hook can run before an earlier one's. CI met this on JAX: the
    # earlier hook overwrote the step count and the stop came a step late, with a
    # fraction above 1 ("5 of 4"). Each hook must judge its own batch alone.
    gan = make_gan()
    stopper = StopOnSkippedUpdates(max_fraction=0.9, min_steps=4, network="generator")
    stopper.set_model(gan)
    gan.g_skipped.assign(16)
    stopper.on_train_begin()
    stopper.on_epoch_begin(0)
    stopper.on_train_batch_end(1, {"g_skipped": 18})
    stopper.on_train_batch_end(0, {"g_skipped": 17})
    stopper.on_epoch_begin(1)  # Keras flushes the hooks before the epoch ends
    stopper.on_train_batch_end(1, {"g_skipped": 20})  # step 4 before step 3
    stopper.on_train_batch_end(0, {"g_skipped": 19})
    assert stopper.stopped_step == 4 and gan.stop_training
    assert "4 of 4 generator updates" in stopper.reason
    stopper.on_epoch_begin(2)
    stopper.on_train_batch_end(0, {"g_skipped": 21})  # a step run before the stop was seen
    assert stopper.stopped_step == 4 and "4 of 4 generator updates" in stopper.reason


def test_stop_on_skipped_updates_survives_deepcopy_after_use():
    # KerasTuner deep-copies the callbacks for every trial; the lock is not copyable.
    stopper = StopOnSkippedUpdates(min_steps=3)
    clone = copy.deepcopy(stopper)
    assert clone.min_steps == 3 and clone._lock is not stopper._lock
    with clone._lock:  # a working lock of its own
        pass


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"max_fraction": 1.0}, ValueError, r"max_fraction.*1\.0"),
        ({"max_fraction": -0.1}, ValueError, r"max_fraction.*-0\.1"),
        ({"max_fraction": float("nan")}, ValueError, "max_fraction=nan"),
        ({"max_fraction": "half"}, TypeError, "max_fraction='half'"),
        ({"max_fraction": True}, TypeError, "max_fraction=True"),
        ({"min_steps": 0}, ValueError, "min_steps=0"),
        ({"min_steps": 2.5}, TypeError, "min_steps=2.5"),
        ({"network": "both"}, ValueError, "network='both'"),
        ({"network": None}, TypeError, "network=None"),
        ({"verbose": 2}, ValueError, "verbose=2"),
    ],
)
def test_stop_on_skipped_updates_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        StopOnSkippedUpdates(**kwargs)


def test_stop_on_skipped_updates_is_deep_copyable_and_async_safe():
    stopper = StopOnSkippedUpdates(max_fraction=0.25, min_steps=3, network="generator")
    clone = copy.deepcopy(stopper)
    assert (clone.max_fraction, clone.min_steps, clone.network, clone.verbose) == (
        0.25,
        3,
        "generator",
        1,
    )
    assert clone.async_safe and clone is not stopper


def test_stop_on_skipped_updates_needs_a_seqgan():
    generator, _ = make_models()
    stopper = StopOnSkippedUpdates()
    stopper.set_model(generator)
    with pytest.raises(TypeError, match="needs a `keras_seqgan.SeqGAN`.*Generator"):
        stopper.on_train_begin()
