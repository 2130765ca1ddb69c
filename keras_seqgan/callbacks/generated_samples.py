"""`GeneratedSamples`: prints or writes a few generated sequences after training epochs."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import keras
import numpy as np

from keras_seqgan._validation import check_int, check_seed, check_temperature, draw_seed
from keras_seqgan.callbacks._printing import print_message
from keras_seqgan.conditions import check_condition_values


class GeneratedSamples(keras.callbacks.Callback):
    """Shows a few generated sequences every `every` epochs, printed or appended to a file.

    A look at the samples is the quickest check of what adversarial training does to a
    generator (repetition and mode collapse show at once). The samples are drawn at this
    callback's fixed `temperature` from a fixed seed (the same noise every time, so
    epochs compare fairly), through the generator's own `generate` stream, which leaves
    the training step's random stream untouched. The last samples are kept in
    `samples` (list of str).

    Args:
        every: int >= 1. Show samples after every `every`-th epoch (counted from 1).
            Defaults to `1`.
        num_samples: int >= 1. How many sequences. Defaults to `3`.
        decode: callable, sequence of str, or `None`. How one sequence (int32 NumPy
            array `[T]`) becomes text: a callable returning a str, or a vocabulary (the
            token of each id; tokens are joined with spaces). Defaults to `None`: the
            ids, joined with spaces.
        temperature: float > 0. Sampling temperature. Defaults to `1.0`.
        seed: int or `None`. Seed of the samples. Defaults to `None`: drawn once from
            NumPy's global generator (which `keras.utils.set_random_seed` seeds).
        path: str, path-like or `None`. A text file the samples are appended to, under a
            line `epoch N`; `None` prints them. Defaults to `None`.
        conditions: dict or `None`. For a conditional generator (required there), the
            conditions of the samples: `{name: value}` with an int id or an int array of
            `num_samples` ids per condition, as in `Generator.generate`. Defaults to
            `None`.

    Example:

    ```python
    import keras
    import keras_seqgan as ks

    vocabulary = [f"w{i}" for i in range(20)]
    oracle = ks.data.OracleLSTM(vocabulary_size=20, sequence_length=6, seed=1)
    generator = ks.models.Generator(vocabulary_size=20, sequence_length=6)
    generator.compile(optimizer=keras.optimizers.Adam(1e-2))
    generator.fit(
        ks.data.mle_dataset(oracle.sample(128, seed=2), batch_size=32), epochs=2,
        callbacks=[ks.callbacks.GeneratedSamples(num_samples=2, decode=vocabulary)],
    )
    ```
    """

    def __init__(
        self,
        every: int = 1,
        num_samples: int = 3,
        decode: Callable[[np.ndarray], str] | Sequence[str] | None = None,
        *,
        temperature: float = 1.0,
        seed: int | None = None,
        path: str | os.PathLike | None = None,
        conditions: dict | None = None,
    ):
        super().__init__()
        self.every = check_int("every", every, 1)
        self.num_samples = check_int("num_samples", num_samples, 1)
        if decode is not None and not callable(decode):
            if isinstance(decode, (str, bytes)) or not isinstance(decode, Sequence):
                raise TypeError(
                    "`decode` must be a callable tokens -> str, a vocabulary (a sequence of "
                    f"str) or None. Received: decode={decode!r} (of type "
                    f"{type(decode).__name__})"
                )
            bad = [token for token in decode if not isinstance(token, str)]
            if bad:
                raise TypeError(
                    "`decode`, given as a vocabulary, must hold only str tokens. Received "
                    f"non-str entries such as {bad[0]!r}"
                )
            decode = list(decode)
        self.decode = decode
        self.temperature = check_temperature(temperature)
        seed = check_seed(seed)
        self.seed = draw_seed() if seed is None else seed
        if path is not None and not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"`path` must be a str, a path-like object or None. Received: path={path!r}"
            )
        self.path = None if path is None else os.fspath(path)
        if conditions is not None and not isinstance(conditions, dict):
            raise TypeError(
                "`conditions` must be None or a dict {condition_name: id or ids}. "
                f"Received: conditions={conditions!r} (of type {type(conditions).__name__})"
            )
        self.conditions = conditions
        self.samples: list[str] = []

    def on_train_begin(self, logs=None):
        generator = getattr(self.model, "generator", self.model)
        if not callable(getattr(generator, "generate", None)):
            raise TypeError(
                "GeneratedSamples needs a `keras_seqgan.SeqGAN` or a "
                "`keras_seqgan.models.Generator` (with `generate()`). Received a "
                f"{type(self.model).__name__}."
            )
        if isinstance(self.decode, list) and len(self.decode) < generator.vocabulary_size:
            raise ValueError(
                f"`decode` has {len(self.decode)} tokens but the generator's vocabulary has "
                f"{generator.vocabulary_size}."
            )
        sizes = getattr(generator, "conditions", None)
        check_condition_values(
            self.conditions, None if sizes is None else dict(sizes), self.num_samples
        )

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        generator = getattr(self.model, "generator", self.model)
        extra = {} if self.conditions is None else {"conditions": self.conditions}
        tokens = generator.generate(
            self.num_samples, temperature=self.temperature, seed=self.seed, **extra
        )
        self.samples = [self._decode(row) for row in tokens]
        if self.path is None:
            print_message(
                f"Epoch {epoch + 1} samples:\n" + "\n".join(f"  {s}" for s in self.samples)
            )
            return
        folder = os.path.dirname(self.path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as file:
            file.write(f"epoch {epoch + 1}\n" + "".join(f"{s}\n" for s in self.samples))

    def _decode(self, row: np.ndarray) -> str:
        if self.decode is None:
            return " ".join(str(int(token)) for token in row)
        if isinstance(self.decode, list):
            return " ".join(self.decode[int(token)] for token in row)
        text = self.decode(row)
        if not isinstance(text, str):
            raise TypeError(
                f"`decode` must return a str. Received {text!r} (of type "
                f"{type(text).__name__}) for tokens {row.tolist()}"
            )
        return text
