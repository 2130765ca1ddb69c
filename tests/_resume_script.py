"""Helper run in fresh processes by `tests/test_resume.py` (not a test module).

Usage:
    python tests/_resume_script.py train  --epochs N --save-keras OUT.keras [--samples OUT.npz]
    python tests/_resume_script.py resume --load-keras IN.keras --epochs N --weights OUT.npz
                                          [--samples OUT.npz] [--loaded-weights OUT.npz]
    python tests/_resume_script.py fit    --epochs N --weights OUT.npz
                                          [--backup DIR [--save-freq K] --marker FILE
                                           --batch-sleep S]

Every mode trains the same tiny SeqGAN, with the default discriminator (dropout on), on
the same real tokens: by default a shuffled `sequence_dataset(..., seed=11)`, whose
order is a function of the seed and the epoch; `--arrays` fits NumPy arrays in a fixed
order (`shuffle=False`) instead. Runs can be compared bit for bit. The
backend is the process's `KERAS_BACKEND` (`tests/test_backends.py` saves on one and loads
on the other).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _models import tiny_gan, tiny_models  # noqa: E402

import keras_seqgan as ks  # noqa: E402
from keras_seqgan import saving  # noqa: E402

V, T, B, N = 10, 5, 8, 32  # vocabulary, length, batch, sequences (4 steps per epoch)


def make_gan() -> ks.SeqGAN:
    # The default dropout (0.25): its random stream is saved with the model.
    return tiny_gan(*tiny_models(V, T))


def real_tokens() -> np.ndarray:
    return np.random.default_rng(0).integers(0, V, size=(N, T)).astype("int32")


def state_arrays(gan: ks.SeqGAN) -> dict[str, np.ndarray]:
    """Every weight of the model and of both optimizers, keyed by position and path."""
    arrays = {}
    groups = (
        ("model", gan.weights),
        ("g_opt", gan.generator_optimizer.variables),
        ("d_opt", gan.discriminator_optimizer.variables),
    )
    for group, variables in groups:
        for i, variable in enumerate(variables):
            arrays[f"{group}/{i:03d}/{variable.path}"] = np.asarray(variable)
    arrays["seed_state/seqgan"] = np.asarray(gan.seed_generator.state)
    # Every random stream: the SeqGAN's two, the generator's, the dropout layers'.
    weights = {id(w) for w in gan.weights}
    for i, variable in enumerate(gan.variables):
        if id(variable) not in weights:
            arrays[f"stream/{i:03d}/{variable.path}"] = np.asarray(variable)
    return arrays


def save_npz(path: str, arrays: dict[str, np.ndarray]) -> None:
    with saving.atomic_path(path, suffix=".npz") as temporary:
        with open(temporary, "wb") as handle:
            np.savez(handle, **arrays)


class EpochMarker(keras.callbacks.Callback):
    """Appends `begin <epoch>` to a file at each epoch start and `batch <epoch> <batch>`
    after each batch (after the backup, if one is due); optionally slows batches."""

    def __init__(self, path: str, batch_sleep: float = 0.0):
        super().__init__()
        self.path = path
        self.batch_sleep = batch_sleep

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self._write(f"begin {epoch}")

    def on_train_batch_end(self, batch, logs=None):
        self._write(f"batch {self.epoch} {batch}")
        if self.batch_sleep:
            time.sleep(self.batch_sleep)

    def _write(self, line):
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(f"{line}\n")
            handle.flush()
            os.fsync(handle.fileno())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("train", "resume", "fit"))
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--save-keras")
    parser.add_argument("--load-keras")
    parser.add_argument("--weights")
    parser.add_argument("--samples")
    parser.add_argument("--loaded-weights")
    parser.add_argument("--backup")
    parser.add_argument("--marker")
    parser.add_argument("--save-freq", default="epoch")
    parser.add_argument("--batch-sleep", type=float, default=0.0)
    parser.add_argument("--initial-epoch", type=int, default=0)
    parser.add_argument("--arrays", action="store_true")
    args = parser.parse_args(argv)

    if args.mode == "resume":
        gan = keras.models.load_model(args.load_keras)
        if args.loaded_weights:  # the state as loaded, before anything runs
            save_npz(args.loaded_weights, state_arrays(gan))
        if args.samples:  # before any training: must match the saving process's
            save_npz(args.samples, {"tokens": gan.generate(6, seed=3)})
    else:
        gan = make_gan()
    callbacks = []
    if args.backup:
        save_freq = args.save_freq if args.save_freq == "epoch" else int(args.save_freq)
        callbacks.append(keras.callbacks.BackupAndRestore(args.backup, save_freq=save_freq))
    if args.marker:
        callbacks.append(EpochMarker(args.marker, args.batch_sleep))
    if args.arrays:
        data = {"x": real_tokens(), "batch_size": B, "shuffle": False}
    else:
        data = {"x": ks.data.sequence_dataset(real_tokens(), batch_size=B, seed=11)}
    gan.fit(
        **data,
        epochs=args.epochs,
        initial_epoch=args.initial_epoch,
        verbose=0,
        callbacks=callbacks,
    )
    if args.save_keras:
        saving.save_model(gan, args.save_keras)
        if args.samples:
            save_npz(args.samples, {"tokens": gan.generate(6, seed=3)})
    if args.weights:
        save_npz(args.weights, state_arrays(gan))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
