"""How to compile the MLE step and `generate` on this machine: a measurement.

Times, in one process and taking turns, an MLE epoch (`Generator.fit`, 10,000 random
sequences in batches of 64, Adam 1e-2 with a global-norm clip of 5) at the SeqGAN
paper's sizes (V=5,000, T=20, embedding and LSTM 32) in several compile settings, and
`generate(10_000)` with and without XLA. The settings, `--modes`:

- `defaults`: `Generator.compile()`'s own choice (XLA on TensorFlow since 2026-12-05);
- `xla` / `graph`: `jit_compile=True` / `False`;
- `xla-hoisted`: XLA, with the LSTM's input matmul taken out of the loop (one matmul
  over every position instead of one per position): a lead that was tried;
- `bf16-xla` / `bf16-graph`: the generator in `mixed_bfloat16`.

Each mode's generator traces on one epoch, then `--repeats` epochs of each mode take
turns and each mode's median is kept. Prints a table and writes a JSON record.

    python benchmarks/mle_step_modes.py
    python benchmarks/mle_step_modes.py --modes xla,graph --repeats 1 --samples 640
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import comma_names, command_line, machine_record, write_json  # noqa: E402

V, T, B, WIDTH = 5000, 20, 64, 32
MODES = {  # name: (jit_compile, dtype policy, hoisted input matmul)
    "defaults": ("auto", None, False),
    "xla": (True, None, False),
    "graph": (False, None, False),
    "xla-hoisted": (True, None, True),
    "bf16-xla": (True, "mixed_bfloat16", False),
    "bf16-graph": (False, "mixed_bfloat16", False),
}


def hoisted_generator_class():
    """A `Generator` whose teacher-forced pass multiplies every position's input by the
    LSTM kernel at once, leaving only the recurrent matmul in the loop (Keras's
    `LSTMCell` gates, order i, f, c, o)."""
    from keras import ops

    import keras_seqgan as ks
    from keras_seqgan import backend

    class HoistedGenerator(ks.models.Generator):
        def forward(self, tokens, training=False, conditions=None):
            cell = self.lstm_cell
            inputs = self.embedding(self.shifted_inputs(tokens))
            h0, c0 = self.initial_state(ops.shape(inputs)[0])

            def body(carry, z_t):
                h, c = carry
                z = z_t + ops.matmul(h, cell.recurrent_kernel) + cell.bias
                i, f, g, o = ops.split(z, 4, axis=-1)
                c = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)
                return (ops.sigmoid(o) * ops.tanh(c), c)

            z_x = ops.transpose(ops.matmul(inputs, cell.kernel), (1, 0, 2))
            hs, cs = backend.scan(body, (h0, c0), z_x)
            hs, cs = ops.transpose(hs, (1, 0, 2)), ops.transpose(cs, (1, 0, 2))
            return self.output_projection(hs), (hs, cs)

    return HoistedGenerator


def build(mode):
    import keras

    import keras_seqgan as ks

    jit_compile, dtype, hoisted = MODES[mode]
    keras.utils.set_random_seed(0)  # the same initial weights for every mode
    cls = hoisted_generator_class() if hoisted else ks.models.Generator
    kwargs = {} if dtype is None else {"dtype": dtype}
    generator = cls(V, T, embedding_dim=WIDTH, hidden_dim=WIDTH, **kwargs)
    generator.compile(
        optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=5.0), jit_compile=jit_compile
    )
    return generator


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated; default: all")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--output", default="benchmarks/results/mle_step_modes.json")
    args = parser.parse_args(argv)
    modes = comma_names(parser, "--modes", args.modes, MODES)
    if args.repeats < 1 or args.samples < B:
        parser.error(f"--repeats must be >= 1 and --samples >= {B}")

    import numpy as np

    import keras_seqgan as ks

    data = np.random.default_rng(0).integers(0, V, size=(args.samples, T)).astype("int32")
    generators = {mode: build(mode) for mode in modes}

    def epoch(generator):
        dataset = ks.data.mle_dataset(data, batch_size=B, seed=4)
        start = time.perf_counter()
        generator.fit(dataset, epochs=1, shuffle=False, verbose=0)
        return time.perf_counter() - start

    first = {mode: round(epoch(generator), 2) for mode, generator in generators.items()}
    epochs = {mode: [] for mode in modes}
    for _ in range(args.repeats):
        for mode, generator in generators.items():
            epochs[mode].append(round(epoch(generator), 2))
    rows = [
        {
            "mode": mode,
            "jit_compile": generators[mode].jit_compile,
            "dtype_policy": generators[mode].dtype_policy.name,
            "first_epoch_s": first[mode],
            "epochs_s": epochs[mode],
            "median_s": float(np.median(epochs[mode])),
        }
        for mode in modes
    ]

    generator = build("graph")  # `generate` runs outside fit: its own jit_compile
    calls = {False: [], True: []}
    for jit in calls:
        generator.generate(args.samples, seed=1, batch_size=1024, jit_compile=jit)  # traces
    for _ in range(args.repeats):
        for jit, seconds in calls.items():
            start = time.perf_counter()
            generator.generate(args.samples, seed=2, batch_size=1024, jit_compile=jit)
            seconds.append(round(time.perf_counter() - start, 2))
    graph_tokens, xla_tokens = (
        generator.generate(2000, seed=3, batch_size=1024, jit_compile=jit) for jit in (False, True)
    )
    generate = {
        "samples": args.samples,
        "graph_s": calls[False],
        "xla_s": calls[True],
        "graph_median_s": float(np.median(calls[False])),
        "xla_median_s": float(np.median(calls[True])),
        "same_tokens_fraction": float(np.mean(graph_tokens == xla_tokens)),
    }

    print(f"MLE epoch of {args.samples} sequences (V={V}, T={T}, B={B}), medians of {args.repeats}")
    print(f"{'mode':<12} {'jit_compile':>11} {'policy':>15} {'first s':>8} {'median s':>9}")
    for row in rows:
        print(
            f"{row['mode']:<12} {row['jit_compile']!s:>11} {row['dtype_policy']:>15} "
            f"{row['first_epoch_s']:>8.2f} {row['median_s']:>9.2f}"
        )
    print(
        f"generate({args.samples}): graph {generate['graph_median_s']:.2f} s, "
        f"XLA {generate['xla_median_s']:.2f} s; the same tokens: "
        f"{generate['same_tokens_fraction']:.4%}"
    )
    record = {
        "benchmark": "mle_step_modes",
        **machine_record(),
        "command": command_line("benchmarks/mle_step_modes.py", argv),
        "size": {"vocabulary_size": V, "sequence_length": T, "batch_size": B, "width": WIDTH},
        "repeats": args.repeats,
        "mle_epoch": rows,
        "generate": generate,
    }
    write_json(args.output, record)
    print(f"wrote {args.output}")
    return record


if __name__ == "__main__":
    main()
