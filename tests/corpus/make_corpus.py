"""Regenerates tests/corpus/<case>/ folders: python tests/corpus/make_corpus.py"""

import codecs
import copy
import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parent
BASE = {
    "name": "CASE",
    "title": "测试数据集",
    "title_en": "Test dataset",
    "description": "用于检查门禁的测试数据集（合成数据，仅供演示）。每个案例在此基础上制造一个问题。",
    "description_en": "Synthetic data for demonstration.",
    "version": "1.0.0",
    "publisher": "hz-amr",
    "themes": ["credit"],
    "keywords": ["测试"],
    "licenses": [{"name": "CC-BY-4.0"}],
    "open_condition": {"type": "unconditional"},
    "update_frequency": "monthly",
    "issued": "2024-01-01",
    "modified": "2024-06-30",
    "temporal": {"start": "2024-01-01", "end": "2024-06-30"},
    "spatial": {"code": "330100", "name": "示例市"},
    "contact": {"name": "法规处", "email": "fagui@amr.hz.example.gov.cn"},
    "review": {"reviewer": "法规处 审核员", "date": "2024-06-28", "basis": "本局保密审查制度"},
    "sources": [{"title": "测试"}],
    "resources": [
        {
            "name": "items",
            "title": "条目",
            "path": "data/items.csv",
            "schema": {
                "fields": [
                    {"name": "id", "type": "integer", "title": "编号", "description": "编号。"},
                    {
                        "name": "company",
                        "type": "string",
                        "title": "企业名称",
                        "description": "企业名称。",
                        "constraints": {"required": True},
                    },
                    {
                        "name": "region_code",
                        "type": "string",
                        "title": "区划代码",
                        "description": "六位代码。",
                        "constraints": {"pattern": "^\\d{6}$"},
                    },
                    {"name": "decided", "type": "date", "title": "决定日期", "description": "日期。"},
                    {
                        "name": "amount",
                        "type": "number",
                        "title": "金额",
                        "description": "元。",
                        "constraints": {"minimum": 0},
                    },
                ],
                "primaryKey": ["id"],
                "foreignKeys": [
                    {
                        "fields": ["region_code"],
                        "reference": {"dataset": "zj-admin-divisions", "resource": "divisions", "fields": ["code"]},
                    }
                ],
            },
        }
    ],
}
CSV = "id,company,region_code,decided,amount\n1,杭州云帆科技有限公司,330106,2024-01-05,1000\n2,杭州青禾食品有限公司,330102,2024-02-11,250.5\n3,杭州远景建材有限公司,330108,2024-03-20,0\n"
cases = {}


def case(name, expected, mutate=None, csv=CSV, raw=None, note=""):
    d = copy.deepcopy(BASE)
    d["name"] = name
    if mutate:
        mutate(d)
    cases[name] = (d, csv, raw, expected, note)


