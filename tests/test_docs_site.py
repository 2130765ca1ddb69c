"""The documentation site's sources: every public name has an API entry, every page a place,
and every test that docs/claims.md names exists, with its `slow` marker noted.

The site itself is built by `mkdocs build --strict` in CI (`.ci/run`), which fails on
broken links and anchors; these checks need no MkDocs and run in the default suite.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# Public namespaces and the module whose `__all__` lists their names.
NAMESPACES = {
    "keras_seqgan.models": "keras_seqgan/models/__init__.py",
    "keras_seqgan.objectives": "keras_seqgan/objectives/__init__.py",
    "keras_seqgan.callbacks": "keras_seqgan/callbacks/__init__.py",
    "keras_seqgan.data": "keras_seqgan/data/__init__.py",
    "keras_seqgan.evaluation": "keras_seqgan/evaluation/__init__.py",
    "keras_seqgan.tuning": "keras_seqgan/tuning.py",
}
WHOLE_MODULES = ("keras_seqgan.sampling", "keras_seqgan.saving", "keras_seqgan.plotting")


def public_names(path):
    tree = ast.parse((ROOT / path).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(target, "id", None) == "__all__" for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path} has no __all__")


def api_entries():
    entries = set()
    for page in (DOCS / "api").glob("*.md"):
        entries |= set(re.findall(r"^::: ([\w.]+)\s*$", page.read_text(), flags=re.M))
    return entries


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_every_public_name_has_an_api_entry(namespace):
    entries = api_entries()
    missing = [
        name for name in public_names(NAMESPACES[namespace]) if f"{namespace}.{name}" not in entries
    ]
    assert not missing, f"docs/api lacks `::: {namespace}.<name>` for {missing}"


def test_whole_modules_and_seqgan_have_pages():
    entries = api_entries()
    for module in (*WHOLE_MODULES, "keras_seqgan.SeqGAN"):
        assert module in entries, module


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    config = (ROOT / "mkdocs.yml").read_text()
    listed = set(re.findall(r":\s*([\w/.-]+\.md)\s*$", config, flags=re.M))
    pages = {str(path.relative_to(DOCS)) for path in DOCS.rglob("*.md")}
    assert listed == pages, (sorted(pages - listed), sorted(listed - pages))


# `tests/FILE.py::test_name`, optionally `[param]`, in backticks; ` (slow)` after it marks
# a test that carries the `slow` marker.
CLAIM_REFERENCE = re.compile(r"`tests/(\w+\.py)::(\w+)(?:\[[^\]`]*\])?`( \(slow\))?")


def claims_references():
    text = (DOCS / "claims.md").read_text(encoding="utf-8")
    return [(m.group(1), m.group(2), bool(m.group(3))) for m in CLAIM_REFERENCE.finditer(text)]


@functools.cache
def defined_tests(file):
    """`{name: is_slow}` for the test functions of a test module, read without importing it."""
    tree = ast.parse((ROOT / "tests" / file).read_text(encoding="utf-8"))
    module_slow = any(
        isinstance(node, ast.Assign)
        and any(getattr(target, "id", None) == "pytestmark" for target in node.targets)
        and "mark.slow" in ast.unparse(node.value)
        for node in tree.body
    )
    # pytest collects `test_*` functions of the module and of its `Test*` classes.
    nodes = [*tree.body]
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            nodes += node.body
    return {
        node.name: module_slow
        or any(ast.unparse(d).startswith("pytest.mark.slow") for d in node.decorator_list)
        for node in nodes
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_every_test_the_claims_table_names_exists():
    references = claims_references()
    assert len(references) >= 15, f"docs/claims.md names only {len(references)} tests"
    missing = []
    for file, name, _ in references:
        if not (ROOT / "tests" / file).is_file():
            missing.append(f"tests/{file} (no such file)")
        elif name not in defined_tests(file):
            missing.append(f"tests/{file}::{name}")
    assert not missing, f"docs/claims.md names tests that do not exist: {sorted(set(missing))}"


def test_the_claims_table_marks_exactly_the_slow_tests():
    wrong = []
    for file, name, marked_slow in claims_references():
        functions = defined_tests(file) if (ROOT / "tests" / file).is_file() else {}
        if name in functions and functions[name] != marked_slow:
            state = "slow" if functions[name] else "not slow"
            wrong.append(f"tests/{file}::{name} is {state}")
    assert not wrong, f"docs/claims.md's (slow) marks are wrong: {sorted(set(wrong))}"
