"""Import time of keras_seqgan on JAX without TensorFlow (issue 29's target: under 3 s).

Times five fresh processes running `import keras_seqgan` with `KERAS_BACKEND=jax`, using
the Python of an environment made from `pip install -e ".[jax,test-runner]"`:

    python benchmarks/import_time.py .venv-jax/bin/python

and writes `results/import_time_jax_without_tensorflow.json`.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
import time

from _machine import write_json

CODE = "import keras_seqgan, sys; assert 'tensorflow' not in sys.modules"


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    python = argv[0] if argv else sys.executable
    env = dict(os.environ, KERAS_BACKEND="jax")
    walls = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([python, "-c", CODE], env=env, check=True)
        walls.append(round(time.perf_counter() - start, 3))
    has_tf = subprocess.run([python, "-c", "import tensorflow"], capture_output=True)
    record = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "what": "wall time of a fresh process running `import keras_seqgan` on JAX",
        "tensorflow_importable": has_tf.returncode == 0,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "command": "python benchmarks/import_time.py " + " ".join(argv),
        "seconds": walls,
        "median_s": sorted(walls)[len(walls) // 2],
        "target_s": 3.0,
    }
    output = os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "results",
        "import_time_jax_without_tensorflow.json",
    )
    write_json(output, record)
    print(f"median {record['median_s']} s over {walls}; wrote {output}")


if __name__ == "__main__":
    main()