case("clean", [], note="a valid submission: must pass")
case("missing-review", [["review-missing", None, None]], lambda d: d.pop("review"))
case("incomplete-review", [["review-missing", None, None]], lambda d: d["review"].pop("basis"))
case("missing-required-key", [["metadata-required", None, None]], lambda d: d.pop("contact"))
case(
    "unknown-publisher-theme-licence",
    [["unknown-theme", None, None], ["unknown-license", None, None]],
    lambda d: (d.__setitem__("themes", ["weather-magic"]), d.__setitem__("licenses", [{"name": "WTFPL"}])),
)
case(
    "conditional-without-conditions",
    [["metadata-required", None, None]],
    lambda d: d.__setitem__("open_condition", {"type": "conditional"}),
)
case(
    "not-open-with-data",
    [["open-condition-error", None, None]],
    lambda d: d.__setitem__("open_condition", {"type": "not_open", "legal_basis": "《政府信息公开条例》第十五条"}),
)
case(
    "path-traversal",
    [["path-unsafe", None, None]],
    lambda d: d["resources"][0].__setitem__("path", "../../../../etc/passwd"),
)
case("path-absolute", [["path-unsafe", None, None]], lambda d: d["resources"][0].__setitem__("path", "/etc/passwd"))
case(
    "path-file-url",
    [["path-unsafe", None, None]],
    lambda d: d["resources"][0].__setitem__("path", "file:///etc/passwd"),
)
case("path-home", [["path-unsafe", None, None]], lambda d: d["resources"][0].__setitem__("path", "~/secret.csv"))
case(
    "path-variable", [["path-unsafe", None, None]], lambda d: d["resources"][0].__setitem__("path", "$HOME/secret.csv")
)
case(
    "path-url",
    [["path-remote", None, None]],
    lambda d: d["resources"][0].__setitem__("path", "http://169.254.169.254/latest/meta-data"),
)
case(
    "schema-url",
    [["path-remote", None, None]],
    lambda d: d["resources"][0].__setitem__("schema", "https://example.com/schema.json"),
)
case("wrong-type", [["type-error", 3, "amount"]], csv=CSV.replace("250.5", "二百五十"))
case("out-of-range", [["constraint-error", 4, "amount"]], csv=CSV.replace(",0\n", ",-5\n"))
case("duplicate-primary-key", [["primary-key", 4, None]], csv=CSV.replace("3,杭州远景", "2,杭州远景"))
case("missing-fk-target", [["foreign-key", 2, "region_code"]], csv=CSV.replace("330106", "339999"))
case("required-missing", [["constraint-error", 3, "company"]], csv=CSV.replace("杭州青禾食品有限公司", ""))
case(
    "ragged-rows",
    [["extra-cell", 3, None], ["missing-cell", 4, "decided"], ["missing-cell", 4, "amount"]],
    csv=CSV.replace("250.5", "250.5,extra").replace("330108,2024-03-20,0", "330108"),
)
case("blank-row", [["blank-row", 3, None]], csv=CSV.replace("\n2,", "\n\n2,"))
case("unterminated-quote", [["source-error", 3, None]], csv=CSV.replace("2,杭州青禾", '2,"杭州青禾'))
case("blank-header", [["blank-label", 1, "company"]], csv=CSV.replace("id,company", "id,"))
case("duplicate-header", [["duplicate-label", 1, "region_code"]], csv=CSV.replace("region_code", "company"))
case("chinese-date", [["type-error", 2, "decided"]], csv=CSV.replace("2024-01-05", "2024年1月5日"))
case("fullwidth-digits", [["type-error", 2, "amount"]], csv=CSV.replace(",1000\n", ",１０００\n"))
case("thousands-separator", [["type-error", 2, "amount"]], csv=CSV.replace(",1000\n", ',"1,000"\n'))
case("amount-with-unit", [["type-error", 2, "amount"]], csv=CSV.replace(",1000\n", ",12.5万元\n"))
case("percentage", [["type-error", 3, "amount"]], csv=CSV.replace(",250.5\n", ",３％\n"))
case("accounting-negative", [["type-error", 4, "amount"]], csv=CSV.replace(",0\n", ',"（1,200.50）"\n'))
case("chinese-yearmonth", [["type-error", 3, "decided"]], csv=CSV.replace("2024-02-11", "2024年2月"))
case("nul-byte", [["nul-byte", 3, None]], raw=CSV.replace("青禾", "青\x00禾").encode())
case("latin1-bytes", [["encoding-error", 3, None]], raw=CSV.encode("utf-8").replace("青禾".encode(), b"caf\xe9 \xff"))
case("gb18030", [["encoding-normalised", None, None]], raw=CSV.encode("gb18030"), note="valid: content intact")
case("utf8-bom", [["encoding-normalised", None, None]], raw=codecs.BOM_UTF8 + CSV.encode("utf-8"), note="valid")
case("utf16", [["encoding-normalised", None, None]], raw=CSV.encode("utf-16"), note="valid")
case(
    "utf8-bom-declared",
    [["encoding-normalised", None, None]],
    lambda d: d["resources"][0].__setitem__("encoding", "utf-8"),
    raw=codecs.BOM_UTF8 + CSV.encode("utf-8"),
    note="valid: Excel's CSV UTF-8 declared utf-8 (the BOM was read into the first label)",
)
case(
    "declared-encoding-mismatch",
    [["encoding-error", None, None]],
    lambda d: d["resources"][0].__setitem__("encoding", "gb18030"),
)
case(
    "wrong-hash",
    [["hash-count", None, None], ["byte-count", None, None]],
    lambda d: d["resources"][0].update({"hash": "sha256:" + "0" * 64, "bytes": 1}),
)
case(
    "personal-data-in-text",
    [["personal-data", 3, "company"]],
    csv=CSV.replace("杭州青禾食品有限公司", "联系13812345678"),
)
case(
    "personal-data-fullwidth-email",
    [["personal-data", 3, "company"]],
    csv=CSV.replace("杭州青禾食品有限公司", "联系ｚｈａｎｇ．ｓａｎ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
    note="an e-mail address in full-width letters and signs (only digits, space and hyphen were folded)",
)
case(
    "personal-data-at-rows",
    [["personal-data", 2, "company"], ["personal-data", 4, "company"]],
    csv=CSV.replace("杭州云帆科技有限公司", "联系人手机13812345678").replace(
        "杭州远景建材有限公司", "身份证11010519491231002X"
    ),
    note="each row that holds personal data is reported (the cell never echoed)",
)
PERSON = (
    CSV.replace("amount\n", "amount,id_card\n")
    .replace(",1000\n", ",1000,110105********002X\n")
    .replace(",250.5\n", ",250.5,11010519491231002X\n")
    .replace(",0\n", ",0,\n")
)


def add_idcard(masked):
    def m(d):
        f = {"name": "id_card", "type": "string", "title": "身份证号", "description": "脱敏后的身份证号。"}
        if masked:
            f.update({"personal": "id_card", "masked": True})
        d["resources"][0]["schema"]["fields"].append(f)

    return m


case(
    "negative-list-field",
    [["negative-list-field", None, "id_card"], ["personal-data", 3, "id_card"]],
    add_idcard(False),
    csv=PERSON,
)
case(
    "passport-column",
    [["negative-list-field", None, "passport_no"]],
    lambda d: d["resources"][0]["schema"]["fields"].append(
        {"name": "passport_no", "type": "string", "title": "护照号码", "description": "持证人护照号码。"}
    ),
    csv=CSV.replace("amount\n", "amount,passport_no\n")
    .replace(",1000\n", ",1000,E12345678\n")
    .replace(",250.5\n", ",250.5,G87654321\n")
    .replace(",0\n", ",0,\n"),
)
case("masking-incomplete", [["masking-error", 3, "id_card"]], add_idcard(True), csv=PERSON)
case(
    "masking-complete",
    [],
    add_idcard(True),
    csv=PERSON.replace("11010519491231002X", "110105********002X"),
    note="valid",
)


def schema_of(d):
    return d["resources"][0]["schema"]


case(
    "schema-bad-regex",
    [["schema-error", None, "company"]],
    lambda d: schema_of(d)["fields"][1]["constraints"].__setitem__("pattern", "[abc"),
)
case(
    "schema-enum-wrong-type",
    [["schema-error", None, "id"]],
    lambda d: schema_of(d)["fields"][0].__setitem__("constraints", {"enum": [1, "two"]}),
)
case(
    "schema-fields-not-a-list",
    [["schema-error", None, None]],
    lambda d: schema_of(d).__setitem__("fields", "id,company"),
)
case(
    "tab-delimited",
    [
        ["incorrect-label", 1, "id"],
        ["missing-label", 1, "company"],
        ["missing-label", 1, "region_code"],
        ["missing-label", 1, "decided"],
        ["missing-label", 1, "amount"],
    ],
    csv=CSV.replace(",", "\t"),
)


# issue 14: declared dialects, one verdict on every read path, names equal but for case
def dialect(**kw):
    return lambda d: d["resources"][0].__setitem__("dialect", kw)


case(
    "dialect-semicolon",
    [["type-error", 3, "amount"]],
    dialect(delimiter=";"),
    csv=CSV.replace(",", ";").replace("250.5", "二百五十"),
    note="declared delimiter honoured",
)
case(
    "dialect-comment-and-title-rows",
    [["type-error", 5, "decided"]],
    dialect(commentChar="#", headerRows=[3]),
    csv="# 导出时间 2024-06-30\n某某局2024年行政许可公示表,,,,\n" + CSV.replace("2024-02-11", "2024-02-30"),
    note="header after a comment line and a title row (headerRows count physical rows, as Frictionless); rows keep their numbers in the file",
)
case(
    "quote-after-space",
    [],
    csv=CSV.replace(",250.5\n", ', "250.5"\n'),
    note='valid: `, "250.5"` reads as 250.5 (as Frictionless sniffs it and DuckDB reads it), on every read path',
)


def case_names(d):
    d["resources"][0]["schema"]["fields"][1]["name"] = "ID"


def case_text_fields(d):
    schema = d["resources"][0]["schema"]
    schema.pop("foreignKeys")
    schema["primaryKey"] = ["id"]
    for f in schema["fields"]:
        f["type"], f["constraints"] = "string", {"required": True}


case(
    "repeated-header",
    [["repeated-header", 3, None]],
    case_text_fields,
    csv=CSV.replace("\n2,", "\nid,company,region_code,decided,amount\n2,", 1),
    note="the header again among the data (two exports joined): every cell is valid text, Frictionless passes it",
)
case(
    "no-resources",
    [["open-condition-error", None, None]],
    lambda d: d.__setitem__("resources", []),
    note="an unconditional dataset with resources: [] (Frictionless passes it; nothing would be published)",
)
case("field-names-equal-but-for-case", [["field-name-clash", None, "ID"]], case_names, csv=CSV.replace("company", "ID"))

for name, (d, csv, raw, expected, note) in cases.items():
    folder = ROOT / name
    (folder / "data").mkdir(parents=True, exist_ok=True)
    if raw is not None:
        (folder / "data" / "items.csv").write_bytes(raw)
    else:
        (folder / "data" / "items.csv").write_text(csv, encoding="utf-8")
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (folder / "expected.yaml").write_text(
        yaml.safe_dump({"note": note, "findings": expected}, allow_unicode=True, default_flow_style=None),
        encoding="utf-8",
    )
# a key given twice: YAML loaders keep the last one silently (a reviewer approves one schema, the gate checks another)
dup = ROOT / "descriptor-duplicate-key"
(dup / "data").mkdir(parents=True, exist_ok=True)
(dup / "data" / "items.csv").write_text(CSV, encoding="utf-8")
text = yaml.safe_dump(cases["clean"][0], allow_unicode=True, sort_keys=False).replace(
    "name: clean\n", "name: descriptor-duplicate-key\n", 1
)
text = text.replace("  schema:\n", "  schema:\n    fields: []\n  schema:\n", 1)
(dup / "datapackage.yaml").write_text(text, encoding="utf-8")
(dup / "expected.yaml").write_text(
    yaml.safe_dump(
        {"note": "two schema: keys", "findings": [["descriptor-duplicate-key", None, None]]}, default_flow_style=None
    )
)
# YAML alias bomb (descriptor refused before parsing)
alias = ROOT / "yaml-alias-bomb"
(alias / "data").mkdir(parents=True, exist_ok=True)
(alias / "data" / "items.csv").write_text(CSV, encoding="utf-8")
(alias / "datapackage.yaml").write_text(
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n',
    encoding="utf-8",
)
(alias / "expected.yaml").write_text(
    yaml.safe_dump({"note": "alias bomb", "findings": [["yaml-unsafe", None, None]]}, default_flow_style=None)
)
# a descriptor nested 1,000 levels deep (a valid descriptor plus one deep key): composing it raised
# RecursionError (a traceback, no report), 100,000 levels crashed the process; refused before parsing
deep = ROOT / "yaml-deep-nesting"
(deep / "data").mkdir(parents=True, exist_ok=True)
(deep / "data" / "items.csv").write_text(CSV, encoding="utf-8")
text = yaml.safe_dump(cases["clean"][0], allow_unicode=True, sort_keys=False).replace(
    "name: clean\n", "name: yaml-deep-nesting\n", 1
)
(deep / "datapackage.yaml").write_text(text + "x_note: " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
(deep / "expected.yaml").write_text(
    yaml.safe_dump({"note": "nested 1,000 deep", "findings": [["yaml-unsafe", None, None]]}, default_flow_style=None)
)
print(len(cases) + 2, "cases")
