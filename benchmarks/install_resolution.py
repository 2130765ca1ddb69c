"""What each backend extra of keras-seqgan resolves to, without installing anything.

Runs `pip install --dry-run --ignore-installed --report` for every extra that picks a
Keras backend (`tensorflow`, `gpu`, `jax`, `jax-cuda`) from this clone, and records the
distributions each would install that carry TensorFlow, JAX or CUDA, so that "the GPU
install puts one TensorFlow distribution into the environment" is a measured fact:

    python benchmarks/install_resolution.py   # writes results/install_resolution.json

It needs an index pip can reach (PyPI, or a mirror in pip's configuration).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

from _machine import command_line, machine_record, write_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXTRAS = ("tensorflow", "gpu", "jax", "jax-cuda")
WATCHED = ("tensorflow", "jax", "nvidia", "keras")


def resolve(extra: str) -> dict:
    """The distributions `pip install ".[extra]"` would install into an empty environment."""
    with tempfile.TemporaryDirectory() as folder:
        report = os.path.join(folder, "report.json")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--dry-run",
                "--ignore-installed",
                "--quiet",
                "--report",
                report,
                f"{ROOT}[{extra}]",
            ],
            check=True,
        )
        with open(report) as handle:
            installs = json.load(handle)["install"]
    names = sorted((i["metadata"]["name"], i["metadata"]["version"]) for i in installs)
    watched = {n: v for n, v in names if any(w in n.lower() for w in WATCHED)}
    tensorflows = [n for n in watched if n.lower().replace("_", "-").startswith("tensorflow")]
    return {
        "distributions": len(names),
        "watched": watched,
        "tensorflow_distributions": tensorflows,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extras", default=",".join(EXTRAS), help="comma list")
    parser.add_argument(
        "--output", default=os.path.join(ROOT, "benchmarks", "results", "install_resolution.json")
    )
    args = parser.parse_args(argv)
    results = {}
    print(f"{'extra':<12} {'dists':>5}  TensorFlow distributions / JAX")
    for extra in args.extras.split(","):
        results[extra] = resolved = resolve(extra)
        jax = {n: v for n, v in resolved["watched"].items() if n.startswith("jax")}
        print(
            f"{extra:<12} {resolved['distributions']:>5}  "
            f"{resolved['tensorflow_distributions'] or '-'} {jax or ''}"
        )
    record = machine_record()
    record.update(
        command=command_line(__file__, argv),
        python=sys.version.split()[0],
        platform=sys.platform,
        extras=results,
    )
    write_json(args.output, record)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
