"""What changed between two releases of a dataset.

- :func:`schema_diff`: per resource, fields added, dropped, renamed, retyped, constraints changed,
  primary and foreign keys changed; resources added and removed. A rename is a dropped and an
  added field of the same type with the same non-empty title (the Chinese title usually outlives a
  renamed identifier), or the only dropped and the only added field at the same position.
- :func:`row_diff`: rows added, removed and changed by primary key (the new key, mapped through the
  renames), with the changed fields, from the two releases' Parquet files in one DuckDB
  ``FULL OUTER JOIN``. Only fields present in both releases are compared (added and dropped
  fields are the schema diff's). Without a key common to both, rows are compared whole
  (``EXCEPT ALL``: added and removed, no "changed"). The rows are written to a CSV, ordered, so
  that the same two releases always give the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govdata.sql import ident, lit

CHANGE_COLUMNS = ("_change", "_changed_fields", "_detail")


def _pk(schema: dict[str, Any]) -> list[str]:
    pk = schema.get("primaryKey") or []
    return [pk] if isinstance(pk, str) else list(pk)


def _constraints(field: dict[str, Any]) -> dict[str, Any]:
    return dict(field.get("constraints") or {})


def _renames(
    dropped: list[dict], added: list[dict], old_pos: dict[str, int], new_pos: dict[str, int]
) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for old in list(dropped):
        match = next(
            (
                new
                for new in added
                if new.get("title")
                and new.get("title") == old.get("title")
                and new.get("type", "any") == old.get("type", "any")
            ),
            None,
        )
        if match is not None:
            pairs.append((old["name"], match["name"]))
            dropped.remove(old)
            added.remove(match)
    if (
        len(dropped) == 1
        and len(added) == 1
        and dropped[0].get("type", "any") == added[0].get("type", "any")
        and old_pos[dropped[0]["name"]] == new_pos[added[0]["name"]]
    ):
        pairs.append((dropped[0]["name"], added[0]["name"]))
        dropped.clear()
        added.clear()
    return pairs


def resource_schema_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    before = {f["name"]: f for f in old.get("fields") or []}
    after = {f["name"]: f for f in new.get("fields") or []}
    dropped = [f for n, f in before.items() if n not in after]
    added = [f for n, f in after.items() if n not in before]
    renamed = _renames(dropped, added, {n: i for i, n in enumerate(before)}, {n: i for i, n in enumerate(after)})
    pairs = [(n, n) for n in before if n in after] + renamed
    retyped, constraints = [], []
    for o, n in pairs:
        t0, t1 = before[o].get("type", "any"), after[n].get("type", "any")
        if t0 != t1:
            retyped.append({"field": n, "from": t0, "to": t1})
        c0, c1 = _constraints(before[o]), _constraints(after[n])
        if c0 != c1:
            constraints.append({"field": n, "from": c0, "to": c1})
    out: dict[str, Any] = {
        "added": [{"field": f["name"], "type": f.get("type", "any")} for f in added],
        "dropped": [{"field": f["name"], "type": f.get("type", "any")} for f in dropped],
        "renamed": [{"from": o, "to": n} for o, n in renamed],
        "retyped": retyped,
        "constraints": constraints,
        "primary_key": {"from": _pk(old), "to": _pk(new)} if _pk(old) != _pk(new) else None,
        "foreign_keys": (
            {"from": old.get("foreignKeys") or [], "to": new.get("foreignKeys") or []}
            if (old.get("foreignKeys") or []) != (new.get("foreignKeys") or [])
            else None
        ),
    }
    out["breaking"] = bool(out["dropped"] or out["renamed"] or out["retyped"] or out["primary_key"])
    out["changed"] = any(
        out[k] for k in ("added", "dropped", "renamed", "retyped", "constraints", "primary_key", "foreign_keys")
    )
    return out


def schema_diff(old: dict[str, dict], new: dict[str, dict]) -> dict[str, Any]:
    """``old``/``new``: resource name → normalised Table Schema."""
    resources = {name: resource_schema_diff(old[name], new[name]) for name in new if name in old}
    return {
        "resources_added": [n for n in new if n not in old],
        "resources_removed": [n for n in old if n not in new],
        "resources": resources,
        "breaking": any(r["breaking"] for r in resources.values()) or any(n not in new for n in old),
    }


def _col(alias: str, name: str) -> str:
    return f"{alias}.{ident(name)}"


def row_diff(
    con,
    old_parquet: Path,
    new_parquet: Path,
    old_schema: dict[str, Any],
    new_schema: dict[str, Any],
    sdiff: dict[str, Any],
    out_csv: Path,
) -> dict[str, Any]:
    """Counts of rows added, removed and changed (and per changed field) between two Parquet files
    of one resource; the rows themselves into ``out_csv``."""
    back = {r["to"]: r["from"] for r in sdiff.get("renamed") or []}
    old_names = {f["name"] for f in old_schema.get("fields") or []}
    new_fields = [f["name"] for f in new_schema.get("fields") or []]
    common = [(back.get(n, n), n) for n in new_fields if back.get(n, n) in old_names]  # (old name, new name)
    key = [k for k in _pk(new_schema) if back.get(k, k) in old_names]
    retyped = {r["field"] for r in sdiff.get("retyped") or []}
    old_sql, new_sql = f"read_parquet({lit(str(old_parquet))})", f"read_parquet({lit(str(new_parquet))})"
    summary: dict[str, Any] = {
        "key": key,
        "compared": [n for _, n in common],
        "added": 0,
        "removed": 0,
        "changed": 0,
        "fields": {},
    }
    if key and len(key) == len(_pk(new_schema)):
        _keyed(con, old_sql, new_sql, common, key, back, retyped, out_csv, summary)
    else:
        summary["key"] = []
        _whole_rows(con, old_sql, new_sql, common, out_csv, summary)
    return summary


def _keyed(
    con,
    old_sql: str,
    new_sql: str,
    common: list[tuple[str, str]],
    key: list[str],
    back: dict[str, str],
    retyped: set[str],
    out_csv: Path,
    summary: dict[str, Any],
) -> None:
    def differs(o: str, n: str) -> str:
        a, b = _col("o", o), _col("n", n)
        if n in retyped:
            a, b = f"CAST({a} AS VARCHAR)", f"CAST({b} AS VARCHAR)"
        return f"{a} IS DISTINCT FROM {b}"

    values = [(o, n) for o, n in common if n not in key]
    join = " AND ".join(f"{_col('o', back.get(k, k))} = {_col('n', k)}" for k in key)
    keys = ", ".join(
        f"CASE WHEN n.__n THEN {_col('n', k)} ELSE {_col('o', back.get(k, k))} END AS {ident(k)}" for k in key
    )
    items = ", ".join(
        f"CASE WHEN {differs(o, n)} THEN {{'field': {lit(n)}, 'before': CAST({_col('o', o)} AS VARCHAR), "
        f"'after': CAST({_col('n', n)} AS VARCHAR)}} END"
        for o, n in values
    )
    changed = " OR ".join(differs(o, n) for o, n in values) or "false"
    diffs = f"list_filter([{items}], lambda x: x IS NOT NULL)" if values else "[]"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE __diff AS
        SELECT CASE WHEN o.__o IS NULL THEN 'added' WHEN n.__n IS NULL THEN 'removed' ELSE 'changed' END AS _change,
               {keys},
               CASE WHEN o.__o AND n.__n THEN {diffs} END AS __diffs
        FROM (SELECT *, true AS __o FROM {old_sql}) o FULL OUTER JOIN (SELECT *, true AS __n FROM {new_sql}) n ON {join}
        WHERE o.__o IS NULL OR n.__n IS NULL OR ({changed})""")
    try:
        for change, count in con.execute("SELECT _change, count(*) FROM __diff GROUP BY 1").fetchall():
            summary[change] = count
        summary["fields"] = dict(
            sorted(
                con.execute(
                    "SELECT d.field, count(*) FROM (SELECT unnest(__diffs) AS d FROM __diff WHERE _change = 'changed') "
                    "GROUP BY 1"
                ).fetchall()
            )
        )
        order = ", ".join(ident(k) for k in key)
        con.execute(f"""COPY (SELECT _change, {", ".join(ident(k) for k in key)},
                   array_to_string(list_transform(__diffs, lambda x: x.field), ';') AS _changed_fields,
                   CASE WHEN _change = 'changed' THEN to_json(__diffs) END AS _detail
                   FROM __diff ORDER BY _change, {order})
            TO {lit(str(out_csv))} (FORMAT csv, HEADER true)""")
    finally:
        con.execute("DROP TABLE IF EXISTS __diff")


