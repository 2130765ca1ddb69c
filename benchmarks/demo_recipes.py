"""Adversarial recipes on the demo's setting (issue 18, item 6): one MLE start, many recipes.

Trains the `small` demo's MLE generator and pre-trains its discriminator once (seed 66,
as `keras-seqgan demo`), scores the MLE model at several temperatures (its frontier), then
runs each recipe's adversarial stage from copies of both and reports NLL-oracle and
NLL-gen at T=1 and the margin below the frontier at equal NLL-gen (> 0: better than any
temperature of the MLE model; `None`: outside the frontier's range).

    python benchmarks/demo_recipes.py --output runs/demo_recipes \\
        --variants '{"sum_anneal_1e-3": {}, "mean_anneal_1e-3": {"kwargs": {"reduction": "mean"}}}'

A variant's keys (all optional): `objective` ("reinforce" or "gumbel"), `kwargs` (the
objective's arguments), `lr` (the generator's Adam rate, the demo's 1e-3), `anneal` (the
demo's temperature annealing, true), `epochs` and `steps` (the demo's 25 x 2), `rollouts`
(8), `d_steps` (1), `constant_reward` (false; true replaces the discriminator by one
that gives every sequence reward 0.5: the control for "does the discriminator matter?").
`sum_anneal_1e-3`, `{}`, is the demo itself (its adversarial stage without the
validation rows). Rows are appended to `rows.jsonl` as they finish; the MLE
model, the discriminator and the frontier are reused by later runs into the same folder.
Writes `results.json` (every row, the frontier, the machine, the commands).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _machine import command_line, machine_record, write_json  # noqa: E402
from oracle_ablation import ConstantLogit  # noqa: E402

TEMPERATURES = (0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", required=True)
    parser.add_argument("--variants", required=True, help="JSON: {name: {key: value}}")
    parser.add_argument("--seeds", default="0", help="comma-separated SeqGAN seed offsets")
    args = parser.parse_args(argv)
    variants = json.loads(args.variants)
    seeds = [int(s) for s in args.seeds.split(",")]

    import keras

    import keras_seqgan as ks
    from keras_seqgan.cli import demo

    out = args.output
    os.makedirs(out, exist_ok=True)
    config = demo.DemoConfig(**demo.PRESETS["small"], verbose=0, output=out)
    keras.utils.set_random_seed(config.seed)
    oracle, real, held_out = demo.oracle_data(config)
    scorer = demo.nll_scorer(oracle, held_out, config)
    g_path, d_path = os.path.join(out, "g_mle.keras"), os.path.join(out, "d_pre.keras")
    frontier_path = os.path.join(out, "frontier.json")
    if not os.path.exists(d_path):
        generator, discriminator = demo.demo_models(config)
        generator.compile(optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=5.0))
        generator.fit(
            ks.data.mle_dataset(real, batch_size=config.batch_size, seed=config.seed),
            epochs=config.mle_epochs, verbose=0, shuffle=False,
        )  # fmt: skip
        demo.pretrain_demo_discriminator(discriminator, generator, real, config)
        ks.saving.save_model(generator, g_path)
        ks.saving.save_model(discriminator, d_path)
        frontier = ks.evaluation.temperature_frontier(
            generator, oracle, held_out, TEMPERATURES, num_samples=config.num_eval,
            seed=config.seed + 100,
        )  # fmt: skip
        with open(frontier_path, "w", encoding="utf-8") as handle:
            json.dump(frontier, handle)
    with open(frontier_path, encoding="utf-8") as handle:
        frontier = json.load(handle)
    print("frontier", frontier, flush=True)
    for name, v in variants.items():
        for seed in seeds:
            started = time.time()
            generator = keras.saving.load_model(g_path)
            discriminator = keras.saving.load_model(d_path)
            d_steps = v.get("d_steps", 1)
            if v.get("constant_reward"):
                discriminator, d_steps = ConstantLogit.make(config.sequence_length), 0
            if v.get("objective", "reinforce") == "gumbel":
                objective = ks.objectives.Gumbel(**v.get("kwargs", {}))
            else:
                objective = ks.objectives.Reinforce(
                    num_rollouts=v.get("rollouts", config.num_rollouts), **v.get("kwargs", {})
                )
            gan = ks.SeqGAN(generator, discriminator, objective=objective,
                            seed=config.seed + 4 + seed)  # fmt: skip
            gan.compile(
                generator_optimizer=keras.optimizers.Adam(v.get("lr", 1e-3)),
                discriminator_optimizer=keras.optimizers.Adam(1e-4),
                d_steps=d_steps,
            )
            callbacks = [ks.callbacks.TemperatureAnnealing()] if v.get("anneal", True) else []
            dataset = ks.data.sequence_dataset(
                real, batch_size=config.batch_size, seed=config.seed + seed, repeat=True
            )
            gan.fit(dataset, epochs=v.get("epochs", 25), steps_per_epoch=v.get("steps", 2),
                    verbose=0, callbacks=callbacks)  # fmt: skip
            point = scorer.evaluate(generator)
            row = {
                "variant": name,
                "seed": seed,
                "nll_oracle": round(point["nll_oracle"], 4),
                "nll_gen": round(point["nll_gen"], 4),
                "margin": ks.evaluation.frontier_margin(frontier, point),
                "seconds": round(time.time() - started),
            }
            print(row, flush=True)
            with open(os.path.join(out, "rows.jsonl"), "a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")
    write_results(out, command_line(__file__, argv))
    return 0


def write_results(out, command):
    """`results.json` from the folder's rows, frontier and every command that added rows."""
    with open(os.path.join(out, "rows.jsonl"), encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    with open(os.path.join(out, "frontier.json"), encoding="utf-8") as handle:
        frontier = json.load(handle)
    path = os.path.join(out, "results.json")
    commands = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            commands = json.load(handle).get("commands", [])
    record = {
        "benchmark": "demo_recipes",
        **machine_record(),
        "commands": [*commands, command],
        "frontier_temperatures": list(TEMPERATURES),
        "frontier": frontier,
        "rows": rows,
    }
    write_json(path, record)


if __name__ == "__main__":
    sys.exit(main())
