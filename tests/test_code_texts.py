"""Every finding code speaks both languages: a title, a fix hint and a message template in Chinese
and English, and every finding of the corpus reads in Chinese (govdata/messages.py, the checks'
own templates)."""

from __future__ import annotations

import re
import shutil

from govdata import messages, plugins, render
from govdata.codes import CODES, Code
from govdata.checks.runner import run_checks
from tests.test_gate_corpus import CASES, CORPUS

CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")  # Chinese characters and punctuation


def missing_texts(codes: dict[str, Code]) -> list[str]:
    """``code: what`` for every text a code lacks (or has in the wrong language)."""
    out = []
    for code, c in codes.items():
        for what in ("title_zh", "title_en", "hint_zh", "hint_en", "message_zh", "message_en"):
            text = getattr(c, what)
            if not text.strip() or (what.endswith("_zh") and not CJK.search(text)):
                out.append(f"{code}: {what}")
    return out


def every_template() -> list[tuple[str, str, str]]:
    """(code, zh, en) of every message template: govdata.messages' and the checks' (their variants too)."""
    out = [
        (code, zh, en)
        for table in (messages.TEMPLATES, messages.UNSTRUCTURED)
        for code in table
        for zh, en in table[code]
    ]
    for check in plugins.checks():
        out += [(check.code, check.message_zh, check.message_en)]
        out += [(check.code, zh, en) for zh, en in check.variants.values()]
    return out


def test_every_code_has_both_languages():
    assert missing_texts(dict(CODES)) == []


def test_a_code_without_a_chinese_template_is_found():
    bare = Code("x-bare", "error", "标题", "Title", "提示", "Hint", "", "{detail}")
    english = Code("x-english", "error", "标题", "Title", "提示", "Hint", "{detail}", "{detail}")
    assert missing_texts({"x-bare": bare, "x-english": english}) == ["x-bare: message_zh", "x-english: message_zh"]


def test_templates_agree():
    """A Chinese template uses only the English template's arguments (it may leave out the location,
    which the printed finding says once) and is Chinese."""
    for code, zh, en in every_template():
        zh_args, en_args = ({re.sub(r"_(zh|en)$", "", a) for a in messages.placeholders(t)} for t in (zh, en))
        assert zh_args <= en_args, (code, zh, en)  # ("hint_zh" in one, "hint_en" in the other: one argument)
        assert CJK.search(zh), (code, zh)


def test_every_corpus_finding_reads_in_chinese(base_catalog, tmp_path):
    """The corpus's findings, in one run: those made without template arguments follow one of
    their code's English templates, and every one has a Chinese text."""
    root = tmp_path / "repo"
    shutil.copytree(base_catalog, root, symlinks=True)
    targets = []
    for case in CASES:
        shutil.copytree(CORPUS / case, root / "datasets" / "hz-amr" / case, symlinks=True)
        (root / "datasets" / "hz-amr" / case / "expected.yaml").unlink()
        targets.append(root / "datasets" / "hz-amr" / case)
    run = run_checks(root, targets)
    try:
        report = run.report
    finally:
        run.close()
    codes = {f.code for f in report.findings}
    assert len(codes) >= 30  # the corpus reaches most codes
    unread = [
        f"{f.code}: {f.message}"
        for f in report.findings
        if f.args is None and messages.translate(f.code, f.message) is None
    ]
    assert unread == []
    for f in report.findings:
        assert CJK.search(f.text("zh")), (f.code, f.text("zh"))
    # the location is said once, in the prefix: a ragged row's message does not repeat its row
    (ragged,) = [line for line in render.text(report, "zh").splitlines() if "[extra-cell]" in line]
    assert ragged.count("row ") == 1 and "第" not in ragged.split("]", 1)[1], ragged
