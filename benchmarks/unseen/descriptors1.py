import sys, os, pathlib, gzip, zipfile, io
sys.path.insert(0, "/tmp/unseen"); from cases import *
def F(i): return lambda d: res(d)["schema"]["fields"][i]
only = sys.argv[1:] 
def run(name, *a, **k):
    if not only or name in only: case(name, *a, **k)
run("clean")
def unknown(d, *_):
    d["foo_unknown"] = {"x": 1}; res(d)["bar"] = [1, 2]; res(d)["schema"]["fields"][0]["baz"] = "q"; res(d)["schema"]["quux"] = 1
run("unknown-keys", edit=unknown)
def deep(d, dd, root):
    txt = yaml.safe_dump(d, allow_unicode=True, sort_keys=False) + "x_deep: " + "[" * 3000 + "]" * 3000 + "\n"
    (dd / "datapackage.yaml").write_text(txt)
run("deep-nesting", edit=deep)
def deepmap(d, dd, root):
    txt = yaml.safe_dump(d, allow_unicode=True, sort_keys=False) + "x_deep: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n"
    (dd / "datapackage.yaml").write_text(txt)
run("deep-nesting-map", edit=deepmap)
run("missing-file", data=None)
def symdir(d, dd, root):
    out = pathlib.Path("/tmp/unseen/outside"); out.mkdir(exist_ok=True); (out / "items.csv").write_text(ROWS)
    (dd / "data").rmdir(); (dd / "data").symlink_to(out)
run("symlink-dir-out", data=None, edit=symdir)
run("header-repeated-typed", data=ROWS + "id,company,region_code,decided,amount\n4,杭州甲有限公司,330106,2024-01-05,1\n")
run("bom-crlf-quotednl", data=b"\xef\xbb\xbf" + ROWS.replace("\n", "\r\n").replace("杭州青禾食品有限公司", '"杭州青禾\r\n食品有限公司"').encode() + "4,x公司,330106,2024-13-01,5\r\n".encode())
run("mixed-eol", data=ROWS.replace("\n", "\r", 2) + "4,x公司,330106,2024-01-01,abc\n")
run("trailing-delim", data="".join(l + ",\n" for l in ROWS.splitlines()))
run("zero-byte", data=b"")
run("nul-file", data=b"\x00" * 1000)
def pipe(d, *_): res(d)["dialect"] = {"delimiter": "|"}
run("pipe-declared", data=ROWS.replace(",", "|").replace("250.5", "x"), edit=pipe)
def multi(d, *_): res(d)["dialect"] = {"delimiter": "||"}
run("delim-multichar", edit=multi)
run("pipe-undeclared", data=ROWS.replace(",", "|"))
run("id-in-text", data=ROWS.replace("杭州远景建材有限公司", "杭州远景 法人11010519491231002X"))
def masked(d, *_):
    res(d)["schema"]["fields"][1].update({"personal": "id_card", "masked": True})
run("masked-one-clear", data=ROWS.replace("杭州云帆科技有限公司", "3301**********1001").replace("杭州青禾食品有限公司", "11010519491231002X").replace("杭州远景建材有限公司", "3301**********1003"), edit=masked)
def big5(d, *_): res(d)["encoding"] = "big5"
run("big5-declared", data=ROWS.replace("杭州云帆科技有限公司", "臺北雲帆").replace("杭州青禾食品有限公司", "高雄").replace("杭州远景建材有限公司", "台中").encode("big5"), edit=big5)
def bogus(d, *_): res(d)["encoding"] = "x-no-such"
run("encoding-bogus", edit=bogus)
def utf32(d, *_): res(d)["encoding"] = "utf-32"
run("encoding-utf32", data=ROWS.encode("utf-32"), edit=utf32)
def comp(kind):
    def e(d, *_):
        r = res(d); r["compression"] = kind; r["path"] = "data/items.csv." + kind
    return e
