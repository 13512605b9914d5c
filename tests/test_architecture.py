"""The floor plan of generator/, read from its imports with `ast` (docs/architecture.md says why).

Arrows only point down: cli -> commands -> probe -> pipeline -> the rooms (read, validate, schedule,
render, write) -> the ground floor (model, errors, limits, markup, report). Between rooms only the
arrows in ROOM_ARROWS are allowed; only pipeline/ knows about processes; nothing imports cli; no
module is imported by a string; no module is over 400 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import PACKAGE, ROOT

# What the package holds that is not its code: the starter files of `init`, and in a wheel the theme (templates/
# installed as generator/theme, its __init__.py only a marker).
DATA = {"starter", "theme"}

FLOORS = {                      # higher may import lower, never the other way
    "cli": 6,
    "commands": 5,
    "probe": 4,
    "pipeline": 3,
    "parallel": 2,
    "read": 2, "validate": 2, "schedule": 2, "render": 2, "write": 2,
    "model": 1, "errors": 1, "limits": 1, "markup": 1, "report": 1, "own_files": 1, "": 1,
}
ROOMS = {"read", "validate", "schedule", "render", "write"}
# The only arrows between rooms: validation reads the YAML nodes (with their marks) that read/ makes,
# and both validation and rendering ask schedule/ the pure time rules.
ROOM_ARROWS = {("validate", "read"), ("validate", "schedule"), ("render", "schedule")}
MOST_LINES = 400
# A module allowed up to 450 lines because splitting it would cut one idea in two; each is named in
# docs/architecture.md.
LONGER = {}


def module_name(path: Path) -> str:
    """Return the dotted name of a module file under generator/."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every Python module of the package, by dotted name (the starter files are data, not code)."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))
            if path.relative_to(PACKAGE).parts[0] not in DATA}


MODULES = modules()


def imports_of(name: str, path: Path, known: dict[str, Path] = MODULES) -> list[tuple[str, int]]:
    """Return (imported module, line) for every import in a module, at any depth, resolved to modules of
    the package (`from generator.x import y` counts as generator.x.y when y is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names
                      if f"{target}.{alias.name}" in known]
    return [(target, line) for target, line in found if target in known or target.startswith("generator.")]


def place(name: str) -> str:
    """Return the floor a module lives on: its folder under generator/, or its own name at the top."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_package_has_the_rooms_it_is_read_by():
    """A room renamed or a module added at the top must be placed on a floor here first."""
    assert {place(name) for name in MODULES} == set(FLOORS)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_arrows_point_down(name):
    problems = []
    here = place(name)
    for target, line in imports_of(name, MODULES[name]):
        if target not in MODULES:
            problems.append(f"line {line}: imports {target}, which is not a module of the package")
            continue
        there = place(target)
        if here not in FLOORS or there not in FLOORS:
            problems.append(f"line {line}: {name} -> {target}: a module on no floor (place it in FLOORS)")
        elif target == "generator.cli":
            problems.append(f"line {line}: imports generator.cli (nothing imports the command line)")
        elif there == "parallel" and here != "pipeline":
            problems.append(f"line {line}: imports parallel.py (only pipeline/ knows about processes)")
        elif there == here or (here, there) in ROOM_ARROWS or FLOORS[here] == FLOORS[there] == 1:
            continue   # the ground floor's few modules may use each other (the cycle test still applies)
        elif here in ROOMS and there in ROOMS:
            problems.append(f"line {line}: {here}/ imports {target} ({there}/ is a neighbouring room)")
        elif FLOORS[there] >= FLOORS[here]:
            problems.append(f"line {line}: {name} imports {target}, an arrow pointing up")
    assert not problems, f"{MODULES[name]}:\n" + "\n".join(problems)


