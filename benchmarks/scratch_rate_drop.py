"""Does a lower generator rate move a stalled from-scratch run again? (issue 28 item 4b)

A diagnostic for `oracle.py --from-scratch`, whose runs stall: from-scratch `SeqGAN`s
trained with dense rewards stop improving NLL-oracle after 2,000-3,000 steps at the
generator's Adam rate of 1e-3. If the stall is the noise floor of that rate (the policy
gradient's variance at a step size too large to settle), a lower rate from the stalled
state lowers NLL-oracle again; if it is where the recipe leads, it does not.

Loads the run's final model (`seqgan_dense.keras` in `--run`: both networks and both
optimizers, as `oracle.py` saves it) and, for each generator rate of `--rates`, continues
that same saved state for `--steps` generator steps on the run's own training rows (the
oracle samples of the run's `--seed`; a new stream of batches, seeded by the run's
adversarial seed), with everything else as it was: the discriminator's rate, Adam's
moments, the reward baseline. The first rate is normally the run's own: the control.
Every `--eval-every` steps it evaluates as `oracle.py` does (NLL-oracle of 10,000 samples
at T=1 with a fixed seed, NLL-gen of held-out oracle samples, held-out discriminator
accuracy).

    python benchmarks/scratch_rate_drop.py --run benchmarks/results/oracle_scratch \\
        --oracle ../shared/data/seqgan_oracle_lstm.npz --rates 1e-3 1e-4

Writes `results.json` (every point of every arm, the machine, the command) into
`--output` (default: `RUN/rate_drop`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import command_line, machine_record, write_json  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--run", required=True, metavar="FOLDER",
        help="the --output of an `oracle.py --from-scratch` run that ended (results.json "
        "and seqgan_dense.keras)",
    )  # fmt: skip
    parser.add_argument("--oracle", required=True, help="the oracle the run was trained on")
    parser.add_argument(
        "--rates", type=float, nargs="+", default=[1e-3, 1e-4],
        help="generator Adam rates to continue at, one arm each (default: 1e-3 1e-4)",
    )  # fmt: skip
    parser.add_argument("--steps", type=int, default=500, help="generator steps per arm")
    parser.add_argument("--eval-every", type=int, default=250, help="steps between points")
    parser.add_argument("--output", default=None, help="default: RUN/rate_drop")
    parser.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2])
    args = parser.parse_args(argv)
    for flag, value in (("--steps", args.steps), ("--eval-every", args.eval_every)):
        if value < 1:
            parser.error(f"{flag} must be >= 1. Received: {value}")
    if args.steps % args.eval_every:
        parser.error(
            f"--steps must be a multiple of --eval-every ({args.eval_every}). "
            f"Received: {args.steps}"
        )
    if any(not rate > 0 for rate in args.rates):
        parser.error(f"--rates must be positive. Received: {args.rates}")
    return args


def main(argv=None):
    args = parse_args(argv)
    model_path = os.path.join(args.run, "seqgan_dense.keras")
    record_path = os.path.join(args.run, "results.json")
    for path in (model_path, record_path, args.oracle):
        if not os.path.exists(path):
            raise SystemExit(
                f"{path} does not exist: --run must be the --output of an `oracle.py "
                "--from-scratch --objectives dense` run that ended (it saves "
                "seqgan_dense.keras), and --oracle the oracle it was trained on."
            )
    with open(record_path) as file:
        run_record = json.load(file)
    output = args.output or os.path.join(args.run, "rate_drop")
    os.makedirs(output, exist_ok=True)

    import keras
    import oracle as ob

    import keras_seqgan as ks

    config, seed = run_record["config"], run_record["seed"]
    oracle = ks.data.OracleLSTM.from_file(args.oracle)
    # The run's own rows: training rows, held-out rows, evaluator.
    data = ob.oracle_data(oracle, config, seed)
    real, held_out, evaluator = data.real, data.held_out, data.evaluator
    validation = ks.data.sequence_dataset(
        held_out[:512], batch_size=256, shuffle=False, drop_remainder=False
    )
    started = time.perf_counter()
    arms = []

    def write(status):
        record = {
            "benchmark": "scratch_rate_drop",
            "status": status,
            **machine_record(),
            "command": command_line(__file__, argv),
            "run": os.path.relpath(args.run),
            "run_command": run_record["command"],
            "run_steps": max(
                p["step"] for p in run_record["points"] if p["stage"] == "adversarial-dense"
            ),
            "steps": args.steps,
            "eval_every": args.eval_every,
            "arms": arms,
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        write_json(os.path.join(output, "results.json"), record)
        return record

    for rate in args.rates:
        gan = keras.saving.load_model(model_path)
        before = float(gan.generator_optimizer.learning_rate)
        gan.generator_optimizer.learning_rate.assign(rate)
        stage = f"rate {rate:g}"
        print(f"\n== {stage}: the saved generator rate was {before:g}", flush=True)
        run = ob.Run(evaluator)
        run.point(stage, 0, gan.generator)
        arm = {"g_learning_rate": rate, "saved_g_learning_rate": before, "points": run.points}
        arms.append(arm)
        dataset = ks.data.sequence_dataset(
            real, batch_size=config["batch_size"], seed=run_record["adversarial_seed"] + 300,
            repeat=True,
        )  # fmt: skip
        callback = ob.evaluation_callback(
            run, stage, 1, steps_per_epoch=args.eval_every,
            keys=ob.POINT_LOGS + ob.SCRATCH_POINT_LOGS, on_evaluated=lambda *_: write("running"),
        )  # fmt: skip
        gan.fit(
            dataset,
            epochs=args.steps // args.eval_every,
            steps_per_epoch=args.eval_every,
            validation_data=validation,
            verbose=args.verbose,
            callbacks=[callback],
        )
        arm["seconds"] = round(run.points[-1]["wall_s"], 1)
        write("running")

    record = write("complete")
    print(f"\n{'arm':<12} {'NLL-oracle':>22} {'NLL-gen':>20}")
    for arm in arms:
        first, last = arm["points"][0], arm["points"][-1]
        print(
            f"rate {arm['g_learning_rate']:<7g} {first['nll_oracle']:>9.4f} -> "
            f"{last['nll_oracle']:<9.4f} {first['nll_gen']:>8.4f} -> {last['nll_gen']:<8.4f}"
        )
    print(f"Wrote {os.path.join(output, 'results.json')} in {record['total_seconds']:.0f} s")
    return record


if __name__ == "__main__":
    main()
