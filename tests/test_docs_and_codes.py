"""Documentation generated from code stays in step with it."""

from __future__ import annotations

import ast
from pathlib import Path

from govdata.codes import CODES, markdown_table

REPO = Path(__file__).resolve().parents[1]


def test_codes_doc_is_generated_from_the_registry():
    assert (REPO / "docs" / "codes.md").read_text(encoding="utf-8") == markdown_table(), (
        "run: govdata codes --format markdown > docs/codes.md"
    )


def test_every_code_used_in_the_source_is_registered_and_documented():
    used = set()
    for path in (REPO / "src" / "govdata").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    used.add(first.value)
    assert used, "no Finding(...) calls found"
    assert used - set(CODES) == set()
    for code in CODES.values():
        assert code.title_zh and code.title_en and code.hint_zh and code.hint_en, code.code


def test_cli_commands_are_documented():
    from govdata.cli import cli

    doc = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"`govdata {name}" in doc, name


def test_readme_commands_are_the_ci_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in readme and "bash scripts/test.sh" in ci
    assert "bash scripts/run.sh" in readme
