"""The gate on files as agencies and the wider world make them (issue 14): wide files, case-equal
names, declared dialects, one verdict whatever the read path, spreadsheet formulas."""

from __future__ import annotations

import time

import pytest

from govdata.checks import privacy, table as table_mod
from tests.conftest import edited_yaml
from tests.test_gate_corpus import CORPUS, _check, _rename, _world

ID_CARD = "11010519491231002X"  # the GB 11643 example: a valid check character


def dataset(
    base_catalog, tmp_path, fields: list[dict], data: bytes, name: str = "items.csv", primary_key=None, **resource
):
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    (target / "data" / "items.csv").unlink()
    (target / "data" / name).write_bytes(data)
    with edited_yaml(target / "datapackage.yaml") as d:
        res = d["resources"][0]
        res["path"] = f"data/{name}"
        res["schema"] = {"fields": [{"title": f["name"], "description": "x", **f} for f in fields]}
        if primary_key:
            res["schema"]["primaryKey"] = primary_key
        res.update(resource)
    return root, target


def found(report, warnings: bool = False) -> list[tuple]:
    return sorted((f.code, f.row, f.field) for f in report.findings if warnings or f.severity != "warning")


# ---- wide files -------------------------------------------------------------------------


def _wide(n: int, rows: int, plant: dict[tuple[int, int], str] | None = None) -> tuple[list[dict], bytes]:
    fields = [{"name": "id", "type": "integer", "constraints": {"required": True}}]
    fields += [
        {"name": f"c{i}", "type": ("integer" if i % 3 == 0 else "number" if i % 3 == 1 else "string")}
        for i in range(1, n)
    ]
    fields[5]["constraints"] = {"unique": True}
    fields[7]["constraints"] = {"minimum": 0}
    lines = [",".join(f["name"] for f in fields)]
    for r in range(rows):
        cells = [str(r + 1)] + [str(r + i) for i in range(1, n)]
        for (row, col), value in (plant or {}).items():
            if row == r + 2:
                cells[col] = value
        lines.append(",".join(cells))
    return fields, ("\n".join(lines) + "\n").encode()


PLANTED = {(3, 3): "x3", (4, 7): "-1", (5, 5): "6", (6, 0): "", (7, 120): ID_CARD, (2, 6): "2.5"}
EXPECTED_WIDE = [
    ("constraint-error", 4, "c7"),
    ("constraint-error", 6, "id"),
    ("personal-data", 7, "c120"),
    ("primary-key", 5, None),
    ("primary-key", 6, None),
    ("type-error", 2, "c6"),
    ("type-error", 3, "c3"),
    ("type-error", 7, "c120"),
    ("unique-error", 5, "c5"),
]


@pytest.mark.parametrize("long", [True, False], ids=["long", "wide"])
def test_a_wide_file_is_checked_like_a_narrow_one(long, base_catalog, tmp_path, monkeypatch):
    """Held long (one row per cell) or as columns, the same findings at the same rows and fields."""
    monkeypatch.setattr(table_mod, "WIDE_COLUMNS", 100 if long else 10_000)
    fields, data = _wide(300, 8, PLANTED)
    # row 5 repeats row 4's key: id is the key, and c5 (unique) repeats too
    data = data.replace(b"\n4,", b"\n3,", 1)
    root, target = dataset(base_catalog, tmp_path, fields, data, primary_key=["id"])
    report = _check(root, target)
    assert found(report) == EXPECTED_WIDE


@pytest.mark.parametrize("long", [True, False], ids=["long", "wide"])
def test_many_unique_columns_of_a_wide_file(long, base_catalog, tmp_path, monkeypatch):
    """Every column unique (as a scaffold declares on a sample of distinct values): held long, all
    are tested in one statement, each in its own type (010 repeats 10 in an integer column, 11.0
    repeats 11 in a number column, 015 is not 15 in a string one, two missing cells are no repeat); the same findings either way."""
    monkeypatch.setattr(table_mod, "WIDE_COLUMNS", 100 if long else 10_000)
    plant = {(4, 9): "010", (5, 10): "11.0", (6, 11): "12", (6, 14): "015", (6, 20): "", (7, 20): ""}
    fields, data = _wide(150, 6, plant)  # row 3 holds 10, 11, 12 and 15 in c9, c10, c11 and c14
    for f in fields[1:]:
        f["constraints"] = {"unique": True}
    root, target = dataset(base_catalog, tmp_path, fields, data)
    report = _check(root, target)
    assert found(report) == [("unique-error", 4, "c9"), ("unique-error", 5, "c10"), ("unique-error", 6, "c11")]