def test_no_import_cycle():
    graph = {name: sorted({target for target, _ in imports_of(name, path) if target in MODULES} - {name})
             for name, path in MODULES.items()}
    # A package's __init__ is imported with any of its modules; that is not an arrow back.
    graph = {name: [t for t in targets if not name.startswith(t + ".")] for name, targets in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for target in graph[node]:
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_no_import_by_string():
    found = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if called in {"import_module", "__import__", "find_spec", "spec_from_file_location"}:
                    found.append(f"{path}:{node.lineno}: {called}(...)")
            elif isinstance(node, ast.ImportFrom) and node.module == "importlib" and \
                    any(alias.name == "import_module" for alias in node.names):
                found.append(f"{path}:{node.lineno}: from importlib import import_module")
    assert not found, "modules imported by a string, which no reader or tool follows:\n" + "\n".join(found)


def test_modules_are_short():
    long = {}
    for name, path in MODULES.items():
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > LONGER.get(name, MOST_LINES):
            long[str(path.relative_to(PACKAGE.parent))] = count
    assert not long, f"modules over {MOST_LINES} lines (split them by meaning): {long}"


def test_the_reader_sees_every_kind_of_import(tmp_path):
    """An import inside a function, a relative one, and a module named in `from package import module`
    are all seen (otherwise the tests above could not fail)."""
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from generator import cli\n    from .. import pipeline\n")
    found = {target for target, _ in imports_of("generator.commands.x", source, {**MODULES, "generator.commands.x": source})}
    assert found == {"generator", "generator.cli", "generator.pipeline"}


# --- Only write/ creates files -------------------------------------------------------------------------

# Modules outside write/ that create or remove files, and why (docs/architecture.md lists them too).
MAKES_FILES = {
    "generator.probe.csv_file": "the probe appends its measurements to the site's month files, locked, and makes "
                                "their folder and .gitignore; a measurement is not a build and never reaches write/",
    "generator.commands.pushed_tree": "checks a pushed commit out of the bare repository with git (its alternates "
                                      "and attributes files), for the server hooks to check and build",
}
# Names that create, replace or remove a file or folder whatever they are called on.
MAKING = {"write_text", "write_bytes", "mkdir", "makedirs", "mkdtemp", "mkstemp", "unlink", "rmtree", "rmdir",
          "symlink", "symlink_to", "hardlink_to", "touch", "NamedTemporaryFile", "TemporaryDirectory"}
# Names that do so only called on these modules (a list's remove, a dict's copy, a feed's link are not).
MAKING_ON = {"os": {"replace", "rename", "renames", "remove", "link", "mkfifo"},
             "shutil": {"copy", "copy2", "copyfile", "copytree", "move"}}
WRITE_FLAGS = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"}


def _mode_writes(mode: ast.expr | None) -> bool:
    """Tell whether an open() mode may write: any mode that is not a read-only string written out."""
    if mode is None:
        return False
    return not (isinstance(mode, ast.Constant) and isinstance(mode.value, str) and not set(mode.value) & set("wax+"))


def file_making_calls(path: Path) -> list[tuple[int, str]]:
    """Return (line, call) for every call in a module that creates, replaces or removes a file or folder."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else None
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        if name == "open" and owner == "os":
            flags = {n.attr if isinstance(n, ast.Attribute) else n.id for arg in node.args[1:2]
                     for n in ast.walk(arg) if isinstance(n, (ast.Attribute, ast.Name))}
            making = bool(flags & WRITE_FLAGS)
        elif name == "open":   # open(path, mode) or Path.open(mode)
            given = node.args[1:2] if isinstance(func, ast.Name) else node.args[:1]
            making = _mode_writes(keywords.get("mode", given[0] if given else None))
        elif name in ("replace", "rename") and owner != "os":   # Path.replace(target): one argument, no keyword
            making = len(node.args) == 1 and not node.keywords
        else:
            making = name in MAKING or name in MAKING_ON.get(owner, ())
        if making:
            found.append((node.lineno, ast.unparse(node)[:80]))
    return sorted(found)


@pytest.mark.parametrize("name", sorted(name for name in MODULES if place(name) != "write"))
def test_only_write_creates_files(name):
    found = file_making_calls(MODULES[name])
    if name in MAKES_FILES:
        assert found, f"{name} creates no file any more: take it off MAKES_FILES and docs/architecture.md"
        return
    assert not found, (f"{MODULES[name]} creates or removes files outside write/ (move it there, or name the "
                       "module in MAKES_FILES with the reason):\n" + "\n".join(f"line {line}: {call}"
                                                                          for line, call in found))


def test_the_reader_sees_every_way_of_making_a_file(tmp_path):
    """Each kind of call is found, and the look-alikes that touch no file are not (otherwise the test above
    could pass on a module full of writes, or refuse every string's replace)."""
    source = tmp_path / "x.py"
    source.write_text(
        "open(p, 'w')\nopen(p, mode='ab')\np.open('x', encoding='utf-8')\nopen(p, how)\np.write_text(t)\n"
        "p.mkdir()\nos.makedirs(p)\ntempfile.mkdtemp()\nos.replace(a, b)\nos.rename(a, b)\np.unlink()\n"
        "shutil.rmtree(p)\nos.symlink(a, b)\nos.open(p, os.O_WRONLY | os.O_CREAT)\np.replace(q)\nos.remove(p)\n"
        # none of these touch a file:
        "open(p)\nopen(p, 'rb')\np.open(encoding='utf-8')\ns.replace('a', 'b')\nd.replace(tzinfo=z)\n"
        "items.remove(x)\nos.open(p, os.O_RDONLY | os.O_NOFOLLOW)\n")
    assert [line for line, _ in file_making_calls(source)] == list(range(1, 17))


def test_every_package_is_shipped():
    """A package folder added under generator/ must be listed in pyproject.toml, or the wheel leaves it out
    and an installed generator fails at its first import of it."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"]) - {"generator.theme"}
    found = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    assert found == listed
