"""Session 12, round 2: raw agency exports for govdata new / check / frictionless validate.

Writes ~45 files to /tmp/unseen2/raw (none of round 1's inputs): workbooks made with openpyxl and
CSV exports as agencies' systems and Excel write them."""

import datetime
import pathlib
import random

import openpyxl
from openpyxl.styles import Alignment, Border, PatternFill, Side

OUT = pathlib.Path("/tmp/unseen2/raw")
OUT.mkdir(parents=True, exist_ok=True)
rnd = random.Random(12)
DISTRICTS = ["上城区", "拱墅区", "西湖区", "滨江区", "萧山区"]
FIRMS = ["杭州云帆科技有限公司", "杭州青禾食品有限公司", "杭州远景建材有限公司", "杭州明湖餐饮管理有限公司",
         "杭州白塔物流有限公司", "杭州新桥纺织有限公司", "杭州东岳贸易有限公司", "杭州南星药业有限公司"]


def w(name, text, enc="utf-8"):
    (OUT / name).write_bytes(text if isinstance(text, bytes) else text.encode(enc))


def code(i):  # an all-digit credit-code-like 18-digit number (agencies' codes often are)
    return f"91330{100 + i % 9}{rnd.randrange(10**11, 10**12)}{i % 10}"


def rows(n, start=1):
    for i in range(start, start + n):
        yield [i, FIRMS[i % len(FIRMS)], DISTRICTS[i % 5], datetime.date(2024, 1 + i % 12, 1 + i % 28),
               round(rnd.uniform(0.5, 500), 2)]


HEAD = ["序号", "企业名称", "所属区县", "检查日期", "罚款金额"]


def book():
    wb = openpyxl.Workbook()
    return wb, wb.active


# 1 data on the second sheet, a cover sheet first
wb, ws = book(); ws.title = "封面"; ws["A1"] = "杭州市市场监管局"; ws["A2"] = "2024年度"
ws2 = wb.create_sheet("检查记录"); ws2.append(HEAD)
for r in rows(30): ws2.append(r)
wb.save(OUT / "x_second_sheet.xlsx")

# 2 a hidden sheet (a lookup list, bigger than the data) before the data
wb, ws = book(); ws.title = "代码表"; ws.sheet_state = "hidden"
for i in range(200): ws.append([f"{330100 + i}", f"区划{i}", "备用"])
ws2 = wb.create_sheet("数据"); ws2.append(HEAD)
for r in rows(25): ws2.append(r)
wb.save(OUT / "x_hidden_sheet.xlsx")

# 3 two-row header, merged over three columns
wb, ws = book(); ws.title = "Sheet1"
ws.append(["企业信息", None, None, "检查结果", None])
ws.append(["企业名称", "统一社会信用代码", "地址", "结果", "检查日期"])
ws.merge_cells("A1:C1"); ws.merge_cells("D1:E1")
for i in range(20):
    ws.append([FIRMS[i % 8], f"91330106MA2{i:07d}", f"杭州市{DISTRICTS[i % 5]}某路{i + 1}号", ["合格", "不合格"][i % 2],
               datetime.date(2024, 5, 1 + i)])
wb.save(OUT / "x_header_merged3.xlsx")

# 4 subtotals per district in the middle, total at the end
wb, ws = book(); ws.append(["区县", "企业名称", "检查次数", "罚款金额"])
grand = 0
for d in DISTRICTS[:3]:
    sub = 0
    for i in range(4):
        v = (i + 1) * 100; sub += v; ws.append([d, FIRMS[i], i + 1, v])
    ws.append([d + "小计", None, None, sub]); grand += sub
ws.append(["合计", None, None, grand])
wb.save(OUT / "x_subtotals.xlsx")

# 5 a notes block in the middle, then more data
wb, ws = book(); ws.append(HEAD)
for r in rows(10): ws.append(r)
ws.append(["注：以下为补录数据，金额单位为元。"]); ws.append([None])
for r in rows(10, 11): ws.append(r)
wb.save(OUT / "x_notes_middle.xlsx")

# 6 frozen panes, autofilter, a title row merged over the table
wb, ws = book(); ws.append(["2024年第一季度行政检查情况"]); ws.merge_cells("A1:E1"); ws.append(HEAD)
for r in rows(40): ws.append(r)
ws.freeze_panes = "B3"; ws.auto_filter.ref = "A2:E42"
wb.save(OUT / "x_frozen_title.xlsx")

