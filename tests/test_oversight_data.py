"""Oversight as data of the catalogue: event deadlines in working days, the annual-report tables and
their arithmetic, the gate's figures in the scorecards (a publisher's score moves when one of its
datasets fails the gate), the derived datasets gated and published like any other, and the links
policy ↔ interpretation ↔ data present both ways."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import json
import os
import shutil
import subprocess

import pytest

from govdata.oversight import annual, events, ledger, policylinks
from govdata.oversight import scorecard as sc
from tests.conftest import REPO, copy_catalog

D = dt.date
DAY = D(2026, 12, 2)


# ---- event deadlines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "made,published,days,late",
    [
        (D(2024, 2, 8), D(2024, 2, 19), 3, None),  # 9 Feb worked, 10–17 off, Sunday 18 Feb a make-up day
        (D(2025, 9, 26), D(2025, 10, 9), 4, None),  # Sunday 28 Sep worked, 1–8 Oct off
        (D(2025, 9, 30), D(2025, 10, 10), 2, None),  # 15 calendar days, 2 working days
        (D(2026, 2, 12), D(2026, 2, 25), 4, None),  # Saturday 14 Feb worked, 15–23 Feb off
        (D(2026, 2, 12), D(2026, 2, 27), 6, 1),  # the sixth working day: one too many
    ],
)
def test_policy_documents_within_five_working_days(made, published, days, late):
    e = events.measure(
        "policy-5",
        "x/doc",
        "t",
        "p",
        "issued",
        made.isoformat(),
        "a.issue_date",
        published.isoformat(),
        "a.publish_date",
    )
    assert (e.working_days, e.late_by, e.status, e.official_calendar) == (
        days,
        late,
        "late" if late else "on_time",
        True,
    )


def test_missing_dates_are_not_measurable_and_say_which():
    e = events.measure(
        "change-20",
        "x/doc",
        "t",
        "p",
        "validity:废止",
        "2020-01-01",
        "a.validity_changed",
        None,
        "a.validity_published",
    )
    assert (e.status, e.working_days, e.made, e.published, e.published_from) == (
        "not_measurable",
        None,
        "2020-01-01",
        None,
        "a.validity_published",
    )


def test_the_sample_policy_index_flagged_with_its_numbers():
    from govdata.catalog.loader import load

    catalog, _ = load(REPO)
    found = {(e.rule, e.subject): e for e in events.policy_events(catalog)}
    # 《政府信息公开条例》 2019: signed 3 April (Wednesday), published 15 April; 5–7 April 清明 off:
    # 4 Apr, 8–12 Apr, 15 Apr = 7 working days, 2 more than 5
    e = found[("policy-5", "zj-policy-documents/ref-001")]
    assert (e.made, e.published, e.working_days, e.late_by, e.status) == ("2019-04-03", "2019-04-15", 7, 2, "late")
    assert e.made_from == "zj-policy-documents/documents.issue_date"
    assert found[("policy-5", "zj-policy-documents/seed-002")].working_days == 1  # 15 → 16 June 2017
    assert found[("change-20", "zj-policy-documents/ref-003")].working_days == 7  # the 2007 text amended
    assert found[("policy-5", "zj-policy-documents/seed-001")].status == "not_measurable"


def _commit(repo, day: str, message: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": f"{day}T12:00:00",
        "GIT_COMMITTER_DATE": f"{day}T12:00:00",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.gov.cn",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.gov.cn",
    }
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", message], check=True, env=env)


def test_a_data_release_published_more_than_twenty_working_days_after_it_was_made(tmp_path):
    from govdata.catalog.loader import load

    root = copy_catalog(tmp_path / "repo", ["xh-schools"])
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _commit(root, "2025-06-01", "first publication")
    folder = root / "datasets" / "xh-edu" / "xh-schools"
    descriptor = folder / "datapackage.yaml"
    text = descriptor.read_text("utf-8")
    old = next(line for line in text.splitlines() if line.startswith("modified:"))
    descriptor.write_text(text.replace(old, 'modified: "2025-09-01"'), "utf-8")
    data = next((folder / "data").glob("*.csv"))
    lines = data.read_text("utf-8").splitlines(keepends=True)
    data.write_text("".join(lines[:-1]), "utf-8")  # one row withdrawn: a change of the data
    _commit(root, "2025-10-10", "release")
    catalog, _ = load(root)
    [e] = events.release_events(catalog)
    # 2–30 Sep: 21 weekdays + Sunday 28 Sep worked = 22; 1–8 Oct off; 9 and 10 Oct: 24 working days
    assert (e.subject, e.made, e.published, e.working_days, e.late_by, e.status) == (
        "xh-schools",
        "2025-09-01",
        "2025-10-10",
        24,
        4,
        "late",
    )
    assert e.made_from == "descriptor modified in the commit" and e.event.startswith("data-release:")


# ---- annual-report tables ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    from govdata.catalog.loader import load

    return load(REPO)[0]


def test_report_arithmetic_of_the_sample_input(catalog):
    cells, problems = annual.report(catalog, "xh-gov", 2025, releases=[], removed=[])
    assert problems == []
    v = {(c["table"], c["row"], c["column"]): c["value"] for c in cells}
    # recomputed by hand from reports/xh-gov/2025.yaml
    assert v[("三", "3.1", "total")] == 40 and v[("三", "3.2", "total")] == 3
    assert v[("三", "3.3.3", "natural")] == 2  # third-party interests 1 + process information 1
    assert v[("三", "3.3.7", "total")] == 38 and v[("三", "3.4", "total")] == 5
    for col in ("natural", "commercial", "research", "social", "legal", "other", "total"):
        assert v[("三", "3.1", col)] + v[("三", "3.2", col)] == v[("三", "3.3.7", col)] + v[("三", "3.4", col)]
    assert v[("四", "4", "review.total")] == 3 and v[("四", "4", "litigation_after_review.total")] == 0
    # rows: 一, 二, 三 (一)…(七) with 8 + 3 + 5 + 3 items, 四 = 29, by 7 columns
    assert (
        len([c for c in cells if c["table"] == "三"]) == 29 * 7 and len([c for c in cells if c["table"] == "四"]) == 15
    )


def test_report_arithmetic_catches_a_wrong_total_and_an_unbalanced_column(catalog):
    cells, _ = annual.report(catalog, "xh-gov", 2025, releases=[], removed=[])
    wrong = [
        dict(c, value=c["value"] + 1) if (c["table"], c["row"], c["column"]) == ("三", "3.3.4.1", "natural") else c
        for c in cells
    ]
    problems = annual.verify(wrong, "reports/xh-gov/2025.yaml")
    codes = {(p.code, p.row, p.field) for p in problems}
    assert ("report-sum", "3.3.4.1", "total") in codes  # the row's 总计
    assert ("report-sum", "3.3.4", "natural") in codes  # its heading
    appeals = [dict(c, value=9) if c["column"] == "review.total" else c for c in cells]
    assert [(p.code, p.row, p.field) for p in annual.verify(appeals)] == [("report-sum", "4", "review.total")]


def test_an_unbalanced_input_fails_the_gate_naming_file_row_and_column(tmp_path):
    from govdata.checks.runner import run_checks

    root = copy_catalog(tmp_path / "repo", ["zj-oversight-annual-report"])
    shutil.copytree(REPO / "reports", root / "reports")
    path = root / "reports" / "xh-gov" / "2025.yaml"
    path.write_text(
        path.read_text("utf-8").replace("carried_forward: {natural: 2,", "carried_forward: {natural: 3,"), "utf-8"
    )
    run = run_checks(root)
    try:
        [f] = [f for f in run.report.errors]
        assert f.code == "pipeline-error" and f.dataset == "zj-oversight-annual-report"
        assert "reports/xh-gov/2025.yaml row 3.1+3.2=3.3.7+3.4 column natural: report-balance" in f.message
    finally:
        run.close()


def test_table_two_counts_recomputed_from_the_data(catalog):
    cells, _ = annual.report(catalog, "hz-amr", 2024, releases=[], removed=[])
    v = {(c["row"], c["column"]): c for c in cells if c["table"] == "二"}
    folder = REPO / "datasets" / "hz-amr" / "hz-shuanggongshi" / "data"
    for row, file in (("2.3", "licences.csv"), ("2.4", "penalties.csv")):
        with (folder / file).open(encoding="utf-8") as f:
            by_hand = sum(r["decision_date"].startswith("2024") for r in csv.DictReader(f))
        assert v[(row, "decisions")]["value"] == by_hand > 0
        assert v[(row, "decisions")]["source"] == f"hz-shuanggongshi/{file[:-4]}.decision_date"
    assert v[("2.5", "decisions")]["value"] is None  # not in any catalogue, and not given


# ---- the derived datasets, the ledger and the scorecards ---------------------------------------


def test_derived_datasets_are_gated_published_and_listed(built, datasette_app):
    report = json.loads((built / "report.json").read_text("utf-8"))
    names = [
        "zj-oversight-timeliness",
        "zj-oversight-deadlines",
        "zj-oversight-scorecards",
        "zj-oversight-annual-report",
    ]
    assert set(names) <= set(report["datasets"])
    checked = {r["dataset"]: r for r in report["resources"]}
    assert all(checked[n]["rows_read"] == checked[n]["rows_valid"] > 0 for n in names)
    listed = {d["identifier"]: d for d in json.loads((built / "directory" / "data.json").read_text("utf-8"))["dataset"]}
    for name in names:
        assert any(x["downloadURL"].endswith(".csv") for x in listed[name]["distribution"])
        assert (built / "downloads" / name / "datapackage.json").is_file()

    async def get(path):
        return await datasette_app.client.get(path)

    rows = asyncio.run(get("/zj-oversight-timeliness/timeliness.json?_shape=array&status=overdue")).json()
    assert {"hz-air-quality-daily", "hz-shuanggongshi"} <= {r["dataset"] for r in rows}
    late = asyncio.run(get("/zj-oversight-deadlines/deadlines.json?_shape=array&status=late")).json()
    assert [(r["subject"], r["working_days"], r["late_by"]) for r in late if r["rule"] == "policy-5"] == [
        ("zj-policy-documents/ref-001", 7, 2)
    ]


def test_scorecard_columns_from_the_exports_and_the_ledger(built):
    import pyarrow.parquet as pq

    doc = json.loads((built / "directory" / "portal.json").read_text("utf-8"))
    gate = ledger.gate_stats(ledger.read(built.parent.parent))
    cards = sc.scorecards(doc, DAY, gate=gate)
    table = pq.read_table(built / "downloads" / "hz-budget-2025" / "expenditure.parquet")
    nulls = sum(table.column(i).null_count for i in range(table.num_columns))
    own = cards["hz-fin"]["own"]
    assert own["quality"]["missing_cells"] == nulls
    assert own["quality"]["missing_rate"] == round(nulls / (table.num_rows * table.num_columns), 4)
    assert own["quality"]["share_rows_valid"] == 1.0 and own["confidentiality"]["incidents"] == 0
    children: dict = {}
    for p in doc["publishers"]:
        children.setdefault(p.get("parent"), []).append(p["id"])
    for p in doc["publishers"]:  # a node is its own plus its children's subtrees, for the new columns too
        for part, key in (
            ("quality", "missing_cells"),
            ("quality", "measured_cells"),
            ("quality", "rows_read_at_gate"),
            ("quality", "rows_valid_at_gate"),
            ("confidentiality", "incidents"),
        ):
            assert cards[p["id"]]["tree"][part][key] == cards[p["id"]]["own"][part][key] + sum(
                cards[c]["tree"][part][key] for c in children.get(p["id"], [])
            ), (p["id"], key)
    assert sum(d["derived"] for d in doc["datasets"] if d["publisher"] == "zj-gov") == 4
    assert cards["zj-gov"]["own"]["quantity"]["datasets"] == 3  # the four derived datasets are not scored


def test_a_publishers_score_drops_when_one_of_its_datasets_fails_the_gate(tmp_path, monkeypatch):
    from govdata.errors import BuildError
    from govdata.publish.builder import build
    from govdata.serve.app import make_datasette

    monkeypatch.setenv("GOVDATA_TODAY", DAY.isoformat())
    root = copy_catalog(
        tmp_path / "repo", ["hz-shuanggongshi", "zj-admin-penalties", "zj-admin-divisions", "zj-oversight-scorecards"]
    )
    out = tmp_path / "out"
    build(root, out)
    served = make_datasette((out / "current").resolve())

    def card(pid):
        return asyncio.run(served.client.get("/oversight/scorecards.json")).json()["publishers"][pid]

    before = card("hz-amr")["own"]
    assert (before["quality"]["share_rows_valid"], before["confidentiality"]["incidents"]) == (1.0, 0)
    derived = (out / "current" / "downloads" / "zj-oversight-scorecards" / "scorecards.csv").read_text("utf-8")
    assert ",hz-amr,示例市市场监督管理局,city,own,1,2," in derived
    penalties = root / "datasets" / "hz-amr" / "hz-shuanggongshi" / "data" / "penalties.csv"
    lines = penalties.read_text("utf-8").splitlines(keepends=True)
    cells = lines[3].split(",")
    cells[4] = "11010519491231002X"  # violation_type: a resident identity number in the clear
    lines[3] = ",".join(cells)
    penalties.write_text("".join(lines), "utf-8")
    with pytest.raises(BuildError):
        build(root, out)
    after = card("hz-amr")["own"]  # the live build is unchanged; the ledger says what the gate caught
    assert after["quality"]["rows_read_at_gate"] == 2000 and after["quality"]["rows_valid_at_gate"] == 1999
    assert after["quality"]["share_rows_valid"] == round(1999 / 2000, 4)
    assert after["confidentiality"]["incidents"] >= 1 and after["confidentiality"]["datasets_failing_gate"] == 1
    assert card("zj-amr")["own"]["confidentiality"]["datasets_failing_gate"] == 0
    assert card("hz-gov")["tree"]["confidentiality"]["datasets_failing_gate"] == 1
    assert card("hz-amr")["own"]["norms"]["udata_score"] == before["norms"]["udata_score"]


# ---- policy ↔ interpretation ↔ data -----------------------------------------------------------


def test_links_present_both_ways(built, datasette_app):
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCTERMS

    g = Graph().parse(built / "directory" / "dcat-ap.ttl", format="turtle")
    base = "http://127.0.0.1:8001"
    doc = lambda key: URIRef(f"{base}/zj-policy-documents/documents/{key}")
    with (REPO / "datasets" / "zj-gov" / "zj-policy-documents" / "data" / "links.csv").open(encoding="utf-8") as f:
        links = list(csv.DictReader(f))
    assert len(links) >= 5
    for link in links:
        ds = URIRef(f"{base}/datasets/{link['dataset']}")
        assert (ds, DCTERMS.references, doc(link["doc_id"])) in g
        assert (doc(link["doc_id"]), DCTERMS.isReferencedBy, ds) in g
        assert (ds, DCTERMS.relation, doc(link["doc_id"])) in g and (doc(link["doc_id"]), DCTERMS.relation, ds) in g
    # an interpretation and its policy
    assert (doc("seed-000"), DCTERMS.references, doc("ref-001")) in g
    assert (doc("ref-001"), DCTERMS.isReferencedBy, doc("seed-000")) in g
    listed = {d["identifier"]: d for d in json.loads((built / "directory" / "data.json").read_text("utf-8"))["dataset"]}
    assert listed["hz-shuanggongshi"]["references"] == [str(doc("ref-001"))]

    async def page(path):
        return (await datasette_app.client.get(path)).text

    shuang = asyncio.run(page("/datasets/hz-shuanggongshi"))
    assert 'href="/zj-policy-documents/documents/ref-001"' in shuang and "效力：有效" in shuang
    assert 'href="/zj-policy-documents/documents/seed-000"' in shuang  # its interpretation
    index = asyncio.run(page("/datasets/zj-policy-documents"))
    assert 'href="/datasets/hz-shuanggongshi"' in index and "效力：已修改" in index and "效力：失效" in index
    row = asyncio.run(page("/zj-policy-documents/documents/ref-001"))
    assert "2019-04-15" in row and "links?doc_id=ref-001" in row  # the document's row: its links to data
    table = asyncio.run(page("/zj-policy-documents/links?doc_id=ref-001"))
    assert '<a href="/datasets/hz-shuanggongshi">hz-shuanggongshi</a>' in table  # and from there, the dataset


def test_every_link_names_a_dataset_of_the_catalogue(catalog):
    assert policylinks.unresolved(catalog) == []
    docs = policylinks.documents(catalog)
    assert docs["zj-policy-documents/ref-001"]["interpretations"] == ["zj-policy-documents/seed-000"]
    assert docs["zj-policy-documents/seed-004"]["interprets"] == "zj-policy-documents/ref-002"


def test_oversight_pages_show_labels_not_codes_in_both_languages(datasette_app):
    """The deadline checks' rules, events, statuses and date sources, and the annual report's
    headers, in words of the interface's language (the codes stay in the JSON and in title=)."""
    import re

    async def get(path, lang):
        return await datasette_app.client.get(path, headers={"Accept-Language": lang})

    def visible(html: str) -> str:
        return re.sub(r"<[^>]*>", " ", html.split("<main", 1)[-1])

    words = {
        "zh": ["新政策文件：成文后 5 个工作日内公开", "印发", "逾期", "按时", "规则", "效力变化：", "仓库中的提交日期"],
        "en": ["New policy document: public within 5 working days", "Issued", "Late", "On time", "Rule"],
    }
    for lang, expected in words.items():
        page = asyncio.run(get("/oversight/deadlines", lang))
        assert page.status_code == 200
        text = visible(page.text)
        for code in ("policy-5", "change-20", "on_time", "not_measurable", "data-release", "validity:"):
            assert code not in text, (lang, code)
        cells = visible(page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0])
        assert not re.search(r"\b(late|issued)\b", cells), lang
        for word in expected:
            assert word in text, (lang, word)
        assert 'title="policy-5"' in page.text
        report = visible(asyncio.run(get("/oversight/annual-report/xh-gov/2025", lang)).text)
        assert ("行号" in report) == (lang == "zh") and ("Row" in report) == (lang == "en")
        # the format's own headings and labels follow the language (judge P21), the data does not
        for zh, en in (
            ("主动公开政府信息情况", "Information disclosed proactively"),
            ("第二十条第（一）项 规章", "Art. 20 (1) Rules"),
            ("本年制发件数", "Issued this year"),
            ("本年新开放数据集", "Datasets opened this year"),
        ):
            assert (zh in report, en in report) == ((True, False) if lang == "zh" else (False, True)), (lang, zh)
        listing = visible(asyncio.run(get("/oversight/annual-report", lang)).text)
        assert ("Parts 3 and 4" in listing) == (lang == "en")


