"""Tests for `keras_seqgan.data.OracleLSTM`."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from keras_seqgan.data import OracleLSTM

REAL_ORACLE = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "seqgan_oracle_lstm.npz"
)

VOCABULARY_SIZE = 10
SEQUENCE_LENGTH = 5


@pytest.fixture(scope="module")
def oracle() -> OracleLSTM:
    return OracleLSTM(
        vocabulary_size=VOCABULARY_SIZE,
        sequence_length=SEQUENCE_LENGTH,
        embedding_dim=4,
        hidden_dim=4,
        seed=7,
        jit_compile=False,  # XLA compiles take seconds; one test below covers that path.
    )


def numpy_log_prob(weights: dict, tokens: np.ndarray, start_token: int = 0) -> np.ndarray:
    """A plain NumPy float64 transcription of the README's equations, as a reference."""

    def sigmoid(x):
        return 1.0 / (1.0 + np.exp(-x))

    w = {key: value.astype("float64") for key, value in weights.items()}
    num_sequences, sequence_length = tokens.shape
    h = np.zeros((num_sequences, w["U_i"].shape[0]))
    c = np.zeros_like(h)
    x = np.repeat(w["embedding"][start_token][None], num_sequences, axis=0)
    out = np.zeros(tokens.shape)
    for t in range(sequence_length):
        i = sigmoid(x @ w["W_i"] + h @ w["U_i"] + w["b_i"])
        f = sigmoid(x @ w["W_f"] + h @ w["U_f"] + w["b_f"])
        o = sigmoid(x @ w["W_o"] + h @ w["U_o"] + w["b_o"])
        g = np.tanh(x @ w["W_c"] + h @ w["U_c"] + w["b_c"])
        c = f * c + i * g
        h = o * np.tanh(c)
        logits = h @ w["W_out"] + w["b_out"]
        logits = logits - logits.max(axis=1, keepdims=True)
        log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        out[:, t] = log_softmax[np.arange(num_sequences), tokens[:, t]]
        x = w["embedding"][tokens[:, t]]
    return out


def test_attributes_and_weight_shapes(oracle):
    assert oracle.vocabulary_size == VOCABULARY_SIZE
    assert oracle.sequence_length == SEQUENCE_LENGTH
    assert (oracle.embedding_dim, oracle.hidden_dim, oracle.start_token) == (4, 4, 0)
    weights = oracle.weights
    assert len(weights) == 15
    assert weights["embedding"].shape == (10, 4)
    assert weights["W_f"].shape == (4, 4) and weights["U_c"].shape == (4, 4)
    assert weights["b_o"].shape == (4,)
    assert weights["W_out"].shape == (4, 10) and weights["b_out"].shape == (10,)
    assert all(array.dtype == np.float32 for array in weights.values())
    assert "vocabulary_size=10" in repr(oracle)


def test_weights_are_seeded_standard_normal():
    sizes = {"vocabulary_size": 50, "embedding_dim": 8, "hidden_dim": 8, "jit_compile": False}
    first = OracleLSTM(**sizes, seed=3).weights
    second = OracleLSTM(**sizes, seed=3).weights
    other = OracleLSTM(**sizes, seed=4).weights
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])
    assert not np.array_equal(first["W_out"], other["W_out"])
    values = np.concatenate([array.ravel() for array in first.values()])
    assert abs(values.mean()) < 0.1 and abs(values.std() - 1.0) < 0.1


def test_weights_are_read_only(oracle):
    with pytest.raises(ValueError):
        oracle.weights["embedding"][0, 0] = 1.0


def test_sample_shape_dtype_and_range(oracle):
    tokens = oracle.sample(37, seed=1, batch_size=16)
    assert tokens.shape == (37, SEQUENCE_LENGTH)
    assert tokens.dtype == np.int32
    assert tokens.min() >= 0 and tokens.max() < VOCABULARY_SIZE


def test_sample_is_determined_by_seed(oracle):
    first = oracle.sample(64, seed=11, batch_size=32)
    again = oracle.sample(64, seed=11, batch_size=32)
    other = oracle.sample(64, seed=12, batch_size=32)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    # A shorter request with the same seed is a prefix of the longer one.
    np.testing.assert_array_equal(oracle.sample(40, seed=11, batch_size=32), first[:40])


@pytest.mark.tensorflow_only("counts tf.function traces")
def test_sample_compiles_once_per_batch_size(oracle):
    oracle.sample(10, seed=1, batch_size=8)
    oracle.sample(20, seed=2, batch_size=8)
    function = oracle._sample_functions[8]
    assert function.experimental_get_tracing_count() == 1


def test_sample_without_seed_varies(oracle):
    assert not np.array_equal(oracle.sample(64), oracle.sample(64))


