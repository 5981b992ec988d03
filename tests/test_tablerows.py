"""The Python-rendered table body prints exactly what Datasette's per-cell template loop prints."""

from __future__ import annotations

from datasette.utils import to_css_class
from jinja2 import Environment
from markupsafe import Markup

from govdata.serve.tablerows import render_rows

DATASETTE_LOOP = (
    "{% for row in display_rows %}<tr>{% for cell in row %}"
    '<td class="col-{{ cell.column|to_css_class }} type-{{ cell.value_type }}">{{ cell.value }}</td>'
    "{% endfor %}</tr>\n{% endfor %}"
)


def test_same_markup_as_the_template_loop() -> None:
    rows = [
        [
            {"column": "id", "value": 1, "raw": 1, "value_type": "int"},
            {"column": "当事人名称", "value": "A&B <公司>", "raw": "A&B <公司>", "value_type": "str"},
            {
                "column": "note",
                "value": Markup("<mark>罚款</mark> &amp; 警告"),
                "raw": "罚款 & 警告",
                "value_type": "str",
            },
            {"column": '-odd name"', "value": None, "raw": None, "value_type": "none"},
        ],
        [
            {"column": "id", "value": 2, "raw": 2, "value_type": "int"},
            {"column": "当事人名称", "value": "'quoted'", "raw": "'quoted'", "value_type": "str"},
            {"column": "note", "value": "", "raw": "", "value_type": "str"},
            {"column": '-odd name"', "value": 2.5, "raw": 2.5, "value_type": "float"},
        ],
    ]
    env = Environment(autoescape=True)
    env.filters["to_css_class"] = to_css_class
    expected = env.from_string(DATASETTE_LOOP).render(display_rows=rows)
    got = render_rows(rows)
    assert isinstance(got, Markup)
    assert str(got) == expected
    assert "A&amp;B &lt;公司&gt;" in got and "<mark>罚款</mark>" in got


def test_no_rows_no_markup() -> None:
    assert render_rows([]) == ""
