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
        # row 6: a first-generation number masked (15 characters), as masked as the others
        card = (
            ID_CARD if i in (3, 9) else "3301061985030****1" if i == 11 else "330106******123" if i == 5 else MASKED_ID
        )
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


MAILS = {
    "联系邮箱：zwgk@hangzhou.gov.cn": False,  # an office's mailbox at a government domain
    "来信请寄 xxgk@mee.gov.cn 或 info@example.gov": False,
    "联系人邮箱 zhangsan@163.com": True,
    "zhangsan@gov.cn.example.com": True,  # not a government domain
    "联系邮箱：zwgk@hangzhou.gov.cn，联系人 zhangsan@163.com": True,
}


@pytest.mark.parametrize("text", list(MAILS))
def test_a_government_mailbox_is_no_personal_address(text):
    assert holds("email", text) is MAILS[text]


FREE_TEXT = [
    "无",
    "旧身份证330106850305123，已换发",
    "证件 110105491231002 已注销",
    "旧证号３３０１０６８５０３０５１２３",
]


@pytest.mark.parametrize("quick", [False, True], ids=["precise", "byte-scan"])
def test_a_first_generation_identity_number_in_free_text_is_found_at_its_row(
    quick, base_catalog, tmp_path, monkeypatch
):
    """The judge's G26: found at its row on the precise path, and by the proof's byte scan on the fast
    path (a big plain file), which then hands the file to the precise path."""
    fields = [{"name": "id", "type": "integer"}, {"name": "remarks", "type": "string"}]
    lines = ["id,remarks"] + [
        f"{i},{FREE_TEXT[i % 4] if i < 40 else '无'}" for i in range(1, 40 if not quick else 60_000)
    ]
    scanned: list[CellScanner] = []
    if quick:
        monkeypatch.setattr(source, "QUICK_SCAN_BYTES", 256 * 1024)
        scanner_for = resource.scanner_for
        monkeypatch.setattr(resource, "scanner_for", lambda lt: scanned.append(scanner_for(lt)) or scanned[-1])
    root, target = dataset(base_catalog, tmp_path, fields, ("\n".join(lines) + "\n").encode())
    report = _check(root, target)
    assert found(report) == [("personal-data", i + 1, "remarks") for i in range(1, 40) if i % 4]
    assert all(f.cell is None for f in report.findings)
    if quick:  # the byte scan saw the numbers (and handed the file to the precise path)
        assert [(s.usable, s.found) for s in scanned] == [(True, {("remarks", "id_card")})]


def _registration_numbers(count: int) -> list[str]:
    """Enterprise registration numbers (region, sequence, MOD 11,10 check digit), a third of them
    of a region and sequence that read as an identity number's region and birth date."""
    from stdnum.iso7064 import mod_11_10

    alike, other = [], []
    for seq in range(10_000, 10_000_000, 7919):
        number = f"3301000{seq:07d}"
        number += mod_11_10.calc_check_digit(number)
        (alike if holds("id_card", number) else other).append(number)
        if len(alike) >= count // 3 and len(other) >= count - count // 3:
            return alike[: count // 3] + other[: count - count // 3]
    raise AssertionError("not enough numbers")


def test_a_column_of_enterprise_registration_numbers_is_not_identity_numbers(base_catalog, tmp_path):
    """15-digit registration numbers (工商注册号) pass their check digit; a third of these read as an
    identity number's region and birth date. A column of them is not reported; in a column of
    first-generation identity numbers (one in ten passes that check digit) every one is."""
    registrations = _registration_numbers(30)
    ids = [holds("id_card", n) and n for n in registrations]
    assert sum(map(bool, ids)) == 10  # each would be reported on its own
    old = ["330106850305123", "110105491231002", "110108770101002", "330106900228004", "110105600615017"]
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "reg_no", "type": "string"},
        {"name": "old_id", "type": "string"},
    ]
    lines = ["id,reg_no,old_id"] + [f"{i},{n},{old[i % 5]}" for i, n in enumerate(registrations, start=1)]
    root, target = dataset(base_catalog, tmp_path, fields, ("\n".join(lines) + "\n").encode())
    assert found(_check(root, target)) == [("personal-data", i + 1, "old_id") for i in range(1, 31)]


def test_the_byte_scan_finds_a_first_generation_number():
    scanner = CellScanner({1: "remarks"})
    scanner.feed("id,remarks\n1,无\n2,旧身份证330106850305123，已换发\n3,编号330106851305123\n".encode())
    scanner.finish()
    assert scanner.usable and scanner.found == {("remarks", "id_card")}


MOBILE = "13912345678"


