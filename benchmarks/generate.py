"""Deterministic generator of realistic administrative-penalty records at any row count.

The rows are a pure function of the row number (DuckDB ``hash``), so the same N always gives
byte-identical files, and 10 million rows take seconds. Nine columns as in
docs/performance.md: integer id, unified social credit code, Chinese company name, 6-digit
region code, Chinese enum category and status, ISO date, decimal amount ≥ 0, Chinese text.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb

REGIONS = ["330102", "330105", "330106", "330108", "330109", "330110", "330111", "330122", "330127", "330182"]
CATEGORIES = ["警告", "罚款", "没收违法所得", "责令停产停业", "暂扣或者吊销许可证", "通报批评", "其他"]
STATUSES = ["已执行", "执行中", "已撤销", "复议中"]
WORDS = ["云帆", "青禾", "远景", "华信", "东湖", "西溪", "恒达", "万通", "明德", "新禾", "瑞丰", "正泰"]
TRADES = ["科技有限公司", "食品有限公司", "建材有限公司", "贸易有限公司", "餐饮管理有限公司", "物流有限公司"]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True}},
        {"name": "party_uscc", "type": "string",
         "constraints": {"required": True, "pattern": "^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"}},
        {"name": "party_name", "type": "string", "constraints": {"required": True}},
        {"name": "region_code", "type": "string", "constraints": {"pattern": "^\\d{6}$"}},
        {"name": "category", "type": "string", "constraints": {"enum": CATEGORIES}},
        {"name": "status", "type": "string", "constraints": {"enum": STATUSES}},
        {"name": "decision_date", "type": "date"},
        {"name": "fine_amount", "type": "number", "constraints": {"minimum": 0}},
        {"name": "note", "type": "string"},
    ],
    "primaryKey": ["id"],
}


def _pick(values: list[str], expr: str) -> str:
    items = ", ".join("'" + v + "'" for v in values)
    return f"list_extract([{items}], CAST(({expr}) % {len(values)} AS BIGINT) + 1)"


def generate(rows: int, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / f"penalties-{rows}.csv"
    schema_path = out / "penalties.schema.json"
    schema_path.write_text(json.dumps(SCHEMA, ensure_ascii=False, indent=1), encoding="utf-8")
    if csv_path.exists():
        return csv_path, schema_path
    h = "hash(i)"
    alnum = " || ".join(_pick(list(ALPHABET), f"hash(i * 31 + {k})") for k in range(10))
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order=true")
    con.execute(f"""
        COPY (
          SELECT i + 1 AS id,
                 '91' || {_pick(REGIONS, h)} || {alnum} AS party_uscc,
                 '杭州' || {_pick(WORDS, f'{h} // 7')} || {_pick(WORDS, f'{h} // 13')} || {_pick(TRADES, f'{h} // 17')} AS party_name,
                 {_pick(REGIONS, f'{h} // 19')} AS region_code,
                 {_pick(CATEGORIES, f'{h} // 23')} AS category,
                 {_pick(STATUSES, f'{h} // 29')} AS status,
                 strftime(DATE '2015-01-01' + CAST(({h} // 31) % 3650 AS INTEGER), '%Y-%m-%d') AS decision_date,
                 round(CAST(({h} // 37) % 5000000 AS DOUBLE) / 100, 2) AS fine_amount,
                 '当事人' || {_pick(WORDS, f'{h} // 41')} || '未按规定履行' || {_pick(["食品安全", "价格公示", "广告审查", "计量"], f'{h} // 43')} || '义务，依法予以处罚。' AS note
          FROM range({rows}) t(i) ORDER BY i
        ) TO '{csv_path}' (FORMAT csv, HEADER true)
    """)
    return csv_path, schema_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/data"))
    args = parser.parse_args()
    csv_path, _ = generate(args.rows, args.out)
    print(csv_path)


if __name__ == "__main__":
    main()