def _whole_rows(
    con, old_sql: str, new_sql: str, common: list[tuple[str, str]], out_csv: Path, summary: dict[str, Any]
) -> None:
    old_cols = ", ".join(f"{ident(o)} AS {ident(n)}" for o, n in common)
    new_cols = ", ".join(ident(n) for _, n in common)
    if not common:
        out_csv.write_text("_change\n", encoding="utf-8")
        return
    con.execute(f"""CREATE OR REPLACE TEMP TABLE __diff AS
        SELECT 'added' AS _change, * FROM (SELECT {new_cols} FROM {new_sql} EXCEPT ALL SELECT {old_cols} FROM {old_sql})
        UNION ALL
        SELECT 'removed' AS _change, * FROM (SELECT {old_cols} FROM {old_sql} EXCEPT ALL SELECT {new_cols} FROM {new_sql})""")
    try:
        for change, count in con.execute("SELECT _change, count(*) FROM __diff GROUP BY 1").fetchall():
            summary[change] = count
        con.execute(f"COPY (SELECT * FROM __diff ORDER BY ALL) TO {lit(str(out_csv))} (FORMAT csv, HEADER true)")
    finally:
        con.execute("DROP TABLE IF EXISTS __diff")


def counts_line(diff: dict[str, Any]) -> dict[str, int]:
    """Totals over the resources of a release diff: added, removed, changed rows."""
    rows = (diff.get("rows") or {}).values()
    return {k: sum(int(r.get(k) or 0) for r in rows) for k in ("added", "removed", "changed")}