# 7 leading apostrophes (quotePrefix) on codes
wb, ws = book(); ws.append(["行政区划代码", "名称", "人口"])
for i in range(20):
    c = ws.cell(row=i + 2, column=1, value=f"0{571 + i}"); c.quotePrefix = True
    ws.cell(row=i + 2, column=2, value=DISTRICTS[i % 5]); ws.cell(row=i + 2, column=3, value=1000 + i)
wb.save(OUT / "x_apostrophe.xlsx")

# 8 numbers stored as text (green triangles) mixed with numbers in one column
wb, ws = book(); ws.append(["编号", "企业名称", "注册资本（万元）"])
for i in range(20): ws.append([str(1000 + i) if i % 3 else 1000 + i, FIRMS[i % 8], str(50 + i) if i % 2 else 50 + i])
wb.save(OUT / "x_digits_as_text.xlsx")

# 9 credit codes typed as numbers: scientific notation, precision lost
wb, ws = book(); ws.append(["统一社会信用代码", "企业名称", "注册资本"])
for i in range(20):
    ws.append([float(code(i)) if i % 4 else code(i), FIRMS[i % 8], 100 + i])
for r in ws.iter_rows(min_row=2, max_col=1):
    r[0].number_format = "0.00E+00"
wb.save(OUT / "x_credit_code_sci.xlsx")

# 9b every code a number (precision lost in all)
wb, ws = book(); ws.append(["统一社会信用代码", "企业名称"])
for i in range(20): ws.append([float(code(i)), FIRMS[i % 8]])
wb.save(OUT / "x_credit_code_all_numbers.xlsx")

# 9c ID card numbers as numbers (precision lost too, and personal data)
wb, ws = book(); ws.append(["姓名", "身份证号码", "补贴金额"])
for i in range(12): ws.append([["张伟", "王芳", "李娜", "刘洋"][i % 4], float(f"33010619{80 + i}0101{1000 + i}"), 500])
wb.save(OUT / "x_idcard_numbers.xlsx")

# 10 Excel date serials in a text column (text dates, some serials as text, some as numbers)
wb, ws = book(); ws.append(["编号", "事项", "办结日期"])
for i in range(20):
    v = "2024-03-%02d" % (i + 1) if i % 3 == 0 else (str(45357 + i) if i % 3 == 1 else 45357 + i)
    ws.append([i + 1, "许可事项", v])
wb.save(OUT / "x_serial_dates_text.xlsx")

# 11 是/否 column
wb, ws = book(); ws.append(["序号", "企业名称", "是否整改", "是否罚款"])
for i in range(30): ws.append([i + 1, FIRMS[i % 8], "是" if i % 3 else "否", ["是", "否", ""][i % 3]])
wb.save(OUT / "x_yes_no.xlsx")

# 12 empty trailing columns with formatting only
wb, ws = book(); ws.append(HEAD)
for r in rows(20): ws.append(r)
thin = Side(style="thin"); fill = PatternFill("solid", fgColor="FFFF00")
for row in ws.iter_rows(min_row=1, max_row=100, min_col=1, max_col=12):
    for c in row: c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
for row in ws.iter_rows(min_row=1, max_row=100, min_col=6, max_col=12):
    for c in row: c.fill = fill
wb.save(OUT / "x_formatted_empty_cols.xlsx")

# 13 10,000 rows
wb = openpyxl.Workbook(write_only=True); ws = wb.create_sheet("数据"); ws.append(HEAD)
for r in rows(10000): ws.append(r)
wb.save(OUT / "x_10k.xlsx")

# 14 header with line breaks inside cells
wb, ws = book(); ws.append(["序\n号", "企业\n名称", "检查\n日期", "罚款金额\n（元）"])
for c in ws[1]: c.alignment = Alignment(wrap_text=True)
for r in rows(20): ws.append([r[0], r[1], r[3], r[4]])
wb.save(OUT / "x_newline_header.xlsx")

# 15 data on the third sheet, two sparse sheets first
wb, ws = book(); ws.title = "说明"; ws["A1"] = "填报说明：请按附件格式填写"; ws["A3"] = "联系人：王五 13912345678"
ws2 = wb.create_sheet("汇总"); ws2.append(["区县", "数量"]); ws2.append(["西湖区", 3])
ws3 = wb.create_sheet("明细"); ws3.append(HEAD)
for r in rows(15): ws3.append(r)
wb.save(OUT / "x_third_sheet.xlsx")

