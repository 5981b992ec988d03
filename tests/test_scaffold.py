"""`govdata new`: a scaffold from an agency's file whose first check lists what is left to do."""

from __future__ import annotations

import subprocess
import sys

import yaml

from tests.conftest import copy_catalog
from tests.test_gate_corpus import _xlsx

CSV = ("序号,企业名称,统一社会信用代码,区划代码,处罚日期,罚款金额,处罚类别\n"
       + "".join(f"{i},杭州示例{i}号科技有限公司,91330106MA2B0000{i % 10}X,330106,2024-03-{i % 28 + 1:02d},{i * 100}.5,"
                 f"{'罚款' if i % 2 else '警告'}\n" for i in range(1, 41)))


def govdata(*args):
    return subprocess.run([sys.executable, "-m", "govdata", *args], capture_output=True, text=True)


def _fill(descriptor):
    data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    data.update({"title": "示例处罚", "title_en": "Sample penalties", "themes": ["credit"], "keywords": ["处罚"],
                 "description": "一个由 govdata new 生成并补全的数据集（合成数据，仅供演示），用于测试脚手架。",
                 "update_frequency": "monthly", "issued": "2024-01-01", "modified": "2024-04-01",
                 "review": {"reviewer": "审核员", "date": "2024-04-01", "basis": "保密审查制度"}})
    res = data["resources"][0]
    res["title"], res["description"] = "处罚", "每行一项处罚。"
    for f in res["schema"]["fields"]:
        f["description"] = f"{f['title']}。"
    descriptor.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_new_from_gb18030_csv(tmp_path):
    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions"])
    source = tmp_path / "处罚.csv"
    source.write_bytes(CSV.encode("gb18030"))
    result = govdata("new", str(source), "--publisher", "hz-amr", "--name", "hz-sample", "--root", str(root))
    assert result.returncode == 0, result.stderr
    descriptor = root / "datasets/hz-amr/hz-sample/datapackage.yaml"
    data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in data["resources"][0]["schema"]["fields"]}
    assert list(fields) == ["xu_hao", "qi_ye_ming_cheng", "tong_yi_she_hui_xin_yong_dai_ma", "qu_hua_dai_ma",
                            "chu_fa_ri_qi", "fa_kuan_jin_e", "chu_fa_lei_bie"]
    assert fields["qi_ye_ming_cheng"]["title"] == "企业名称"
    assert fields["qu_hua_dai_ma"]["type"] == "string" and fields["qu_hua_dai_ma"]["constraints"]["pattern"] == "^\\d{6}$"
    assert fields["chu_fa_ri_qi"]["type"] == "date" and fields["fa_kuan_jin_e"]["type"] == "number"
    assert fields["chu_fa_lei_bie"]["constraints"]["enum"] == ["罚款", "警告"]
    assert data["resources"][0]["schema"]["primaryKey"] == ["xu_hao"]
    assert data["resources"][0]["encoding"] == "gb18030"
    first = govdata("check", "--root", str(root), str(root / "datasets/hz-amr/hz-sample"), "--format", "json")
    assert first.returncode == 1
    assert "metadata-todo" in first.stdout
    _fill(descriptor)
    second = govdata("check", "--root", str(root), str(root / "datasets/hz-amr/hz-sample"), "--lang", "en")
    assert second.returncode == 0, second.stdout
    assert "40 rows read = 40 valid" in second.stdout


def test_new_from_excel_and_refusals(tmp_path):
    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions"])
    source = tmp_path / "licences.xlsx"
    _xlsx([["编号", "名称"], [1, "甲"], [2, "乙"]], source)
    assert govdata("new", str(source), "--publisher", "hz-amr", "--name", "hz-x", "--root", str(root)).returncode == 0
    data = yaml.safe_load((root / "datasets/hz-amr/hz-x/datapackage.yaml").read_text(encoding="utf-8"))
    assert data["resources"][0]["format"] == "xlsx"
    again = govdata("new", str(source), "--publisher", "hz-amr", "--name", "hz-x", "--root", str(root))
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = govdata("new", str(source), "--publisher", "nobody", "--name", "hz-y", "--root", str(root))
    assert bad.returncode == 1 and "not in catalog.yaml" in bad.stderr