def test_samples_follow_the_oracle_distribution(oracle):
    # Token frequencies at the first position match the oracle's first-step softmax.
    samples = oracle.sample(4000, seed=5, batch_size=1000)
    log_probs = oracle.log_prob(np.arange(VOCABULARY_SIZE)[:, None].repeat(SEQUENCE_LENGTH, 1))
    expected = np.exp(log_probs[:, 0])  # p(first token = v) for v in the vocabulary.
    observed = np.bincount(samples[:, 0], minlength=VOCABULARY_SIZE) / len(samples)
    np.testing.assert_allclose(expected.sum(), 1.0, atol=1e-5)
    np.testing.assert_allclose(observed, expected, atol=0.03)


def test_log_prob_matches_numpy_reference(oracle):
    tokens = np.random.default_rng(0).integers(0, VOCABULARY_SIZE, (13, SEQUENCE_LENGTH))
    log_probs = oracle.log_prob(tokens, batch_size=8)
    assert log_probs.shape == (13, SEQUENCE_LENGTH) and log_probs.dtype == np.float32
    np.testing.assert_allclose(log_probs, numpy_log_prob(oracle.weights, tokens), atol=1e-5)
    np.testing.assert_allclose(oracle.log_prob(tokens, batch_size=5), log_probs, atol=1e-6)
    expected = -numpy_log_prob(oracle.weights, tokens).mean()
    assert oracle.nll(tokens) == pytest.approx(expected, abs=1e-5)


def test_own_samples_have_lower_nll_than_uniform_tokens(oracle):
    samples = oracle.sample(2000, seed=3)
    uniform = np.random.default_rng(3).integers(0, VOCABULARY_SIZE, samples.shape)
    own, random = oracle.nll(samples), oracle.nll(uniform)
    assert isinstance(own, float)
    assert own < random - 0.1
    assert 0.0 < own < np.log(VOCABULARY_SIZE)


def test_npz_round_trip(oracle, tmp_path):
    path = tmp_path / "oracle.npz"
    oracle.save_npz(path)
    assert os.listdir(tmp_path) == ["oracle.npz"]  # No temporary file left behind.
    loaded = OracleLSTM.from_npz(path, sequence_length=SEQUENCE_LENGTH, jit_compile=False)
    assert loaded.vocabulary_size == VOCABULARY_SIZE and loaded.hidden_dim == 4
    for key, value in oracle.weights.items():
        np.testing.assert_array_equal(loaded.weights[key], value)
    np.testing.assert_array_equal(loaded.sample(50, seed=9), oracle.sample(50, seed=9))
    with np.load(path) as archive:
        assert sorted(archive.files) == sorted(oracle.weights)
    # Saving over an existing file replaces it.
    sizes = {"vocabulary_size": 12, "embedding_dim": 3, "hidden_dim": 2}
    OracleLSTM(**sizes, seed=0, jit_compile=False).save_npz(path)
    assert OracleLSTM.from_npz(path, jit_compile=False).vocabulary_size == 12


def test_from_weights(oracle):
    copy = OracleLSTM.from_weights(
        oracle.weights, sequence_length=SEQUENCE_LENGTH, jit_compile=False
    )
    np.testing.assert_array_equal(copy.sample(20, seed=1), oracle.sample(20, seed=1))


def test_xla_sampler_matches_graph_mode(oracle):
    # The uniforms are drawn outside the compiled sampler, so XLA changes nothing.
    compiled = OracleLSTM.from_weights(oracle.weights, sequence_length=SEQUENCE_LENGTH)
    assert compiled.jit_compile and not oracle.jit_compile
    samples = compiled.sample(64, seed=4, batch_size=64)
    np.testing.assert_array_equal(samples, oracle.sample(64, seed=4, batch_size=64))


def test_from_npz_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        OracleLSTM.from_npz(tmp_path / "missing.npz")


def test_from_npz_not_an_archive(tmp_path):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"not an npz file")
    with pytest.raises(ValueError, match="garbage.npz"):
        OracleLSTM.from_npz(path)


def test_from_npz_single_array(tmp_path):
    path = tmp_path / "single.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match="single.npy.*single array"):
        OracleLSTM.from_npz(path)


def _save(path, weights):
    np.savez(path, **weights)
    return path


def test_from_npz_missing_key(oracle, tmp_path):
    weights = oracle.weights
    del weights["U_f"]
    path = _save(tmp_path / "missing_key.npz", weights)
    with pytest.raises(ValueError, match="missing_key.npz.*missing key 'U_f'"):
        OracleLSTM.from_npz(path)


