"""Core metadata of the national catalogue guide (政务信息资源目录编制指南, 2017):
分类, 名称, 代码, 提供方, 提供方代码, 摘要, 格式, 信息项, 共享属性, 开放属性, 更新周期,
发布日期, 关联资源代码 — as JSON and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from govdata.directory.record import FREQUENCY_ZH, OPEN_ZH, Record

FORMAT_VERSION = "1.0"
SHARE_ZH = {"unconditional": "无条件共享", "conditional": "有条件共享", "not_open": "不予共享"}
TYPE_ZH = {
    "string": "字符型",
    "integer": "数值型",
    "number": "数值型",
    "boolean": "布尔型",
    "date": "日期型",
    "datetime": "日期时间型",
    "time": "时间型",
    "year": "日期型",
    "yearmonth": "日期型",
}
COLUMNS = [
    "分类",
    "名称",
    "代码",
    "提供方",
    "提供方代码",
    "摘要",
    "格式",
    "信息项",
    "共享属性",
    "开放属性",
    "更新周期",
    "发布日期",
    "关联资源代码",
]


def resource_code(rec: Record) -> str:
    return f"{rec.publisher[-1]['code']}/{rec.id}"


def entry(rec: Record, codes: dict[str, str]) -> dict[str, Any]:
    pub = rec.publisher[-1]
    return {
        "分类": [t["title"] for t in rec.themes],
        "名称": rec.title,
        "代码": resource_code(rec),
        "提供方": pub["name"],
        "提供方代码": pub["code"],
        "摘要": rec.description,
        "格式": sorted({d.format for d in rec.distributions}) or ["—"],
        "信息项": [
            {"名称": f.get("title") or f["name"], "字段": f["name"], "类型": TYPE_ZH.get(f["type"], "字符型")}
            for r in rec.resources
            for f in r["fields"]
        ],
        "共享属性": SHARE_ZH[rec.open_condition],
        "开放属性": OPEN_ZH[rec.open_condition],
        "更新周期": FREQUENCY_ZH.get(rec.frequency, rec.frequency),
        "发布日期": rec.issued,
        "关联资源代码": [codes[r] for r in rec.related if r in codes],
    }


def document(records: list[Record]) -> dict[str, Any]:
    codes = {r.id: resource_code(r) for r in records}
    return {
        "format": "政务信息资源目录核心元数据",
        "format_version": FORMAT_VERSION,
        "entries": [entry(r, codes) for r in records],
    }


def to_csv(doc: dict[str, Any]) -> str:
    return csv_header() + "".join(csv_row(e) for e in doc["entries"])


def csv_header() -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(COLUMNS)
    return buf.getvalue()


def csv_row(e: dict[str, Any]) -> str:
    """One entry as a CSV line."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(
        [
            "；".join(e["分类"]),
            e["名称"],
            e["代码"],
            e["提供方"],
            e["提供方代码"],
            e["摘要"],
            "；".join(e["格式"]),
            "；".join(f"{i['名称']}({i['类型']})" for i in e["信息项"]),
            e["共享属性"],
            e["开放属性"],
            e["更新周期"],
            e["发布日期"],
            "；".join(e["关联资源代码"]),
        ]
    )
    return buf.getvalue()
