import sys, datetime as dt
sys.path.insert(0, "/tmp/unseen"); from cases import *
import xlsxwriter
only = sys.argv[1:]
def run(name, *a, **k):
    if not only or name in only: case(name, *a, **k)
def xl(path, build):
    wb = xlsxwriter.Workbook(str(path)); build(wb); wb.close(); return path.read_bytes()
def xres(d, *_):
    r = res(d); r["path"] = "data/items.xlsx"; r["format"] = "xlsx"
def book(ws_rows, extra=None):
    def build(wb):
        ws = wb.add_worksheet("数据"); datef = wb.add_format({"num_format": "yyyy-mm-dd"})
        for i, row in enumerate(ws_rows):
            for j, v in enumerate(row):
                if isinstance(v, dt.date): ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), datef)
                elif isinstance(v, tuple): ws.write_formula(i, j, v[0], None, v[1])
                elif v is None: pass
                else: ws.write(i, j, v)
        if extra: extra(wb, ws)
    import pathlib, tempfile
    p = pathlib.Path(tempfile.mktemp(suffix=".xlsx")); return xl(p, build)
H = ["id", "company", "region_code", "decided", "amount"]
good = [[1, "甲公司", "330106", dt.date(2024, 1, 5), 100], [2, "乙公司", "330102", dt.date(2024, 2, 1), 250.5], [3, "丙公司", "330105", dt.date(2024, 3, 1), 80]]
run("xlsx-clean", data=None, edit=xres, files={"data/items.xlsx": book([H] + good)})
run("xlsx-serial-date", data=None, edit=xres, files={"data/items.xlsx": book([H] + good[:2] + [[3, "丙公司", "330105", 45357, 80]])})
run("xlsx-formula-cached", data=None, edit=xres, files={"data/items.xlsx": book([H] + good[:2] + [[3, "丙公司", "330105", dt.date(2024, 3, 1), ("=E2*2", 200)], [4, "丁公司", "330105", dt.date(2024, 3, 1), ("=1/0", "#DIV/0!")], [5, "戊公司", "330105", dt.date(2024, 3, 1), ("=NA()", "#N/A")]])})
run("xlsx-formula-text-cached", data=None, edit=xres, files={"data/items.xlsx": book([H] + good[:2] + [[3, ("=\"丙\"&\"公司\"", "丙公司"), "330105", dt.date(2024, 3, 1), 5]])})
def hidden(wb, ws): ws.set_row(2, None, None, {"hidden": True})
run("xlsx-hidden-row", data=None, edit=xres, files={"data/items.xlsx": book([H] + good[:1] + [[2, "乙公司", "330102", dt.date(2024, 2, 1), -5]] + good[2:], hidden)})
def merged(wb, ws): ws.merge_range(1, 1, 2, 1, "合并公司")
run("xlsx-merged-data", data=None, edit=xres, files={"data/items.xlsx": book([H] + good, merged)})
def merged_fill(d, *a): xres(d); res(d)["dialect"] = {"excel": {"fillMergedCells": True}}
run("xlsx-merged-fill", data=None, edit=merged_fill, files={"data/items.xlsx": book([H] + good, merged)})
run("xlsx-one-row", data=None, edit=xres, files={"data/items.xlsx": book([H])})
run("xlsx-empty-sheet", data=None, edit=xres, files={"data/items.xlsx": book([])})
def twosheets(wb, ws):
    s2 = wb.add_worksheet("第二"); s2.write_row(0, 0, H); s2.write_row(1, 0, [1, "x", "330106", "bad", 1])
def sheet2(d, *a): xres(d); res(d)["sheet"] = "第二"; res(d)["dialect"] = {"excel": {"sheet": "第二"}}
run("xlsx-second-sheet", data=None, edit=sheet2, files={"data/items.xlsx": book([H] + good, twosheets)})
def nosheet(d, *a): xres(d); res(d)["sheet"] = "不存在"
run("xlsx-missing-sheet", data=None, edit=nosheet, files={"data/items.xlsx": book([H] + good)})
def sheetnum(d, *a): xres(d); res(d)["sheet"] = 99
run("xlsx-sheet-99", data=None, edit=sheetnum, files={"data/items.xlsx": book([H] + good)})
run("xlsx-long-text", data=None, edit=xres, files={"data/items.xlsx": book([H] + good[:2] + [[3, "长" * 32000, "330105", dt.date(2024, 3, 1), 80]])})
run("xlsx-bool-number-str", data=None, edit=xres, files={"data/items.xlsx": book([H] + good[:2] + [[3, True, 330105, dt.date(2024, 3, 1), "80"]])})
def xlsasx(d, *a): r = res(d); r["path"] = "data/items.xls"; r["format"] = "xls"
run("xls-that-is-xlsx", data=None, edit=xlsasx, files={"data/items.xls": book([H] + good)})
run("csv-that-is-xlsx", data=book([H] + good))
# CSV data cases
run("personal-phone-sep", data=ROWS.replace("杭州远景建材有限公司", "联系电话 138-1234-5678"))
run("personal-email-fullwidth", data=ROWS.replace("杭州远景建材有限公司", "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ"))
run("personal-id-fullwidth", data=ROWS.replace("杭州远景建材有限公司", "１１０１０５１９４９１２３１００２Ｘ"))
run("personal-bank", data=ROWS.replace("杭州远景建材有限公司", "账号6222021234567890128"))
def ws_dup(d, *a):
    f = res(d)["schema"]["fields"]; f[1]["name"] = "company"; f[2]["name"] = "company "; res(d)["schema"].pop("foreignKeys")
