"""A sample dataset released four times in a git repository (for tests/test_releases.py and
benchmarks): 1.0.0; 1.0.1 a value changed; 1.1.0 a column and a row added; 2.0.0 a column
renamed (a breaking change, major bump) and a row removed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAME = "vt-sample"
FOLDER = Path("datasets") / "xh-edu" / NAME

DESCRIPTOR = """name: vt-sample
title: 示例区行政事业性收费项目
description: 示例区行政事业性收费项目及标准（合成数据，仅供演示），用于测试版本历史。
version: {version}
{notes}publisher: xh-edu
themes: [education]
keywords: [收费项目]
licenses: [{{name: CC-BY-4.0}}]
open_condition: {{type: unconditional}}
update_frequency: annual
issued: "2024-10-15"
modified: "{modified}"
contact: {{name: 基础教育科, email: jiaoyu@xh.example.gov.cn}}
review:
  reviewer: 基础教育科 保密审查员
  date: "2024-10-12"
  basis: 《中华人民共和国政府信息公开条例》第十五条。合成数据，不含个人信息。
resources:
  - name: fees
    title: 收费项目
    path: data/fees.csv
    format: csv
    encoding: utf-8
    schema:
      primaryKey: [code]
      fields:
        - {{name: code, type: string, title: 项目编码, constraints: {{required: true, unique: true}}}}
        - {{name: item, type: string, title: 项目名称}}
        - {{name: {amount}, type: integer, title: 收费金额}}
{extra}"""

UNIT = "        - {name: unit, type: string, title: 计费单位}\n"
ROWS = [("A", "甲", 10), ("B", "乙", 20), ("C", "丙", 30), ("D", "丁", 40), ("E", "戊", 50)]

# (version, notes, commit message, descriptor keys, rows)
RELEASES = [
    ("1.0.0", None, "首次发布收费项目", {"amount": "amount", "extra": ""}, [r + ("",) for r in ROWS]),
    (
        "1.0.1",
        "更正乙项目的收费金额",
        "更正乙项目收费金额",
        {"amount": "amount", "extra": ""},
        [(c, i, 25 if c == "B" else a, "") for c, i, a in ROWS],
    ),
    (
        "1.1.0",
        "新增计费单位列和己项目",
        "新增计费单位",
        {"amount": "amount", "extra": UNIT},
        [(c, i, 25 if c == "B" else a, "元/次") for c, i, a in ROWS] + [("F", "己", 60, "元/次")],
    ),
    (
        "2.0.0",
        "金额字段改名为 fee；取消甲项目",
        "字段改名（不兼容）",
        {"amount": "fee", "extra": UNIT},
        [(c, i, 25 if c == "B" else a, "元/次") for c, i, a in ROWS if c != "A"] + [("F", "己", 60, "元/次")],
    ),
]


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "测试",
        "GIT_AUTHOR_EMAIL": "t@example.gov.cn",
        "GIT_COMMITTER_NAME": "测试",
        "GIT_COMMITTER_EMAIL": "t@example.gov.cn",
    }
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def init(repo: Path) -> None:
    """catalog.yaml, the shared schemas and pipelines of the repository, no dataset, in a new git repository."""
    repo.mkdir(parents=True)
    shutil.copy(REPO / "catalog.yaml", repo / "catalog.yaml")
    for folder in ("schemas", "pipelines"):
        shutil.copytree(REPO / folder, repo / folder)
    (repo / ".gitignore").write_text("_build/\n", encoding="utf-8")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "目录")


def write_release(repo: Path, index: int, when: str | None = None) -> str:
    """Write release ``index`` of RELEASES and commit it (committer date ``when``); return the commit."""
    version, notes, message, keys, rows = RELEASES[index]
    folder = repo / FOLDER
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.yaml").write_text(
        DESCRIPTOR.format(
            version=version,
            notes=f"version_notes: {notes}\n" if notes else "",
            modified=f"2025-0{index + 1}-01",
            **keys,
        ),
        encoding="utf-8",
    )
    header = ["code", "item", keys["amount"]] + (["unit"] if keys["extra"] else [])
    lines = [",".join(header)] + [",".join(str(v) for v in r[: len(header)]) for r in rows]
    (folder / "data" / "fees.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(repo, "add", "-A")
    date = when or f"2025-0{index + 1}-01T09:00:00+08:00"
    env_date = {"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date}
    subprocess.run(
        ["git", "-C", str(repo), "commit", "--quiet", "-m", message],
        check=True,
        capture_output=True,
        env={
            **os.environ,
            **env_date,
            "GIT_AUTHOR_NAME": "测试",
            "GIT_AUTHOR_EMAIL": "t@example.gov.cn",
            "GIT_COMMITTER_NAME": "测试",
            "GIT_COMMITTER_EMAIL": "t@example.gov.cn",
        },
    )
    return git(repo, "rev-parse", "HEAD").strip()
