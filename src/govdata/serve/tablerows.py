"""The body of a table page's HTML table, rendered in Python.

Datasette's template renders every cell through Jinja's async runtime (a filter, two lookups and
an await per cell): for a page of 100 rows × 9 columns that is most of the page's CPU. This filter
writes the same markup (``<td class="col-… type-…">``) in one pass, with each column's CSS class
computed once per page. Cell values are already escaped ``Markup`` (or plain values, escaped
here), exactly what the template's ``{{ cell.value }}`` would print. A code column's known values
(``codes``: column → {code: name}, from ``i18n.Translator.codes``) print as their name, and a
``code:detail`` value as ``name`` ``colon`` ``detail`` (a deadline's ``validity:废止``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from datasette.utils import to_css_class
from markupsafe import Markup, escape


def render_rows(
    display_rows: Iterable[Iterable[Mapping[str, Any]]],
    codes: Mapping[str, Mapping[str, str]] | None = None,
    colon: str = ": ",
) -> Markup:
    classes: dict[tuple[str, str], str] = {}
    out: list[str] = []
    for row in display_rows:
        out.append("<tr>")
        for cell in row:
            key = (cell["column"], cell["value_type"])
            css = classes.get(key)
            if css is None:
                css = classes[key] = str(escape(f"col-{to_css_class(key[0])} type-{key[1]}"))
            names = codes.get(key[0]) if codes else None
            raw = cell.get("raw") if names else None
            if names and isinstance(raw, str):
                code, sep, detail = raw.partition(":")
                name = names.get(raw) or (names[code] + colon + detail if sep and code in names else None)
                if name is not None:
                    out.append(f'<td class="{css}"><span title="{escape(raw)}">{escape(name)}</span></td>')
                    continue
            out.append(f'<td class="{css}">{escape(cell["value"])}</td>')
        out.append("</tr>\n")
    return Markup("".join(out))
