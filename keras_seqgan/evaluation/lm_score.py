"""LM score and reverse LM score: generated text judged by language models.

Quality: the negative log-likelihood of generated lines under a language model trained on
real text (LM score, lower is better). Coverage: the negative log-likelihood of real
held-out lines under a language model trained on the generated lines (reverse LM score,
lower is better): a generator that repeats a few lines trains an LM that finds the rest of
the real text unlikely. The language model is the project's own `Generator` (an LSTM),
pre-trained by maximum likelihood with a plain `fit`, so nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import ops

from keras_seqgan import backend
from keras_seqgan._validation import (
    check_float,
    check_int,
    check_optional_int,
    check_seed,
    derive_seed,
    draw_seed,
)
from keras_seqgan.data.datasets import mle_dataset, validate_tokens
from keras_seqgan.evaluation.frechet import frechet_distance
from keras_seqgan.models.generator import Generator

SCORE_BATCH_SIZE = 256


def scored_positions(tokens: np.ndarray, eos_id: int | None) -> np.ndarray:
    """Bool `[N, T]`: the positions a score counts, those up to and including each row's
    first `eos_id` (all of them when `eos_id` is `None` or a row has none)."""
    if eos_id is None:
        return np.ones(tokens.shape, dtype=bool)
    is_eos = tokens == eos_id
    return ~(np.cumsum(is_eos, axis=1) - is_eos > 0)


def _check_progress(progress) -> None:
    if progress is not None and not callable(progress):
        raise TypeError(f"`progress` must be callable or None. Received: {progress!r}")


class LMScorer:
    """Scores sets of generated token rows with language models trained on real text.

    Trains one language model on real rows (the cost, paid once, on first use), then
    scores any number of generated sets, e.g. one per model and sampling temperature:

    - `lm_score(generated)`: quality. The real-data LM's mean negative log-likelihood of
      the generated rows, in nats per token; lower is better. `real_lm_score` is the same
      LM's NLL of real held-out rows, what real text scores.
    - `reverse_lm_score(generated)`: coverage. A fresh LM with the same settings is trained
      on the generated rows; its NLL of the real held-out rows; lower is better. A
      generator that collapses onto a few lines scores badly, however good each line is.
      The LM learns from as many rows as it is given: compare sets of one size.
    - `features(tokens)`: the default sentence features for set distances (`frechet`,
      `mauve_score`): each row's mean LSTM hidden state under the real-data LM, over the
      positions it predicts. An offline stand-in for a pretrained sentence encoder: the
      Fréchet distances it gives are comparable with each other (same real text, same
      settings), not with published figures.
    - `scores(generated)`: all three as a dict (`lm_score`, `reverse_lm_score`,
      `frechet`), what `temperature_sweep(extra_scores=...)` adds to each row.

    The real rows are split at random (from `seed`) into `held_out_fraction` held-out rows,
    which nothing trains on, and training rows (at most `max_rows` of them). A score counts
    each row's positions up to and including its first `eos_id` (the padding after it is
    not counted); with `eos_id=None`, every position. Each LM is a
    `keras_seqgan.models.Generator` (embedding, one LSTM layer, softmax), its weights
    drawn from `RandomNormal(stddev=0.1)` seeded from `seed`, trained with Adam (gradient
    norm clipped at 5) on cross-entropy for `epochs` passes over a `mle_dataset` shuffled
    from `seed`: the same seed gives the same scores on one backend and machine.

    Args:
        real_tokens: int array-like `[N, T]` of real token ids (e.g. the rows
            `tokenizer.encode` gives), `N >= 2`.
        vocabulary_size: int >= 2. Number of distinct token ids.
        eos_id: int or `None`. The end-of-sequence id (`tokenizer.eos_id`): positions after
            a row's first one are padding, not scored. Defaults to `None`: every position.
        held_out_fraction: float in `(0, 1)`. Share of the real rows held out for
            `real_lm_score`, `reverse_lm_score` and the real side of `frechet`. Defaults to
            `0.1`.
        max_rows: int or `None`. At most this many rows train the real-data LM. Defaults
            to `10_000`; `None` trains on all the rows not held out.
        embedding_dim: int. Size of each LM's token embedding. Defaults to `32`.
        hidden_dim: int. Size of each LM's LSTM state (and of `features`). Defaults to
            `64`.
        epochs: int. Passes over its training rows for each LM. Defaults to `10`.
        batch_size: int. Rows per training step. Defaults to `64`.
        learning_rate: float > 0. Adam's learning rate. Defaults to `1e-2`.
        seed: int or `None`. Seeds the split, the weights and the shuffles. Defaults to
            `0`; `None` draws one from NumPy's global generator (recorded in `settings`).
        progress: callable or `None`. Called after each epoch of the real-data LM with
            `{"epoch": k, "epochs": epochs, "loss": float}` (e.g. to print). Defaults to
            `None`.

    Attributes:
        language_model: the real-data LM, a trained `Generator`.
        held_out: int32 `[M, T]`, the real held-out rows.
        real_lm_score: float. The real-data LM's NLL of the held-out rows.
        settings: dict of plain JSON values: the arguments above (`seed` as used), the
            number of training and held-out rows and the LM's architecture. Record it
            beside the scores.

    Example:

    ```python
    import numpy as np
    import keras_seqgan

    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=20, sequence_length=8, seed=1)
    scorer = keras_seqgan.evaluation.LMScorer(
        oracle.sample(400, seed=2), vocabulary_size=20, hidden_dim=16, epochs=3
    )
    collapsed = np.repeat(oracle.sample(1, seed=3), 100, axis=0)  # one line, 100 times
    print(scorer.real_lm_score, scorer.scores(oracle.sample(100, seed=4)))
    print(scorer.scores(collapsed))  # a low LM score, a high reverse LM score
    ```

    Reference:
        - [Semeniuta et al., 2018](https://arxiv.org/abs/1806.04936), "On accurate
          evaluation of GANs for language generation": LM score and reverse LM score.
        - [Cífka et al., 2018](https://arxiv.org/abs/1804.07972), "Eval all, trust a
          few, do wrong to none: comparing sentence generation models".
    """

    def __init__(
        self,
        real_tokens,
        *,
        vocabulary_size: int,
        eos_id: int | None = None,
        held_out_fraction: float = 0.1,
        max_rows: int | None = 10_000,
        embedding_dim: int = 32,
        hidden_dim: int = 64,
        epochs: int = 10,
        batch_size: int = 64,
        learning_rate: float = 1e-2,
        seed: int | None = 0,
        progress: Callable[[dict], object] | None = None,
    ) -> None:
        vocabulary_size = check_int("vocabulary_size", vocabulary_size, 2)
        tokens = validate_tokens(real_tokens, vocabulary_size=vocabulary_size, name="real_tokens")
        if eos_id is not None:
            eos_id = check_int("eos_id", eos_id, 0)
            if eos_id >= vocabulary_size:
                raise ValueError(
                    f"`eos_id` must be None or an id below vocabulary_size={vocabulary_size}. "
                    f"Received: eos_id={eos_id}"
                )
        held_out_fraction = check_float(
            "held_out_fraction", held_out_fraction, low=0.0, high=1.0,
            low_inclusive=False, high_inclusive=False,
        )  # fmt: skip
        max_rows = check_optional_int("max_rows", max_rows)
        self.vocabulary_size = vocabulary_size
        self.sequence_length = int(tokens.shape[1])
        self.eos_id = eos_id
        self.embedding_dim = check_int("embedding_dim", embedding_dim)
        self.hidden_dim = check_int("hidden_dim", hidden_dim)
        self.epochs = check_int("epochs", epochs)
        self.batch_size = check_int("batch_size", batch_size)
        self.learning_rate = check_float(
            "learning_rate", learning_rate, low=0.0, low_inclusive=False
        )
        seed = check_seed(seed)
        self.seed = draw_seed() if seed is None else seed
        _check_progress(progress)

        order = np.random.default_rng(self.seed).permutation(len(tokens))
        num_held_out = max(1, round(held_out_fraction * len(tokens)))
        if num_held_out >= len(tokens):
            raise ValueError(
                f"`held_out_fraction`={held_out_fraction} of {len(tokens)} real rows leaves "
                "none to train on. Pass more rows (`real_tokens`) or a smaller fraction."
            )
        self.held_out = tokens[np.sort(order[:num_held_out])]
        train = tokens[np.sort(order[num_held_out:][:max_rows])]
        self.train_tokens = train
        self._progress = progress
        self._language_model: Generator | None = None
        self._real_lm_score: float | None = None
        self._reverse: Generator | None = None
        self._reverse_start: list[np.ndarray] = []
        self.settings: dict[str, Any] = {
            "model": "keras_seqgan.models.Generator (embedding, one LSTM layer, softmax)",
            "embedding_dim": self.embedding_dim,
            "hidden_dim": self.hidden_dim,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "seed": self.seed,
            "max_rows": max_rows,
            "num_train_rows": len(train),
            "num_held_out_rows": num_held_out,
            "held_out_fraction": held_out_fraction,
            "eos_id": eos_id,
            "scored_positions": "up to and including the first eos_id"
            if eos_id is not None
            else "all",
        }

    @property
    def language_model(self) -> Generator:
        """The real-data LM, trained on first use (`reverse_lm_score` alone never needs it)."""
        if self._language_model is None:
            self._language_model = self._new_model()
            self._fit(self._language_model, self.train_tokens, self._progress)
        return self._language_model

    @property
    def real_lm_score(self) -> float:
        """The real-data LM's NLL of the real held-out rows: what real text scores."""
        if self._real_lm_score is None:
            self._real_lm_score = self._nll(self.language_model, self.held_out)
        return self._real_lm_score

    # ------------------------------------------------------------------ training
    def _new_model(self) -> Generator:
        """A fresh LM with this scorer's settings, compiled, its optimizer built."""
        initializer = keras.initializers.RandomNormal(stddev=0.1, seed=derive_seed(self.seed, 0))
        model = Generator(
            vocabulary_size=self.vocabulary_size,
            sequence_length=self.sequence_length,
            embedding_dim=self.embedding_dim,
            hidden_dim=self.hidden_dim,
            initializer=initializer,
            seed=derive_seed(self.seed, 1),
        )
        model.compile(optimizer=keras.optimizers.Adam(self.learning_rate, global_clipnorm=5.0))
        model.optimizer.build(model.trainable_variables)
        return model

    def _reverse_model(self) -> Generator:
        """The reverse LM, set back to its fresh state.

        One model serves every reverse LM score: it starts each from the same weights and
        optimizer state, as a fresh model would, and its compiled training step and scoring
        function are traced once, not once per generated set.
        """
        if self._reverse is None:
            self._reverse = self._new_model()
            state = [*self._reverse.variables, *self._reverse.optimizer.variables]
            self._reverse_start = [ops.convert_to_numpy(variable) for variable in state]
        else:
            state = [*self._reverse.variables, *self._reverse.optimizer.variables]
            for variable, value in zip(state, self._reverse_start, strict=True):
                variable.assign(value)
        return self._reverse

    def _fit(self, model: Generator, tokens: np.ndarray, progress=None) -> None:
        """Fits `model` on `tokens` for `epochs`, in the order `seed` gives."""
        callbacks = []
        if progress is not None:

            def report(epoch, logs):
                loss = (logs or {}).get("loss")
                progress({"epoch": epoch + 1, "epochs": self.epochs,
                          "loss": None if loss is None else float(loss)})  # fmt: skip

            callbacks.append(keras.callbacks.LambdaCallback(on_epoch_end=report))
        data = mle_dataset(
            tokens,
            batch_size=min(self.batch_size, len(tokens)),
            seed=derive_seed(self.seed, 2),
            drop_remainder=True,
        )
        # The dataset shuffles itself, per epoch from its seed.
        model.fit(data, epochs=self.epochs, verbose=0, callbacks=callbacks, shuffle=False)

    # ------------------------------------------------------------------- scoring
    @staticmethod
    def _function(model: Generator) -> Callable:
        """One compiled pass of `model`: per-token log-probabilities and hidden states."""
        function = model.__dict__.get("_lm_score_function")
        if function is not None:
            return function

        def run(tokens):
            logits, (hidden, _) = model.forward(tokens)
            log_probs = ops.log_softmax(ops.cast(logits, "float32"), axis=-1)
            log_probs = ops.take_along_axis(log_probs, tokens[..., None], axis=-1)[..., 0]
            return log_probs, ops.cast(hidden, "float32")

        function = backend.compile_function(run, state=model.variables)
        model.__dict__["_lm_score_function"] = function
        return function

    def _run(self, model: Generator, tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`model`'s log-probabilities `[N, T]` and hidden states `[N, T, H]` of `tokens`,
        in batches of one size whatever the set's (the last one padded), so the function
        traces once."""
        function = self._function(model)
        size = SCORE_BATCH_SIZE
        log_probs, hidden = [], []
        for start in range(0, len(tokens), size):
            batch = tokens[start : start + size]
            count = len(batch)
            if count < size:
                batch = np.concatenate([batch, np.repeat(batch[:1], size - count, axis=0)])
            scores, states = function(ops.convert_to_tensor(batch, dtype="int32"))
            log_probs.append(ops.convert_to_numpy(scores)[:count])
            hidden.append(ops.convert_to_numpy(states)[:count])
        return np.concatenate(log_probs), np.concatenate(hidden)

    def _nll(self, model: Generator, tokens: np.ndarray) -> float:
        log_probs, _ = self._run(model, tokens)
        mask = scored_positions(tokens, self.eos_id)
        return float(-np.sum(log_probs[mask], dtype="float64") / mask.sum())

    def _check(self, tokens, name: str) -> np.ndarray:
        return validate_tokens(
            tokens,
            vocabulary_size=self.vocabulary_size,
            sequence_length=self.sequence_length,
            name=name,
        )

    def lm_score(self, generated) -> float:
        """The real-data LM's mean NLL of `generated` rows (int `[N, T]`), nats per token.

        Lower is better (likelier under real text); compare with `real_lm_score`. A model
        that repeats its likeliest lines scores low here: report `reverse_lm_score` beside.
        """
        return self._nll(self.language_model, self._check(generated, "generated"))

    def reverse_lm_score(self, generated) -> float:
        """NLL of the real held-out rows under an LM trained on `generated` (int `[N, T]`).

        Lower is better (the generated rows cover more of the real text). The LM has this
        scorer's settings and trains on `generated` alone, so the score depends on how
        many rows it gets: compare sets of one size (`reference_scores(len(generated))`
        gives what real rows of that number score).
        """
        generated = self._check(generated, "generated")
        model = self._reverse_model()
        self._fit(model, generated)
        return self._nll(model, self.held_out)

    def features(self, tokens) -> np.ndarray:
        """Sentence features `[N, hidden_dim]` (float64) of token rows under the real LM.

        Each row's mean LSTM hidden state over its scored positions (the states that
        predict them). The default encoder of `scores`; pass it to `frechet_distance` or
        `mauve_score` as `encoder=scorer.features`.
        """
        tokens = self._check(tokens, "tokens")
        _, hidden = self._run(self.language_model, tokens)
        mask = scored_positions(tokens, self.eos_id)[..., None]
        return (np.sum(hidden * mask, axis=1, dtype="float64") / mask.sum(axis=1)).astype("float64")

    def scores(self, generated, *, encoder: Callable | None = None) -> dict[str, float]:
        """`lm_score`, `reverse_lm_score` and `frechet` of one generated set.

        Args:
            generated: int array-like `[N, T]`, N >= 2, of generated token ids.
            encoder: callable or `None`. Maps int token rows `[N, T]` to features
                `[N, D]` for the Fréchet distance between the held-out real rows and
                `generated`. Defaults to `None`: `self.features`.

        Returns:
            A dict of floats: `lm_score`, `reverse_lm_score`, `frechet` (all lower is
            better).
        """
        generated = self._check(generated, "generated")
        encoder = self.features if encoder is None else encoder
        return {
            "lm_score": self.lm_score(generated),
            "reverse_lm_score": self.reverse_lm_score(generated),
            "frechet": frechet_distance(self.held_out, generated, encoder=encoder),
        }

    def reference_scores(self, num_rows: int, *, encoder: Callable | None = None) -> dict:
        """What real text scores: the yardstick for a generated set of `num_rows` rows.

        `lm_score` is `real_lm_score` (the held-out rows); `reverse_lm_score` and
        `frechet` are those of `num_rows` real training rows (an LM trained on them, their
        features against the held-out rows'), as `scores` computes them for a generated
        set of that size.
        """
        num_rows = check_int("num_rows", num_rows, 2)
        if num_rows > len(self.train_tokens):
            raise ValueError(
                f"`num_rows` must be at most the {len(self.train_tokens)} real training rows. "
                f"Received: num_rows={num_rows}"
            )
        rows = self.train_tokens[:num_rows]
        encoder = self.features if encoder is None else encoder
        return {
            "lm_score": self.real_lm_score,
            "reverse_lm_score": self.reverse_lm_score(rows),
            "frechet": frechet_distance(self.held_out, rows, encoder=encoder),
        }


def lm_score(
    generated,
    real_tokens,
    *,
    vocabulary_size: int,
    eos_id: int | None = None,
    seed: int | None = 0,
    **settings: Any,
) -> dict[str, Any]:
    """LM score: the mean NLL of generated rows under an LM trained on real rows.

    Quality, lower is better. Trains an `LMScorer` on `real_tokens` and scores
    `generated`; to score several generated sets, build one `LMScorer` and call its
    `lm_score` for each (training the LM is the cost).

    Args:
        generated: int array-like `[N, T]` of generated token ids.
        real_tokens: int array-like `[M, T]` of real token ids.
        vocabulary_size: int >= 2. Number of distinct token ids.
        eos_id: int or `None`. End-of-sequence id; positions after it are not scored.
            Defaults to `None`: every position.
        seed: int or `None`. Seeds the LM's split, weights and shuffles. Defaults to `0`.
        **settings: the LM's other settings, as `LMScorer` takes them (`hidden_dim`,
            `epochs`, `max_rows`, ...), with its defaults.

    Returns:
        A dict: `lm_score` (nats per token), `real_lm_score` (the LM's NLL of the real
        held-out rows, what real text scores) and `settings` (the LM's, `LMScorer.settings`).

    Example:

    ```python
    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=20, sequence_length=8, seed=1)
    result = keras_seqgan.evaluation.lm_score(
        oracle.sample(100, seed=3), oracle.sample(400, seed=2), vocabulary_size=20, epochs=3
    )
    print(result["lm_score"], result["real_lm_score"], result["settings"]["hidden_dim"])
    ```
    """
    scorer = LMScorer(
        real_tokens, vocabulary_size=vocabulary_size, eos_id=eos_id, seed=seed, **settings
    )
    return {
        "lm_score": scorer.lm_score(generated),
        "real_lm_score": scorer.real_lm_score,
        "settings": scorer.settings,
    }


def reverse_lm_score(
    generated,
    real_tokens,
    *,
    vocabulary_size: int,
    eos_id: int | None = None,
    seed: int | None = 0,
    **settings: Any,
) -> dict[str, Any]:
    """Reverse LM score: the NLL of real held-out rows under an LM trained on generated rows.

    Coverage, lower is better. A random `held_out_fraction` of `real_tokens` (from `seed`)
    is scored by an LM with `LMScorer`'s settings trained on `generated` alone. Its value
    depends on the number of generated rows: compare sets of one size.

    Args:
        generated: int array-like `[N, T]` of generated token ids, N >= 2.
        real_tokens: int array-like `[M, T]` of real token ids.
        vocabulary_size: int >= 2. Number of distinct token ids.
        eos_id: int or `None`. End-of-sequence id; positions after it are not scored.
            Defaults to `None`: every position.
        seed: int or `None`. Seeds the split, the LM's weights and shuffles. Defaults to
            `0`.
        **settings: the LM's other settings, as `LMScorer` takes them, with its defaults.

    Returns:
        A dict: `reverse_lm_score` (nats per token) and `settings` (`LMScorer.settings`;
        its `num_train_rows` is that of the real-data LM, which this score does not use).

    Example:

    ```python
    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=20, sequence_length=8, seed=1)
    result = keras_seqgan.evaluation.reverse_lm_score(
        oracle.sample(200, seed=3), oracle.sample(200, seed=2), vocabulary_size=20,
        epochs=3, max_rows=2,
    )
    print(result["reverse_lm_score"])
    ```
    """
    scorer = LMScorer(
        real_tokens, vocabulary_size=vocabulary_size, eos_id=eos_id, seed=seed, **settings
    )
    return {"reverse_lm_score": scorer.reverse_lm_score(generated), "settings": scorer.settings}
