"""The SeqGAN paper's synthetic oracle: a fixed, randomly initialised LSTM language model."""

from __future__ import annotations

import codecs
import io
import os
import pickle
import tempfile
import zipfile
from collections.abc import Callable, Mapping

import keras
import numpy as np
from keras import ops

from keras_seqgan._validation import check_index, check_int, check_seed, draw_seed
from keras_seqgan.backend import compile_function
from keras_seqgan.data.datasets import validate_tokens
from keras_seqgan.sampling import sample_from_logits

_GATES = ("i", "f", "o", "c")
_WEIGHT_KEYS = (
    "embedding",
    *(f"W_{gate}" for gate in _GATES),
    *(f"U_{gate}" for gate in _GATES),
    *(f"b_{gate}" for gate in _GATES),
    "W_out",
    "b_out",
)


def _expected_shapes(vocabulary_size: int, embedding_dim: int, hidden_dim: int) -> dict:
    shapes = {"embedding": (vocabulary_size, embedding_dim)}
    for gate in _GATES:
        shapes[f"W_{gate}"] = (embedding_dim, hidden_dim)
    for gate in _GATES:
        shapes[f"U_{gate}"] = (hidden_dim, hidden_dim)
    for gate in _GATES:
        shapes[f"b_{gate}"] = (hidden_dim,)
    shapes["W_out"] = (hidden_dim, vocabulary_size)
    shapes["b_out"] = (vocabulary_size,)
    return shapes


