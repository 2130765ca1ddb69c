"""Is it the rewards or the generator's update? From scratch against the oracle itself.

A diagnostic for issue 28's from-scratch runs (`oracle.py --from-scratch`), which stall on
the frontier of a unigram model of their training rows (`oracle_ngram.py`): they learn
which tokens are frequent and next to nothing of which follows which. Either the
discriminator's rewards carry no such information, or the generator's policy-gradient
update (batch 512, Adam 1e-3, `DenseReward()`) cannot turn it into a better generator in
a few thousand steps. Here the discriminator is replaced by the best possible critic that
reads prefixes: the oracle itself, fixed (`d_steps=0`), whose logit at position t is
`log p_oracle(x_t | x_<t) + log V` (how much likelier the oracle finds the token than a
uniform draw), so every reward says how plausible the token is in its context. Everything
else is the first from-scratch run's: its initial generator (seed 88's), its batches, the
generator's optimizer and `DenseReward()`'s discount, baseline and bounded rewards.

If the generator gets well beyond the unigram's frontier here, its update can learn
context from per-prefix rewards and what the runs lack is a discriminator that supplies
them; if it stalls too, the update is the bottleneck. Such a critic rewards likely tokens
without regard to diversity, so the generator is expected to sharpen (NLL-gen rising);
its points are placed on the count models' and the MLE models' frontiers at equal NLL-gen.

    python benchmarks/scratch_oracle_reward.py --oracle ../shared/data/seqgan_oracle_lstm.npz \\
        --steps 2000 --eval-every 500

Writes `results.json` and the trained generator (`generator.keras`) into `--output`
(default `benchmarks/results/scratch_oracle_reward`).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle as base  # noqa: E402
from _machine import command_line, machine_record, write_json  # noqa: E402

RESULTS = os.path.join(HERE, "results")


def oracle_critic(oracle):
    """A fixed per-prefix "discriminator" made of the oracle: logits `log p + log V`."""
    import keras
    from keras import ops

    class OracleCritic(keras.Model):
        def __init__(self):
            super().__init__(name="oracle_critic")
            self.vocabulary_size = oracle.vocabulary_size
            self.sequence_length = oracle.sequence_length

        def call(self, inputs, training=False):
            if isinstance(inputs, dict) or len(inputs.shape) != 2:
                raise ValueError(f"The oracle critic reads token ids [B, T]. Received: {inputs}")
            # The oracle's traceable per-token log-probabilities (keras ops, no state).
            log_probs = oracle._log_prob_batch(ops.cast(inputs, "int32"))
            return log_probs + math.log(oracle.vocabulary_size)

        def compute_output_spec(self, inputs, training=False):
            return keras.KerasTensor(tuple(inputs.shape), "float32")

    return OracleCritic()


def frontier_rows():
    """The MLE models' and the count models' frontiers the points are placed on."""
    rows = {}
    for folder, keep in (("oracle_scratch", "mle"), ("oracle_ngram", "")):
        path = os.path.join(RESULTS, folder, "results.json")
        if not os.path.exists(path):
            print(f"({path} is missing: no margins against its frontiers)")
            continue
        with open(path) as file:
            for row in json.load(file)["frontier"]:
                if row["model"].startswith(keep) and row["model"] in (
                    "mle (120 epochs)", "mle early-stopped (10)", "unigram", "bigram"
                ):  # fmt: skip
                    rows.setdefault(row["model"], []).append(row)
    return rows


def parse_args(argv):
    parser = base.diagnostic_parser(__doc__)
    parser.add_argument("--steps", type=int, default=2000, help="generator steps")
    parser.add_argument("--eval-every", type=int, default=500, help="steps between points")
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--g-learning-rate", type=float, default=1e-3)
    parser.add_argument("--num-train", type=int, default=10_000, help="rows the batches read")
    parser.add_argument("--num-eval", type=int, default=10_000)
    parser.add_argument("--output", default=os.path.join(RESULTS, "scratch_oracle_reward"))
    parser.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2])
    args = parser.parse_args(argv)
    for flag in ("steps", "eval_every", "batch_size", "num_train", "num_eval"):
        if getattr(args, flag) < 1:
            parser.error(
                f"--{flag.replace('_', '-')} must be >= 1. Received: {getattr(args, flag)}"
            )
    if args.steps % args.eval_every:
        parser.error(f"--steps must be a multiple of --eval-every. Received: {args.steps}")
    if not args.g_learning_rate > 0:
        parser.error(f"--g-learning-rate must be > 0. Received: {args.g_learning_rate}")
    return args


def main(argv=None):
    args = parse_args(argv)

    import keras

    import keras_seqgan as ks
    from keras_seqgan.saving import save_model

    keras.utils.set_random_seed(args.seed)
    oracle = base.load_oracle(args.oracle)
    config = {"num_train": args.num_train, "num_eval": args.num_eval}
    data = base.oracle_data(oracle, config, args.seed)
    # The first from-scratch run's seeds (oracle.py: scratch_stage's seed is --seed + 200)
    # and initializer (the `cpu` preset's).
    seed = args.seed + 200
    generator = base.fresh_generator(base.PRESETS["cpu"], oracle, seed + 5)
    gan = ks.SeqGAN(generator, oracle_critic(oracle), objective="dense", seed=seed)
    dense = base.DENSE
    gan.compile(
        generator_optimizer=base.adam(args.g_learning_rate, dense["beta_1"]),
        discriminator_optimizer=base.adam(dense["d_learning_rate"], dense["beta_1"]),
        d_steps=0,  # the critic is fixed
        gradient_clip=5.0,
    )
    run = base.Run(data.evaluator)
    stage = "oracle-reward"
    frontiers = frontier_rows()
    os.makedirs(args.output, exist_ok=True)

    def write(status):
        for point in run.points:
            point["margins"] = {
                name: ks.evaluation.frontier_margin(rows, point) for name, rows in frontiers.items()
            }
        record = {
            "benchmark": "scratch_oracle_reward",
            "status": status,
            **machine_record(),
            "command": command_line(__file__, argv),
            "seed": args.seed,
            "settings": {
                "batch_size": args.batch_size,
                "g_learning_rate": args.g_learning_rate,
                "beta_1": dense["beta_1"],
                "objective": "DenseReward()",
                "d_steps": 0,
                "critic": "log p_oracle(x_t | x_<t) + log V",
            },  # fmt: skip
            "points": run.points,
            "total_seconds": round(time.perf_counter() - run.started, 1),
        }
        write_json(os.path.join(args.output, "results.json"), record)
        return record

    run.point(stage, 0, generator)
    callback = base.evaluation_callback(
        run, stage, 1, steps_per_epoch=args.eval_every,
        keys=("reward_mean",) + base.SCRATCH_POINT_LOGS, on_evaluated=lambda *_: write("running"),
    )  # fmt: skip
    dataset = ks.data.sequence_dataset(
        data.real, batch_size=args.batch_size, seed=seed, repeat=True
    )
    gan.fit(
        dataset,
        epochs=args.steps // args.eval_every,
        steps_per_epoch=args.eval_every,
        verbose=args.verbose,
        callbacks=[callback],
    )
    save_model(gan.generator, os.path.join(args.output, "generator.keras"))
    record = write("complete")
    print(f"\n{'step':>6} {'NLL-oracle':>11} {'NLL-gen':>8}  below the frontiers of")
    for point in record["points"]:
        margins = "  ".join(
            f"{name} {'-' if value is None else f'{value:+.3f}'}"
            for name, value in point["margins"].items()
        )
        print(
            f"{point['step']:>6} {point['nll_oracle']:>11.4f} {point['nll_gen']:>8.4f}  {margins}"
        )
    print(f"Wrote {os.path.join(args.output, 'results.json')} in {record['total_seconds']:.0f} s")
    return record


if __name__ == "__main__":
    main()