# 16 amounts with units mixed with numbers and placeholders, as text cells
wb, ws = book(); ws.append(["项目名称", "投资额", "完成率"])
vals = ["1.2万", "3,000", "-", "12.5万元", "800", "2亿元", "(200)", "45.5万"]
for i in range(16): ws.append([f"项目{i + 1}", vals[i % 8], ["12.5%", "100%", "-", "3%"][i % 4]])
wb.save(OUT / "x_amounts_mixed.xlsx")

# 17 masked ID cards and one unmasked
wb, ws = book(); ws.append(["序号", "申请人", "身份证号", "补助金额"])
for i in range(12):
    idn = "33010619491231002X" if i == 7 else f"3301**********{1000 + i}"
    ws.append([i + 1, ["张*", "王*", "李*"][i % 3], idn, 300])
wb.save(OUT / "x_masked_one_clear.xlsx")

# 18 total row merged over three columns at the end, with 制表人 line
wb, ws = book(); ws.append(["杭州市行政处罚统计表"]); ws.merge_cells("A1:E1"); ws.append(["单位：万元"]); ws.append(HEAD)
for r in rows(12): ws.append(r)
ws.append(["合计", None, None, None, 1234.5]); ws.merge_cells(f"A{ws.max_row}:D{ws.max_row}")
ws.append(["制表人：赵六", None, "审核人：钱七"])
wb.save(OUT / "x_total_merged.xlsx")

# 19 percent-formatted number cells and a Chinese year-month text column
wb, ws = book(); ws.append(["统计月份", "指标", "增长率"])
for i in range(24):
    ws.append([f"{2023 + i // 12}年{i % 12 + 1}月", rnd.randint(100, 900), rnd.uniform(-0.2, 0.3)])
    ws.cell(row=ws.max_row, column=3).number_format = "0.0%"
wb.save(OUT / "x_yearmonth_percent.xlsx")

# 20 a date column with datetimes, times and a text note in one cell
wb, ws = book(); ws.append(["编号", "受理时间", "办结时间"])
for i in range(15):
    ws.append([i + 1, datetime.datetime(2024, 3, 1 + i, 9, 30), datetime.datetime(2024, 3, 2 + i, 17, 0) if i != 5 else "未办结"])
wb.save(OUT / "x_datetime_note.xlsx")

# ---- CSV ----
body = "".join(f"{i},{FIRMS[i % 8]},{DISTRICTS[i % 5]},2024-0{1 + i % 9}-1{i % 9},{i * 1.5:.2f}\n" for i in range(1, 21))
w("c_gbk_title_unit.csv", "2024年杭州市行政检查结果公示\n单位：万元\n" + ",".join(HEAD) + "\n" + body, "gbk")
w("c_gbk_title_unit_commas.csv", "2024年杭州市行政检查结果公示,,,,\n单位：万元,,,,\n" + ",".join(HEAD) + "\n" + body + "合计,,,,315.00\n", "gbk")
w("c_bom_crlf_total.csv", b"\xef\xbb\xbf" + (",".join(HEAD) + "\r\n" + body.replace("\n", "\r\n") + "合计,,,,315.00\r\n").encode())
w("c_pipe_quoted.csv", "".join("|".join(f'"{c}"' for c in line.split(",")) + "\n" for line in ([",".join(HEAD)] + body.splitlines())))
w("c_semicolon_quoted.csv", "".join(";".join(f'"{c}"' for c in line.split(",")) + "\r\n" for line in ([",".join(HEAD)] + body.splitlines())))
w("c_quoted_all.csv", "".join(",".join(f'"{c}"' for c in line.split(",")) + "\n" for line in ([",".join(HEAD)] + body.splitlines())))
w("c_trailing_comma_rows_only.csv", ",".join(HEAD) + "\n" + "".join(l + ",\n" for l in body.splitlines()))
w("c_two_tables.csv", ",".join(HEAD) + "\n" + body[:400].rsplit("\n", 1)[0] + "\n\n表二：整改情况\n序号,企业名称,整改结果\n1,杭州云帆科技有限公司,已整改\n2,杭州青禾食品有限公司,未整改\n")
w("c_two_tables_noblank.csv", "序号,企业名称,金额\n1,甲公司,100\n2,乙公司,200\n序号,企业名称,整改结果\n1,甲公司,已整改\n2,乙公司,未整改\n")
am = ["1.2万", "\"3,000\"", "-", "12.5万元", "800", "2亿", "(200)", "45.5万", "0.8万"]
w("c_amounts_mixed.csv", "项目名称,投资额\n" + "".join(f"项目{i + 1},{am[i % 9]}\n" for i in range(27)))
w("c_amounts_percent_same_col.csv", "项目,数值\n" + "".join(f"项目{i},{['12%', '3万', '100'][i % 3]}\n" for i in range(12)))
w("c_id_masked_one_clear.csv", "序号,姓名,身份证号,补助金额\n" + "".join(
    f"{i + 1},{'张*'},{'33010619491231002X' if i == 5 else '330106********' + str(1230 + i)},300\n" for i in range(12)))