# The order of the 15 arrays in the SeqGAN authors' `target_params_py3.pkl`, as their
# `target_lstm.py` reads them (their `Wog, Uog, bog` are our `W_o, U_o, b_o`).
SEQGAN_PARAMS_ORDER = (
    "embedding",
    *(f"{kind}_{gate}" for gate in _GATES for kind in ("W", "U", "b")),
    "W_out",
    "b_out",
)


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles NumPy arrays (and lists of them) and nothing else.

    A pickle can call any importable function while it loads; this one admits only those
    that rebuild an array (`ndarray`, `dtype` and NumPy's `_reconstruct`, under its
    NumPy 1 or 2 module name, and `_codecs.encode`, which pickle protocols 0-2 use to
    write bytes) and refuses every other name before anything runs.
    """

    _ALLOWED = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("numpy.core.multiarray", "_reconstruct"): np.ndarray.__reduce__(np.zeros(1))[0],
        ("numpy._core.multiarray", "_reconstruct"): np.ndarray.__reduce__(np.zeros(1))[0],
        ("_codecs", "encode"): codecs.encode,
    }

    def find_class(self, module, name):
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refused to load {module}.{name}: only NumPy arrays are read from this "
                "file (a pickle naming anything else could run code)"
            ) from None


def _read_seqgan_params(path: str) -> dict[str, np.ndarray]:
    """The 15 arrays of the SeqGAN authors' `target_params*.pkl`, by our key names."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        # latin1: the encoding NumPy needs for array bytes in a pickle written by Python 2.
        arrays = _ArrayUnpickler(io.BytesIO(data), encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as error:
        raise ValueError(
            f"Could not read {path!r} as the SeqGAN authors' oracle parameters (a pickled "
            f"list of 15 NumPy arrays, `target_params_py3.pkl`): {error}"
        ) from error
    if not isinstance(arrays, (list, tuple)) or len(arrays) != len(SEQGAN_PARAMS_ORDER):
        received = (
            f"a {type(arrays).__name__} of {len(arrays)}"
            if isinstance(arrays, (list, tuple))
            else f"a {type(arrays).__name__}"
        )
        raise ValueError(
            f"{path!r} must hold a list of {len(SEQGAN_PARAMS_ORDER)} NumPy arrays in the "
            f"order {list(SEQGAN_PARAMS_ORDER)}; it holds {received}."
        )
    for index, array in enumerate(arrays):
        if not isinstance(array, np.ndarray):
            raise ValueError(
                f"{path!r}: entry {index} ({SEQGAN_PARAMS_ORDER[index]}) must be a NumPy "
                f"array. Received {type(array).__name__}."
            )
    return dict(zip(SEQGAN_PARAMS_ORDER, arrays, strict=True))


def _check_weights(weights: Mapping, source: str) -> dict[str, np.ndarray]:
    """Checks keys, dtypes and shapes of oracle weights; returns read-only float32 copies."""
    keys = set(weights)
    missing = [key for key in _WEIGHT_KEYS if key not in keys]
    if missing:
        raise ValueError(
            f"{source} is missing key {missing[0]!r} (missing: {missing}). "
            f"Expected exactly the keys {list(_WEIGHT_KEYS)}; received {sorted(keys)}."
        )
    unexpected = sorted(keys - set(_WEIGHT_KEYS))
    if unexpected:
        raise ValueError(
            f"{source} has unexpected key {unexpected[0]!r} (unexpected: {unexpected}). "
            f"Expected exactly the keys {list(_WEIGHT_KEYS)}."
        )
    arrays = {key: np.asarray(weights[key]) for key in _WEIGHT_KEYS}
    for key, array in arrays.items():
        if not np.issubdtype(array.dtype, np.floating):
            raise ValueError(
                f"{source}: key {key!r} must hold a floating-point array. "
                f"Received dtype {array.dtype}."
            )
    embedding = arrays["embedding"]
    w_i = arrays["W_i"]
    if embedding.ndim != 2 or w_i.ndim != 2:
        bad = "embedding" if embedding.ndim != 2 else "W_i"
        raise ValueError(
            f"{source}: key {bad!r} must be a matrix. Received shape {arrays[bad].shape}."
        )
    vocabulary_size, embedding_dim = embedding.shape
    hidden_dim = w_i.shape[1]
    expected = _expected_shapes(vocabulary_size, embedding_dim, hidden_dim)
    for key in _WEIGHT_KEYS:
        if arrays[key].shape != expected[key]:
            raise ValueError(
                f"{source}: key {key!r} has shape {arrays[key].shape}; expected {expected[key]} "
                f"(vocabulary_size={vocabulary_size}, embedding_dim={embedding_dim}, "
                f"hidden_dim={hidden_dim}, read from 'embedding' and 'W_i')."
            )
    checked = {}
    for key, array in arrays.items():
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{source}: key {key!r} holds non-finite values (NaN or inf).")
        array = np.array(array, dtype="float32", copy=True)
        array.setflags(write=False)
        checked[key] = array
    return checked


class OracleLSTM:
    """The synthetic oracle of the SeqGAN paper: a fixed random LSTM language model.

    The oracle stands in for the "real world" in the synthetic experiment: a generator is
    trained on the oracle's samples, and the quality of the generator's own samples is the
    oracle's mean per-token negative log-likelihood on them (NLL-oracle; lower is better,
    the oracle's entropy rate being the figure of a perfect generator). One LSTM step, with
    `x` the embedding of the previous token (the start token's at first) and `h`, `c` zero
    at the start:

    ```
    i = sigmoid(x @ W_i + h @ U_i + b_i)      f = sigmoid(x @ W_f + h @ U_f + b_f)
    o = sigmoid(x @ W_o + h @ U_o + b_o)      g = tanh(x @ W_c + h @ U_c + b_c)
    c = f * c + i * g                          h = o * tanh(c)
    logits = h @ W_out + b_out                 (next token ~ softmax(logits))
    ```

    A new oracle draws every weight from N(0, 1), as the paper's target LSTM does; use
    `OracleLSTM.from_npz` to load the paper's own weights, so that figures are comparable
    with published ones. Sampling and scoring run as compiled TensorFlow functions, built
    once per batch size (the sampler with XLA by default).

    Args:
        vocabulary_size: int. Number of token ids. Defaults to `5000`.
        sequence_length: int. Length of the sampled sequences. Defaults to `20`.
        embedding_dim: int. Width of the token embedding. Defaults to `32`.
        hidden_dim: int. Width of the LSTM state. Defaults to `32`.
        start_token: int. Token id whose embedding feeds the first step. Defaults to `0`.
        seed: int or `None`. Seed of the random weights; the same seed gives the same
            oracle. Defaults to `None` (a different oracle each time).
        jit_compile: bool. Compile the sampler with XLA: about twice as fast on CPU at a
            vocabulary of 5000, but each new batch size costs seconds of compilation (tiny
            oracles in tests run faster without). Samples do not depend on it. Defaults to
            `True`.

    Example:

    ```python
    import keras_seqgan

    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=5000, seed=66)
    real = oracle.sample(10_000, seed=88)  # int32 [10000, 20]
    print(oracle.nll(real))  # the oracle's entropy rate, nats per token
    ```

    Reference:
    - [Yu et al., 2017](https://arxiv.org/abs/1609.05473): SeqGAN, section "Synthetic Data
      Experiments".
    """

    def __init__(
        self,
        vocabulary_size: int = 5000,
        sequence_length: int = 20,
        embedding_dim: int = 32,
        hidden_dim: int = 32,
        start_token: int = 0,
        seed: int | None = None,
        jit_compile: bool = True,
    ):
        vocabulary_size = check_int("vocabulary_size", vocabulary_size)
        embedding_dim = check_int("embedding_dim", embedding_dim)
        hidden_dim = check_int("hidden_dim", hidden_dim)
        seed = check_seed(seed)
        rng = np.random.default_rng(seed)
        shapes = _expected_shapes(vocabulary_size, embedding_dim, hidden_dim)
        weights = {key: rng.standard_normal(shapes[key], dtype="float32") for key in _WEIGHT_KEYS}
        self._setup(
            _check_weights(weights, "OracleLSTM"), sequence_length, start_token, jit_compile
        )

    @classmethod
    def from_weights(
        cls,
        weights: Mapping[str, np.ndarray],
        sequence_length: int = 20,
        start_token: int = 0,
        jit_compile: bool = True,
    ) -> OracleLSTM:
        """Builds an oracle from a dict of weights laid out as in `from_npz`.

        Args:
            weights: mapping from the 15 keys `embedding`, `W_i`, `W_f`, `W_o`, `W_c`,
                `U_i`, `U_f`, `U_o`, `U_c`, `b_i`, `b_f`, `b_o`, `b_c`, `W_out`, `b_out`
                to float arrays. The sizes are read from `embedding` and `W_i`.
            sequence_length: int. Length of the sampled sequences. Defaults to `20`.
            start_token: int. Token id whose embedding feeds the first step. Defaults to `0`.
            jit_compile: bool. Compile the sampler with XLA. Defaults to `True`.

        Returns:
            An `OracleLSTM`.

        Example:

        ```python
        oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, seed=1)
        copy = keras_seqgan.data.OracleLSTM.from_weights(oracle.weights)
        ```
        """
        return cls._checked(weights, "`weights`", sequence_length, start_token, jit_compile)

    @classmethod
    def _checked(cls, weights, source, sequence_length, start_token, jit_compile):
        """An oracle of `weights`, checked (errors name `source`)."""
        oracle = cls.__new__(cls)
        oracle._setup(_check_weights(weights, source), sequence_length, start_token, jit_compile)
        return oracle

    @classmethod
    def from_npz(
        cls,
        path: str | os.PathLike,
        sequence_length: int = 20,
        start_token: int = 0,
        jit_compile: bool = True,
    ) -> OracleLSTM:
        """Loads an oracle from an `.npz` file, such as the SeqGAN paper's weights.

        The file holds the 15 float arrays `embedding` `(V, E)`; `W_i`, `W_f`, `W_o`, `W_c`
        `(E, H)`; `U_i`, `U_f`, `U_o`, `U_c` `(H, H)`; `b_i`, `b_f`, `b_o`, `b_c` `(H,)`;
        `W_out` `(H, V)`; `b_out` `(V,)`, the layout `save_npz` writes.

        Args:
            path: path of the `.npz` file.
            sequence_length: int. Length of the sampled sequences. Defaults to `20`.
            start_token: int. Token id whose embedding feeds the first step. Defaults to `0`.
            jit_compile: bool. Compile the sampler with XLA. Defaults to `True`.

        Returns:
            An `OracleLSTM`.

        Raises:
            FileNotFoundError: if `path` does not exist.
            ValueError: if the file is not an `.npz` archive or a key or shape is wrong.

        Example:

        ```python
        oracle = keras_seqgan.data.OracleLSTM.from_npz("seqgan_oracle_lstm.npz")
        ```
        """
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"Oracle weights file not found: {path!r}")
        try:
            archive = np.load(path, allow_pickle=False)
            if not isinstance(archive, Mapping):
                raise ValueError("it holds a single array, not an .npz archive")
            with archive:
                weights = {key: archive[key] for key in archive.files}
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
            raise ValueError(
                f"Could not read oracle weights from {path!r} as an .npz archive: {error}"
            ) from error
        return cls._checked(
            weights, f"Oracle file {path!r}", sequence_length, start_token, jit_compile
        )

    @classmethod
    def from_seqgan_params(
        cls,
        path: str | os.PathLike,
        sequence_length: int = 20,
        start_token: int = 0,
        jit_compile: bool = True,
    ) -> OracleLSTM:
        """Loads the oracle from the SeqGAN authors' own file, `target_params_py3.pkl`.

        The file is `save/target_params_py3.pkl` in the authors' repository
        (https://github.com/LantaoYu/SeqGAN): a pickled list of 15 float32 arrays, in the
        order their `target_lstm.py` reads them (see `SEQGAN_PARAMS_ORDER`). It is read
        with an unpickler that admits only NumPy arrays, so a file that names any other
        Python object is refused before anything in it runs; then every shape is checked
        as `from_npz` checks them. The oracle equals the one `from_npz` loads from the
        converted `.npz`. `save_npz` writes it in that pickle-free form.

        Args:
            path: path of the `.pkl` file (`target_params_py3.pkl`, or the Python 2
                `target_params.pkl`).
            sequence_length: int. Length of the sampled sequences. Defaults to `20`.
            start_token: int. Token id whose embedding feeds the first step. Defaults to `0`.
            jit_compile: bool. Compile the sampler with XLA. Defaults to `True`.

        Returns:
            An `OracleLSTM`.

        Raises:
            FileNotFoundError: if `path` does not exist.
            ValueError: if the file is not such a pickle, names anything but NumPy
                arrays, or an array's shape is wrong.

        Example:

        ```python
        # not run: needs the SeqGAN authors' file (git clone https://github.com/LantaoYu/SeqGAN)
        oracle = keras_seqgan.data.OracleLSTM.from_seqgan_params(
            "SeqGAN/save/target_params_py3.pkl"
        )
        oracle.save_npz("seqgan_oracle_lstm.npz")  # the same weights, no pickle
        ```
        """
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"Oracle parameters file not found: {path!r}")
        weights = _read_seqgan_params(path)
        return cls._checked(
            weights, f"Oracle file {path!r}", sequence_length, start_token, jit_compile
        )

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike,
        sequence_length: int = 20,
        start_token: int = 0,
        jit_compile: bool = True,
    ) -> OracleLSTM:
        """Loads an oracle from an `.npz` file or from the SeqGAN authors' `.pkl`.

        Reads the file's first bytes: a zip archive goes to `from_npz`, anything else to
        `from_seqgan_params` (which reads only NumPy arrays from a pickle). The arguments
        are theirs.

        Example:

        ```python
        # not run: needs the SeqGAN authors' file, save/target_params_py3.pkl of their repository
        oracle = keras_seqgan.data.OracleLSTM.from_file("target_params_py3.pkl")
        ```
        """
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"Oracle weights file not found: {path!r}")
        with open(path, "rb") as file:
            is_zip = file.read(4) == b"PK\x03\x04"
        load = cls.from_npz if is_zip else cls.from_seqgan_params
        return load(path, sequence_length, start_token, jit_compile)

    def save_npz(self, path: str | os.PathLike) -> None:
        """Writes the weights to `path` (compressed `.npz`, the layout `from_npz` reads).

        The file is written to a temporary file in the same folder and then moved into
        place, so a reader never sees a half-written file. The file is written to `path`
        as given (no `.npz` suffix is added).

        Args:
            path: destination path.

        Example:

        ```python
        oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, seed=1)
        oracle.save_npz("oracle.npz")
        ```
        """
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez_compressed(file, **self._weights)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise

    def _setup(
        self, weights: dict, sequence_length: int, start_token: int, jit_compile: bool
    ) -> None:
        if not isinstance(jit_compile, bool):
            raise ValueError(
                f"`jit_compile` must be True or False. Received: jit_compile={jit_compile!r}"
            )
        self._jit_compile = jit_compile
        self._weights = weights
        self._vocabulary_size, self._embedding_dim = weights["embedding"].shape
        self._hidden_dim = weights["W_i"].shape[1]
        self._sequence_length = check_int("sequence_length", sequence_length)
        self._start_token = check_index(
            "start_token", start_token, self._vocabulary_size, "vocabulary_size"
        )
        # The four gates fused into one matrix each: [E, 4H], [H, 4H], [4H], in i, f, o, c order.
        self._embedding = ops.convert_to_tensor(weights["embedding"])
        self._input_kernel = ops.convert_to_tensor(
            np.concatenate([weights[f"W_{gate}"] for gate in _GATES], axis=1)
        )
        self._recurrent_kernel = ops.convert_to_tensor(
            np.concatenate([weights[f"U_{gate}"] for gate in _GATES], axis=1)
        )
        self._bias = ops.convert_to_tensor(
            np.concatenate([weights[f"b_{gate}"] for gate in _GATES], axis=0)
        )
        self._output_kernel = ops.convert_to_tensor(weights["W_out"])
        self._output_bias = ops.convert_to_tensor(weights["b_out"])
        self._seed_generator = keras.random.SeedGenerator(0)
        self._sample_functions: dict[int, Callable] = {}
        # Scoring runs in graph mode: on CPU, XLA does not make it faster and costs seconds
        # of compilation per batch size.
        self._log_prob_function = compile_function(self._log_prob_batch)

    @property
    def vocabulary_size(self) -> int:
        """Number of token ids."""
        return self._vocabulary_size

    @property
    def sequence_length(self) -> int:
        """Length of the sampled sequences."""
        return self._sequence_length

    @property
    def embedding_dim(self) -> int:
        """Width of the token embedding."""
        return self._embedding_dim

    @property
    def hidden_dim(self) -> int:
        """Width of the LSTM state."""
        return self._hidden_dim

    @property
    def start_token(self) -> int:
        """Token id whose embedding feeds the first step."""
        return self._start_token

    @property
    def jit_compile(self) -> bool:
        """Whether the sampler is compiled with XLA."""
        return self._jit_compile

    @property
    def weights(self) -> dict[str, np.ndarray]:
        """The 15 weight arrays (read-only float32), keyed as in the `.npz` layout."""
        return dict(self._weights)

    def __deepcopy__(self, memo):
        # The oracle is fixed (its weights never change) and holds compiled functions
        # that cannot be copied: copies share it (KerasTuner deep-copies callbacks).
        return self

    def __repr__(self) -> str:
        return (
            f"OracleLSTM(vocabulary_size={self.vocabulary_size}, "
            f"sequence_length={self.sequence_length}, embedding_dim={self.embedding_dim}, "
            f"hidden_dim={self.hidden_dim}, start_token={self.start_token})"
        )

    def _step(self, x, h, c):
        """One LSTM step: returns the new `h`, `c` and the next token's logits."""
        gates = ops.matmul(x, self._input_kernel) + ops.matmul(h, self._recurrent_kernel)
        gates = gates + self._bias
        i, f, o, g = ops.split(gates, 4, axis=-1)
        c = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)
        h = ops.sigmoid(o) * ops.tanh(c)
        logits = ops.matmul(h, self._output_kernel) + self._output_bias
        return h, c, logits

    def _initial_state(self, batch_size):
        h = ops.zeros((batch_size, self._hidden_dim), dtype="float32")
        start = ops.full((batch_size,), self._start_token, dtype="int32")
        return ops.take(self._embedding, start, axis=0), h, h

    def _sample_batch_function(self, batch_size: int) -> Callable:
        """The compiled sampler for one batch size: uniform `[T, B]` -> tokens `[B, T]`."""
        if batch_size not in self._sample_functions:

            def sample_batch(uniform):
                x, h, c = self._initial_state(batch_size)
                tokens = []
                for t in range(self._sequence_length):
                    h, c, logits = self._step(x, h, c)
                    token = sample_from_logits(logits, uniform[t])
                    tokens.append(token)
                    x = ops.take(self._embedding, token, axis=0)
                return ops.stack(tokens, axis=1)

            self._sample_functions[batch_size] = compile_function(
                sample_batch, jit_compile=self._jit_compile
            )
        return self._sample_functions[batch_size]

    def _log_prob_batch(self, tokens):
        batch_size = ops.shape(tokens)[0]
        x, h, c = self._initial_state(batch_size)
        log_probs = []
        for t in range(self._sequence_length):
            h, c, logits = self._step(x, h, c)
            log_softmax = ops.log_softmax(logits, axis=-1)
            token = tokens[:, t]
            log_probs.append(ops.take_along_axis(log_softmax, token[:, None], axis=1)[:, 0])
            x = ops.take(self._embedding, token, axis=0)
        return ops.stack(log_probs, axis=1)

    def sample(
        self, num_samples: int, *, seed: int | None = None, batch_size: int = 250
    ) -> np.ndarray:
        """Samples sequences from the oracle at temperature 1.

        Each batch's randomness is one `keras.random.uniform` draw of shape
        `[sequence_length, batch_size]`, fed to an exact inverse-CDF sampler, so `seed` and
        `batch_size` fully determine the result. Every batch has `batch_size` rows (the last
        one is cut to size), so the compiled sampler is built once per batch size.

        Args:
            num_samples: int. Number of sequences to sample.
            seed: int or `None`. Seed of the draw; the same seed (and batch size) gives
                the same samples. Defaults to `None`: a seed drawn from NumPy's global
                generator, which `keras.utils.set_random_seed` seeds.
            batch_size: int. Sequences sampled per compiled call. Defaults to `250`.

        Returns:
            int32 array `[num_samples, sequence_length]` of token ids.

        Example:

        ```python
        oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, sequence_length=5, seed=1)
        tokens = oracle.sample(100, seed=2)  # int32 [100, 5]
        ```
        """
        num_samples = check_int("num_samples", num_samples)
        batch_size = check_int("batch_size", batch_size)
        seed = check_seed(seed)
        if seed is None:
            seed = draw_seed()
        sample_batch = self._sample_batch_function(batch_size)
        self._seed_generator.state.assign(np.array([seed, 0], dtype="int64"))
        batches = []
        for _ in range(-(-num_samples // batch_size)):
            # All of the batch's randomness in one draw, one uniform per token. It is drawn
            # outside the compiled sampler because XLA picks another random algorithm than
            # TensorFlow's kernels: this way a seed gives the same samples with or without XLA.
            uniform = keras.random.uniform(
                (self._sequence_length, batch_size), seed=self._seed_generator
            )
            batches.append(ops.convert_to_numpy(sample_batch(uniform)))
        return np.concatenate(batches, axis=0)[:num_samples].astype("int32")

    def log_prob(self, tokens, *, batch_size: int = 250) -> np.ndarray:
        """Per-token log-probabilities of `tokens` under the oracle (teacher forcing).

        Args:
            tokens: int array `[N, sequence_length]` of token ids.
            batch_size: int. Sequences scored per compiled call. Defaults to `250`.

        Returns:
            float32 array `[N, sequence_length]`: `log p(tokens[n, t] | tokens[n, :t])`,
            natural log.

        Example:

        ```python
        oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, sequence_length=5, seed=1)
        log_probs = oracle.log_prob(oracle.sample(4, seed=2))  # float32 [4, 5]
        ```
        """
        tokens = validate_tokens(
            tokens, vocabulary_size=self._vocabulary_size, sequence_length=self._sequence_length
        )
        batch_size = check_int("batch_size", batch_size)
        num_sequences = tokens.shape[0]
        results = []
        for start in range(0, num_sequences, batch_size):
            batch = tokens[start : start + batch_size]
            size = batch.shape[0]
            if size < batch_size:  # Pad the last batch: one trace per batch size.
                batch = np.concatenate([batch, np.repeat(batch[:1], batch_size - size, 0)])
            log_probs = self._log_prob_function(ops.convert_to_tensor(batch))
            results.append(ops.convert_to_numpy(log_probs)[:size])
        return np.concatenate(results, axis=0)

    def nll(self, tokens, *, batch_size: int = 250) -> float:
        """Mean per-token negative log-likelihood of `tokens` under the oracle.

        The average, in nats, over every position and every sequence of
        `-log p(tokens[n, t] | tokens[n, :t])` (teacher forcing from the start token). On a
        generator's samples this is the NLL-oracle of the SeqGAN paper.

        Args:
            tokens: int array `[N, sequence_length]` of token ids.
            batch_size: int. Sequences scored per compiled call. Defaults to `250`.

        Returns:
            The mean negative log-likelihood, a Python float.

        Example:

        ```python
        oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, sequence_length=5, seed=1)
        entropy_rate = oracle.nll(oracle.sample(1000, seed=2))
        ```
        """
        log_probs = self.log_prob(tokens, batch_size=batch_size)
        return float(-np.mean(log_probs, dtype="float64"))
