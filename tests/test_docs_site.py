"""The documentation site's sources: every public name has an API entry, every page a place.

The site itself is built by `mkdocs build --strict` in CI (`.ci/run`), which fails on
broken links and anchors; these checks need no MkDocs and run in the default suite.
"""

from __future__ import annotations

import ast
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
