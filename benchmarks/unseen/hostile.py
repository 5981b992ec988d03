import http.client, json, socket, sys, time, urllib.parse as up
H, P = "127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8391
DB, T = "hz-shuanggongshi", "penalties"
def req(method, path, body=None, headers=None, timeout=30):
    t = time.time()
    c = http.client.HTTPConnection(H, P, timeout=timeout)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items(): c.putheader(k, v)
        if body is not None: c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse(); data = r.read()
        return r.status, len(data), time.time() - t, data[:160]
    except Exception as e:
        return "EXC " + type(e).__name__ + str(e)[:80], 0, time.time() - t, b""
    finally: c.close()
def q(s): return up.quote(s, safe="")
sql = lambda s: f"/{DB}.json?sql=" + q(s)
cases = [
 ("ckan rows=-1", "/api/3/action/package_search?rows=-1"),
 ("ckan rows=1e9", "/api/3/action/package_search?rows=1000000000"),
 ("ckan rows=abc", "/api/3/action/package_search?rows=abc"),
 ("ckan start=-5", "/api/3/action/package_search?start=-5"),
 ("ckan start=huge", "/api/3/action/package_search?start=99999999999999999999999"),
 ("ckan sort inj", "/api/3/action/package_search?sort=" + q("name asc; drop table x")),
 ("ckan sort weird", "/api/3/action/package_search?sort=" + q("metadata_modified desc, name asc, title_string desc, x y z")),
 ("ckan fq unbalanced", "/api/3/action/package_search?fq=" + q('publisher:"hz-gov')),
 ("ckan fq parens", "/api/3/action/package_search?fq=" + q("((((((((((((((((((((a:b")),
 ("ckan fq deep parens", "/api/3/action/package_search?fq=" + q("(" * 5000 + "a:b" + ")" * 5000)),
 ("ckan fq range", "/api/3/action/package_search?fq=" + q("metadata_modified:[* TO NOW]")),
 ("ckan fq OR NOT", "/api/3/action/package_search?fq=" + q("-publisher:hz-gov OR NOT tags:x AND +y:z")),
 ("ckan fq wildcard", "/api/3/action/package_search?fq=" + q("name:*" + "a*" * 2000)),
 ("ckan facet.field 10k json", "/api/3/action/package_search?facet.field=" + q(json.dumps([f"f{i}" for i in range(1500)]))),
 ("ckan facet.field bad json", "/api/3/action/package_search?facet.field=" + q("[[[[")),
 ("ckan facet.limit -1", "/api/3/action/package_search?facet.field=" + q('["tags"]') + "&facet.limit=-1"),
 ("ckan facet.limit huge", "/api/3/action/package_search?facet.field=" + q('["tags"]') + "&facet.limit=10000000000000000000000"),
 ("ckan q NUL", "/api/3/action/package_search?q=%00%00"),
 ("ckan q overlong utf8", "/api/3/action/package_search?q=%C0%AF%E0%80%AF"),
 ("ckan q lone surrogate", "/api/3/action/package_search?q=%ED%A0%80"),
 ("ckan q garbage pct", "/api/3/action/package_search?q=%%%ZZ%4"),
 ("ckan q NFKC", "/api/3/action/package_search?q=" + q("ｘｚｃｆ ﬁ ①")),
 ("ckan q long", "/api/3/action/package_search?q=" + q("罚" * 5000)),
 ("ckan q solr syntax", "/api/3/action/package_search?q=" + q('title:"行政" AND name:hz* ~2 ^3 {a TO b}')),
 ("ckan package_show id=NUL", "/api/3/action/package_show?id=%00"),
 ("ckan package_show id=../", "/api/3/action/package_show?id=" + q("../../etc/passwd")),
 ("ckan unknown action", "/api/3/action/" + "x" * 3000),
 ("ckan datastore_search limit -1", "/api/3/action/datastore_search?resource_id=x&limit=-1"),
 ("ckan datastore_search filters json bomb", "/api/3/action/datastore_search?resource_id=x&filters=" + q("[" * 3000 + "]" * 3000)),
 ("ckan datastore_search_sql", "/api/3/action/datastore_search_sql?sql=" + q("select 1")),
 ("ckan POST json deep", None),
 ("ckan group_list all_fields", "/api/3/action/group_list?all_fields=true&limit=-1"),
 ("ckan package_list limit", "/api/3/action/package_list?limit=-1&offset=-1"),
 ("ckan tag_list q", "/api/3/action/tag_list?query=%00"),
 ("ckan api version 2", "/api/2/action/package_search"),
 ("ckan api/action", "/api/action/package_search?q=x"),
 ("ds sort unknown", f"/{DB}/{T}.json?_sort=" + q("nope")),
 ("ds sort inj", f"/{DB}/{T}.json?_sort=" + q('case_no" desc; --')),
 ("ds sort_desc", f"/{DB}/{T}.json?_sort_desc=" + q("x' or 1=1")),
 ("ds where", f"/{DB}/{T}.json?_where=" + q("1=1) union select sqlite_version() --")),
 ("ds where randomblob", f"/{DB}/{T}.json?_where=" + q("length(randomblob(1000000000))>0")),
 ("ds col x300", f"/{DB}/{T}.json?" + "&".join(["_col=case_no"] * 300)),
 ("ds nocol x300", f"/{DB}/{T}.json?" + "&".join(["_nocol=case_no"] * 300)),
 ("ds nocount", f"/{DB}/{T}.json?_nocount=1"),
 ("ds shape bad", f"/{DB}/{T}.json?_shape=" + q("<script>")),
 ("ds shape objects", f"/{DB}/{T}.json?_shape=objects&_size=max"),
 ("ds size huge", f"/{DB}/{T}.json?_size=100000000"),
 ("ds size -1", f"/{DB}/{T}.json?_size=-1"),
 ("ds csv stream", f"/{DB}/{T}.csv?_stream=1&_size=max"),
 ("ds csv dl", f"/{DB}/{T}.csv?_stream=on&_dl=1"),
 ("ds facet x50", f"/{DB}/{T}.json?" + "&".join(f"_facet=c{i}" for i in range(50))),
 ("ds facet_array", f"/{DB}/{T}.json?_facet_array=case_no"),
 ("ds facet_date", f"/{DB}/{T}.json?_facet_date=decision_date"),
 ("ds filter like", f"/{DB}/{T}.json?case_no__like=" + q("%" * 2000)),
 ("ds filter glob", f"/{DB}/{T}.json?case_no__glob=" + q("*[" * 2000)),
 ("ds filter in json", f"/{DB}/{T}.json?case_no__in=" + q(json.dumps(["a"] * 50000))),
 ("ds filter many", f"/{DB}/{T}.json?" + "&".join(f"case_no__not={i}" for i in range(1500))),
 ("ds next garbage", f"/{DB}/{T}.json?_next=" + q("zzz,,,\x00")),
 ("ds search fts ops", f"/{DB}/{T}.json?_search=" + q('"a" NEAR(b c, 1) OR * ^ -x')),
 ("ds search long", f"/{DB}/{T}.json?_search=" + q("罚款" * 3000)),
 ("ds search_col bogus", f"/{DB}/{T}.json?_search_nope=x"),
 ("ds labels", f"/{DB}/{T}.json?_labels=on&_size=max"),
 ("ds row pk weird", f"/{DB}/{T}/" + q("\x00..%")),
 ("ds table unknown", f"/{DB}/" + q("sqlite_master") + ".json"),
 ("ds db unknown", "/" + q("../etc") + ".json"),
 ("sql recursive", sql("with recursive c(x) as (select 1 union all select x+1 from c) select count(*) from c")),
 ("sql zeroblob", sql("select zeroblob(1000000000)")),
 ("sql randomblob", sql("select randomblob(1000000000)")),
 ("sql replace loop", sql("with recursive r(s,n) as (select 'a',0 union all select replace(s,'a','aa'),n+1 from r where n<40) select length(s) from r order by n desc limit 1")),
 ("sql printf huge", sql("select printf('%.*c', 2000000000, 'x')")),
 ("sql hex randomblob", sql("select hex(randomblob(300000000))")),
 ("sql load_extension", sql("select load_extension('/tmp/x.so')")),
 ("sql attach", sql("attach database '/tmp/evil.db' as e")),
 ("sql pragma", sql("pragma writable_schema=1")),
 ("sql pragma fn", sql("select * from pragma_table_info('penalties')")),
 ("sql cross join", sql("select count(*) from penalties a, penalties b, penalties c")),
 ("sql generate rows", sql("with recursive c(x) as (select 1 union all select x+1 from c limit 100000000) select x from c")),
 ("sql groupconcat", sql("select group_concat(content, content) from penalties a, penalties b")),
 ("sql nul", f"/{DB}.json?sql=select%20%27%00%27"),
 ("sql long", sql("select " + "+".join(["1"] * 20000))),
 ("sql deep parens", sql("select " + "(" * 5000 + "1" + ")" * 5000)),
 ("sql params", f"/{DB}.json?sql=" + q("select :a") + "&a=" + q("x" * 10000)),
 ("sql write", sql("insert into penalties default values")),
 ("sql fts5vocab", sql("create virtual table temp.v using fts5vocab(penalties_fts, 'row')")),
 ("sql regexp", sql("select 'a' regexp '(a*)*b'")),
 ("sql like redos", sql("select count(*) from penalties where content like '" + "%a" * 300 + "'")),
 ("sql glob", sql("select count(*) from penalties where content glob '" + "*a" * 300 + "'")),
 ("portal q odd", "/?q=" + q("\x00<script>alert(1)</script>' OR 1=1 --")),
 ("portal q long", "/?q=" + q("税" * 8000)),
 ("portal q surrogate", "/?q=%ED%A0%80%C0%AF"),
 ("portal q regexp", "/?q=" + q(".*" * 1000 + "(")),
 ("portal facets many", "/?" + "&".join(f"theme=t{i}" for i in range(1500))),
 ("portal page=-1", "/?page=-1"),
 ("portal page huge", "/?page=99999999999999999999999999"),
 ("portal dataset unknown", "/datasets/" + q("<x>")),
 ("portal dataset traversal", "/datasets/..%2f..%2fetc%2fpasswd"),
 ("downloads traversal", "/downloads/..%2F..%2F..%2Fetc%2Fpasswd"),
 ("downloads traversal2", "/downloads/hz-shuanggongshi/..%2f..%2f..%2fcurrent"),
 ("downloads dotdot raw", "/downloads/hz-shuanggongshi/../../../etc/passwd"),
 ("static traversal", "/-/static/..%2f..%2fapp.py"),
 ("changelog", "/datasets/zj-admin-divisions/changelog?page=-1"),
 ("oversight today", "/oversight/timeliness?today=" + q("9999-99-99")),
 ("oversight timeliness.json bad", "/oversight/timeliness.json?today=abc&lang=" + q("<x>")),
 ("annual report year", "/oversight/annual-report?year=" + q("99999999999999999999")),
 ("annual report year neg", "/oversight/annual-report?year=-1&publisher=" + q("\x00")),
 ("lang weird", "/?lang=" + q("../../x")),
 ("data.json params", "/data.json?" + "&".join(f"x{i}=1" for i in range(1000))),
 ("double slash", "//" + DB + ".json"),
 ("dot segments", "/./" + DB + "/./" + T + ".json"),
 ("path very long", "/" + "a" * 15000),
]
out = []
for name, path in cases:
    if path is None:
        body = ("[" * 100000 + "]" * 100000).encode()
        r = req("POST", "/api/3/action/package_search", body, {"Content-Type": "application/json"})
    else:
        r = req("GET", path)
    flag = "" if isinstance(r[0], int) and r[0] < 500 and r[2] < 10 else "  <<<<<<"
    print(f"{name:40s} {r[0]} {r[1]:>9}B {r[2]:6.2f}s {r[3][:100]!r}{flag}", flush=True)
