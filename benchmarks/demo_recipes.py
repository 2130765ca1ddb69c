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
demo's temperature annealing, true), `epochs` and `steps` (25 x 2), `rollouts` (8),
`d_steps` (1), `d_lr` (the discriminator's Adam rate in the adversarial stage, the demo's
1e-4), `d_pretrain` (`{"rounds": 3, "epochs": 1, "lr": 1e-4}`; another setting
pre-trains another discriminator from the same MLE model, kept in its own file),
`constant_reward` (false; true replaces the
discriminator by one that gives every sequence reward 0.5: the control for "does the
discriminator matter?"). Each row also has the discriminator's accuracy on held-out real
rows against fresh samples, after pre-training (`d_acc_start`) and after the stage
(`d_acc_end`).
`sum_anneal_1e-3`, `{}`, is the demo as it was until 2026-12-05 (its adversarial stage
without the validation rows), the base of every recorded row: 3 rounds of discriminator
pre-training and 25 x 2 generator steps (`DEFAULTS`; a recorded command means what it
meant). The demo now pre-trains 20 rounds and takes 25 x 4 steps:
`{"d_pretrain": {"rounds": 20}, "steps": 4}`. Rows are appended to `rows.jsonl` as they
finish; the MLE model, the discriminators and the frontier are reused by later runs into
the same folder.
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
from _machine import command_line, commands_so_far, machine_record, write_json  # noqa: E402
from oracle_ablation import ConstantLogit  # noqa: E402

TEMPERATURES = (0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1)
# What an empty variant means: the demo's adversarial stage and discriminator pre-training
# until 2026-12-05, whatever the demo's preset says now.
DEFAULTS = dict(epochs=25, steps=2, d_rounds=3, d_epochs=1, d_pretrain_lr=1e-4)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", required=True)
    parser.add_argument("--variants", default="{}", help="JSON: {name: {key: value}}")
    parser.add_argument(
        "--describe-discriminators",
        action="store_true",
        help="also score every pre-trained discriminator of the folder on training rows, "
        "held-out real rows and fresh samples (into discriminators.json)",
    )
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
    g_path = os.path.join(out, "g_mle.keras")
    frontier_path = os.path.join(out, "frontier.json")
    if not os.path.exists(g_path):
        generator, _ = demo.demo_models(config)
        generator.compile(optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=5.0))
        generator.fit(
            ks.data.mle_dataset(real, batch_size=config.batch_size, seed=config.seed),
            epochs=config.mle_epochs, verbose=0, shuffle=False,
        )  # fmt: skip
        ks.saving.save_model(generator, g_path)
        frontier = ks.evaluation.temperature_frontier(
            generator, oracle, held_out, TEMPERATURES, num_samples=config.num_eval,
            seed=config.seed + 100,
        )  # fmt: skip
        with open(frontier_path, "w", encoding="utf-8") as handle:
            json.dump(frontier, handle)
    with open(frontier_path, encoding="utf-8") as handle:
        frontier = json.load(handle)
    print("frontier", frontier, flush=True)
    fresh = keras.saving.load_model(g_path).generate(
        config.num_eval, temperature=1.0, seed=config.seed + 300
    )

    def held_out_accuracy(discriminator):
        return round(ks.pipeline.discriminator_accuracy(discriminator, held_out, fresh), 4)

    for name, v in variants.items():
        for seed in seeds:
            started = time.time()
            generator = keras.saving.load_model(g_path)
            d_path = pretrained_discriminator(out, v.get("d_pretrain", {}), g_path, real, config)
            discriminator = keras.saving.load_model(d_path)
            d_acc_start = held_out_accuracy(discriminator)
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
                discriminator_optimizer=keras.optimizers.Adam(v.get("d_lr", 1e-4)),
                d_steps=d_steps,
            )
            callbacks = [ks.callbacks.TemperatureAnnealing()] if v.get("anneal", True) else []
            dataset = ks.data.sequence_dataset(
                real, batch_size=config.batch_size, seed=config.seed + seed, repeat=True
            )
            gan.fit(dataset, epochs=v.get("epochs", DEFAULTS["epochs"]),
                    steps_per_epoch=v.get("steps", DEFAULTS["steps"]),
                    verbose=0, callbacks=callbacks)  # fmt: skip
            point = scorer.evaluate(generator)
            row = {
                "variant": name,
                "seed": seed,
                "nll_oracle": round(point["nll_oracle"], 4),
                "nll_gen": round(point["nll_gen"], 4),
                "margin": ks.evaluation.frontier_margin(frontier, point),
                "d_acc_start": d_acc_start,
                "d_acc_end": None if v.get("constant_reward") else held_out_accuracy(discriminator),
                "seconds": round(time.time() - started),
            }
            print(row, flush=True)
            with open(os.path.join(out, "rows.jsonl"), "a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")
    if args.describe_discriminators:
        describe_discriminators(out, real, held_out, fresh)
    write_results(out, command_line(__file__, argv))
    return 0