w("c_phone_spaces_remark.csv", "序号,企业名称,备注\n" + "".join(
    f"{i + 1},{FIRMS[i % 8]},{'联系电话 138 1234 5678' if i == 3 else ('请致电 0571-8765 4321' if i == 6 else '无')}\n" for i in range(12)))
w("c_phone_column_spaces.csv", "序号,联系人,联系电话\n" + "".join(f"{i + 1},王{'伟芳娜'[i % 3]},139 {1000 + i:04d} {5678 + i}\n" for i in range(12)))
w("c_percent_mixed.csv", "区县,完成率,增长率\n" + "".join(f"{DISTRICTS[i % 5]},{['12.5%', '100%', '-', '0.5%'][i % 4]},{['3.2', '-1.5', '—', '12%'][i % 4]}\n" for i in range(16)))
w("c_year_month.csv", "统计期,数量\n" + "".join(f"{2023 + i // 12}年{i % 12 + 1}月,{i * 7}\n" for i in range(24)))
w("c_year_month_mixed.csv", "统计期,数量\n" + "".join(f"{['2024年3月', '2024-04', '2024年5月份', '2024.06'][i % 4]},{i}\n" for i in range(12)))
w("c_accounting_thousands.csv", "科目,本期金额,上期金额\n" + "".join(f"科目{i},\"({i},234.50)\",\"{i + 1},000.00\"\n" for i in range(1, 13)))
w("c_subtotals_gbk.csv", "区县,企业名称,罚款金额\n" + "".join(
    "".join(f"{d},{FIRMS[j]},{(j + 1) * 100}\n" for j in range(3)) + f"{d}小计,,600\n" for d in DISTRICTS[:3]) + "合计,,1800\n", "gbk")
w("c_notes_middle.csv", ",".join(HEAD) + "\n" + "".join(body.splitlines(True)[:8]) + "注：以下为补录数据\n" + "".join(body.splitlines(True)[8:]))
w("c_blank_then_commas_end.csv", "2024年公示\n\n" + ",".join(HEAD) + "\n" + body + ",,,,\n,,,,\n")
w("c_10k_wanyuan.csv", "序号,项目名称,投资额\n" + "".join(f"{i},项目{i},{rnd.randint(1, 900)}.{rnd.randint(0, 9)}万元\n" for i in range(1, 10001)))
w("c_fullwidth_comma.csv", "序号，企业名称，金额\n" + "".join(f"{i}，{FIRMS[i % 8]}，{i * 10}\n" for i in range(1, 13)))
w("c_yes_no_dotdates.csv", "序号,是否公开,发布日期\n" + "".join(f"{i},{'是否'[i % 2]},2024.{1 + i % 12}.{1 + i % 28}\n" for i in range(1, 21)))
w("c_credit_code_sci.csv", "统一社会信用代码,企业名称,注册资本\n" + "".join(
    f"{'9.13301E+17' if i % 3 else code(i)},{FIRMS[i % 8]},{100 + i}\n" for i in range(20)))