# methods
for m in ("HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND"):
    for p in ("/", f"/{DB}", f"/{DB}/{T}.json", "/api/3/action/package_search", "/data.json", "/datasets/hz-shuanggongshi", "/downloads/hz-shuanggongshi/penalties.csv", "/-/static/portal.css", "/oversight/timeliness"):
        r = req(m, p)
        flag = "" if isinstance(r[0], int) and r[0] < 500 and r[2] < 10 else "  <<<<<<"
        if flag or m in ("HEAD",): print(f"{m:8s} {p:45s} {r[0]} {r[1]}B {r[2]:.2f}s{flag}")
# big headers
r = req("GET", "/", headers={"X-Big": "a" * 100000}); print("big header", r[0], r[2])
r = req("GET", "/", headers={f"X-H{i}": "a" for i in range(2000)}); print("many headers", r[0], r[2])
r = req("GET", "/", headers={"Cookie": "a=" + "b" * 60000}); print("big cookie", r[0], r[2])
r = req("GET", "/", headers={"Accept-Language": ",".join(["zh;q=0.9"] * 5000)}); print("accept-language", r[0], r[2])
r = req("GET", "/", headers={"Range": "bytes=" + ",".join(f"{i}-{i}" for i in range(5000))}); print("range many", r[0], r[2])
r = req("GET", "/downloads/hz-shuanggongshi/penalties.csv", headers={"Range": "bytes=" + ",".join(f"{i}-{i}" for i in range(3000))}); print("range many dl", r[0], r[1], r[2])
r = req("GET", "/downloads/hz-shuanggongshi/penalties.csv", headers={"Range": "bytes=-99999999999999999999999"}); print("range neg dl", r[0], r[1], r[2])
r = req("GET", "/", headers={"Host": "\x00evil"}); print("host nul", r[0], r[2])
r = req("GET", "/", headers={"Transfer-Encoding": "chunked, identity"}); print("te weird", r[0], r[2])
# health
r = req("GET", f"/{DB}/{T}.json?_size=1"); print("HEALTH", r[0], r[2])