@pytest.mark.parametrize("n, expected", [(2000, []), (9074, [("too-many-columns", None, None)])])
def test_a_very_wide_valid_file_is_read(n, expected, base_catalog, tmp_path):
    """9,074 columns and 3 rows: was `source-error: Out of Memory`. Its rows are checked; beyond
    2,000 columns it cannot be published (SQLite's limit) and the gate says so at the schema's
    2,001st field instead of letting the build fail. (Its speed: the benchmark test below.)"""
    fields, data = _wide(n, 3, {(3, 1500): "x"})
    root, target = dataset(base_catalog, tmp_path, fields, data)
    report = _check(root, target)
    assert found(report) == sorted(expected + [("type-error", 3, "c1500")])
    (stats,) = report.stats
    assert (stats.rows_read, stats.rows_with_findings) == (3, 1)
    if expected:
        (too_wide,) = [f for f in report.findings if f.code == "too-many-columns"]
        assert too_wide.line and too_wide.field_number == 2001


@pytest.mark.benchmark
def test_a_very_wide_valid_file_is_read_quickly(base_catalog, tmp_path):
    """Timing (run with -m benchmark on a quiet machine): 4,000 columns took 75 s."""
    fields, data = _wide(9074, 3, {(3, 1500): "x"})
    root, target = dataset(base_catalog, tmp_path, fields, data)
    start = time.perf_counter()
    _check(root, target)
    assert time.perf_counter() - start < 15


# ---- field names equal but for case ------------------------------------------------------


def test_field_names_equal_but_for_case_are_refused_at_their_line(base_catalog, tmp_path):
    fields = [{"name": "id", "type": "integer"}, {"name": "ID", "type": "string"}]
    root, target = dataset(base_catalog, tmp_path, fields, b"id,ID\n1,a\n2,b\n")
    report = _check(root, target)
    assert found(report) == [("field-name-clash", None, "ID")]
    (f,) = report.findings
    assert f.line and f.file.endswith("datapackage.yaml") and "Binder" not in f.message


# ---- spreadsheet formulas (issue 12, the gate's part) --------------------------------------

FORMULA_CSV = (
    'id,company,region_code,decided,amount\n1,=HYPERLINK("http://x"),330106,2024-01-05,1\n'
    "2,-5,330102,2024-02-11,2\n3,+86 138,330108,2024-03-20,3\n4,@SUM(A1),330108,2024-03-20,4\n"
    '5,"\tcmd",330108,2024-03-20,5\n6,-,330108,2024-03-20,6\n7,普通公司,330108,2024-03-20,-7\n'
)
FORMULA_FOUND = [
    ("spreadsheet-formula", 2, "company"),
    ("spreadsheet-formula", 4, "company"),
    ("spreadsheet-formula", 5, "company"),
    ("spreadsheet-formula", 6, "company"),
]


def test_spreadsheet_formulas_are_warned_at_their_row(base_catalog, tmp_path):
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    descriptor = target / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(
        text[: text.index("    foreignKeys:")].replace("minimum: 0", "minimum: -10"), encoding="utf-8"
    )
    (target / "data" / "items.csv").write_text(FORMULA_CSV, encoding="utf-8")
    report = _check(root, target)
    assert found(report, warnings=True) == FORMULA_FOUND
    assert all(f.severity == "warning" for f in report.findings)
    (stats,) = report.stats
    assert stats.rows_with_findings == 0  # a warning does not make a row invalid


