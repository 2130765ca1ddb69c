"""Every code example of the documentation runs: the pages and the public docstrings.

**Pages.** Every ```` ```python ```` block of `docs/*.md` and of `README.md` runs. The
blocks of one page run in order in one namespace (a page is a tutorial: a later block
uses the names of an earlier one), in a fresh Python process whose working folder is an
empty temporary folder.

**Docstrings.** Every ```` ```python ```` block of the docstrings of the public API runs: the
names in the `__all__` of `keras_seqgan` and of its public modules (for `sampling`, `saving`
and `plotting`, which have no `__all__`, their public functions), and, for classes, the
methods defined in the class. Each example runs in a fresh namespace that has already run
`DOCSTRING_PREAMBLE` (docstrings use the full public path `keras_seqgan.…` without always
importing it); all of them in one process, each failure reported.

Ways out, all listed here or in the docs themselves:

- A block whose first line is `# not run: <reason>` is skipped (the oracle page's two:
  the authors' file, and a run of hours).
- `SKIPPED_BLOCKS`: blocks of pages that this test may not edit, with the reason.
- `SUBSTITUTIONS`: exact text replaced before a page runs, to shrink epochs, samples and
  sizes that are right for a user's run but too slow for a test. Each must still match
  the page, so the test fails when the page changes under it.
- `STAND_IN_FILES`: the data files the examples read (the Shakespeare CSV, COCO captions,
  the paper's oracle) are not in this repository; tiny files with the same names and
  columns are written into the working folder first.

Marked slow: about six minutes on 2 CPU cores (ten fresh processes, each importing
TensorFlow and compiling training steps). Run it with
`pytest -m slow tests/test_docs_examples.py`.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGE_TIMEOUT_S = 420
DOCSTRINGS_TIMEOUT_S = 600

PUBLIC_MODULES = (
    "keras_seqgan",
    "keras_seqgan.models",
    "keras_seqgan.callbacks",
    "keras_seqgan.data",
    "keras_seqgan.evaluation",
    "keras_seqgan.objectives",
    "keras_seqgan.tuning",
    "keras_seqgan.sampling",
    "keras_seqgan.saving",
    "keras_seqgan.plotting",
)
DOCSTRING_PREAMBLE = "import keras\nimport numpy as np\nimport keras_seqgan\n"

NOT_RUN = re.compile(r"#\s*not run:\s*(\S.*)")
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", flags=re.M | re.S)
DOCSTRING_FENCE = re.compile(r"^([ \t]*)```python[ \t]*\n(.*?)^\1```[ \t]*$", flags=re.M | re.S)

# (page, block index from 0, reason). docs/scaling.md is another engineer's page; its
# examples need several devices, a cluster or a fresh JAX process, which the slow tests
# named in each reason run in their own way.
SKIPPED_BLOCKS = [
    (
        "scaling.md",
        1,
        "MultiWorkerMirroredStrategy needs a TF_CONFIG cluster of several machines; "
        "tests/test_distribution_tf.py runs two workers on loopback",
    ),
    (
        "scaling.md",
        2,
        "sets KERAS_BACKEND=jax, which only takes effect in a process that has not imported "
        "Keras yet (block 0 of the same page has), and uses the undefined `real_tokens`; "
        "tests/test_distribution_jax.py runs DataParallel over two host devices",
    ),
]

# page -> [(text, replacement)]: every occurrence is replaced; each text must occur.
_QUICKSTART = [
    ("VOCABULARY_SIZE = 500", "VOCABULARY_SIZE = 50"),
    ("NUM_SAMPLES = 5000", "NUM_SAMPLES = 256"),
    ("MLE_EPOCHS = 12", "MLE_EPOCHS = 2"),
    ("ADVERSARIAL_EPOCHS = 25", "ADVERSARIAL_EPOCHS = 2"),
    ("num_rollouts=4", "num_rollouts=2"),
]
SUBSTITUTIONS = {
    "README.md": _QUICKSTART,  # its minimal example is the quickstart's, in one block
    "quickstart.md": _QUICKSTART,
    "tuning.md": [
        ("vocabulary_size=500", "vocabulary_size=20"),
        ("sequence_length=20", "sequence_length=6"),
        ("oracle.sample(5000, seed=67)", "oracle.sample(256, seed=67)"),
        ("epochs=30)", "epochs=1)"),
        ("generator.generate(5000, seed=3)", "generator.generate(256, seed=3)"),
        ("seed=4), epochs=3)", "seed=4), epochs=1)"),
        ("num_rollouts=8", "num_rollouts=2"),
        ("max_trials=8,\n    seed=6,", "max_trials=2,\n    seed=6,"),
        ("epochs=25,\n    steps_per_epoch=2,", "epochs=2,\n    steps_per_epoch=1,"),
        ("num_samples=2000", "num_samples=200"),
    ],
    "scaling.md": [
        ("vocabulary_size=5000", "vocabulary_size=50"),
        ("10_000, seed=88", "64, seed=88"),
        ("num_rollouts=16", "num_rollouts=2"),
        ("batch_size=256)  # the GLOBAL batch", "batch_size=16)  # the GLOBAL batch"),
        ("gan.fit(dataset, epochs=10)\n```", "gan.fit(dataset, epochs=1)\n```"),
    ],
    "text.md": [
        ("epochs=10,\n    steps_per_epoch=20,", "epochs=1,\n    steps_per_epoch=2,"),
        ("    epochs=10,\n)", "    epochs=1,\n)"),
        ("num_rollouts=8", "num_rollouts=2"),
        ("epochs=5, seed=1", "epochs=1, seed=1"),
    ],
}

# Run in the working folder before any example: tiny stand-ins for the data files the
# examples name (the real ones are in ../shared/data, outside this repository).
STAND_IN_FILES = r"""
import csv, random
_random = random.Random(0)
_words = ("my lord the king is here and there good night sweet prince to be or not "
          "what say you now speak again honest friend I will go with thee").split()
