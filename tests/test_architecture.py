"""The shape of the code (docs/architecture.md), read from the source, not from a running import.

The import graph is built with `ast` from every module under src/: absolute
and relative imports, at module level and inside functions, classes and
``if TYPE_CHECKING:`` blocks alike, since a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "studypack"
# The only package that may talk to WeasyPrint and its PDF library (docs/architecture.md).
LAYOUT = f"{PACKAGE}.layout"
LAYOUT_ONLY = ("weasyprint", "pydyf")


def module_names(src: Path = SRC) -> dict[str, Path]:
    """Every module of the package: dotted name -> file (a package is its ``__init__``)."""
    names = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules ``name`` imports: those of the package resolved to module names, others by their full name."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = name if _is_package(path) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module == "__future__":
                continue
            for alias in node.names:
                # `from pkg import thing`: a submodule where there is one, else something defined in pkg.
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
    return found


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports.

    A submodule's import of its own package (``from . import register``) is kept: the package's
    ``__init__`` importing that submodule back is the registration circle this test exists to find.
    """
    modules = module_names(src)
    graph = {}
    for name, path in modules.items():
        inside = {i for i in imports_of(name, path, modules) if i in modules}
        graph[name] = inside - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module, and modules importing themselves (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_every_kind_of_import(tmp_path):
    """The graph is only as good as its reading: relative, absolute, lazy and `from pkg import module` imports."""
    pkg = tmp_path / PACKAGE
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..c import thing\n")
    (pkg / "c.py").write_text("import typing\nif typing.TYPE_CHECKING:\n    from studypack import a\n")
    graph = import_graph(tmp_path)
    assert graph[f"{PACKAGE}.a"] == {f"{PACKAGE}.sub.b"}
    assert graph[f"{PACKAGE}.sub.b"] == {f"{PACKAGE}.c"}
    assert graph[f"{PACKAGE}.c"] == {f"{PACKAGE}.a"}
    assert cycles(graph) == [[f"{PACKAGE}.a", f"{PACKAGE}.c", f"{PACKAGE}.sub.b"]]


# The writers' own circle (pdf, epub, pieces, cover and the EPUB's modules import each other) goes when
# the layout package is merged (issue 18); until then it is the one circle allowed, and only it.
WRITERS = f"{PACKAGE}.writers."


def test_no_import_cycles_outside_the_writers():
    """No module imports, however indirectly and however lazily, a module that imports it (the writers aside)."""
    found = [group for group in cycles(import_graph()) if not all(m.startswith(WRITERS) for m in group)]
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(group) for group in found)


def test_no_import_cycles():
    """No module imports, however indirectly and however lazily, a module that imports it."""
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(group) for group in found)


# The layers of docs/architecture.md: a module imports only from layers below its own, and the shared
# modules of layer 0 from each other. Each top-level module or package of studypack has its layer here;
# a new one must be given its place.
LAYERS = {
    **dict.fromkeys(
        ("studypack", "model", "errors", "textpos", "resources", "outputs", "theme", "workers", "apparatus", "resource_policy", "roster"), 0
    ),
    "readers": 1,
    "manifest": 1,
    "assemble": 2,
    "render": 2,
    "layout": 3,
    "paper": 3,
    "writers": 4,
    "printroom": 5,
    "build": 6,
    "preview": 7,
    "cli": 8,
    "__main__": 9,
}
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()  # (importer, imported) allowed against the layers: none


def layer_of(module: str) -> int:
    """The layer of a module: that of its top-level module or package."""
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else parts[0]]


def test_every_module_has_a_layer():
    """A new top-level module or package is given its place in the layers (and in docs/architecture.md)."""
    missing = sorted({m.split(".")[1] for m in module_names() if "." in m} - set(LAYERS))
    assert not missing, f"give these a layer in LAYERS and docs/architecture.md: {missing}"


def test_modules_import_only_from_layers_below():
    """read -> model -> render -> lay out -> write -> build -> command line: nothing imports upwards or sideways."""
    found = sorted(
        f"{name} (layer {layer_of(name)}) imports {imported} (layer {layer_of(imported)})"
        for name, imports in import_graph().items()
        for imported in imports
        if name.split(".")[:2] != imported.split(".")[:2]
        and not (layer_of(name) == layer_of(imported) == 0)
        and layer_of(imported) >= layer_of(name)
        and (name, imported) not in KNOWN_EXCEPTIONS
    )
    assert not found, "imports against the layers:\n" + "\n".join(found)


def outside_layout_importing(modules: tuple[str, ...], src: Path = SRC) -> list[str]:
    """Each import of one of ``modules`` by a module outside the layout package, as "module imports name"."""
    everything = module_names(src)
    return sorted(
        f"{name} imports {imported}"
        for name, path in everything.items()
        if name != LAYOUT and not name.startswith(LAYOUT + ".")
        for imported in imports_of(name, path, everything)
        if imported.split(".")[0] in modules
    )


def test_the_check_finds_weasyprint_outside_layout(tmp_path):
    """The layout rule's reading: a lazy import of a WeasyPrint submodule is found, the layout's own is not."""
    pkg = tmp_path / PACKAGE
    (pkg / "layout").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "layout" / "__init__.py").write_text("import weasyprint\nimport pydyf\n")
    (pkg / "writer.py").write_text("def f():\n    from weasyprint.text.fonts import FontConfiguration\n")
    assert outside_layout_importing(LAYOUT_ONLY, tmp_path) == [f"{PACKAGE}.writer imports weasyprint.text.fonts"]


def test_only_the_layout_package_imports_weasyprint():
    """WeasyPrint and pydyf are imported by studypack.layout and nothing else (docs/architecture.md)."""
    found = outside_layout_importing(LAYOUT_ONLY)
    assert not found, "WeasyPrint or pydyf outside the layout package:\n" + "\n".join(found)