def test_the_formula_condition_is_the_rule_on_every_first_character():
    """The condition (its cheap first test compares the text with "A") reports exactly the cells the
    rule names: = + - @ tab or carriage return first, except a lone sign or a signed number."""
    import duckdb

    from govdata.checks.sqltypes import FieldSQL

    def rule(cell: str | None) -> bool:
        if not cell or cell[0] not in "=+-@\t\r":
            return False
        rest = cell[1:]
        signed_number = (
            cell[0] in "+-" and rest[:1].isdigit() and rest[:1].isascii() and not rest.strip("0123456789,.%")
        )
        return not (len(cell) == 1 or signed_number)

    cells = [
        "",
        "=1",
        "=SUM(A1)",
        "+5",
        "+1,000.5",
        "-3%",
        "-",
        "+",
        "@",
        "@a",
        "\tx",
        "\rx",
        "\t",
        "-a",
        "+1a",
        "A",
        "a",
        "中",
        "0",
        " =x",
        "é",
        "\x01",
        "?",
        "<",
        "{",
        "-０",
        "=中文",
        "－1",
        "＝1",
        "=\n",
        "\r\n",
        "-\n1",
        "+1\n",
        "-1,0.5%x",
        "+1.5%",
        "-12中",
        None,
    ]
    # and a fixed sample of short strings over the characters that matter (multi-line cells included)
    import random

    pick = random.Random(14)
    alphabet = "=+-@\t\r\n0123456789,.%aZ 中１－＋"
    cells += ["".join(pick.choice(alphabet) for _ in range(pick.randint(1, 5))) for _ in range(3000)]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (c VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[c] for c in cells])
    condition = FieldSQL({"name": "c", "type": "string"}, [""]).formula()
    got = con.execute(f"SELECT c, coalesce({condition}, false) FROM t ORDER BY rowid").fetchall()
    assert [(c, bool(hit)) for c, hit in got] == [(c, rule(c)) for c in cells]


# ---- Excel ---------------------------------------------------------------------------------


def test_excel_cells_read_as_their_declared_types(base_catalog, tmp_path):
    """A datetime at midnight stays a datetime (calamine gives it as a date); a number in a text
    field is a type-error at its sheet row (as Frictionless reports it); rows are the sheet's."""
    import datetime as dt

    from tests.xlsx import write_xlsx

    fields = [
        {"name": "id", "type": "integer"},
        {"name": "code", "type": "string"},
        {"name": "at", "type": "datetime"},
        {"name": "on", "type": "date"},
    ]
    rows = [
        ["某某局2024年行政许可公示表"],
        ["id", "code", "at", "on"],
        [1, "330106", dt.datetime(2024, 1, 5, 0, 0), dt.date(2024, 1, 5)],
        [2, 330102, dt.datetime(2024, 1, 5, 8, 30), dt.datetime(2024, 1, 6)],
        [3, "0571", dt.datetime(2024, 1, 7), dt.datetime(2024, 1, 7, 9, 0)],
    ]
    root, target = dataset(base_catalog, tmp_path, fields, b"", name="items.xlsx", format="xlsx", header_row=2)
    write_xlsx(target / "data" / "items.xlsx", {"数据": rows})
    report = _check(root, target)
    assert found(report) == [("type-error", 4, "code"), ("type-error", 5, "on")]
    (stats,) = report.stats
    assert (stats.rows_read, stats.rows_with_findings) == (3, 2)


def test_a_key_given_twice_is_an_error_at_its_line(base_catalog, tmp_path):
    root, target = _world(base_catalog, tmp_path, CORPUS / "descriptor-duplicate-key")
    _rename("descriptor-duplicate-key", target)
    (finding,) = _check(root, target).findings
    assert (finding.code, finding.line, finding.key) == ("descriptor-duplicate-key", 40, "resources.0.schema")
    assert "lines 38 and 40" in finding.message


# ---- text columns that hold only normalisable values ------------------------------------