def summary(diff: dict[str, Any] | None, rows: int = 0) -> str:
    """Release notes written from the diff when nobody wrote any, in Chinese then English:
    "fees：新增 1 行，修改 2 行（fee 2）；新增字段 unit / fees: 1 row added, 2 changed (fee 2); field unit added".
    ``None`` (a first release): its row count."""
    if diff is None:
        return f"首次发布：{rows:,} 行 / first release: {rows:,} rows"
    zh: list[str] = [f"新增资源 {r}" for r in diff["schema"].get("resources_added") or []]
    en: list[str] = [f"resource {r} added" for r in diff["schema"].get("resources_added") or []]
    zh += [f"删除资源 {r}" for r in diff["schema"].get("resources_removed") or []]
    en += [f"resource {r} removed" for r in diff["schema"].get("resources_removed") or []]
    resources = diff["schema"].get("resources") or {}
    for res in sorted(set(resources) | set(diff.get("rows") or {})):
        r, s = (diff.get("rows") or {}).get(res) or {}, resources.get(res) or {}
        z, e = [], []
        for key, word, label in (
            ("added", "新增", "added"),
            ("removed", "删除", "removed"),
            ("changed", "修改", "changed"),
        ):
            if r.get(key):
                fields = ", ".join(f"{f} {n}" for f, n in sorted((r.get("fields") or {}).items()))
                tail = f"（{fields}）" if key == "changed" and fields else ""
                z.append(f"{word} {r[key]:,} 行{tail}")
                e.append(f"{r[key]:,} row{'s' if r[key] != 1 else ''} {label}{f' ({fields})' if tail else ''}")
        for key, word, label in (("added", "新增字段", "added"), ("dropped", "删除字段", "dropped")):
            for f in s.get(key) or []:
                z.append(f"{word} {f['field']}")
                e.append(f"field {f['field']} {label}")
        for f in s.get("renamed") or []:
            z.append(f"字段 {f['from']} 改名为 {f['to']}")
            e.append(f"field {f['from']} renamed {f['to']}")
        for f in s.get("retyped") or []:
            z.append(f"字段 {f['field']} 类型 {f['from']} → {f['to']}")
            e.append(f"field {f['field']} {f['from']} → {f['to']}")
        if s.get("constraints"):
            z.append(f"{len(s['constraints'])} 个字段的约束变化")
            e.append(f"constraints of {len(s['constraints'])} field{'s' if len(s['constraints']) != 1 else ''} changed")
        if s.get("primary_key") or s.get("foreign_keys"):
            z.append("键变化")
            e.append("keys changed")
        if z:
            zh.append(f"{res}：{'，'.join(z)}")
            en.append(f"{res}: {', '.join(e)}")
    if not zh:
        return "数据未变，版本号更新 / same data, new version"
    return f"{'；'.join(zh)} / {'; '.join(en)}"


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
