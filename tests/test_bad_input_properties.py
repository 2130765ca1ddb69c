"""Bad inputs and numerical storms.

Property tests (hypothesis): random shapes, dtypes and values thrown at the public entry
points. Each bad input must raise the error type documented for the argument at fault,
with a message naming that argument (never a raw TensorFlow error, never an error about
another argument); each valid input, drawn by the same strategies, must work.
Then numerical storms: an absurd learning rate or a poisoned weight makes the updates
skip, every weight stays finite or unchanged, and `StopOnSkippedUpdates` stops the run.
"""

from __future__ import annotations

import copy
import math
import re

import keras
import numpy as np
import pytest
from _models import tiny_gan, tiny_models
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from keras_seqgan.callbacks import StopOnSkippedUpdates
from keras_seqgan.data import OracleLSTM, sequence_dataset, validate_tokens

V, T, B = 10, 5, 4
PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

INT_DTYPES = st.sampled_from(["int8", "uint8", "int16", "int32", "int64", "uint64"])
DTYPES = st.one_of(INT_DTYPES, st.sampled_from(["float16", "float32", "float64", "bool"]))


@st.composite
def token_arrays(draw, valid=False):
    """Arrays of rank 0-4 and any dtype, often close to valid `[N, T]` int tokens.

    With `valid=True`, the same draws pinned to their valid branch: `[B or 2B, T]`
    integer arrays of ids in `[0, V)`.
    """
    dtype = np.dtype(draw(INT_DTYPES if valid else DTYPES))
    near_valid = valid or draw(st.booleans())
    if near_valid:
        shape = (draw(st.sampled_from([B, 2 * B])), T)
    else:
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if valid or (near_valid and draw(st.booleans())):
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
    return tiny_models(V, T, global_seed=seed, dropout=0.0)


def make_gan(**compile_kwargs):
    return tiny_gan(*make_models(), **compile_kwargs)


@pytest.fixture(scope="module")
def shared_gan():
    return make_gan()


@pytest.fixture(scope="module")
def oracle():
    return OracleLSTM(vocabulary_size=V, sequence_length=T, embedding_dim=4, hidden_dim=4, seed=1)


# ------------------------------------------------------------------- properties
# Each property draws arguments, good and bad alike, and predicts from the documented
# rules which argument is wrong (the first one the callee checks): the call must then
# raise that argument's error type with a message naming it, and must work when nothing
# is wrong. The `_accepts_` twins draw from the same strategies, filtered to valid values,
# so that every run also shows valid input accepted.
def names(argument):
    """A message pattern that names `argument`: `argument` in backticks or `argument=`."""
    escaped = re.escape(argument)
    return rf"(`{escaped}`|\b{escaped}=)"


def assert_works_or_names_the_problem(call, problems):
    """Runs `call`. `problems`: None or `(error, argument, reason)` per argument, in the
    order the callee checks them; the first one is what `call` must raise, with a message
    that names the argument and matches `reason`. With no problem, `call` must work."""
    problem = next((problem for problem in problems if problem is not None), None)
    if problem is None:
        event("valid")
        return call()
    error, argument, reason = problem
    event(f"{error.__name__} for {argument}")
    with pytest.raises(error, match=rf"{names(argument)}.*{reason}|{reason}.*{names(argument)}"):
        call()
    return None


def token_problem(tokens, name="tokens", vocabulary_size=None, sequence_length=None):
    """What `validate_tokens` (its docstring's rules, in its order) must reject, or None."""
    if tokens.size == 0:
        return ValueError, name, "at least one sequence"
    if tokens.dtype == np.bool_ or not np.issubdtype(tokens.dtype, np.integer):
        return TypeError, name, "integer array"
    if tokens.ndim != 2:
        return ValueError, name, "rank 2"
    if sequence_length is not None and tokens.shape[1] != sequence_length:
        return ValueError, name, f"sequence length {sequence_length}"
    if int(tokens.min()) < 0:
        return ValueError, name, "non-negative"
    upper = 2**31 if vocabulary_size is None else vocabulary_size
    if int(tokens.max()) >= upper:
        return ValueError, name, "ids must"
    return None


