"""Generate raw submissions for govdata new / check / frictionless."""
import os, zipfile, gzip, io, json, pathlib, datetime
OUT = pathlib.Path("/tmp/unseen/raw"); OUT.mkdir(parents=True, exist_ok=True)
def w(name, data):
    p = OUT / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
H = "编号,企业名称,区划代码,决定日期,金额\n"
w("bom_crlf_quoted_nl.csv", b"\xef\xbb\xbf" + "编号,企业名称,说明,金额\r\n1,杭州云帆科技有限公司,\"第一行\r\n第二行\",100\r\n2,杭州青禾,\"含,逗号\",200.5\r\n".encode())
w("latin1.csv", "id,name,city\n1,José,Zürich\n2,François,Köln\n".encode("latin-1"))
w("gbk.csv", (H + "1,杭州云帆科技有限公司,330106,2024-01-05,100\n2,杭州青禾食品有限公司,330102,2024-02-01,250.5\n3,杭州远景建材有限公司,330105,2024-03-01,80\n").encode("gbk"))
w("big5.csv", "編號,企業名稱,金額\n1,臺北雲帆科技有限公司,100\n2,高雄青禾食品有限公司,250\n3,台中遠景建材有限公司,80\n".encode("big5"))
w("header_only.csv", H)
w("header_only_nonl.csv", H.rstrip("\n"))
w("header_repeated.csv", H + "1,甲公司,330106,2024-01-05,100\n" + H + "2,乙公司,330102,2024-02-01,250\n")
w("dup_header_ws.csv", "编号,名称,名称 ,金额\n1,甲,乙,3\n2,丙,丁,4\n")
w("dup_header_fullwidth.csv", "编号,ID,ＩＤ,金额\n1,a,b,3\n2,c,d,4\n")
w("units.csv", "编号,金额,比例,总额,差额\n1,12.5万元,3%,\"1,234.50\",(100)\n2,8万元,45%,\"2,000.00\",(2.5)\n3,1.2亿元,0.5%,\"12,345,678.90\",30\n")
w("cn_dates.csv", "编号,日期甲,日期乙,日期丙,日期丁,时间\n1,2024年3月5日,2024/3/5,2024.03.05,二〇二四年三月五日,08:30\n2,2024年12月25日,2024/12/25,2024.12.25,二〇二四年十二月二十五日,14:05:09\n3,2025年1月1日,2025/1/1,2025.01.01,二〇二五年一月一日,23:59\n")
w("semicolon.csv", "编号;名称;金额\n1;甲;1,5\n2;乙;2,5\n3;丙;3\n")
w("tab.tsv", "编号\t名称\t金额\n1\t甲\t1.5\n2\t乙\t2.5\n")
w("tab_as_csv.csv", "编号\t名称\t金额\n1\t甲\t1.5\n2\t乙\t2.5\n")
w("pipe.csv", "编号|名称|金额\n1|甲|1.5\n2|乙|2.5\n3|丙|3\n")
w("longcell.csv", "编号,说明\n1," + "长" * (1 << 20) + "\n2,短\n")
w("cols1000.csv", ",".join(f"c{i}" for i in range(1000)) + "\n" + ",".join(str(i) for i in range(1000)) + "\n" + ",".join(str(i + 1) for i in range(1000)) + "\n")
w("empty.csv", b"")
w("nuls.csv", b"\x00" * 4096)
w("mixed_eol.csv", b"id,name,amount\r\n1,a,1\n2,b,2\r3,c,3\r\n")
w("trailing_delim.csv", "编号,名称,金额,\n1,甲,1,\n2,乙,2,\n3,丙,3,\n")
w("personal_free_text.csv", "编号,备注\n1,请联系张三 13812345678 办理\n2,身份证 110105194912310025 已核验\n3,邮件 zhangsan@example.com 回复\n4,无\n")
w("masked_ids.csv", "编号,身份证号码,手机号\n1,3301**********1001,138****5678\n2,3301**********1002,139****1234\n3,3301**********1003,137****0000\n")
w("only_crlf_blank.csv", b"\r\n\r\n\r\n")
w("one_col.csv", "名称\n甲\n乙\n")
w("quoted_header_newline.csv", '"编\n号",名称\n1,甲\n2,乙\n')
w("neg_paren.csv", "编号,金额\n1,(100)\n2,200\n3,(3.5)\n")
w("bom_only.csv", b"\xef\xbb\xbf")
w("utf8_bad.csv", "编号,名称\n1,甲\n".encode() + b"2,\xff\xfe\xfa\n")
w("json_rows.json", json.dumps([{"id": 1, "name": "甲"}, {"id": 2, "name": "乙"}], ensure_ascii=False))
w("data.txt", "编号,名称\n1,甲\n")
w("data.csv.gz", gzip.compress(H.encode() + "1,甲公司,330106,2024-01-05,100\n".encode()))
# zip bomb as csv zip
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("items.csv", H + "0" * (300 << 20))
w("bomb.csv.zip", buf.getvalue())
# excel
import openpyxl
from openpyxl.styles import Font
wb = openpyxl.Workbook()
ws = wb.active; ws.title = "说明"
ws["A1"] = "本表说明"
ws2 = wb.create_sheet("数据")
ws2["A1"] = "2024年行政检查情况表"; ws2.merge_cells("A1:E1")
ws2["A2"] = "单位：万元"
ws2.append(["编号", "单位名称", "检查日期", "金额", "比例"])
ws2.append([1, "甲公司", datetime.date(2024, 3, 5), 12.5, "=D4/100"])
ws2.append([2, "乙公司", 45357, 8, "=1/0"])
ws2.append([3, "丙公司", datetime.date(2024, 3, 7), "#N/A", 0.5])
ws2.row_dimensions[6].hidden = True
ws2.append([4, "丁公司", datetime.datetime(2024, 3, 8, 0, 0), 9, 0.1])
ws3 = wb.create_sheet("一行"); ws3.append(["只有一行"])
wb.save(OUT / "multi.xlsx")
wb = openpyxl.Workbook(); ws = wb.active; ws.append(["仅表头甲", "仅表头乙"]); wb.save(OUT / "xlsx_header_only.xlsx")
wb = openpyxl.Workbook(); wb.save(OUT / "xlsx_empty.xlsx")
wb = openpyxl.Workbook(); ws = wb.active
ws.append(["地区", "指标", None]); ws.merge_cells("A1:A2"); ws.merge_cells("B1:C1")
ws.append([None, "甲", "乙"])
ws.append(["西湖区", 1, 2]); ws.append([None, 3, 4]); ws.merge_cells("A3:A4")
wb.save(OUT / "xlsx_merged.xlsx")
w("fake.xlsx", b"PK\x03\x04not really a zip")
w("notxlsx.xlsx", "编号,名称\n1,甲\n")