@pytest.mark.parametrize("quick", [1000, 1 << 30], ids=["one-pass proof", "precise path"])
def test_a_text_column_of_chinese_forms_is_warned_on_every_path(quick, base_catalog, tmp_path, monkeypatch):
    from govdata.checks import source

    monkeypatch.setattr(source, "QUICK_SCAN_BYTES", quick)
    root, target = _world(base_catalog, tmp_path, CORPUS / "clean")
    _rename("clean", target)
    descriptor = target / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(text[: text.index("    foreignKeys:")], encoding="utf-8")
    rows = "".join(f'{i},"{i % 90 + 10},{i % 1000:03d}",330106,2024-01-05,1\n' for i in range(1, 3001))
    (target / "data" / "items.csv").write_text("id,company,region_code,decided,amount\n" + rows, encoding="utf-8")
    report = _check(root, target)
    assert found(report, warnings=True) == [("normalisable-text", None, "company")]
    (finding,) = report.findings
    assert "strip_thousands_separators" in finding.message and finding.field_number == 2


def test_the_cheap_first_test_of_normalisable_columns_is_the_first_characters():
    """normalisable_likely (counted by the one-pass proof) is 1 exactly when every value starts
    with a digit, a sign, a blank or a full-width digit; missing values do not count."""
    import duckdb

    from govdata.checks.sqltypes import FieldSQL

    test = FieldSQL({"name": "v", "type": "string"}, ["NA"]).normalisable_likely()
    assert test is not None
    con = duckdb.connect()
    columns = {
        "digits": (["1", "２", "+3", "-4", " 5", "\t6", None], 1),
        "one word": (["1", "中", None], 0),
        "a letter": (["a1"], 0),
        "only missing": ([None, None], 0),
        "an empty text": (["1", ""], 0),  # '' is a value where missingValues leave it one
        "declared missing": (["1", "NA"], 1),
    }
    for name, (values, expected) in columns.items():
        rows = ", ".join("(NULL)" if v is None else f"('{v}')" for v in values)
        got = con.execute(f"SELECT {test} FROM (VALUES {rows}) t(v)").fetchone()
        assert got == (expected,), name


# ---- personal data: at its rows, and not where there is none -------------------------------


def test_personal_data_in_free_text_is_reported_at_each_row(base_catalog, tmp_path):
    fields = [{"name": "id", "type": "integer"}, {"name": "remarks", "type": "string"}]
    lines = ["id,remarks"] + [
        f"{i},{'当事人身份证 ' + ID_CARD if i in (3, 7) else '电话 13812345678' if i == 5 else '无'}"
        for i in range(1, 11)
    ]
    root, target = dataset(base_catalog, tmp_path, fields, ("\n".join(lines) + "\n").encode())
    report = _check(root, target)
    assert found(report) == [
        ("personal-data", 4, "remarks"),
        ("personal-data", 6, "remarks"),
        ("personal-data", 8, "remarks"),
    ]
    assert all(ID_CARD not in f.message and (f.cell is None) for f in report.findings)
    (stats,) = report.stats
    assert (stats.rows_read, stats.rows_with_findings) == (10, 3)


def test_confidentiality_false_positives_seen_in_the_wild(base_catalog, tmp_path):
    """`residence` of Urban/Rural is no home address, `event_id_no_cnty` no identity number, and
    the digits of WKT coordinates no mobile number; a real `person_id_no` still is."""
    fields = [
        {"name": "event_id_no_cnty", "type": "string"},
        {"name": "residence", "type": "string"},
        {"name": "geom", "type": "string"},
        {"name": "person_id_no", "type": "string"},
    ]
    lines = ["event_id_no_cnty,residence,geom,person_id_no"]
    lines += [f"EV{i:05d},{'Urban' if i % 2 else 'Rural'},POINT (116.39712345678 39.90812345678),x" for i in range(30)]
    root, target = dataset(base_catalog, tmp_path, fields, ("\n".join(lines) + "\n").encode())
    assert found(_check(root, target)) == [("negative-list-field", None, "person_id_no")]


def _column(title: str, values: list[str], enum: bool) -> tuple[list[dict], bytes]:
    field: dict = {"name": "col", "title": title, "type": "string"}
    if enum:
        field["constraints"] = {"enum": sorted(set(values))}
    lines = ["id,col"] + [f"{i},{values[i % len(values)]}" for i in range(30)]
    return [{"name": "id", "type": "integer"}, field], ("\n".join(lines) + "\n").encode()