_speakers = [("HAMLET", "Hamlet"), ("HORATIO", "Hamlet"), ("IAGO", "Othello"),
             ("OTHELLO", "Othello"), ("FALSTAFF", "Henry IV, Part 1"),
             ("KING LEAR", "King Lear")]
def _line():
    return " ".join(_random.choice(_words) for _ in range(_random.randint(3, 12))) + "."
for _name in ("shakespeare_dialogue.csv", "lines.csv"):
    with open(_name, "w", newline="", encoding="utf-8") as _file:
        _writer = csv.writer(_file)
        _writer.writerow(["play", "act", "scene", "character", "text"])
        for _index in range(240):
            _character, _play = _speakers[_index % len(_speakers)]
            _writer.writerow([_play, 1, 1, _character, _line()])
for _name in ("coco_captions_train.txt", "coco_captions_test.txt"):
    with open(_name, "w", encoding="utf-8") as _file:
        _file.writelines(_line() + "\n" for _ in range(120))
import keras_seqgan as _ks
_ks.data.OracleLSTM(vocabulary_size=10, seed=0).save_npz("seqgan_oracle_lstm.npz")
"""

RUNNER = r"""
import json, sys, time, traceback
spec = json.load(open(sys.argv[1], encoding="utf-8"))
exec(compile(spec["setup"], "stand-in files", "exec"), {"__name__": "__setup__"})
shared = {"__name__": "__main__"}
failures = []
for block in spec["blocks"]:
    label = block["label"]
    if block["skip"]:
        print(f"[docs-examples] skipped {label}: {block['skip']}", flush=True)
        continue
    namespace = shared if spec["shared"] else {"__name__": "__main__"}
    if not spec["shared"]:
        exec(compile(spec["preamble"], "preamble", "exec"), namespace)
    started = time.perf_counter()
    print(f"[docs-examples] running {label}", flush=True)
    try:
        exec(compile(block["code"], label, "exec"), namespace)
    except BaseException:
        failures.append(f"{label} failed:\n{block['code']}\n{traceback.format_exc()}")
        print(failures[-1], flush=True)
        if spec["shared"]:
            break  # the page's later blocks build on this one
    print(f"[docs-examples] {label}: {time.perf_counter() - started:.1f} s", flush=True)
if failures:
    print("\n\n".join(["FAILED EXAMPLES"] + failures), file=sys.stderr, flush=True)
    sys.exit(1)
"""


# ------------------------------------------------------------------ the pages' blocks


def page_names():
    return ["README.md", *sorted(path.name for path in DOCS.glob("*.md"))]


def page_path(page):
    return ROOT / page if page == "README.md" else DOCS / page


def substituted(page):
    text = page_path(page).read_text(encoding="utf-8")
    for old, new in SUBSTITUTIONS.get(page, ()):
        text = text.replace(old, new)
    return text


def not_run_reason(code):
    first_line = code.lstrip("\n").split("\n", 1)[0].strip()
    match = NOT_RUN.fullmatch(first_line)
    return match.group(1) if match else None


def page_blocks(page):
    """[(label, code, reason to skip or None)] for the page's python blocks, in order."""
    skipped = {index: reason for name, index, reason in SKIPPED_BLOCKS if name == page}
    blocks = []
    for index, match in enumerate(FENCE.finditer(substituted(page))):
        code = match.group(1)
        reason = not_run_reason(code) or skipped.get(index)
        label = page_path(page).relative_to(ROOT).as_posix()
        blocks.append((f"{label} block {index}", code, reason))
    return blocks


