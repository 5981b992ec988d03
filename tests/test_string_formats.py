"""``format: email``, ``uri`` and ``uuid`` accept what Frictionless accepts: the gate's SQL
conditions (govdata/checks/formats.py, run by DuckDB) against the validators Frictionless calls
(``validators.email``, rfc3986 with a required scheme, ``validators.uuid``), on chosen and on
generated cells, then end to end through ``govdata check`` and ``frictionless validate``."""

from __future__ import annotations

import random

import duckdb
import pytest
import validators
from frictionless import platform

from govdata.checks import formats
from govdata.checks.sqltypes import FieldSQL
from tests.conftest import edited_yaml
from tests.test_frictionless_conformance import _validate
from tests.test_gate_corpus import CORPUS, _check, _rename, _world

EMAILS = [
    "zhang.san@gov.cn",
    "user+tag@x.cn",
    "12345@qq.com",
    "o'brien@x.gov.cn",
    "A@X.CN",
    "x@例子.中国",
    "a@例子。中国",
    "a@xn--fiqs8s.cn",
    "é@x.cn",
    '"a b"@x.cn',
    '"a.b"@x.cn',
    "a@" + "x" * 63 + ".cn",
    "a" * 64 + "@x.cn",
    # refused by validators.email, passed by the gate's old `[^@\s]+@[^@\s]+\.[^@\s]+`
    "a@b.c",
    "a..b@x.cn",
    ".a@x.cn",
    "a.@x.cn",
    "a,b@x.cn",
    "a@x..cn",
    "a@-x.cn",
    "a@x-.cn",
    "a@x_y.cn",
    "a@x.123",
    "a@[127.0.0.1]",
    "a@b.cn.",
    "张三@example.cn",
    "éa..b@x.cn",
    "a" * 65 + "@x.cn",
    "a@" + "x" * 64 + ".cn",
    "a@localhost",
    "a@b@c.cn",
    "a @x.cn",
    "a@x.cn ",
    "a@x.cn\n",
    "",
]


def _invalid(condition_of, cells: list[str]) -> list[bool]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(cells)))
    return [bool(x) for (x,) in con.execute(f"SELECT {condition_of('v')} FROM t ORDER BY i").fetchall()]


def _field(fmt: str) -> FieldSQL:
    return FieldSQL({"name": "v", "type": "string", "format": fmt}, [])  # "" is a value, not missing


def _generated(alphabets: list[str], count: int, lengths=(3, 14)) -> list[str]:
    cells = []
    for seed, alphabet in enumerate(alphabets):
        rng = random.Random(seed)
        cells += ["".join(rng.choice(alphabet) for _ in range(rng.randint(*lengths))) for _ in range(count)]
    return cells


def test_email_is_what_validators_email_accepts():
    cells = EMAILS + [
        c
        for c in _generated(["ab1.-_@\"\\ é例。+'x", "aZ9.-@例子中国。．xn-", "a.@-bé\u3000\u00a0\t1"], 20000)
        if c.count("@") == 1
    ]
    rng = random.Random(7)  # addresses built from parts, valid and not
    for _ in range(5000):
        local = "".join(rng.choice(["a", "b1", "é", "例", ".", "-", "+", "'", '"']) for _ in range(rng.randint(1, 4)))
        labels = [
            rng.choice(["x", "gov", "例子", "xn--fiqs8s", "-a", "a-", "1", "_", ""]) for _ in range(rng.randint(1, 3))
        ]
        dots = [rng.choice([".", ".", "。", ".."]) for _ in labels]
        tld = rng.choice(["cn", "中国", "c", "123", "cn.", "c1", "com"])
        cells.append(local + "@" + "".join(a + b for a, b in zip(labels, dots)) + tld)
    expected = [not validators.email(c) for c in cells]
    got = _invalid(lambda v: _field("email").invalid(), cells)
    assert sum(expected) > 10000 and len(cells) - sum(expected) > 250  # both verdicts represented
    assert [c for c, e, g in zip(cells, expected, got) if e != g] == []


