"""Plain HTML pages of the directory: the dataset index and one landing page per dataset."""

from __future__ import annotations

import html
from typing import Any


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


HEAD = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
        '<style>body{{font-family:system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;max-width:60rem;margin:auto;'
        'padding:1rem;line-height:1.6}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.25rem .5rem;'
        'text-align:left}}</style>{extra}</head><body>')


def index_html(data: dict[str, Any]) -> str:
    rows = "".join(
        f'<tr><td><a href="/datasets/{_e(d["identifier"])}">{_e(d["title"])}</a></td>'
        f'<td>{_e(d["publisher"]["name"])}</td><td>{_e(d["accessLevel"])}</td><td>{_e(d.get("modified"))}</td></tr>'
        for d in data["dataset"]
    )
    return (HEAD.format(title="数据目录 / Datasets", extra="")
            + "<h1>数据目录 / Datasets</h1><p><a href=\"/\">Datasette</a> · <a href=\"/data.json\">data.json</a></p>"
            + f"<table><tr><th>名称</th><th>提供方</th><th>开放属性</th><th>更新</th></tr>{rows}</table></body></html>")


def _jsonld(data: dict[str, Any]) -> str:
    import json

    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return f'<script type="application/ld+json">{text}</script>'


def dataset_html(dp: dict[str, Any], schema_org: dict[str, Any] | None = None) -> str:
    name = dp["name"]
    oc = dp.get("open_condition", {})
    links = (f'<link rel="alternate" type="application/json" href="/downloads/{_e(name)}/datapackage.json">'
             f'<link rel="alternate" type="application/ld+json" href="/downloads/{_e(name)}/dcat-ap.jsonld">')
    parts = [HEAD.format(title=_e(dp["title"]), extra=links + (_jsonld(schema_org) if schema_org else "")),
             f"<h1>{_e(dp['title'])}</h1>"]
    if dp.get("title_en"):
        parts.append(f"<p><em>{_e(dp['title_en'])}</em></p>")
    parts.append(f"<p>{_e(' '.join(dp.get('description', '').split()))}</p>")
    parts.append("<table>")
    for label, value in (("开放属性 Open condition", oc.get("type")), ("条件 Conditions", oc.get("conditions")),
                         ("依据 Legal basis", oc.get("legal_basis")), ("版本 Version", dp.get("version")),
                         ("更新周期 Frequency", dp.get("update_frequency")), ("更新 Modified", dp.get("modified"))):
        if value:
            parts.append(f"<tr><th>{label}</th><td>{_e(value)}</td></tr>")
    parts.append("</table><h2>资源 Resources</h2>")
    for res in dp.get("resources", []):
        parts.append(f"<h3>{_e(res.get('title') or res['name'])}</h3>")
        if res.get("path"):
            parts.append(f'<p><a href="/{_e(name)}/{_e(res["name"])}">浏览 Browse</a> · '
                         f'<a href="/downloads/{_e(name)}/{_e(res["path"])}">CSV</a> ({res.get("bytes")} bytes, {_e(res.get("hash"))}) · '
                         f'<a href="/downloads/{_e(name)}/{_e(res["x-parquet"]["path"])}">Parquet</a></p>')
        fields = "".join(f"<tr><td><code>{_e(f['name'])}</code></td><td>{_e(f.get('type'))}</td>"
                         f"<td>{_e(f.get('title'))}</td><td>{_e(f.get('description'))}</td></tr>"
                         for f in res.get("schema", {}).get("fields", []))
        parts.append(f"<table><tr><th>字段</th><th>类型</th><th>标题</th><th>说明</th></tr>{fields}</table>")
    parts.append(f'<p><a href="/downloads/{_e(name)}/datapackage.json">datapackage.json</a></p></body></html>')
    return "".join(parts)