def test_from_npz_unexpected_key(oracle, tmp_path):
    path = _save(tmp_path / "extra.npz", {**oracle.weights, "W_extra": np.zeros(3)})
    with pytest.raises(ValueError, match="extra.npz.*unexpected key 'W_extra'"):
        OracleLSTM.from_npz(path)


def test_from_npz_bad_shape(oracle, tmp_path):
    path = _save(tmp_path / "bad_shape.npz", {**oracle.weights, "b_out": np.zeros(11, "float32")})
    with pytest.raises(
        ValueError, match=r"bad_shape.npz.*'b_out' has shape \(11,\); expected \(10,\)"
    ):
        OracleLSTM.from_npz(path)


def test_from_npz_bad_dtype(oracle, tmp_path):
    path = _save(tmp_path / "bad_dtype.npz", {**oracle.weights, "W_i": np.zeros((4, 4), "int32")})
    with pytest.raises(ValueError, match="bad_dtype.npz.*'W_i' must hold a floating-point"):
        OracleLSTM.from_npz(path)


def test_from_npz_non_finite(oracle, tmp_path):
    weights = oracle.weights
    weights["b_c"] = np.array([0.0, np.nan, 0.0, 0.0], "float32")
    path = _save(tmp_path / "nan.npz", weights)
    with pytest.raises(ValueError, match="nan.npz.*'b_c' holds non-finite"):
        OracleLSTM.from_npz(path)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"vocabulary_size": 0}, ValueError, "vocabulary_size"),
        ({"vocabulary_size": 10.0}, TypeError, "vocabulary_size"),
        ({"sequence_length": -1}, ValueError, "sequence_length"),
        ({"embedding_dim": True}, TypeError, "embedding_dim"),
        ({"hidden_dim": "4"}, TypeError, "hidden_dim"),
        ({"start_token": 10}, ValueError, r"start_token.*\[0, vocabulary_size=10\)"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"jit_compile": "auto"}, ValueError, "jit_compile"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, error, match):
    arguments = {"vocabulary_size": 10, "sequence_length": 5, "embedding_dim": 4, "hidden_dim": 4}
    arguments["jit_compile"] = False
    with pytest.raises(error, match=match):
        OracleLSTM(**{**arguments, **kwargs})


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"num_samples": 0}, ValueError, r"num_samples.*Received: num_samples=0"),
        ({"num_samples": 2.0}, TypeError, "num_samples"),
        ({"num_samples": 4, "batch_size": 0}, ValueError, "batch_size"),
        ({"num_samples": 4, "seed": "1"}, TypeError, "seed"),
    ],
)
def test_sample_rejects_bad_arguments(oracle, kwargs, error, match):
    with pytest.raises(error, match=match):
        oracle.sample(**kwargs)


@pytest.mark.parametrize(
    "tokens, error, match",
    [
        (np.zeros((2, 5), "float32"), TypeError, r"`tokens`.*integer.*float32"),
        (np.zeros((2, 5, 1), "int32"), ValueError, r"`tokens`.*rank 2.*\(2, 5, 1\)"),
        (np.zeros((2, 4), "int32"), ValueError, r"`tokens`.*sequence length 5.*\(2, 4\)"),
        (np.full((2, 5), 10), ValueError, r"`tokens`.*vocabulary_size=10.*maximum id of 10"),
        (np.full((2, 5), -1), ValueError, r"`tokens`.*non-negative.*-1"),
        (np.zeros((0, 5), "int32"), ValueError, r"`tokens`.*empty"),
    ],
)
def test_nll_rejects_bad_tokens(oracle, tokens, error, match):
    with pytest.raises(error, match=match):
        oracle.nll(tokens)
    with pytest.raises(error, match=match):
        oracle.log_prob(tokens)


@pytest.fixture(scope="module")
def real_oracle() -> OracleLSTM:
    if not REAL_ORACLE.exists():
        pytest.skip(f"the SeqGAN paper's oracle weights are not at {REAL_ORACLE}")
    return OracleLSTM.from_npz(REAL_ORACLE)


def test_real_oracle_layout(real_oracle):
    assert real_oracle.vocabulary_size == 5000 and real_oracle.sequence_length == 20
    assert (real_oracle.embedding_dim, real_oracle.hidden_dim) == (32, 32)


def test_real_oracle_nll_of_its_own_samples(real_oracle):
    # The README's figure is 5.759 on 10,000 samples; 2,000 keep the test fast. Per-sequence
    # mean NLLs have a standard deviation of about 0.53 nats (measured on 10,000 samples), so
    # the standard error on 2,000 sequences is about 0.012: +-0.05 is over 4 of them.
    samples = real_oracle.sample(2_000, seed=88)
    assert samples.shape == (2_000, 20)
    assert real_oracle.nll(samples) == pytest.approx(5.759, abs=0.05)


