"""The package's layers: a module imports only from its own layer or the ones below.

The map is `docs/concepts.md`'s "Where things live"; keep the two together.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

pytestmark = pytest.mark.backend_independent("reads source files")

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "keras_seqgan"

# Bottom to top. A top-level name is a module (`seqgan`) or a package (`data`).
LAYERS = (
    {
        "_tf",
        "_validation",
        "conditions",
        "_seed_state",
        "_optimizer_pair",
        "sampling",
        "backend",
        "saving",
        "version",
    },
    {"data", "objectives", "losses"},
    {"models", "evaluation"},
    {"callbacks", "seqgan"},
    {"tuning", "plotting", "pipeline"},
    {"cli", "__init__"},
)


def _layer(name: str) -> int:
    for index, names in enumerate(LAYERS):
        if name in names:
            return index
    raise AssertionError(f"keras_seqgan.{name} is in no layer: add it to LAYERS and the docs map")


def _top(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imported(tree: ast.AST):
    """The top-level package names each `keras_seqgan` import of `tree` reaches."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] != "keras_seqgan":
                continue
            if len(parts) > 1:
                yield node.lineno, parts[1]
            else:
                for alias in node.names:
                    yield node.lineno, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "keras_seqgan":
                    yield node.lineno, parts[1] if len(parts) > 1 else "__init__"


def test_no_module_imports_from_a_layer_above_it():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _top(path)
        for line, name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            if name != own and _layer(name) > _layer(own):
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    assert not upward, "imports from a layer above:\n" + "\n".join(upward)


def test_the_base_modules_import_nothing_from_the_package():
    for name in ("_validation", "conditions", "_seed_state", "_optimizer_pair"):
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        assert [found for _, found in _imported(tree)] == [], name