def test_uri_is_what_rfc3986_with_a_scheme_accepts():
    def valid(cell: str) -> bool:
        check = platform.rfc3986.validators.Validator()
        check.require_presence_of("scheme")
        try:
            check.validate(platform.rfc3986.uri_reference(cell))
        except platform.rfc3986.exceptions.ValidationError:
            return False
        return True

    cells = _generated(["ab:/ 1.%-_?#[]@x例", "h:/tp s.例%2G", "a1:+.-"], 5000, (1, 12))
    got = _invalid(lambda v: _field("uri").invalid(), cells)
    assert [c for c, g in zip(cells, got) if g == valid(c)] == []


def test_uuid_takes_the_forms_python_reads():
    base = "9b2f1a9e-2c4e-4d8a-9f3a-1c2b3d4e5f60"
    cells = [
        base,
        base.upper(),
        base.replace("-", ""),
        "{" + base + "}",
        "urn:uuid:" + base,
        base[:-1],
        base + "0",
        base.replace("-", "", 1) + "-",
        "9b2f-1a9e-2c4e-4d8a-9f3a-1c2b3d4e5f60",
        base.replace("a", "g"),
        "",
        "-{" + base + "}",
    ]
    rng = random.Random(3)
    for _ in range(20000):  # hyphens, braces and stray characters inserted or digits dropped
        s = list(base)
        for _ in range(rng.randint(0, 4)):
            at = rng.randint(0, len(s) - 1)
            if rng.random() < 0.6:
                s.insert(at, rng.choice(["-", "{", "}", "g", "A", "0", "x"]))
            else:
                s.pop(at)
        cells.append("".join(s))
    got = _invalid(lambda v: _field("uuid").invalid(), cells)
    assert [c for c, g in zip(cells, got) if g == bool(validators.uuid(c))] == []


def test_format_errors_are_found_as_frictionless_finds_them(tmp_path, base_catalog):
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "m", "type": "string", "format": "email"},
        {"name": "u", "type": "string", "format": "uuid"},
    ]
    emails = ["zhang.san@gov.cn", "a..b@x.cn", "x@例子.中国", "a@x..cn", "a@b.c", "office@gov.cn", "a@b.cn."]
    uuids = ["9b2f1a9e2c4e4d8a9f3a1c2b3d4e5f60", "{9b2f1a9e-2c4e-4d8a-9f3a-1c2b3d4e5f60}", "9b2f1a9e-2c4e"]
    text = "id,m,u\n" + "".join(f"{i},{m},{uuids[i % 3]}\n" for i, m in enumerate(emails, 1))
    schema = {"fields": fields, "primaryKey": ["id"]}
    expected = _validate(schema, text.encode(), tmp_path / "fl")
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    with edited_yaml(target / "datapackage.yaml") as d:
        d["resources"][0]["schema"] = {**schema, "fields": [{**f, "title": f["name"]} for f in fields]}
    (target / "data" / "items.csv").write_text(text, encoding="utf-8")
    ours = {(f.row, f.field, f.code) for f in _check(root, target).findings if f.code == "type-error"}
    assert ours == {x for x in expected if x[2] == "type-error"}
    assert {(r, f) for r, f, _ in ours} >= {(3, "m"), (5, "m"), (6, "m"), (8, "m"), (3, "u"), (6, "u")}


@pytest.mark.parametrize("fmt", ["email", "uri", "uuid"])
def test_each_format_pattern_reads_alike_in_python(fmt):
    """RE2 and Python's re read the patterns alike (no construct one of them lacks)."""
    import re

    pattern = {"email": formats.EMAIL, "uri": formats.URI, "uuid": formats.UUID}[fmt]
    re.compile(pattern)
    duckdb.connect().execute("SELECT regexp_full_match('x', ?)", [pattern]).fetchone()