w("c_credit_code_all_sci.csv", "统一社会信用代码,企业名称\n" + "".join(f"9.1330{i % 10}E+17,{FIRMS[i % 8]}\n" for i in range(20)))
w("c_excel_eq_text.csv", "区划代码,名称\n" + "".join(f'="{330100 + i}",{DISTRICTS[i % 5]}\n' for i in range(12)))
w("c_tab_prefixed_codes.csv", "区划代码,名称\n" + "".join(f'"\t{330100 + i}",{DISTRICTS[i % 5]}\n' for i in range(12)))
w("c_gb18030_title_in_quotes.csv", '"杭州市2024年行政许可信息"\n"单位：件"\n' + ",".join(f'"{h}"' for h in HEAD) + "\n" + body, "gb18030")
w("c_header_units_row.csv", "序号,企业名称,所属区县,检查日期,罚款金额\n,,,,（万元）\n" + body)
w("c_negative_minus_unicode.csv", "科目,金额\n" + "".join(f"科目{i},{'−' if i % 2 else ''}{i * 10}.5\n" for i in range(12)))
w("c_wan_with_space.csv", "项目,金额\n" + "".join(f"项目{i},{i}.5 万元\n" for i in range(1, 13)))
w("c_crlf_in_header_quoted.csv", '"企业\r\n名称","罚款金额\r\n（元）"\r\n' + "".join(f"{FIRMS[i % 8]},{i * 10}\r\n" for i in range(12)))
print(len(list(OUT.iterdir())), "files in", OUT)

# ---- value forms in mixtures (second batch) ----
w("v_currency_symbols.csv", "项目,金额\n" + "".join(f"项目{i},{['¥1,200.00', '￥300', '450.5', '¥12万'][i % 4]}\n" for i in range(12)))
w("v_ranges_approx.csv", "项目,人数\n" + "".join(f"项目{i},{['约100', '100以上', '>50', '80'][i % 4]}\n" for i in range(12)))
w("v_fullwidth_wan.csv", "项目,金额\n" + "".join(f"项目{i},{['１２万', '３.５万元', '８００', '1,２00'][i % 4]}\n" for i in range(12)))
w("v_accounting_and_dash.csv", "科目,本期,上期\n" + "".join(f"科目{i},{['(1,234.5)', '-', '300', '（45）'][i % 4]},{['-12.5', '—', '(3)', '0'][i % 4]}\n" for i in range(12)))
w("v_year_and_yearmonth.csv", "期间,数量\n" + "".join(f"{['2024年', '2024年3月', '2024年第一季度', '2024年3月5日'][i % 4]},{i}\n" for i in range(12)))
w("v_date_ranges.csv", "事项,有效期\n" + "".join(f"事项{i},2024年3月{i + 1}日至2025年3月{i + 1}日\n" for i in range(12)))
w("v_percent_and_fraction.csv", "区县,比例\n" + "".join(f"区{i},{['12.5%', '0.125', '100%', '0.5'][i % 4]}\n" for i in range(12)))
w("v_space_thousands.csv", "项目,金额\n" + "".join(f"项目{i},{1 + i} 200 000\n" for i in range(12)))
w("v_wan_header_plain.csv", "项目,投资额（万元）\n" + "".join(f"项目{i},{['12.5', '3万', '1,200', '-'][i % 4]}\n" for i in range(12)))
w("v_negative_percent.csv", "指标,增速\n" + "".join(f"指标{i},{['-3.5%', '(2.1%)', '+4%', '0%'][i % 4]}\n" for i in range(12)))
wb, ws = book(); ws.append(["区县", "完成率", "金额"])
for i in range(16):
    ws.append([DISTRICTS[i % 5], "12.5%" if i % 2 else 0.125, "3.5万" if i % 3 == 0 else 35000])
    if not i % 2: ws.cell(row=ws.max_row, column=2).number_format = "0.0%"
wb.save(OUT / "v_percent_text_and_cells.xlsx")
wb, ws = book(); ws.append(["月份", "数量"])
for i in range(12): ws.append([f"2024年{i + 1}月" if i % 2 else datetime.date(2024, i + 1, 1), i])
wb.save(OUT / "v_yearmonth_text_and_dates.xlsx")
print(len(list(OUT.iterdir())), "files in", OUT)

