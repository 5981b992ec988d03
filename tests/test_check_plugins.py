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
