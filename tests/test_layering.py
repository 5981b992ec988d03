"""Stages import only from stages upstream of them (docs/architecture.md, "Stages"):

    catalog → pipelines → checks → publish → oversight → directory → oversight.derived → serve

The modules at the top of ``govdata/`` are either shared (they import no stage) or commands (they
may import any stage). Every import of ``src/govdata/`` is read with ``ast``, lazy imports inside
functions included; imports under ``if TYPE_CHECKING:`` are annotations, not dependencies."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

# the stages in order; a module belongs to the longest prefix that names it
STAGES = [
    "govdata.catalog",  # what the repository declares, loaded and typed
    "govdata.pipelines",  # steps producing declared resources
    "govdata.checks",  # the gate
    "govdata.publish",  # warehouse, exports, serving databases, releases
    "govdata.oversight",  # measures over the catalogue and the published files
    "govdata.directory",  # the directory documents (they carry the oversight measures)
    "govdata.oversight.derived",  # the derived datasets, computed from the directory's records
    "govdata.serve",
]
# modules any stage may import; they import no stage
SHARED = {
    "govdata",
    "govdata.codes",
    "govdata.codetable",
    "govdata.csvlimit",
    "govdata.errors",
    "govdata.findings",
    "govdata.hookspecs",
    "govdata.messages",
    "govdata.plugins",  # registers the built-ins of each hook by module name (plugins.BUILT_IN)
    "govdata.render",
    "govdata.sourcecode",
    "govdata.sql",
    "govdata.textsearch",
    "govdata.verdicts",
}
# commands (and their packages): the top of the house, they may import any stage
COMMANDS = {"govdata.__main__", "govdata.cli", "govdata.scaffold"}


def command(module: str) -> bool:
    return any(module == c or module.startswith(c + ".") for c in COMMANDS)


# (importer, imported stage) pairs that go upstream on purpose; each says why
ALLOWED = {
    # the build's conductor: it runs the stages in order (gate, publish, directory, the derived
    # step) and so imports every one of them; the stages themselves never import it
    ("govdata.publish.builder", "govdata.oversight"),
    ("govdata.publish.builder", "govdata.directory"),
    ("govdata.publish.builder", "govdata.oversight.derived"),
    # the conductor's two parts split out of it for size: its steps (checks, the derived step,
    # each dataset published with its record and release) and the catalogue-level outputs
    ("govdata.publish.steps", "govdata.oversight"),
    ("govdata.publish.steps", "govdata.oversight.derived"),
    ("govdata.publish.steps", "govdata.directory"),
    ("govdata.publish.outputs", "govdata.directory"),
    # Datasette's metadata joined from per-dataset pieces with the directory's JSON joiner
    # (directory/fragments.py keeps the pieces of every catalogue-level document)
    ("govdata.publish.site", "govdata.directory"),
    # a no-op build's digest includes the day (the derived datasets are figures of the day):
    # the platform's notion of "today" (GOVDATA_TODAY) lives in oversight/timeliness.py
    ("govdata.publish.incremental", "govdata.oversight"),
}


def stage(module: str) -> str | None:
    matches = [s for s in STAGES if module == s or module.startswith(s + ".")]
    return max(matches, key=len) if matches else None


def imports(module: str, source: str, package: bool = False) -> list[tuple[str, int]]:
    """The ``govdata`` modules ``source`` imports, with their lines (not those under TYPE_CHECKING)."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = module.split(".") if package else module.split(".")[:-1]
            if node.level:
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            # ``from govdata.oversight import derived`` imports the module govdata.oversight.derived
            out += [(f"{name}.{a.name}", node.lineno) for a in node.names]
    return [(name, line) for name, line in out if name == "govdata" or name.startswith("govdata.")]


def backward(module: str, source: str, package: bool = False, allowed: set | None = None) -> list[str]:
    """The imports of ``module`` that go against the stages (``allowed``: the ALLOWED pairs used)."""
    if command(module):
        return []
    own = stage(module)
    rank = STAGES.index(own) if own else None
    wrong = []
    for name, line in imports(module, source, package):
        target = stage(name)
        if target is None or target == own:
            continue
        if (module, target) in ALLOWED:
            if allowed is not None:
                allowed.add((module, target))
            continue
        if rank is None or STAGES.index(target) > rank:
            wrong.append(f"{module}:{line} imports {name} ({target} is not upstream of {own or 'a shared module'})")
    return wrong


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted((SRC / "govdata").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), path))
    return out


def test_every_import_goes_upstream():
    wrong: list[str] = []
    used: set[tuple[str, str]] = set()
    for module, path in modules():
        wrong += backward(module, path.read_text(encoding="utf-8"), path.name == "__init__.py", used)
    assert wrong == []
    assert used == ALLOWED  # an exception nothing needs any more is taken off the list


def test_every_module_has_a_place():
    homeless = [m for m, _ in modules() if stage(m) is None and m not in SHARED and not command(m)]
    assert homeless == []


def test_a_backward_import_is_found():
    """The test can fail: lazy, relative and ``from package import module`` forms are all seen."""
    lazy = "def f():\n    from govdata.serve import portal\n"
    assert backward("govdata.directory.portal", lazy) == [
        "govdata.directory.portal:2 imports govdata.serve.portal (govdata.serve is not upstream of govdata.directory)"
    ]
    assert backward("govdata.checks.table", "from ..publish import warehouse\n")
    assert backward("govdata.directory.record", "from govdata.oversight import derived\n")
    assert backward("govdata.findings", "import govdata.checks.runner\n")  # shared modules import no stage
    assert backward("govdata.directory.record", "from govdata.oversight import policylinks\n") == []
    typing_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from govdata.serve.pages import Page\n"
    assert backward("govdata.plugins", typing_only) == []
    assert backward("govdata.cli", "from govdata.serve import app\n") == []