big = (ROWS + "9,x,330106,2024-01-01," + "1" * (200 << 20) + "\n").encode()
run("gzip-bomb", data=None, edit=comp("gz"), files={"data/items.csv.gz": gzip.compress(big, 9)})
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z: z.writestr("items.csv", big)
run("zip-bomb", data=None, edit=comp("zip"), files={"data/items.csv.zip": buf.getvalue()})
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z: z.writestr("a.csv", ROWS); z.writestr("b.csv", ROWS)
run("zip-two-members", data=None, edit=comp("zip"), files={"data/items.csv.zip": buf.getvalue()})
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z: z.writestr("../../evil.csv", ROWS)
run("zip-slip", data=None, edit=comp("zip"), files={"data/items.csv.zip": buf.getvalue()})
def jsonres(d, *_): r = res(d); r["path"] = "data/items.json"; r["format"] = "json"
run("json-resource", data=None, edit=jsonres, files={"data/items.json": b'[{"id":1,"company":"a","region_code":"330106","decided":"2024-01-01","amount":1}]'})
def inline(d, *_): r = res(d); del r["path"]; r["data"] = [["id","company","region_code","decided","amount"],[1,"a","330106","2024-01-01",1]]
run("inline-data", data=None, edit=inline)
def md5(d, *_): res(d)["hash"] = "md5:d41d8cd98f00b204e9800998ecf8427e"
run("hash-md5", edit=md5)
def negbytes(d, *_): res(d)["bytes"] = -5
run("bytes-negative", edit=negbytes)
def pkbad(d, *_): res(d)["schema"]["primaryKey"] = ["nope"]
run("pk-unknown-field", edit=pkbad)
def minstr(d, *_): res(d)["schema"]["fields"][4]["constraints"]["minimum"] = "abc"
run("minimum-string", edit=minstr)
def cndate(d, *_): res(d)["schema"]["fields"][3]["format"] = "%Y年%m月%d日"
run("date-format-cn", data=ROWS.replace("2024-01-05", "2024年01月05日").replace("2024-02-01", "2024年2月1日").replace("2024-03-01", "2024-03-01"), edit=cndate)
def bare(d, *_): res(d)["schema"]["fields"][4]["bareNumber"] = False
run("barenumber-units", data=ROWS.replace(",100\n", ",12.5万元\n").replace(",80\n", ",3%\n"), edit=bare)
def grp(d, *_): res(d)["schema"]["fields"][4].update({"groupChar": ",", "decimalChar": "."})
run("groupchar", data=ROWS.replace(",100\n", ',"1,234.50"\n'), edit=grp)
def dec(d, *_): res(d)["schema"]["fields"][4].update({"decimalChar": ","}); res(d)["dialect"] = {"delimiter": ";"}
run("decimal-comma", data=ROWS.replace(",", ";").replace("250.5", "250,5"), edit=dec)
def boolcn(d, *_): res(d)["schema"]["fields"][2] = {"name": "region_code", "type": "boolean", "trueValues": ["是"], "falseValues": ["否"]}; res(d)["schema"].pop("foreignKeys")
run("boolean-cn", data=ROWS.replace("330106", "是").replace("330102", "否").replace("330105", "true"), edit=boolcn)
def mv(d, *_): res(d)["schema"]["missingValues"] = ["", "-", "无"]
run("missing-values", data=ROWS.replace(",100\n", ",-\n").replace(",80\n", ",无\n"), edit=mv)
def year(d, *_): res(d)["schema"]["fields"][3] = {"name": "decided", "type": "year"}
run("year-type", data=ROWS.replace("2024-01-05", "2024").replace("2024-02-01", "24").replace("2024-03-01", "２０２４"), edit=year)
def tm(d, *_): res(d)["schema"]["fields"][3] = {"name": "decided", "type": "time"}
run("time-type", data=ROWS.replace("2024-01-05", "08:30").replace("2024-02-01", "08:30:00").replace("2024-03-01", "8:30:00"), edit=tm)
def dtf(d, *_): res(d)["schema"]["fields"][3] = {"name": "decided", "type": "datetime", "format": "%Y/%m/%d %H:%M"}
run("datetime-format", data=ROWS.replace("2024-01-05", "2024/01/05 08:30").replace("2024-02-01", "2024/2/1 8:30").replace("2024-03-01", "2024-03-01T08:30:00"), edit=dtf)
def dany(d, *_): res(d)["schema"]["fields"][3]["format"] = "any"
run("date-any", data=ROWS.replace("2024-01-05", "2024/1/5").replace("2024-02-01", "March 5, 2024").replace("2024-03-01", "2024年3月5日"), edit=dany)
def maxlen(d, *_): res(d)["schema"]["fields"][1]["constraints"]["maxLength"] = 100
run("long-cell-1mb", data=ROWS.replace("杭州远景建材有限公司", "长" * (1 << 20)), edit=maxlen)