NAME_ONLY_COLUMNS = {
    # (title, values): reported or not, as an enum and as a few values over 30 rows
    "contact names": ("联系人", ["王伟", "王芳"], True),
    "names with a middle dot": ("姓名", ["阿依古丽·买买提", "王芳"], True),
    "names in Latin letters": ("full_name", ["Wang Wei", "Li Na"], True),
    "village addresses": ("家庭住址", ["东山村", "西山村", "南湖村"], True),
    "street addresses": ("住址", ["解放路12号", "延安路3号"], True),
    "diagnoses": ("诊断", ["高血压", "糖尿病"], True),
    "Urban/Rural": ("residence", ["Urban", "Rural"], False),
    "城镇/农村": ("居住地址类型", ["城镇", "农村"], False),
    "yes/no names": ("是否填写姓名", ["是", "否"], False),
}


@pytest.mark.parametrize("enum", [True, False], ids=["enum", "values"])
@pytest.mark.parametrize("case", list(NAME_ONLY_COLUMNS))
def test_a_name_only_item_is_exempt_only_for_values_plainly_not_it(case, enum, base_catalog, tmp_path):
    """A negative-list item known by its name only (a person's name, an address, a diagnosis): a
    column of a few categories is exempt only when none of them looks like what the item protects."""
    title, values, reported = NAME_ONLY_COLUMNS[case]
    fields, data = _column(title, values, enum)
    root, target = dataset(base_catalog, tmp_path, fields, data)
    assert found(_check(root, target)) == ([("negative-list-field", None, "col")] if reported else [])


# ---- minor shapes ------------------------------------------------------------------------------


def _minor_cases():
    import codecs

    body = "id,name\n" + "".join(f"{i},杭州第{i}号公司\n" for i in range(1, 80))
    lines = body.encode("gb18030").split(b"\n")
    lines[57] += b"\x81"  # one corrupt byte on line 58
    return {
        "only CRLF": (b"\r\n", [("source-error", 1, None)], "empty"),
        "UTF-32": (codecs.BOM_UTF32_LE + body.encode("utf-32-le"), [], "utf-32"),
        "GB18030 with a corrupt byte": (b"\n".join(lines), [("encoding-error", 58, None)], "line 58"),
        "bare CR inside a quoted cell": (b'id,name\r1,a\r2,"b\rc"\r3,d\n', [], ""),
    }


@pytest.mark.parametrize("case", list(_minor_cases()))
def test_minor_shapes(case, base_catalog, tmp_path):
    data, expected, words = _minor_cases()[case]
    fields = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]
    root, target = dataset(base_catalog, tmp_path, fields, data)
    report = _check(root, target)
    assert sorted((f.code, f.row, f.field) for f in report.findings if f.is_error) == expected
    assert all(words in f.message for f in report.findings)


def test_a_declared_encoding_the_gate_does_not_accept_is_a_finding(base_catalog, tmp_path):
    """HZ is a codec Python has but the gate does not accept (``encoding.ACCEPTED``): it was a
    TypeError out of the gate."""
    fields = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]
    root, target = dataset(base_catalog, tmp_path, fields, "id,name\n1,杭州\n".encode("hz"), encoding="hz")
    report = _check(root, target)
    assert ("encoding-error", None, None) in found(report)
    assert any("'hz'" in f.message for f in report.findings if f.code == "encoding-error")


def test_findings_name_the_field_when_the_header_holds_titles(base_catalog, tmp_path):
    fields = [
        {"name": "id", "title": "编号", "type": "integer"},
        {"name": "name", "title": "名称", "type": "string"},
        {"name": "code", "title": "代码", "type": "string", "constraints": {"required": True}},
    ]
    root, target = dataset(
        base_catalog, tmp_path, fields, "编号,名称,代码\n1,甲,1\n2,乙\n3,丙,3,4\n".encode(), header_labels="titles"
    )
    assert found(_check(root, target)) == [
        ("constraint-error", 3, "code"),
        ("extra-cell", 4, None),
        ("missing-cell", 3, "code"),
    ]


