"""What personal data a column holds is said as it is: an identity-number column is not also
"bank-card numbers" (one identity number in ten passes the Luhn check of a card), and identity
numbers a spreadsheet turned into numbers (15 significant digits) are still identity numbers."""

from __future__ import annotations

from openpyxl import Workbook
from stdnum import luhn
from stdnum.cn import ric

from govdata.checks.rules.personal_data import holds
from tests.conftest import edited_yaml
from tests.test_gate_corpus import _check
from tests.test_gate_shapes import dataset


def _identity_numbers(n: int) -> list[str]:
    out = []
    for i in range(n):
        first = f"3301061{980 + i % 20}{1 + i % 9:02d}{10 + i % 18}{100 + i:03d}"
        out.append(first + ric.calc_check_digit(first + "0"))  # (its argument holds a check place)
    return out


IDS = [v for v in _identity_numbers(80) if ric.is_valid(v)]


def test_identity_numbers_that_pass_the_luhn_check_are_not_cards():
    both = [v for v in IDS if luhn.is_valid(v)]
    assert both, "some identity numbers pass the Luhn check (one in ten)"
    assert all(holds("id_card", v) and not holds("bank_card", v) for v in IDS)
    assert holds("bank_card", "6222021234567890128")  # a card is still a card


def test_identity_numbers_rounded_by_a_spreadsheet_are_identity_numbers():
    shown = [f"{int(f'{int(v):.14e}'.replace('e+17', '').replace('.', '')):d}000" for v in IDS if v.isdigit()]
    stored = [str(int(float(v))) for v in IDS if v.isdigit()]
    for value in shown + stored:
        assert holds("id_card", value) and not holds("bank_card", value), value
    assert not holds("id_card", "330106198001101234")  # not rounded, check character wrong: not one


def test_a_sheet_of_identity_numbers_as_number_cells(base_catalog, tmp_path):
    fields = [{"name": "id", "type": "integer"}, {"name": "holder_ref", "type": "integer"}]
    root, target = dataset(base_catalog, tmp_path, fields, b"", name="items.xlsx", format="xlsx", primary_key=["id"])
    with edited_yaml(target / "datapackage.yaml") as spec:
        spec["resources"][0].pop("encoding", None)
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "holder_ref"])
    numbers = [v for v in IDS if v.isdigit()]
    for i, v in enumerate(numbers, start=1):
        sheet.append([i, int(v)])
    book.save(target / "data" / "items.xlsx")
    report = _check(root, target)
    kinds = {f.args.get("kind") for f in report.findings if f.code == "personal-data"}
    rows = {f.row for f in report.findings if f.code == "personal-data"}
    assert kinds == {"id_card"}
    assert rows == set(range(2, len(numbers) + 2))
