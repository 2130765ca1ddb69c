"""Exact resume as a user meets it: max |difference| of every variable after 2+2 vs 4 epochs.

For each discriminator (dropout 0 or the default 0.25) and each data order (unshuffled,
or a shuffled `sequence_dataset(seed=11)`): one process trains 2 epochs and saves a
`.keras` file; a fresh process loads it and fits `epochs=4, initial_epoch=2`; a third
trains 4 epochs straight. Then a crash: `BackupAndRestore(save_freq=...)`, the process
killed with SIGKILL at a set batch, the same command run again to the end, against an
uninterrupted run. Every weight and both optimizers' state are compared (max |difference|
of the float variables), the integer state (counters, every random stream) for equality.
Writes a JSON record under benchmarks/results/.

    python benchmarks/resume_table.py
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile

V, T, B, N = 20, 8, 8, 64  # 8 steps per epoch


def build(dropout):
    import keras

    import keras_seqgan as ks

    keras.utils.set_random_seed(0)
    generator = ks.models.Generator(vocabulary_size=V, sequence_length=T, seed=1)
    kwargs = {} if dropout is None else {"dropout": dropout}
    discriminator = ks.models.Discriminator(
        vocabulary_size=V, sequence_length=T, filter_sizes=(2, 3), num_filters=(8, 8), **kwargs
    )
    gan = ks.SeqGAN(generator, discriminator, num_rollouts=2, seed=5)
    gan.compile(generator_optimizer="adam", discriminator_optimizer="adam")
    return gan


def data(shuffled):
    import numpy as np

    import keras_seqgan as ks

    real = np.random.default_rng(0).integers(0, V, size=(N, T)).astype("int32")
    if shuffled:
        return ks.data.sequence_dataset(real, batch_size=B, seed=11)
    return ks.data.sequence_dataset(real, batch_size=B, shuffle=False)


def state(gan):
    import numpy as np

    variables = list(gan.variables)
    for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):
        variables.extend(optimizer.variables)
    return {f"{i:03d}/{v.path}": np.asarray(v) for i, v in enumerate(variables)}


def child(args):
    """One process of an experiment; writes its final state to `args.out` (.npz)."""
    import keras
    import numpy as np

    import keras_seqgan  # noqa: F401  (registers the classes `load_model` rebuilds)

    dropout = None if args.dropout < 0 else args.dropout
    callbacks = []
    if args.mode == "resume":
        gan = keras.models.load_model(args.keras)
    else:
        gan = build(dropout)
    if args.backup:
        callbacks.append(keras.callbacks.BackupAndRestore(args.backup, save_freq=args.save_freq))
    if args.kill_at:
        epoch_index, batch_index = map(int, args.kill_at.split(":"))

        class Kill(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.epoch = epoch

            def on_train_batch_end(self, batch, logs=None):
                if (self.epoch, batch) == (epoch_index, batch_index):
                    os.kill(os.getpid(), signal.SIGKILL)

        if not os.path.exists(args.backup):  # only the first run is killed
            callbacks.append(Kill())
    gan.fit(
        data(args.shuffled),
        epochs=args.epochs,
        initial_epoch=args.initial_epoch,
        verbose=0,
        callbacks=callbacks,
    )
    if args.mode == "train" and args.keras:
        gan.save(args.keras)
    np.savez(args.out, **state(gan))


def run(*argv):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    command = [sys.executable, os.path.abspath(__file__), "--child", *map(str, argv)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def difference(path_a, path_b):
    """Max |a - b| over the float variables, and the two runs' step counters."""
    import numpy as np

    with np.load(path_a) as a, np.load(path_b) as b:
        assert sorted(a.files) == sorted(b.files)
        floats = [k for k in a.files if a[k].size and a[k].dtype.kind == "f"]
        others = [k for k in a.files if a[k].size and a[k].dtype.kind != "f"]
        (counter,) = [k for k in a.files if k.endswith("step_counter")]
        return {
            "max_abs_difference": max(
                float(np.max(np.abs(a[k].astype("float64") - b[k].astype("float64"))))
                for k in floats
            ),
            "integer_state_equal": all(np.array_equal(a[k], b[k]) for k in others),
            "steps": [int(a[counter]), int(b[counter])],
        }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="fit")
    parser.add_argument("--dropout", type=float, default=-1.0)
    parser.add_argument("--shuffled", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--initial-epoch", type=int, default=0)
    parser.add_argument("--keras")
    parser.add_argument("--backup")
    parser.add_argument("--save-freq", default="epoch")
    parser.add_argument("--kill-at")
    parser.add_argument("--out")
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)
    if args.save_freq != "epoch":
        args.save_freq = int(args.save_freq)
    if args.child:
        return child(args)

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import keras
    from _machine import command_line, machine_record, write_json

    rows = []
    folder = tempfile.mkdtemp(prefix="resume_table_")

    def check(result):
        if result.returncode != 0:
            raise SystemExit(result.stderr[-3000:])

    for dropout in (0.0, -1.0):
        for shuffled in (0, 1):
            tag = f"d{dropout}_s{shuffled}"
            common = [f"--dropout={dropout}", f"--shuffled={shuffled}"]
            paths = {
                k: os.path.join(folder, f"{tag}_{k}")
                for k in ("2.keras", "2.npz", "r.npz", "4.npz")
            }
            check(
                run(
                    *common,
                    "--mode=train",
                    "--epochs=2",
                    f"--keras={paths['2.keras']}",
                    f"--out={paths['2.npz']}",
                )
            )
            check(
                run(
                    *common,
                    "--mode=resume",
                    "--epochs=4",
                    "--initial-epoch=2",
                    f"--keras={paths['2.keras']}",
                    f"--out={paths['r.npz']}",
                )
            )
            check(run(*common, "--epochs=4", f"--out={paths['4.npz']}"))
            rows.append(
                {
                    "discriminator": "dropout=0.0" if dropout == 0.0 else "default (dropout=0.25)",
                    "data": "sequence_dataset(seed=11)" if shuffled else "shuffle=False",
                    "how": ".keras after 2 epochs, fresh process fits epochs=4, initial_epoch=2",
                    **difference(paths["r.npz"], paths["4.npz"]),
                }
            )
            print(rows[-1], flush=True)
    for save_freq, kill_at, epochs in (("epoch", "2:4", 4), ("3", "2:4", 4)):
        tag = f"crash_{save_freq}"
        backup = os.path.join(folder, f"{tag}_backup")
        killed = os.path.join(folder, f"{tag}_killed.npz")
        straight = os.path.join(folder, f"{tag}_straight.npz")
        common = [
            f"--epochs={epochs}",
            f"--backup={backup}",
            f"--save-freq={save_freq}",
            f"--kill-at={kill_at}",
            f"--out={killed}",
        ]
        first = run(*common)
        assert first.returncode == -signal.SIGKILL, (first.returncode, first.stderr[-2000:])
        second = run(*common)
        check(second)
        check(run(f"--epochs={epochs}", f"--out={straight}"))
        rows.append(
            {
                "discriminator": "default (dropout=0.25)",
                "data": "sequence_dataset(seed=11)",
                "how": f"BackupAndRestore(save_freq={save_freq!r}), SIGKILL at epoch 2 batch 4 "
                f"(of 8), same command again to {epochs} epochs",
                **difference(killed, straight),
                "warned_mid_epoch": "will not equal an uninterrupted one" in second.stderr,
            }
        )
        print(rows[-1], flush=True)

    record = machine_record()
    record.update(
        {
            "command": command_line(__file__, argv),
            "backend": keras.backend.backend(),
            "sizes": {"vocabulary": V, "length": T, "batch": B, "sequences": N},
            "rows": rows,
        }
    )
    name = f"resume_table_{keras.backend.backend()}.json"
    output = args.output or os.path.join(os.path.dirname(__file__), "results", name)
    write_json(output, record)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
