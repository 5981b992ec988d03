"""The markdown report (a pull-request comment, a job summary) shows the data's text as text (judge
G34): a cell with a line end stays in its table row, an image or HTML in a cell is not rendered
(nothing fetched when the comment is viewed), an @name mentions no one."""

from __future__ import annotations

from govdata.render import markdown
from tests.test_gate_corpus import _check
from tests.test_gate_shapes import dataset


def test_cell_text_in_the_markdown_report_is_inert(base_catalog, tmp_path):
    fields = [{"name": "id", "type": "integer"}, {"name": "amount", "type": "number"}]
    data = 'id,amount\n1,"5\n::error file=README.md,line=1::PWNED"\n2,![x](http://evil.example/p.png) @octocat <img src=x>\n'
    root, target = dataset(base_catalog, tmp_path, fields, data.encode())
    report = _check(root, target)
    assert sorted((f.code, f.row) for f in report.findings if f.is_error) == [("type-error", 2), ("type-error", 3)]
    for lang in ("en", "zh"):
        text = markdown(report, lang)
        rows = [line for line in text.splitlines() if "type-error" in line]
        assert len(rows) == 2 and all(line.startswith("| ") and line.endswith(" |") for line in rows)
        assert "5⏎::error" in rows[0] and not any(line.startswith("::") for line in text.splitlines())
        assert "![" not in text and "<img" not in text and "@octocat" not in text and "](" not in text