def test_real_oracle_nll_of_uniform_tokens(real_oracle):
    # README: 11.43 on 10,000 sequences. Per-sequence mean NLLs of uniform tokens have a
    # standard deviation of about 0.57 nats, so 2,000 sequences give a standard error of
    # about 0.013: +-0.1 is over 7 of them.
    tokens = np.random.default_rng(0).integers(0, 5000, (2_000, 20))
    assert real_oracle.nll(tokens) == pytest.approx(11.43, abs=0.1)


AUTHORS_PARAMS = REAL_ORACLE.with_name("seqgan_target_params_py3.pkl")


def test_the_authors_pickle_equals_the_npz(real_oracle):
    if not AUTHORS_PARAMS.exists():
        pytest.skip(f"the SeqGAN authors' target_params_py3.pkl is not at {AUTHORS_PARAMS}")
    loaded = OracleLSTM.from_seqgan_params(AUTHORS_PARAMS, jit_compile=False)
    assert loaded.weights.keys() == real_oracle.weights.keys()
    for key, array in real_oracle.weights.items():
        np.testing.assert_array_equal(loaded.weights[key], array, err_msg=key)
    assert isinstance(OracleLSTM.from_file(AUTHORS_PARAMS, jit_compile=False), OracleLSTM)
    tokens = real_oracle.sample(8, seed=3)
    np.testing.assert_array_equal(loaded.log_prob(tokens), real_oracle.log_prob(tokens))


def _pickle_params(path, arrays, protocol=4):
    import pickle

    with open(path, "wb") as file:
        pickle.dump(arrays, file, protocol=protocol)
    return path


@pytest.mark.parametrize("protocol", [2, 4])
def test_seqgan_params_round_trip(oracle, tmp_path, protocol):
    from keras_seqgan.data.oracle import SEQGAN_PARAMS_ORDER

    arrays = [oracle.weights[key] for key in SEQGAN_PARAMS_ORDER]
    path = _pickle_params(tmp_path / "params.pkl", arrays, protocol)
    for load in (OracleLSTM.from_seqgan_params, OracleLSTM.from_file):
        loaded = load(path, sequence_length=SEQUENCE_LENGTH, jit_compile=False)
        for key, array in oracle.weights.items():
            np.testing.assert_array_equal(loaded.weights[key], array, err_msg=key)
    # `from_file` tells the formats apart by their first bytes, not by the file name.
    oracle.save_npz(tmp_path / "weights.pkl")
    assert OracleLSTM.from_file(tmp_path / "weights.pkl", jit_compile=False).hidden_dim == 4


class _RunsCode:
    """Unpickling it calls `os.mkdir`: what a hostile pickle does."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_seqgan_params_refuse_anything_but_arrays(oracle, tmp_path):
    marker = tmp_path / "was_run"
    path = _pickle_params(tmp_path / "hostile.pkl", [_RunsCode(marker)])
    with pytest.raises(ValueError, match=r"hostile.pkl.*refused to load posix.mkdir"):
        OracleLSTM.from_seqgan_params(path)
    assert not marker.exists()  # refused before it ran


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ({"embedding": 1}, r"list of 15 NumPy arrays.*holds a dict"),
        ([np.zeros(2, "float32")] * 3, r"holds a list of 3"),
        ([np.zeros(2, "float32")] * 14 + [1.0], r"entry 14 \(b_out\) must be a NumPy array"),
    ],
)
def test_seqgan_params_bad_layout(tmp_path, content, match):
    with pytest.raises(ValueError, match=match):
        OracleLSTM.from_seqgan_params(_pickle_params(tmp_path / "bad.pkl", content))


def test_seqgan_params_bad_shape_and_missing_file(oracle, tmp_path):
    from keras_seqgan.data.oracle import SEQGAN_PARAMS_ORDER

    arrays = [oracle.weights[key] for key in SEQGAN_PARAMS_ORDER]
    arrays[-1] = np.zeros(3, "float32")
    with pytest.raises(ValueError, match=r"'b_out' has shape \(3,\); expected \(10,\)"):
        OracleLSTM.from_seqgan_params(_pickle_params(tmp_path / "shape.pkl", arrays))
    (tmp_path / "text.pkl").write_text("not a pickle")
    with pytest.raises(ValueError, match=r"text.pkl.*SeqGAN authors' oracle parameters"):
        OracleLSTM.from_seqgan_params(tmp_path / "text.pkl")
    with pytest.raises(FileNotFoundError, match="missing.pkl"):
        OracleLSTM.from_seqgan_params(tmp_path / "missing.pkl")
    with pytest.raises(FileNotFoundError, match="missing.pkl"):
        OracleLSTM.from_file(tmp_path / "missing.pkl")