# --------------------------------------------------------------- the docstrings' blocks


def public_objects():
    """(qualified name, object) for every public name, and the methods of public classes."""
    seen = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None)
        if names is None:
            names = [
                name
                for name, value in vars(module).items()
                if not name.startswith("_")
                and (inspect.isfunction(value) or inspect.isclass(value))
                and value.__module__ == module_name
            ]
        for name in names:
            value = getattr(module, name)
            if inspect.ismodule(value) or not (inspect.isclass(value) or callable(value)):
                continue
            if id(value) in seen:
                continue
            seen.add(id(value))
            yield f"{module_name}.{name}", value
            if inspect.isclass(value):
                for member_name, member in vars(value).items():
                    if member_name.startswith("_") and member_name != "__init__":
                        continue
                    function = getattr(member, "__func__", None) or getattr(member, "fget", None)
                    function = function or member
                    if inspect.isfunction(function) and id(function) not in seen:
                        seen.add(id(function))
                        yield f"{module_name}.{name}.{member_name}", function


def docstring_blocks():
    blocks = []
    for qualified_name, value in public_objects():
        doc = value.__doc__ or ""
        for index, match in enumerate(DOCSTRING_FENCE.finditer(doc)):
            code = textwrap.dedent(match.group(2))
            label = f"{qualified_name} example {index}"
            blocks.append((label, code, not_run_reason(code)))
    return blocks


def source_fence_count():
    return sum(
        len(DOCSTRING_FENCE.findall(path.read_text(encoding="utf-8")))
        for path in (ROOT / "keras_seqgan").rglob("*.py")
    )


# ------------------------------------------------------------------------- running


def run_blocks(tmp_path, blocks, *, shared, timeout):
    spec = {
        "setup": STAND_IN_FILES,
        "preamble": DOCSTRING_PREAMBLE,
        "shared": shared,
        "blocks": [{"label": label, "code": code, "skip": skip} for label, code, skip in blocks],
    }
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    env = dict(
        os.environ,
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",
        MPLBACKEND="Agg",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", RUNNER, str(spec_path)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        output = (error.stdout or b"")[-4000:]
        pytest.fail(f"the examples ran past {timeout} s; last output:\n{output!r}")
    if result.returncode != 0:
        failures = result.stderr.split("FAILED EXAMPLES", 1)[-1]
        pytest.fail(f"{failures[-12000:]}\n--- stdout (end) ---\n{result.stdout[-3000:]}")
    return result.stdout


# --------------------------------------------------------------------------- tests


def test_the_skips_and_substitutions_still_fit_the_pages():
    for page, index, reason in SKIPPED_BLOCKS:
        assert reason.strip(), (page, index)
        assert index < len(page_blocks(page)), f"docs/{page} has no python block {index}"
    for page, pairs in SUBSTITUTIONS.items():
        text = page_path(page).read_text(encoding="utf-8")
        for old, _ in pairs:
            assert old in text, f"docs/{page} no longer contains {old!r}: update SUBSTITUTIONS"
    for page in page_names():
        for label, code, _ in page_blocks(page):
            first = code.lstrip("\n").split("\n", 1)[0]
            if re.match(r"#\s*not run\b", first):
                assert not_run_reason(code), f"{label}: `# not run:` needs a reason"


def test_every_docstring_example_is_collected():
    # An example in a docstring that is not reachable from the public API would be missed.
    assert len(docstring_blocks()) == source_fence_count()


@pytest.mark.slow
@pytest.mark.parametrize(
    "page", [page for page in page_names() if page_blocks(page)] or ["(no page has code)"]
)
def test_page_examples_run(page, tmp_path):
    blocks = page_blocks(page)
    if all(reason for _, _, reason in blocks):
        pytest.skip(f"every block of docs/{page} is skipped: {[r for _, _, r in blocks]}")
    run_blocks(tmp_path, blocks, shared=True, timeout=PAGE_TIMEOUT_S)


@pytest.mark.slow
def test_docstring_examples_run(tmp_path):
    blocks = docstring_blocks()
    assert len(blocks) > 20
    run_blocks(tmp_path, blocks, shared=False, timeout=DOCSTRINGS_TIMEOUT_S)