@pytest.mark.parametrize("piped", [False, True], ids=["dialect", "pipeline"])
def test_rows_left_out_of_the_table_are_scanned_for_personal_data(piped, base_catalog, tmp_path):
    """The judge's G32: a title line and a signature under the data are in the committed (public)
    file though not in the table: their personal data is an error at their rows (not data rows:
    not counted among the rows with findings), the cell never echoed."""
    from tests.test_pipeline_read import declare_pipeline

    fields = [
        {"name": "id", "type": "integer"},
        {"name": "kind", "type": "string"},
        {"name": "amount", "type": "number"},
    ]
    lines = ["某某街道2024年临时救助发放表,,", f"填报人：王五  联系电话：{MOBILE},,", "id,kind,amount"]
    lines += [f"{i},临时救助,{100 * i}" for i in range(1, 21)]
    lines += ["合计,,21000", f"制表人：赵六 联系电话：{MOBILE} 身份证号：{ID_CARD},,"]
    root, target = dataset(base_catalog, tmp_path, fields, ("\n".join(lines) + "\n").encode())
    if piped:
        declare_pipeline(
            root, target, "  - {step: read_csv, path: data/items.csv, header_rows: [3], comment_rows: [24, 25]}\n"
        )
    else:
        from tests.conftest import edited_yaml

        with edited_yaml(target / "datapackage.yaml") as d:
            d["resources"][0]["dialect"] = {"headerRows": [3], "commentRows": [24, 25]}
    report = _check(root, target)
    assert sorted((f.code, f.row, f.args["kind"]) for f in report.findings if f.is_error) == [
        ("personal-data", 2, "mobile"),
        ("personal-data", 25, "id_card"),
        ("personal-data", 25, "mobile"),
    ]
    assert not any(MOBILE in f.message or ID_CARD in f.message or f.cell for f in report.findings)
    row2 = next(f for f in report.findings if f.row == 2)
    assert "row 2 is left out of the table" in row2.message and "第 2 行不在表格中" in row2.text("zh")
    (stats,) = report.stats
    assert (stats.rows_read, stats.rows_with_findings) == (20, 0)


def test_personal_data_in_the_descriptor_text_is_an_error_at_its_line(base_catalog, tmp_path):
    """The judge's G32 C: a description, a field title and a comment line; the contact block's own
    mobile is the agency's published contact, not personal data."""
    fields = [{"name": "id", "type": "integer"}, {"name": "kind", "type": "string"}]
    root, target = dataset(base_catalog, tmp_path, fields, b"id,kind\n1,a\n2,b\n")
    descriptor = target / "datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    text = text.replace(
        "\ndescription: ", f"\n# 制表人：赵六 身份证号：{ID_CARD}\ndescription: 制表人联系电话：{MOBILE}。", 1
    )
    text = text.replace("\ncontact:\n", f"\ncontact:\n  phone: '{MOBILE}'\n", 1)
    assert f"contact:\n  phone: '{MOBILE}'" in text and f"description: 制表人联系电话：{MOBILE}" in text
    descriptor.write_text(text, encoding="utf-8")
    report = _check(root, target)
    lines = text.splitlines()
    comment = next(i for i, line in enumerate(lines, 1) if line.startswith("# 制表人"))
    found_at = sorted((f.line, f.args["kind"]) for f in report.findings if f.code == "personal-data")
    assert found_at == [(comment, "id_card"), (comment + 1, "mobile")]
    assert all(f.file == "datasets/hz-amr/case/datapackage.yaml" and MOBILE not in f.message for f in report.findings)


def test_the_byte_scan_finds_full_width_forms_as_the_marks_do():
    """Full-width digits and hyphens are searched in the bytes (cheaper than in the marks): the same
    cells are validated, in the same number, as a search of the marks ("FBD") finds them."""
    import random

    from govdata.checks import privacy

    class ByMarks(CellScanner):
        def _scan(self, data: bytes) -> None:  # the full-width part of the scan as it was written first
            marks = data.translate(privacy._MARKS)
            pos = marks.find(b"FBD")
            while pos >= 0:
                pos = marks.find(b"FBD", self._cell(data, pos + 2, NUMBERS))

    class FullWidthOnly(CellScanner):
        def _scan(self, data: bytes) -> None:
            found = privacy._FULL_WIDTH.search(data)
            while found:
                found = privacy._FULL_WIDTH.search(data, self._cell(data, found.start() + 2, None))

    rng = random.Random(14)
    pieces = [
        "１３９",
        "１２３４",
        "５６７８",
        "－",
        "，",
        "（",
        "）",
        "：",
        "号码",
        "电话",
        "1",
        "38",
        "-",
        " ",
        "　",
        "０",
    ]
    lines = ["id,remarks,other"]
    for i in range(400):
        lines.append(f"{i},{''.join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))},{rng.choice(pieces) * 3}")
    lines += [
        "401,身份证１１０１０５１９４９１２３１００２Ｘ,无",
        "402,手机１３９１２３４５６７８,无",
        "403,１３９－１２３４－５６７８,无",
    ]
    by_marks, searched = _scanned((ByMarks, FullWidthOnly), lines)
    assert by_marks.candidates > 300 and ("remarks", "mobile") in by_marks.found
    assert (searched.candidates, searched.found) == (by_marks.candidates, by_marks.found)