run("field-names-ws-dup", data=ROWS.replace("region_code", "company "), edit=ws_dup)
def fw_dup(d, *a):
    f = res(d)["schema"]["fields"]; f[2]["name"] = "ｃｏｍｐａｎｙ"; res(d)["schema"].pop("foreignKeys")
run("field-names-fullwidth-dup", data=ROWS.replace("region_code", "ｃｏｍｐａｎｙ"), edit=fw_dup)
def sqlname(d, *a):
    f = res(d)["schema"]["fields"]; f[1]["name"] = 'a"; DROP TABLE x; --'; f[4]["name"] = "rowid"; res(d)["schema"].pop("foreignKeys")
run("field-names-sql", data=ROWS.replace("company", '"a""; DROP TABLE x; --"').replace("amount", "rowid"), edit=sqlname)
def longname(d, *a):
    f = res(d)["schema"]["fields"]; f[1]["name"] = "n" * 5000
run("field-name-5000", data=ROWS.replace("company", "n" * 5000), edit=longname)
def dupres(d, *a): d["resources"].append(copy.deepcopy(res(d)))
run("duplicate-resource", edit=dupres)
def samepath(d, *a): r2 = copy.deepcopy(res(d)); r2["name"] = "items2"; d["resources"].append(r2)
run("two-resources-same-path", edit=samepath)
def backslash(d, *a): res(d)["path"] = "data\\..\\..\\..\\catalog.yaml"
run("path-backslash", edit=backslash)
def pathlist(d, *a): res(d)["path"] = ["data/items.csv", "data/items.csv"]
run("path-list", edit=pathlist)
def pathnul(d, *a): res(d)["path"] = "data/items.csv\x00.txt"
run("path-nul", edit=pathnul)
def pathdir(d, *a): res(d)["path"] = "data"
run("path-directory", edit=pathdir)
def pathfifo(d, dd, root): os.mkfifo(dd / "data" / "fifo.csv"); res(d)["path"] = "data/fifo.csv"
run("path-fifo", edit=pathfifo)
def pathdev(d, dd, root): (dd / "data" / "dev.csv").symlink_to("/dev/zero"); res(d)["path"] = "data/dev.csv"
run("path-dev-zero", edit=pathdev)
def hugeenum(d, *a): res(d)["schema"]["fields"][1]["constraints"]["enum"] = [f"v{i}" for i in range(40000)]
run("enum-40000", edit=hugeenum)
def badregex(d, *a): res(d)["schema"]["fields"][1]["constraints"]["pattern"] = "(a+)+$"
run("pattern-redos", data=ROWS.replace("杭州远景建材有限公司", "a" * 5000 + "!"), edit=badregex)
def fieldsnone(d, *a): res(d)["schema"]["fields"] = None
run("fields-null", edit=fieldsnone)
def typenone(d, *a): res(d)["schema"]["fields"][0]["type"] = None
run("type-null", edit=typenone)
def typeweird(d, *a): res(d)["schema"]["fields"][0]["type"] = "varchar(10)"
run("type-unknown", edit=typeweird)
def resnotdict(d, *a): d["resources"] = ["data/items.csv"]
run("resource-string", edit=resnotdict)
def resempty(d, *a): d["resources"] = []
run("resources-empty", edit=resempty)
def namebad(d, *a): d["name"] = "../../x"
run("name-traversal", edit=namebad)
def resname(d, *a): res(d)["name"] = "../x; drop"
run("resource-name-bad", edit=resname)
run("header-only-typed", data="id,company,region_code,decided,amount\n")
run("crlf-only-blank", data=ROWS + "\r\n\r\n")
run("cr-only", data=ROWS.replace("\n", "\r"))
run("quote-in-header", data=ROWS.replace("company", '"com""pany"'))
run("bom-twice", data=b"\xef\xbb\xbf\xef\xbb\xbf" + ROWS.encode())
run("utf16-no-bom", data=ROWS.encode("utf-16-le"))
run("gb18030-4byte", data=ROWS.replace("杭州远景建材有限公司", "𠀀公司€").encode("gb18030"))
run("big-int", data=ROWS.replace("\n3,", "\n99999999999999999999,"))
run("nan-inf", data=ROWS.replace(",100\n", ",NaN\n").replace(",80\n", ",-Infinity\n"))
