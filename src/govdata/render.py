"""Rendering a check report: text (zh/en), json, GitHub workflow annotations, markdown."""

from __future__ import annotations

import re

from govdata.codes import CODES
from govdata.findings import Finding, Report

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def _title(f: Finding, lang: str) -> str:
    c = CODES[f.code]
    return c.title_zh if lang == "zh" else c.title_en


def _hint(f: Finding, lang: str) -> str:
    c = CODES[f.code]
    return c.hint_zh if lang == "zh" else c.hint_en


def text(report: Report, lang: str = "zh") -> str:
    lines = []
    for f in report.findings:
        sev = SEVERITY_ZH[f.severity] if lang == "zh" else f.severity
        lines.append(f"{f.location()}: {sev} [{f.code}] {_title(f, lang)}: {f.text(lang)}")
        if f.is_error:
            lines.append(f"    {'修正' if lang == 'zh' else 'fix'}: {_hint(f, lang)}")
    for n in report.notices:
        lines.append(f"{n.file or '-'}: {'提示' if lang == 'zh' else 'notice'}: {n.text(lang)}")
    for s in report.stats:
        if lang == "zh":
            lines.append(f"{s.file}: 读取 {s.rows_read} 行 = 有效 {s.rows_valid} 行 + 有问题 {s.rows_with_findings} 行")
        else:
            lines.append(
                f"{s.file}: {s.rows_read} rows read = {s.rows_valid} valid + {s.rows_with_findings} with findings"
            )
    n_err, n_warn = len(report.errors), len(report.warnings)
    n_ds = len(report.datasets_checked)
    if lang == "zh":
        verdict = "通过" if report.ok else "未通过"
        lines.append(f"检查了 {n_ds} 个数据集：{n_err} 个错误，{n_warn} 个警告 —— {verdict}")
    else:
        verdict = "passed" if report.ok else "failed"
        lines.append(f"checked {n_ds} dataset(s): {n_err} error(s), {n_warn} warning(s) — {verdict}")
    return "\n".join(lines)


def _escape_gh(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(report: Report, lang: str = "zh") -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
    for f in report.findings:
        props = []
        if f.file:
            props.append(f"file={_escape_gh(f.file, True)}")
        if f.line:
            props.append(f"line={f.line}")
        elif f.row is not None and f.file and not f.file.endswith((".yaml", ".yml", ".json")):
            props.append(f"line={f.row}")
        props.append(f"title={_escape_gh(f.code + ' ' + _title(f, lang), True)}")
        msg = f"{f.text(lang)} — {_hint(f, lang)}"
        out.append(f"::{level[f.severity]} {','.join(props)}::{_escape_gh(msg)}")
    return "\n".join(out)


_MD_ACTIVE = re.compile(r"([\\`*_\[\]()!|#~>])")


def _md(text: str) -> str:
    """Text from the agency's files (cells, names) inside a markdown table of a pull-request comment:
    one line (a newline split the table), markdown and HTML inert (an image link fetched when the
    comment is read, ``<img>``), no @mention."""
    text = re.sub(r"\r\n|\r|\n", "⏎", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return _MD_ACTIVE.sub(r"\\\1", text).replace("@", "@\u200b")


def markdown(report: Report, lang: str = "zh") -> str:
    zh = lang == "zh"
    head = ("## 数据检查结果" if zh else "## Data check") + (" ✅" if report.ok else " ❌")
    lines = [head, ""]
    lines.append(
        (
            f"检查了 {len(report.datasets_checked)} 个数据集：**{len(report.errors)}** 个错误，{len(report.warnings)} 个警告。"
        )
        if zh
        else f"Checked {len(report.datasets_checked)} dataset(s): **{len(report.errors)}** error(s), "
        f"{len(report.warnings)} warning(s)."
    )
    if report.findings:
        lines += [
            "",
            "| 级别 | 代码 | 位置 | 说明 |" if zh else "| severity | code | where | message |",
            "|---|---|---|---|",
        ]
        for f in report.findings[:200]:
            lines.append(
                f"| {SEVERITY_ZH[f.severity] if zh else f.severity} | `{f.code}` | {_md(f.location())} | {_md(f.text(lang))} |"
            )
        if len(report.findings) > 200:
            lines.append(f"| … | | | {len(report.findings) - 200} more |")
    for n in report.notices:
        lines += ["", f"> {_md(n.file or '-')}: {_md(n.text(lang))}"]
    if report.stats:
        lines += [
            "",
            "| 文件 | 读取 | 有效 | 有问题 |" if zh else "| file | read | valid | with findings |",
            "|---|---:|---:|---:|",
        ]
        for s in report.stats:
            lines.append(f"| {_md(s.file)} | {s.rows_read} | {s.rows_valid} | {s.rows_with_findings} |")
    return "\n".join(lines) + "\n"