def describe_discriminators(out, real, held_out, fresh):
    """Each `d_pre*.keras` of `out`: its accuracy and the mean and spread (standard
    deviation) of its probability of "real" on 2,000 training rows, on the held-out real
    rows and on the MLE model's fresh samples (the spread on those is how much the rewards
    tell samples apart), and
    the AUC of held-out real rows against fresh samples (how well it ranks them, whatever
    its threshold). Written to `discriminators.json`."""
    import keras
    import numpy as np

    table = {}
    for name in sorted(n for n in os.listdir(out) if n.startswith("d_pre")):
        discriminator = keras.saving.load_model(os.path.join(out, name))
        logits = {
            label: np.asarray(discriminator.predict(rows, batch_size=256, verbose=0)).reshape(-1)
            for label, rows in (("training", real[:2000]), ("held_out", held_out),
                                ("fresh", fresh))
        }  # fmt: skip
        entry = {}
        for label, x in logits.items():
            p_real = 1 / (1 + np.exp(-x))
            right = (x <= 0) if label == "fresh" else (x > 0)
            entry[label] = {
                "accuracy": round(float(np.mean(right)), 4),
                "p_real": round(float(np.mean(p_real)), 4),
                "p_real_std": round(float(np.std(p_real)), 4),
            }
        entry["auc_held_out_vs_fresh"] = round(
            float(np.mean(logits["held_out"][:, None] > logits["fresh"][None, :])), 4
        )
        table[name] = entry
        print(name, entry, flush=True)
    write_json(os.path.join(out, "discriminators.json"), table)


def pretrained_discriminator(out, settings, g_path, real, config):
    """The path of the demo's discriminator pre-trained with `settings` (rounds, epochs,
    lr; `DEFAULTS` by default) against the MLE model's samples, trained on first use."""
    import keras

    import keras_seqgan as ks
    from keras_seqgan.cli import demo

    unknown = set(settings) - {"rounds", "epochs", "lr"}
    if unknown:
        raise ValueError(f"`d_pretrain` takes rounds, epochs and lr. Received: {settings}")
    rounds = settings.get("rounds", DEFAULTS["d_rounds"])
    epochs = settings.get("epochs", DEFAULTS["d_epochs"])
    lr = settings.get("lr", DEFAULTS["d_pretrain_lr"])
    default = (rounds, epochs, lr) == (DEFAULTS["d_rounds"], DEFAULTS["d_epochs"], 1e-4)
    name = "d_pre.keras" if default else f"d_pre_r{rounds}_e{epochs}_lr{lr:g}.keras"
    path = os.path.join(out, name)
    if not os.path.exists(path):
        generator = keras.saving.load_model(g_path)
        _, discriminator = demo.demo_models(config)
        discriminator.compile(optimizer=keras.optimizers.Adam(lr))
        ks.pipeline.pretrain_discriminator(
            discriminator, generator, real, rounds=rounds, epochs=epochs,
            batch_size=config.batch_size, seed=config.seed, fake_seed=config.seed + 200,
        )  # fmt: skip
        ks.saving.save_model(discriminator, path)
    return path


def write_results(out, command):
    """`results.json` from the folder's rows, frontier and every command that added rows."""
    with open(os.path.join(out, "rows.jsonl"), encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    with open(os.path.join(out, "frontier.json"), encoding="utf-8") as handle:
        frontier = json.load(handle)
    path = os.path.join(out, "results.json")
    record = {
        "benchmark": "demo_recipes",
        **machine_record(),
        "commands": commands_so_far(path, command),
        "frontier_temperatures": list(TEMPERATURES),
        "frontier": frontier,
        "rows": rows,
    }
    described = os.path.join(out, "discriminators.json")
    if os.path.exists(described):
        with open(described, encoding="utf-8") as handle:
            record["discriminators"] = json.load(handle)
    write_json(path, record)


if __name__ == "__main__":
    sys.exit(main())
