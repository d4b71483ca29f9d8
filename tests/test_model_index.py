"""The model's index (`assembler.model`): every name it re-exports, each domain loaded on first use."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys

import pytest

import assembler.model as model
from tests.conftest import ROOT

INDEX = ROOT / "assembler" / "model" / "__init__.py"


def _typed_names() -> dict[str, set[str]]:
    """Return domain → the names the index's TYPE_CHECKING imports give a type checker."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(INDEX.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("assembler.model."):
            domain = (node.module or "").rsplit(".", 1)[1]
            found.setdefault(domain, set()).update(alias.name for alias in node.names)
    return found


def test_the_type_checkers_names_and_the_loaded_names_are_the_same() -> None:
    assert _typed_names() == {domain: set(names) for domain, names in model.HOMES.items()}


@pytest.mark.parametrize("domain", sorted(model.HOMES))
def test_each_name_is_its_domains_own(domain: str) -> None:
    module = importlib.import_module(f"assembler.model.{domain}")
    for name in model.HOMES[domain]:
        assert getattr(model, name) is getattr(module, name)


def test_a_domain_is_loaded_only_when_one_of_its_names_is_used() -> None:
    code = ("import sys, assembler.model as m\n"
            "loaded = lambda: sorted(n for n in sys.modules if n.startswith('assembler.model.'))\n"
            "print(loaded())\n"
            "from assembler.model import Customer\n"
            "print(loaded())\n"
            "m.Incident\n"
            "print(loaded())\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["[]", "['assembler.model.customers']",
                   "['assembler.model.customers', 'assembler.model.incidents']"]


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Custmer'"):
        _ = model.Custmer  # type: ignore[attr-defined]
    with pytest.raises(ImportError, match="Custmer"):
        exec("from assembler.model import Custmer", {})


def test_dir_lists_every_name_before_any_is_loaded() -> None:
    """In a fresh interpreter: in this one, the tests above have loaded every name already."""
    code = ("import sys, assembler.model as m\n"
            "print(set(m.__all__) <= set(dir(m)), any(n.startswith('assembler.model.') for n in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "False"]