# ---- many datasets: two threads, the same report --------------------------------------------


def test_a_catalogue_checked_in_two_threads_reports_as_one_thread(base_catalog, tmp_path, monkeypatch):
    import shutil

    from govdata.checks.runner import run_checks

    root, _ = _world(base_catalog, tmp_path)
    cases = [
        c
        for c in sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
        if not c.startswith(("path-", "yaml-", "descriptor-", "schema-url"))
    ]
    for case in cases:
        target = root / "datasets" / "hz-amr" / case
        shutil.copytree(CORPUS / case, target)
        (target / "expected.yaml").unlink()
    assert len(cases) >= 16

    def report(threads: str):
        monkeypatch.setenv("GOVDATA_CHECK_THREADS", threads)
        run = run_checks(root)
        try:
            return (
                sorted((f.code, f.dataset or "", f.row or 0, f.field or "", f.message) for f in run.report.findings),
                sorted((s.dataset, s.rows_read, s.rows_with_findings) for s in run.report.stats),
            )
        finally:
            run.close()

    one, two = report("1"), report("2")
    assert one == two
    assert ("foreign-key", "missing-fk-target", 2, "region_code") in {x[:4] for x in two[0]}


@pytest.mark.parametrize(
    "dialect, expected",
    [
        ({"delimiter": "\n"}, [("dialect-error", None, None)]),
        ({"headerRows": [0]}, [("dialect-error", None, None)]),
        ({"delimiter": ";", "quoteChar": ";"}, [("dialect-error", None, None)]),
        ({"quoteChar": ""}, []),  # no quoting: the quote is text
        ({"headerRows": [9], "quoteChar": ""}, [("source-error", 9, None)]),
    ],
)
def test_unusable_dialects_are_findings_at_their_line(dialect, expected, base_catalog, tmp_path):
    fields = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]
    root, target = dataset(base_catalog, tmp_path, fields, b'id,name\n1,"a\n2,b\n', dialect=dialect)
    report = _check(root, target)
    assert found(report) == expected
    assert all(f.line and f.file.endswith("datapackage.yaml") for f in report.findings if f.code == "dialect-error")


# ---- personal data as people write it ---------------------------------------------------------

WRITTEN = [
    ("无", None),
    ("身份证３３０１０６１９９００３０７００２２", "id_card"),  # full-width digits
    ("身份证 110105 19800101 0016", "id_card"),  # 6-8-4 apart
    ("证件号110105-19800101-0024", "id_card"),
    ("手机 138-1234-5678", "mobile"),  # 3-4-4 apart
    ("手机 138　1234　5678", "mobile"),  # ideographic spaces
    ("卡号 6222 0212 3456 7890 128", "bank_card"),  # 4-4-4-4-3 apart
    ("证件号 330106 19900307 0023", None),  # a wrong check digit
    ("电话0571-8765-4321 区间1000-2000 2024-01-05 12:00", None),  # an office, a range, a date
]


@pytest.mark.parametrize("sql", [False, True], ids=["in-python", "sql-per-kind"])
def test_personal_data_written_apart_or_full_width(sql, base_catalog, tmp_path, monkeypatch):
    """G9: each form found at its row, and only those, whether the candidates are validated in
    Python or (beyond CANDIDATE_ROWS) narrowed down in SQL per kind first."""
    if sql:
        monkeypatch.setattr(privacy, "CANDIDATE_ROWS", 0)
    fields = [{"name": "id", "type": "integer"}, {"name": "note", "type": "string"}]
    data = "id,note\n" + "".join(f"{i},{text}\n" for i, (text, _) in enumerate(WRITTEN, start=1))
    root, target = dataset(base_catalog, tmp_path, fields, data.encode())
    report = _check(root, target)
    rows = sorted((f.row, f.args["kind"]) for f in report.findings if f.code == "personal-data")
    assert rows == [(i + 1, kind) for i, (_, kind) in enumerate(WRITTEN, start=1) if kind]
