"""The Chinese labels of the catalogue's controlled values (update frequency, open condition), shared
by every stage that shows them (the served site's descriptions, the directory documents)."""

from __future__ import annotations

FREQUENCY_ZH = {
    "daily": "每日",
    "weekly": "每周",
    "monthly": "每月",
    "quarterly": "每季度",
    "semiannual": "每半年",
    "annual": "每年",
    "irregular": "不定期",
    "on_change": "实时（随时更新）",
    "never": "不再更新",
}
OPEN_ZH = {"unconditional": "无条件开放", "conditional": "有条件开放", "not_open": "不予开放"}
