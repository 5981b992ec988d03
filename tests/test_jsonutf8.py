"""UTF-8 JSON from Datasette's ASCII JSON: the fast re-encoding equals the escape-by-escape one."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from govdata.serve.jsonutf8 import unescape, utf8

TEXT = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)
DOCS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(DOCS)
def test_utf8_equals_unescape_and_parses_back(doc):
    ascii_text = json.dumps(doc)
    fast = utf8(ascii_text)
    assert fast == unescape(ascii_text)
    assert json.loads(fast) == doc or doc != doc  # (a NaN inside is never equal)
    fast.encode("utf-8")  # always sendable


def test_the_edges_stay_escaped():
    for value in ("\u2028", "\u2029", "\x00\x1f", "\ud800", "a\\u4e2d", "中\U0001f600文", "\\"):
        ascii_text = json.dumps({"k": value, "中": [value]})
        assert utf8(ascii_text) == unescape(ascii_text), value
    assert utf8(json.dumps(["中文"])) == '["中文"]'
    lines = "\n".join(json.dumps({"n": n, "t": "中"}) for n in range(3))  # _nl: one value per line
    assert utf8(lines) == unescape(lines) and "中" in utf8(lines)