# ---- database and Excel export habits (third batch) ----
w("d_null_strings.csv", "编号,企业名称,金额,日期\n" + "".join(f"{i},企业{i},{'NULL' if i % 4 == 0 else i * 10},{'NULL' if i % 5 == 0 else '2024-03-%02d' % (i + 1)}\n" for i in range(1, 21)))
w("d_mysql_zero_dates.csv", "编号,登记日期\n" + "".join(f"{i},{'0000-00-00' if i % 6 == 0 else '2024-03-%02d' % i}\n" for i in range(1, 21)))
w("d_excel_datetime_csv.csv", "编号,登记时间,金额\n" + "".join(f"{i},2024/3/{i} 0:00,{i}.5\n" for i in range(1, 21)))
w("d_excel_date_slash.csv", "编号,登记日期\n" + "".join(f"{i},2024/3/{i}\n" for i in range(1, 21)))
w("d_double_cr.csv", b"".join(f"{i},x{i},{i}\r\r\n".encode() for i in range(10)).replace(b"0,x0,0", "编号,名称,数量".encode()))
w("d_trailing_spaces_tabs.csv", "编号,企业名称,金额\n" + "".join(f"{i} ,企业{i}\t,{i * 3} \n" for i in range(1, 21)))
(OUT / "d_utf16_tabs.csv").write_bytes("编号\t企业名称\t金额\r\n".encode("utf-16") + "".join(f"{i}\t企业{i}\t{i * 3}\r\n" for i in range(1, 21)).encode("utf-16-le"))
wb, ws = book(); ws.append(["地区", 2022, 2023, 2024])
for d in DISTRICTS: ws.append([d, rnd.randint(1, 99), rnd.randint(1, 99), rnd.randint(1, 99)])
wb.save(OUT / "d_year_headers.xlsx")
wb, ws = book(); ws.append(["编号", "名称", "检查结果", None]); ws.merge_cells("C1:D1")
for i in range(12): ws.append([i + 1, f"企业{i}", "合格", "2024-03-01"])
wb.save(OUT / "d_merged_single_header.xlsx")
wb, ws = book(); ws["B3"] = "编号"; ws["C3"] = "名称"; ws["D3"] = "金额"; ws["A1"] = "附件2"
for i in range(12): ws.cell(row=4 + i, column=2, value=i + 1); ws.cell(row=4 + i, column=3, value=f"企业{i}"); ws.cell(row=4 + i, column=4, value=i * 2.5)
wb.save(OUT / "d_offset_b3.xlsx")
w("d_seq_restarts.csv", "序号,区县,企业名称\n" + "".join(f"{j + 1},{d},企业{j}\n" for d in DISTRICTS[:3] for j in range(8)))
w("d_ideographic_space.csv", "编号,企业名称,金额\n" + "".join(f"{i},\u3000企业{i}\u3000,{i}\n" for i in range(1, 21)))
print(len(list(OUT.iterdir())), "files in", OUT)

# ---- a total first (fourth batch) ----
wb, ws = book(); ws.append(["区县", "企业数", "罚款金额"]); ws.append(["合计", 60, 12345.5])
for d in DISTRICTS: ws.append([d, 12, 2469.1])
wb.save(OUT / "e_total_first.xlsx")
w("e_total_first_full.csv", "区县,企业数,罚款金额\n全市合计,60,12345.5\n" + "".join(f"{d},12,2469.1\n" for d in DISTRICTS))
w("e_serials_text.csv", "编号,日期\n" + "".join(f"{i},{45357 + i}\n" for i in range(1, 13)))
print(len(list(OUT.iterdir())), "files in", OUT)

# ---- odd workbooks (fifth batch) ----
from openpyxl.chart import BarChart, Reference
wb, ws = book(); ws.title = "数据"; ws.append(["区县", "数量"])
for d in DISTRICTS: ws.append([d, rnd.randint(1, 99)])
cs = wb.create_chartsheet("图表", 0); ch = BarChart(); ch.add_data(Reference(ws, min_col=2, min_row=1, max_row=6), titles_from_data=True); cs.add_chart(ch)
wb.save(OUT / "f_chartsheet_first.xlsx")
wb, ws = book(); ws.sheet_state = "hidden"; ws.append(["a", "b"]); ws.append([1, 2]); wb.create_sheet("空白")
wb.save(OUT / "f_only_hidden.xlsx")  # the data only on a hidden sheet, a blank visible one
wb, ws = book(); ws.append(["编号", "名称"]); ws.append([1, "甲"]); ws.append([2, "乙"]); ws.append([3, "丙"])
ws["A1"].comment = None; ws.protection.sheet = True; ws.protection.password = "1234"
wb.save(OUT / "f_protected.xlsx")
print(len(list(OUT.iterdir())), "files in", OUT)