def test_annual_report_page_csv_and_xlsx(datasette_app, tmp_path):
    from python_calamine import CalamineWorkbook

    async def get(path):
        return await datasette_app.client.get(path)

    page = asyncio.run(get("/oversight/annual-report/xh-gov/2025"))
    assert page.status_code == 200 and "（七）总计" in page.text and "行政复议" in page.text
    rows = list(
        csv.DictReader(asyncio.run(get("/oversight/annual-report/xh-gov/2025.csv")).text.lstrip("\ufeff").splitlines())
    )
    total = next(r for r in rows if (r["table"], r["row"], r["column"]) == ("三", "3.3.7", "total"))
    assert float(total["value"]) == 38
    path = tmp_path / "report.xlsx"
    path.write_bytes(asyncio.run(get("/oversight/annual-report/xh-gov/2025.xlsx")).content)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["二 主动公开", "三 依申请公开", "四 复议诉讼"]
    first = book.get_sheet_by_name("三 依申请公开").to_python()[1]
    assert first[:2] == ["3.1", "一、本年新收政府信息公开申请数量"] and first[-1] == 40
    assert asyncio.run(get("/oversight/annual-report/nobody/2025")).status_code == 404


def test_derived_keys_follow_the_day_the_other_datasets_and_the_report_inputs(tmp_path):
    from govdata.catalog.loader import load
    from govdata.oversight import derived
    from govdata.publish.incremental import dataset_keys

    root = copy_catalog(tmp_path / "repo", ["xh-schools", "zj-oversight-annual-report"])
    shutil.copytree(REPO / "reports", root / "reports")
    catalog, _ = load(root)
    keys = dataset_keys(catalog)
    first = derived.keys(catalog, keys, DAY)
    assert set(first) == {"zj-oversight-annual-report"}
    assert derived.keys(catalog, keys, DAY) == first
    assert derived.keys(catalog, keys, DAY + dt.timedelta(days=1)) != first
    assert derived.keys(catalog, {**keys, "xh-schools": "changed"}, DAY) != first
    report = root / "reports" / "xh-gov" / "2025.yaml"
    report.write_text(report.read_text("utf-8").replace("fees_10k_yuan: 0 ", "fees_10k_yuan: 1.5 "), "utf-8")
    assert derived.keys(catalog, keys, DAY) != first


def test_an_empty_derived_table_is_published_with_its_header(tmp_path):
    from govdata.pipelines import run_pipeline

    root = copy_catalog(tmp_path / "repo", ["xh-schools", "zj-oversight-deadlines"])  # no policy index, no history
    out = tmp_path / "deadlines.csv"
    folder = root / "datasets" / "zj-gov" / "zj-oversight-deadlines"
    assert run_pipeline(root, "oversight", folder, out, {"table": "deadlines"}) == 0
    assert out.read_text("utf-8").splitlines() == [
        "rule,subject,title,publisher,event,made,made_from,published,published_from,working_days,late_by,status,"
        "official_calendar,limit_days"
    ]
