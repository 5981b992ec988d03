"""A check added by a plugin (the ``register_checks`` hook of govdata/hookspecs.py) is part of
every resource's plan: the precise path and the one-pass proof both report it, and its code is in
the registry and the generated code reference."""

from __future__ import annotations

import pytest

from govdata import plugins
from govdata.checks import resource
from govdata.checks.plan import Plan
from govdata.checks.proof import prove
from govdata.checks.rules.base import Check, Row
from govdata.checks.sqltypes import FieldSQL
from govdata.codes import CODES, markdown_table
from govdata.hookspecs import hookimpl
from tests.test_fast_path import _big, _findings


class Placeholder(Check):
    """A text cell that is only a placeholder ("TBD") where a value was expected."""

    code = "test-placeholder"
    severity = "error"
    title_zh, title_en = "占位文本", "Placeholder text"
    hint_zh, hint_en = "填写真实的值。", "Write the real value."
    message_zh, message_en = "{cell} 是占位文本", "{cell} is a placeholder"

    def field_rows(self, f: FieldSQL, number: int, table) -> list[Row]:
        if f.type != "string":
            return []
        return [Row(f"test-placeholder:{f.name}", f"{f.value} = 'TBD'", number=number, field=f.name, cell=f.col)]


class _Plugin:
    @hookimpl
    def register_checks(self):
        return [Placeholder()]


@pytest.fixture
def plugin():
    p = _Plugin()
    plugins.register(p, name="test-placeholder-plugin")
    try:
        yield p
    finally:
        plugins.unregister(p)


class _Table:
    def __init__(self, fields):
        self.fields = [FieldSQL(f, [""]) for f in fields]
        self.schema = {"fields": fields}

    def field_sql(self, name):
        return next((f for f in self.fields if f.name == name), None)


def test_a_plugin_check_is_in_the_plan_the_registry_and_the_docs(plugin):
    table = _Table([{"name": "id", "type": "integer"}, {"name": "company", "type": "string"}])
    plan = Plan.compile(table)
    assert [r.label for r in plan.rows if r.check.code == "test-placeholder"] == ["test-placeholder:company"]
    assert "test-placeholder:company" in dict(plan.aggregates(privacy=False))  # the proof counts it
    assert "= 'TBD'" in plan.flag(privacy=False)  # and the flag column of a build's fused load
    assert CODES["test-placeholder"].title_zh == "占位文本"
    assert "| `test-placeholder` | error | 占位文本 |" in markdown_table()


def test_without_the_plugin_its_code_is_unknown():
    assert "test-placeholder" not in CODES
    assert "test-placeholder" not in markdown_table()


@pytest.mark.parametrize("foreign_key", [True, False], ids=["materialised", "streamed"])
def test_a_plugin_check_reports_on_both_paths(plugin, foreign_key, base_catalog, tmp_path, monkeypatch):
    data = _big({70_000: b"69999,TBD,330106,2024-01-05,1\n"})
    proofs = []
    monkeypatch.setattr(resource, "prove", lambda *a, **k: proofs.append(prove(*a, **k)) or proofs[-1])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    fast, _ = _findings(base_catalog, tmp_path / "a", data, 1024**2, monkeypatch, foreign_key)
    precise, _ = _findings(base_catalog, tmp_path / "b", data, 1024**3, monkeypatch, foreign_key)
    assert fast == precise == [("test-placeholder", 70_000, "company", "error")]
    if not foreign_key:  # the one pass counted the plugin's condition and sent the file to the precise path
        assert [p.failed for p in proofs] == [["test-placeholder:company"]]


@pytest.mark.parametrize(
    "text, declares",
    [
        ("[govdata]\nplaceholder = tests_placeholder_plugin\n", True),
        ("[console_scripts]\ngovdata = govdata.cli:main\n\n[datasette]\ngovdata = x\n", False),
        ("  [govdata]  \nplaceholder = m\n", True),
        ("[ govdata ]\nplaceholder = m\n", False),
    ],
    ids=["group", "only-the-name", "spaces-around", "spaces-inside"],
)
def test_entry_point_scan_sees_what_importlib_metadata_sees(text, declares, tmp_path, monkeypatch):
    """The cheap scan that lets a gate skip importlib.metadata's entry points answers True whenever
    they hold one of the ``govdata`` group (a distribution on the path declaring it)."""
    import importlib.metadata
    import sys

    info = tmp_path / "placeholder_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: placeholder-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(text)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    found = bool(importlib.metadata.entry_points(group="govdata"))
    assert found == declares
    assert plugins._may_have_entry_points() == declares
    monkeypatch.setattr(sys, "path", [str(tmp_path / "no.zip"), *sys.path])
    (tmp_path / "no.zip").write_bytes(b"")
    assert plugins._may_have_entry_points()  # a file on the path: importlib.metadata looks


WITHOUT_MANAGER = """
import json
from govdata import plugins, codes
from govdata.checks.rules import BUILT_IN
before = [c.code for c in plugins.checks()]
sources = sorted(plugins.pipeline_sources())
made = plugins._manager is not None
plugins.register(plugins)  # any plugin (this module declares no hook): the manager collects from now on
after = [c.code for c in plugins.checks()]
print(json.dumps([before, sources, made, after, sorted(plugins.pipeline_sources()), [c.code for c in BUILT_IN]]))
"""


def test_without_plugins_the_built_in_hooks_are_collected_without_pluggys_manager():
    """No plugin installed nor registered: the built-in modules' hook functions are called directly
    (pluggy's manager reads every hook's signature: ``inspect``, ~5 ms of a cold check), and give
    what the manager gives; the first plugin registered makes the manager."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", WITHOUT_MANAGER], capture_output=True, text=True, check=True)
    before, sources, made, after, sources_after, built_in = json.loads(out.stdout)
    assert not made and before == after == built_in and sources == sources_after and "oversight" in sources
