"""The architecture, made executable: imports point one way, each outside library lives in one module.

The layer order and the library table are those of the README's "Design" section (and of the
architecture notes); the README's library table is checked against `LIBRARIES` below, so the
manual cannot drift from the code.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "assembler"

LAYERS: dict[str, int] = {
    "errors": 0, "model": 0,
    "config": 1, "fsutil": 1, "tomlfile": 1, "dutch": 1, "db": 1, "pool": 1, "terms": 1,
    "render": 2,
    "agreement": 3,
    "customers": 4, "signing": 4, "redline": 4,
    "workflow": 5, "notices": 5, "subprocessors": 5, "incidents": 5,
    "cli": 6, "__main__": 7,
}
"""Each top-level module or subpackage of `assembler` and its layer: imports go to the same layer or lower."""

ISOLATED = {"errors", "model"}
"""Modules that import nothing of ours but themselves."""

LIBRARIES: dict[str, str] = {
    "markdown_it": "agreement/parse.py",
    "git": "agreement/history.py",
    "typst": "render/typst_pdf.py",
    "docxtpl": "render/contract_docx.py",
    "docx": "render/redline_docx.py",
    "lxml": "render/redline_docx.py",
    "jinja2": "render/jinja_env.py",
    "markupsafe": "render/jinja_env.py",
    "pypdf": "render/pdf_read.py",
    "pyhanko": "signing/pades/",
    "pyhanko_certvalidator": "signing/pades/",
    "smtplib": "notices/smtp_client.py",
    "sqlite3": "db.py",
    "fcntl": "db.py",
    "babel": "dutch.py",
    "click": "cli/",
    "rich": "cli/",
}
"""Outside library → the one module (or, ending in ``/``, the one package) that may import it."""


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Return (line, absolute module name) of every import in `path`, relative ones resolved."""
    rel = path.relative_to(PACKAGE).with_suffix("")
    package = ["assembler", *rel.parts[:-1]] if rel.name != "__init__" else ["assembler", *rel.parts[:-1]]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            if name == "assembler" or (node.level and not node.module):
                found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return found


def _top(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _edges() -> list[tuple[str, int, str, str]]:
    """Return (file, line, importer's top name, imported top name) for every import of our own."""
    out = []
    for path in _modules():
        if path.parent == PACKAGE and path.name == "__init__.py":
            continue
        for line, name in _imports(path):
            parts = name.split(".")
            if parts[0] != "assembler" or len(parts) < 2 or parts[1] == "__version__":
                continue
            out.append((str(path.relative_to(ROOT)), line, _top(path), parts[1]))
    return out


def test_every_module_and_subpackage_has_a_layer() -> None:
    tops = {_top(p) for p in _modules()} - {"__init__"}
    assert tops - set(LAYERS) == set(), "add new subpackages to LAYERS (and to the README's Design section)"


def test_imports_point_down_the_layers() -> None:
    upward = [f"{file}:{line}: {src} imports {dst}" for file, line, src, dst in _edges()
              if src in LAYERS and dst in LAYERS and LAYERS[dst] > LAYERS[src]]
    assert upward == []


def test_model_and_errors_import_nothing_else_of_ours() -> None:
    bad = [f"{file}:{line}: {src} imports {dst}" for file, line, src, dst in _edges()
           if src in ISOLATED and dst != src]
    assert bad == []


def test_render_imports_only_model_errors_and_the_foundation() -> None:
    bad = [f"{file}:{line}: render imports {dst}" for file, line, src, dst in _edges()
           if src == "render" and LAYERS.get(dst, 99) > LAYERS["render"]]
    assert bad == []


def test_each_outside_library_is_imported_in_its_one_module() -> None:
    strays = []
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        for line, name in _imports(path):
            library = name.split(".")[0]
            home = LIBRARIES.get(library)
            if home is None:
                continue
            allowed = rel.startswith(home) if home.endswith("/") else rel == home
            if not allowed:
                strays.append(f"assembler/{rel}:{line}: imports {library} (only {home} may)")
    assert strays == []


def test_the_library_table_names_only_installed_libraries_or_the_standard_library() -> None:
    for library in LIBRARIES:
        assert library in sys.stdlib_module_names or __import__(library)


def test_the_readme_library_table_is_this_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    design = readme.split("\n## Design", 1)[1]
    rows = re.findall(r"^\| `([\w.]+)` \| `([\w/.]+)` \|", design, re.M)
    assert dict(rows) == LIBRARIES


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_400_lines_and_no_function_over_60(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= 400, f"{path.name}: split it by what it does"
    long = [f"{n.name} ({n.end_lineno - n.lineno + 1} lines)" for n in ast.walk(ast.parse(text))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.end_lineno
            and n.end_lineno - n.lineno + 1 > 60]
    assert long == []


def _scripts() -> list[Path]:
    return sorted(p for folder in ("tests", "bench", "tools") for p in (ROOT / folder).rglob("*.py")
                  if "__pycache__" not in p.parts)


def test_no_test_bench_or_tool_module_over_400_lines() -> None:
    long = [f"{p.relative_to(ROOT)} ({n} lines)" for p in _scripts()
            if (n := p.read_text(encoding="utf-8").count("\n")) > 400]
    assert long == [], "split them by what they do"


def test_no_history_of_the_work_in_the_code() -> None:
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in _modules()
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r"\bissues? [0-9]+\b", line)]
    assert hits == []


def test_the_package_root_holds_only_the_foundation() -> None:
    flat = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert set(flat) <= {name for name, layer in LAYERS.items() if layer <= 1}