def is_int(value):
    """A Python or NumPy integer, not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def positive_int_problem(value, name, wrong_type=TypeError):
    """An int >= 1 is fine; some checkers raise `ValueError` for a wrong type too."""
    if not is_int(value):
        return wrong_type, name, ""
    return None if value >= 1 else (ValueError, name, "")


def temperature_problem(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return TypeError, "temperature", ""
    if not math.isfinite(float(value)) or value <= 0:
        return ValueError, "temperature", ""
    return None


def generator_seed_problem(value):
    """`Generator.generate`: None or an int in [0, 2**63)."""
    if value is None:
        return None
    if not is_int(value):
        return TypeError, "seed", ""
    return None if 0 <= value < 2**63 else (ValueError, "seed", "")


def dataset_seed_problem(value):
    """The `tf.data` builders: None or an int in [0, 2**63), as every seed."""
    if value is None:
        return None
    if not is_int(value):
        return TypeError, "seed", ""
    return None if 0 <= value < 2**63 else (ValueError, "seed", "")


def assert_no_problem(problems):
    """The `_accepts_` tests check that their strategies draw only what the rules accept."""
    assert not any(problems), problems


def dataset_problems(tokens, batch_size, seed):
    """`sequence_dataset` checks the tokens, the batch size, a full batch, the seed."""
    problems = [token_problem(tokens, vocabulary_size=V)]
    problems.append(positive_int_problem(batch_size, "batch_size"))
    if not any(problems) and len(tokens) < batch_size:  # drop_remainder=True by default
        problems.append((ValueError, "batch_size", "no full batch"))
    problems.append(dataset_seed_problem(seed))
    return problems


def generate_problems(num_samples, temperature, seed, batch_size):
    """`Generator.generate` checks these arguments in this order."""
    return [
        positive_int_problem(num_samples, "num_samples"),
        temperature_problem(temperature),
        None if batch_size is None else positive_int_problem(batch_size, "batch_size"),
        generator_seed_problem(seed),
    ]


def oracle_problems(tokens, batch_size):
    """`OracleLSTM.nll` checks the tokens (vocabulary and length), then the batch size."""
    return [
        token_problem(tokens, vocabulary_size=V, sequence_length=T),
        positive_int_problem(batch_size, "batch_size"),
    ]


GOOD_TOKENS = np.arange(B * T).reshape(B, T) % V


# Each strategy of arguments is its valid part (`VALID_...`, drawn alone by the
# `_accepts_` tests) or bad values (and `SCALARS`, which holds some valid ones too).
def often_valid(valid, anything):
    """`anything`, or more often its valid part: so that, with several arguments, each
    one is often the first bad one (an argument checked late is otherwise rarely reached)."""
    return st.one_of(valid, anything)


VALID_DATASET_BATCH_SIZES = st.one_of(st.integers(1, B), st.just(np.int64(3)))  # a full batch
DATASET_BATCH_SIZES = st.one_of(VALID_DATASET_BATCH_SIZES, st.integers(-3, 9), SCALARS)
VALID_DATASET_SEEDS = st.one_of(st.none(), st.integers(0, 2**40))
DATASET_SEEDS = st.one_of(VALID_DATASET_SEEDS, st.integers(-5, -1), st.floats(allow_nan=True))
VALID_NUM_SAMPLES = st.integers(1, 6)
NUM_SAMPLES = st.one_of(VALID_NUM_SAMPLES, st.integers(-3, 0), SCALARS).map(
    lambda n: min(n, 6) if is_int(n) else n  # valid but slow: a huge count is not a bad input
)
VALID_TEMPERATURES = st.one_of(
    st.floats(min_value=0.0, exclude_min=True, allow_infinity=False),
    st.sampled_from([1e-30, 1e30]),
)
TEMPERATURES = st.one_of(
    VALID_TEMPERATURES, st.floats(allow_nan=True, allow_infinity=True), SCALARS
)
VALID_GENERATE_SEEDS = st.one_of(st.integers(0, 2**32 - 1), st.integers(0, 2**63 - 1))
GENERATE_SEEDS = st.one_of(VALID_GENERATE_SEEDS, st.integers(-3, 2**64), SCALARS)
VALID_GENERATE_BATCH_SIZES = st.sampled_from([None, 1, 2, 3])
GENERATE_BATCH_SIZES = st.one_of(VALID_GENERATE_BATCH_SIZES, st.integers(-3, 0), SCALARS).map(
    lambda n: min(n, 3) if is_int(n) else n  # each batch size compiles its own sampler
)
VALID_ORACLE_BATCH_SIZES = st.just(250)  # each batch size compiles its own scorer
ORACLE_BATCH_SIZES = st.one_of(VALID_ORACLE_BATCH_SIZES, st.integers(-2, 0), SCALARS).map(
    lambda n: 250 if is_int(n) and n > 0 else n
)


@PROPERTY
@given(tokens=token_arrays())
def test_validate_tokens_works_or_names_the_problem(tokens):
    result = assert_works_or_names_the_problem(
        lambda: validate_tokens(tokens, vocabulary_size=V, sequence_length=T),
        [token_problem(tokens, vocabulary_size=V, sequence_length=T)],
    )
    if result is not None:
        assert result.dtype == np.int32
        np.testing.assert_array_equal(result, tokens)


@PROPERTY
@given(tokens=token_arrays(valid=True))
def test_validate_tokens_accepts_valid_tokens(tokens):
    assert_no_problem([token_problem(tokens, vocabulary_size=V, sequence_length=T)])
    result = validate_tokens(tokens, vocabulary_size=V, sequence_length=T)
    assert result.dtype == np.int32
    np.testing.assert_array_equal(result, tokens)


def assert_batches_of(dataset, tokens, batch_size):
    """Every batch holds `batch_size` of the rows of `tokens`, every row once at most."""
    batches = [np.asarray(batch) for batch in dataset]
    assert len(batches) == len(tokens) // batch_size
    rows = [tuple(row) for row in tokens.astype("int64")]
    seen = [tuple(row) for batch in batches for row in batch.astype("int64")]
    assert all(batch.dtype == np.int32 and batch.shape == (batch_size, tokens.shape[1])
               for batch in batches)  # fmt: skip
    for row in set(seen):
        assert seen.count(row) <= rows.count(row)


@settings(PROPERTY, max_examples=60)  # several arguments: cheap, so more draws
@given(
    tokens=often_valid(token_arrays(valid=True), token_arrays()),
    batch_size=often_valid(VALID_DATASET_BATCH_SIZES, DATASET_BATCH_SIZES),
    seed=often_valid(VALID_DATASET_SEEDS, DATASET_SEEDS),
)
# Each argument at least once the first bad one, whatever the draws.
@example(tokens=GOOD_TOKENS, batch_size="4", seed=None)
@example(tokens=GOOD_TOKENS, batch_size=B + 1, seed=None)  # no full batch
@example(tokens=GOOD_TOKENS, batch_size=B, seed=0.5)
def test_sequence_dataset_works_or_names_the_problem(tokens, batch_size, seed):
    dataset = assert_works_or_names_the_problem(
        lambda: sequence_dataset(tokens, batch_size=batch_size, seed=seed, vocabulary_size=V),
        dataset_problems(tokens, batch_size, seed),
    )
    if dataset is not None:
        assert_batches_of(dataset, tokens, batch_size)


@settings(PROPERTY, max_examples=15)  # each iterates a tf.data pipeline
@given(
    tokens=token_arrays(valid=True),
    batch_size=VALID_DATASET_BATCH_SIZES,
    seed=VALID_DATASET_SEEDS,
)
def test_sequence_dataset_accepts_valid_arguments(tokens, batch_size, seed):
    assert_no_problem(dataset_problems(tokens, batch_size, seed))
    dataset = sequence_dataset(tokens, batch_size=batch_size, seed=seed, vocabulary_size=V)
    assert_batches_of(dataset, tokens, batch_size)


def fit_one_step(gan, tokens):
    before = int(gan.step_counter.numpy())
    gan.fit(tokens, batch_size=B, epochs=1, steps_per_epoch=1, verbose=0)
    assert int(gan.step_counter.numpy()) == before + 1
    for weight in gan.weights:
        assert np.all(np.isfinite(np.asarray(weight, dtype="float64"))), weight.path
    return True


@settings(PROPERTY, max_examples=25)
@given(tokens=token_arrays())
@example(tokens=GOOD_TOKENS[0])  # rank 1
@example(tokens=GOOD_TOKENS.astype("float32"))
def test_seqgan_fit_on_numpy_arrays_works_or_names_the_problem(shared_gan, tokens):
    assert_works_or_names_the_problem(
        lambda: fit_one_step(shared_gan, tokens),
        [token_problem(tokens, name="x", vocabulary_size=V, sequence_length=T)],
    )


@settings(PROPERTY, max_examples=8)
@given(tokens=token_arrays(valid=True))
def test_seqgan_fit_accepts_valid_numpy_arrays(shared_gan, tokens):
    assert_no_problem([token_problem(tokens, name="x", vocabulary_size=V, sequence_length=T)])
    fit_one_step(shared_gan, tokens)


def check_generated(tokens, num_samples):
    assert tokens.shape == (num_samples, T) and tokens.dtype == np.int32
    assert tokens.min() >= 0 and tokens.max() < V


@settings(PROPERTY, max_examples=60)  # several arguments: cheap, so more draws
@given(
    num_samples=often_valid(VALID_NUM_SAMPLES, NUM_SAMPLES),
    temperature=often_valid(VALID_TEMPERATURES, TEMPERATURES),
    seed=often_valid(VALID_GENERATE_SEEDS, GENERATE_SEEDS),
    batch_size=often_valid(VALID_GENERATE_BATCH_SIZES, GENERATE_BATCH_SIZES),
)
@example(num_samples=2.0, temperature=1.0, seed=None, batch_size=None)
@example(num_samples=2, temperature=float("nan"), seed=None, batch_size=None)
@example(num_samples=2, temperature="1", seed=None, batch_size=None)
@example(num_samples=2, temperature=1.0, seed=None, batch_size=0)
@example(num_samples=2, temperature=1.0, seed=-1, batch_size=None)
@example(num_samples=2, temperature=1.0, seed="1", batch_size=None)
def test_generate_arguments_work_or_name_the_problem(
    shared_gan, num_samples, temperature, seed, batch_size
):
    tokens = assert_works_or_names_the_problem(
        lambda: shared_gan.generator.generate(
            num_samples, temperature=temperature, seed=seed, batch_size=batch_size
        ),
        generate_problems(num_samples, temperature, seed, batch_size),
    )
    if tokens is not None:
        check_generated(tokens, num_samples)


@PROPERTY
@given(
    num_samples=VALID_NUM_SAMPLES,
    temperature=VALID_TEMPERATURES,
    seed=VALID_GENERATE_SEEDS,
    batch_size=VALID_GENERATE_BATCH_SIZES,
)
def test_generate_accepts_valid_arguments(shared_gan, num_samples, temperature, seed, batch_size):
    assert_no_problem(generate_problems(num_samples, temperature, seed, batch_size))
    tokens = shared_gan.generator.generate(
        num_samples, temperature=temperature, seed=seed, batch_size=batch_size
    )
    check_generated(tokens, num_samples)


@pytest.mark.parametrize(
    "seed",
    [
        0,
        2**32 - 1,
        2**32,  # JAX holds a seed state as uint32: larger seeds are folded to 32 bits
        2**63 - 1,
    ],
)
def test_generate_takes_every_documented_seed(shared_gan, seed):
    tokens = shared_gan.generator.generate(2, seed=seed)
    check_generated(tokens, 2)
    np.testing.assert_array_equal(tokens, shared_gan.generator.generate(2, seed=seed))


@settings(PROPERTY, max_examples=60)  # several arguments: cheap, so more draws
@given(
    tokens=often_valid(token_arrays(valid=True), token_arrays()),
    batch_size=often_valid(VALID_ORACLE_BATCH_SIZES, ORACLE_BATCH_SIZES),
)
@example(tokens=GOOD_TOKENS, batch_size=0)
@example(tokens=GOOD_TOKENS, batch_size=2.5)
def test_oracle_nll_works_or_names_the_problem(oracle, tokens, batch_size):
    nll = assert_works_or_names_the_problem(
        lambda: oracle.nll(tokens, batch_size=batch_size), oracle_problems(tokens, batch_size)
    )
    if nll is not None:
        assert np.isfinite(nll) and nll > 0


@PROPERTY
@given(tokens=token_arrays(valid=True), batch_size=VALID_ORACLE_BATCH_SIZES)
def test_oracle_nll_accepts_valid_tokens(oracle, tokens, batch_size):
    assert_no_problem(oracle_problems(tokens, batch_size))
    nll = oracle.nll(tokens, batch_size=batch_size)
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
