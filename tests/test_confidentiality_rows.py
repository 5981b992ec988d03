"""Confidentiality findings at their rows (judge G24, G26): every unmasked value of a column declared
masked is a finding at its row, counted among the rows with findings; a first-generation (15-digit)
identity number in free text is found as an 18-digit one is, on the precise path and by the byte
scan of the one-pass proof."""

from __future__ import annotations

import pytest

from govdata.checks import resource, source
from govdata.checks.privacy import CellScanner
from govdata.checks.rules.personal_data import NUMBERS, holds
from tests.test_gate_corpus import _check
from tests.test_gate_shapes import ID_CARD, dataset, found

MASKED_ID = "110105********002X"


def test_every_unmasked_value_of_a_masked_column_is_a_finding_at_its_row(base_catalog, tmp_path):
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "id_card", "type": "string", "title": "身份证号", "personal": "id_card", "masked": True},
        {"name": "phone", "type": "string", "title": "手机", "personal": "mobile", "masked": True},
    ]
    lines = ["id,id_card,phone"]
    for i in range(1, 13):
        card = ID_CARD if i in (3, 9) else "3301061985030****1" if i == 11 else MASKED_ID
        phone = "13812345678" if i in (3, 6) else "138****5678"
        lines.append(f"{i},{card},{phone}")
    root, target = dataset(base_catalog, tmp_path, fields, ("\n".join(lines) + "\n").encode())
    report = _check(root, target)
    assert found(report) == [
        ("masking-error", 4, "id_card"),
        ("masking-error", 4, "phone"),
        ("masking-error", 7, "phone"),
        ("masking-error", 10, "id_card"),
        ("masking-error", 12, "id_card"),
    ]
    assert not any(ID_CARD in f.message or "13812345678" in f.message or f.cell for f in report.findings)
    assert {f.text("zh") for f in report.findings if f.field == "phone"} == {"声明为已脱敏（mobile），但该值未脱敏"}
    (stats,) = report.stats
    assert (stats.rows_read, stats.rows_with_findings) == (12, 4)


# first-generation numbers: 6-digit region, YYMMDD birth date (19YY), 3-digit sequence, no check digit
OLD_IDS = {
    "旧身份证330106850305123，已换发": "id_card",  # the judge's G26 line
    "证件 110105491231002 已注销": "id_card",
    "旧证号３３０１０６８５０３０５１２３": "id_card",  # full-width digits
    "编号330106851305123": None,  # no month 13
    "编号330106850230123": None,  # no 30 February
    "编号000000850305123": None,  # no such region
    "订单号 123456850305123": None,  # no such region
    "注册号330106000012345": None,  # a business registration number: month 00
    "流水号3301068503051230": None,  # 16 digits: not an identity number (nor a card: Luhn)
}


@pytest.mark.parametrize("text", list(OLD_IDS))
def test_a_first_generation_identity_number_is_validated(text):
    assert [k for k in NUMBERS if holds(k, text)] == ([OLD_IDS[text]] if OLD_IDS[text] else [])


@pytest.mark.parametrize("quick", [False, True], ids=["precise", "byte-scan"])
def test_a_first_generation_identity_number_in_free_text_is_found_at_its_row(
    quick, base_catalog, tmp_path, monkeypatch
):
    """The judge's G26: found at its row on the precise path, and by the proof's byte scan on the fast
    path (a big plain file), which then hands the file to the precise path."""
    fields = [{"name": "id", "type": "integer"}, {"name": "remarks", "type": "string"}]
    texts = list(OLD_IDS)
    lines = ["id,remarks"] + [
        f"{i},{texts[i % len(texts)] if i < 40 else '无'}" for i in range(1, 40 if not quick else 60_000)
    ]
    scanned: list[CellScanner] = []
    if quick:
        monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 256 * 1024)
        scanner_for = resource.scanner_for
        monkeypatch.setattr(resource, "scanner_for", lambda lt: scanned.append(scanner_for(lt)) or scanned[-1])
    root, target = dataset(base_catalog, tmp_path, fields, ("\n".join(lines) + "\n").encode())
    report = _check(root, target)
    expected = [
        ("personal-data", i + 1, "remarks") for i in range(1, 40) if OLD_IDS[texts[i % len(texts)]] == "id_card"
    ]
    assert found(report) == expected
    assert all(f.cell is None for f in report.findings)
    if quick:  # the byte scan saw the numbers (and handed the file to the precise path)
        assert [(s.usable, s.found) for s in scanned] == [(True, {("remarks", "id_card")})]


def test_the_byte_scan_finds_a_first_generation_number():
    scanner = CellScanner({1: "remarks"})
    scanner.feed("id,remarks\n1,无\n2,旧身份证330106850305123，已换发\n3,编号330106851305123\n".encode())
    scanner.finish()
    assert scanner.usable and scanner.found == {("remarks", "id_card")}
