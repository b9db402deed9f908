"""The architecture holds: imports flow one way and no module imports itself back.

``app.py`` → ``views/`` → ``layers/`` → ``runtime/`` → ``geo/``; inside ``layers/``,
``export/`` → ``drawing/`` → ``catalogue/``; inside ``geo/``, ``analysis/`` → ``importer/`` →
``facts/`` → ``units/`` (and every room may use ``geo.errors`` and ``geo.language``).
``scripts/`` and the shared test code (``atlas_testing/``) never import ``tests/``. The graph
is read from the source (``ast``), so it covers function-local imports too, which a run-time
check would miss.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "runtime", "layers", "views")
#: Rank of each part: a module may import only parts of lower or equal rank.
RANKS = {
    "geo": 0,  # the package root (empty)
    "geo.errors": 0,  # the error classes every room shares
    "geo.language": 0,  # the interface languages (catalogs, locale formats) every room shares
    "geo.units": 0,
    "geo.facts": 1,
    "geo.importer": 2,
    "geo.analysis": 3,
    "runtime": 4,
    "layers.catalogue": 5,
    "layers.drawing": 6,
    "layers.safe_text": 6,
    "layers.export": 7,
    "layers.store": 5,  # the team store: geo/ and the database libraries only
    "layers.store.cli": 8,  # the store's commands reuse the CLI's helpers and the exports
    "layers": 5,  # the package root: the generator's name and version only
    "layers.cli": 8,
    "layers.__main__": 8,
    "views": 9,
    "app": 10,
}
#: Packages and libraries a part must never import (``runtime`` is the process plumbing).
FORBIDDEN = {
    "geo": ("streamlit", "folium", "branca", "matplotlib", "layers", "views", "runtime", "tests"),
    "runtime": ("streamlit", "folium", "layers", "views", "tests"),
    "layers": ("streamlit", "views", "tests"),
    "views": ("tests", "atlas_testing"),
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
        "geo.facts.tables",
        "geo.units.hromadas",
        "geo.importer.tables",
        "geo.analysis.join",
        "runtime.heap",
        "layers.catalogue.registry",
        "layers.store.sql",
        "views.map_page",
    } <= set(graph)
    assert "geo.facts.tables" in graph["layers.catalogue.base"]
    assert "runtime.summary_job" in graph["views.workbench"]


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


def test_every_geo_module_lives_in_a_room():
    # geo/ holds the rooms and the shared errors, nothing loose at its top level.
    loose = sorted(
        path.name
        for path in (ROOT / "geo").glob("*.py")
        if path.name not in {"__init__.py", "errors.py"}
    )
    assert not loose, loose


@pytest.mark.parametrize("folder", ["scripts", "atlas_testing"])
def test_scripts_and_shared_test_code_do_not_import_tests(folder):
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        name = module_name(path)
        offenders += [
            f"{name} imports {m}" for m in imports_of(path, name) if m.split(".")[0] == "tests"
        ]
    assert not offenders, "\n".join(offenders)


def test_checker_finds_a_cycle_and_an_upward_import(tmp_path):
    # The checks above must be able to fail: feed them a graph with both faults.
    graph = {"geo.a": {"layers.catalogue.b"}, "layers.catalogue.b": {"geo.a"}}
    upward = [m for m, ts in graph.items() for t in ts if RANKS[part_of(t)] > RANKS[part_of(m)]]
    assert upward == ["geo.a"]
    # A reference room reaching into an analysis room is upward too.
    assert RANKS[part_of("geo.analysis.join")] > RANKS[part_of("geo.units.hromadas")]
    assert RANKS[part_of("geo.importer.tables")] > RANKS[part_of("geo.facts.status")]
    module = tmp_path / "x.py"
    module.write_text("from .sibling import thing\nimport os\n")
    assert imports_of(module, "geo.x") >= {"geo.sibling", "geo.sibling.thing", "os"}


#: Methods of ``st.session_state`` (any other attribute is a key read by attribute).
SESSION_STATE_METHODS = frozenset(
    {"get", "pop", "setdefault", "keys", "items", "values", "update", "clear", "to_dict"}
)


def _is_session_state(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "session_state") or (
        isinstance(node, ast.Name) and node.id == "session_state"
    )


def _is_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def key_literals(source: str) -> list[str]:
    """Session-state and widget keys written as string literals (or f-strings) in ``source``.

    Every key is a member of :class:`views.keys.Key` or made by a function of
    ``views/keys.py``; a literal elsewhere is a key that file does not list.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "key" and _is_literal(node.value):
            found.append((node.value.lineno, f"key={ast.unparse(node.value)}"))
        elif isinstance(node, ast.Subscript) and _is_session_state(node.value):
            if _is_literal(node.slice):
                found.append((node.lineno, f"session_state[{ast.unparse(node.slice)}]"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if _is_session_state(node.func.value) and node.args and _is_literal(node.args[0]):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Compare) and _is_literal(node.left):
            if any(_is_session_state(c) for c in node.comparators):
                found.append((node.lineno, ast.unparse(node)))
        elif (
            isinstance(node, ast.Attribute)
            and _is_session_state(node.value)
            and node.attr not in SESSION_STATE_METHODS
        ):
            found.append((node.lineno, f"session_state.{node.attr}"))
    return [f"line {line}: {text}" for line, text in sorted(found)]


def test_every_session_key_is_in_views_keys():
    page = [ROOT / "app.py", *sorted((ROOT / "views").rglob("*.py"))]
    offenders = [
        f"{path.relative_to(ROOT)} {found}"
        for path in page
        if path != ROOT / "views" / "keys.py"
        for found in key_literals(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "\n".join(offenders)


def test_key_check_finds_every_way_of_writing_a_key():
    # The check above must be able to fail: each line below writes a key as a literal.
    source = """
st.session_state["as_of"] = day
x = st.session_state.get("mode")
st.session_state.pop(f"layer_{i}", None)
if "view_initialised" in st.session_state: pass
y = st.session_state.belt_km
st.button("Go", key="go")
col.toggle("On", key=f"on_{i}")
fine = st.session_state.get(Key.MODE), st.session_state[layer_key(i)]
st.button("Go", key=Key.SUMMARY_RUN)
"""
    found = key_literals(source)
    assert [f.split(":")[0] for f in found] == [f"line {n}" for n in range(2, 9)], found


def test_a_fresh_checkout_has_the_static_folder_streamlit_serves() -> None:
    """Streamlit warns at start-up when ``static/`` is missing; a clean clone must hold it."""
    import subprocess

    from streamlit import file_util

    static = Path(file_util.get_app_static_dir(str(ROOT / "app.py")))
    tracked = subprocess.run(
        ["git", "ls-files", "--", str(static.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked, f"nothing under {static} is committed: a fresh clone has no static folder"