def test_the_byte_scan_finds_digits_before_an_ideographic_space_as_the_marks_do():
    """A digit before an ideographic space is searched as the space's bytes (cheaper than "1GSS" in
    the marks of a file full of digits): the same cells are validated, in the same number."""
    import random

    from govdata.checks import privacy

    class ByMarks(CellScanner):
        def _scan(self, data: bytes) -> None:  # the digit-and-space part of the scan as it was written first
            marks = data.translate(privacy._MARKS)
            DIGIT_SPACE = b"1GSS"  # the marks of an ASCII digit and an ideographic space
            pos = marks.find(DIGIT_SPACE)
            while pos >= 0:
                pos = marks.find(DIGIT_SPACE, self._cell(data, pos + len(DIGIT_SPACE) - 1, NUMBERS))

    class InBytes(CellScanner):
        def _scan(self, data: bytes) -> None:
            self._digit_spaces(data)

    rng = random.Random(14)
    pieces = ["139", "1234", "5678", "　", "　　", "号码", "电话", "1", "3", "-", " ", "，", "a", "０", "X"]
    lines = ["id,remarks,other"]
    for i in range(600):
        cells = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(2)]
        lines.append(f"{i},{cells[0]},{cells[1]}")
    lines += ["601,手机139　1234　5678,无", "602,身份证110105　19491231　002X,1　2"]
    by_marks, searched = _scanned((ByMarks, InBytes), lines)
    assert by_marks.candidates > 200 and ("remarks", "mobile") in by_marks.found
    assert (searched.candidates, searched.found) == (by_marks.candidates, by_marks.found)


def test_one_search_for_full_width_forms_and_at_signs_finds_what_two_did():
    """The full-width at sign is found by the full-width digits' search (one pass of the bytes, not
    two): a cell holding both is validated for both kinds, as the two searches did."""
    import random

    from govdata.checks import privacy
    from govdata.checks.rules.personal_data import AT_SIGNS

    class TwoSearches(CellScanner):
        def _scan(self, data: bytes) -> None:  # as written before: digits, then each at sign
            found = privacy._FULL_WIDTH_NUMBER.search(data)
            while found:
                found = privacy._FULL_WIDTH_NUMBER.search(data, self._cell(data, found.start() + 2, NUMBERS))
            for at in AT_SIGNS:
                pos = data.find(at.encode())
                while pos >= 0:
                    pos = data.find(at.encode(), self._cell(data, pos, ("email",)))

    class OneSearch(CellScanner):
        def _scan(self, data: bytes) -> None:
            found = privacy._FULL_WIDTH.search(data)
            while found:
                found = privacy._FULL_WIDTH.search(data, self._cell(data, found.start() + 2, None))
            pos = data.find(b"@")
            while pos >= 0:
                pos = data.find(b"@", self._cell(data, pos, ("email",)))

    rng = random.Random(12)
    pieces = ["１３９", "１２３４", "５６７８", "－", "＠", "@", "qq", ".com", "zhang", "电话", "，", "1", " "]
    lines = ["id,remarks,other"]
    for i in range(600):
        lines.append(f"{i},{''.join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))},{rng.choice(pieces)}")
    lines += ["601,１３９１２３４５６７８ zhang＠qq.com,无", "602,zhang＠qq.com １３９１２３４５６７８,无"]
    two, one = _scanned((TwoSearches, OneSearch), lines)
    assert {("remarks", "mobile"), ("remarks", "email")} <= two.found
    assert one.found == two.found
    for line in lines[-2:]:  # each kind found in a cell holding both, whichever comes first
        both, single = _scanned((TwoSearches, OneSearch), ["id,remarks,other", line])
        assert single.found == both.found == {("remarks", "mobile"), ("remarks", "email")}


def _scanned(kinds: tuple[type[CellScanner], ...], lines: list[str]) -> list[CellScanner]:
    """Each kind of scanner fed the CSV ``lines`` in chunks of 997 bytes (cells cut across chunks)."""
    data = ("\n".join(lines) + "\n").encode()
    scanners = []
    for kind in kinds:
        scanner = kind({1: "remarks", 2: "other"})
        for at in range(0, len(data), 997):
            scanner.feed(data[at : at + 997])
        scanner.finish()
        scanners.append(scanner)
    return scanners
