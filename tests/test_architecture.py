"""The architecture holds: imports flow one way and no module imports itself back.

``app.py`` → ``views/`` → ``layers/`` → ``geo/``; inside ``layers/``, ``export/`` → ``drawing/``
→ ``catalogue/``. The graph is read from the source (``ast``), so it covers function-local
imports too, which a run-time check would miss.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "layers", "views")
#: Rank of each part: a module may import only parts of lower or equal rank.
RANKS = {
    "geo": 0,
    "layers.catalogue": 1,
    "layers.drawing": 2,
    "layers.safe_text": 2,
    "layers.export": 3,
    "layers.store": 1,  # the team store: geo/ and the database libraries only
    "layers.store.cli": 4,  # the store's commands reuse the CLI's helpers and the exports
    "layers": 1,  # the package root: the generator's name and version only
    "layers.cli": 4,
    "layers.__main__": 4,
    "views": 5,
    "app": 6,
}
#: Libraries a part must never import.
FORBIDDEN = {
    "geo": ("streamlit", "folium", "branca", "matplotlib", "layers", "views"),
    "layers": ("streamlit", "views"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return {module_name(path): path for path in files}


def imports_of(path: Path, name: str) -> set[str]:
    """Every module ``path`` imports (absolute names; relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def part_of(module: str) -> str:
    """The longest key of :data:`RANKS` that ``module`` belongs to."""
    candidates = [p for p in RANKS if module == p or module.startswith(p + ".")]
    return max(candidates, key=len)


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {
        name: {m for m in imports_of(path, name) if m in modules and m != name}
        for name, path in modules.items()
    }


def test_the_graph_sees_every_package(graph):
    assert {
        "app",
        "geo.facts",
        "layers.catalogue.registry",
        "layers.store.sql",
        "views.map_page",
    } <= set(graph)
    assert "geo.facts" in graph["layers.catalogue.base"]


def test_no_import_goes_upward(graph):
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if RANKS[part_of(target)] > RANKS[part_of(module)]
    )
    assert not upward, "\n".join(upward)


def test_no_import_cycle(graph):
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(" → ".join(cycle) for cycle in cycles)


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_parts_do_not_import_forbidden_libraries(part):
    offenders = []
    for name, path in project_modules().items():
        if part_of(name).split(".")[0] != part:
            continue
        for module in imports_of(path, name):
            if module.split(".")[0] in FORBIDDEN[part]:
                offenders.append(f"{name} imports {module}")
    assert not offenders, "\n".join(sorted(offenders))


def test_checker_finds_a_cycle_and_an_upward_import(tmp_path):
    # The checks above must be able to fail: feed them a graph with both faults.
    graph = {"geo.a": {"layers.catalogue.b"}, "layers.catalogue.b": {"geo.a"}}
    upward = [m for m, ts in graph.items() for t in ts if RANKS[part_of(t)] > RANKS[part_of(m)]]
    assert upward == ["geo.a"]
    module = tmp_path / "x.py"
    module.write_text("from .sibling import thing\nimport os\n")
    assert imports_of(module, "geo.x") >= {"geo.sibling", "geo.sibling.thing", "os"}
