import copy, json, os, pathlib, shutil, subprocess, sys, yaml, time
sys.path.insert(0, "/work/wt-unseen"); sys.path.insert(0, "/tmp/unseen/mc")
from make_corpus import BASE
WT = "/work/wt-unseen"; B = WT + "/.venv/bin"
BASEROOT = pathlib.Path("/tmp/unseen/base")
ROWS = "id,company,region_code,decided,amount\n1,杭州云帆科技有限公司,330106,2024-01-05,100\n2,杭州青禾食品有限公司,330102,2024-02-01,250.5\n3,杭州远景建材有限公司,330105,2024-03-01,80\n"
def case(name, data=ROWS, edit=None, files=None, fl=True):
    root = pathlib.Path("/tmp/unseen/croots") / name
    shutil.rmtree(root, ignore_errors=True); shutil.copytree(BASEROOT, root, symlinks=True)
    d = root / "datasets/hz-amr" / name; (d / "data").mkdir(parents=True)
    desc = copy.deepcopy(BASE); desc["name"] = name
    if edit: edit(desc, d, root)
    if data is not None:
        (d / "data/items.csv").write_bytes(data if isinstance(data, bytes) else data.encode())
    for k, v in (files or {}).items():
        p = d / k; p.parent.mkdir(parents=True, exist_ok=True); p.write_bytes(v)
    if not (d / "datapackage.yaml").exists():
        (d / "datapackage.yaml").write_text(yaml.safe_dump(desc, allow_unicode=True, sort_keys=False))
    t = time.time()
    r = subprocess.run(["timeout", "60", B + "/govdata", "check", f"datasets/hz-amr/{name}", "--root", str(root), "--format", "json", "--out", str(root / "_build")], capture_output=True, text=True, cwd=root)
    el = time.time() - t
    print(f"===== {name} rc={r.returncode} {el:.1f}s")
    if "Traceback" in r.stderr or r.returncode not in (0, 1):
        print("STDERR:", r.stderr[-3000:])
    try:
        rep = json.loads(r.stdout)
        for f in rep["findings"]:
            if f["code"] in ("metadata-recommended",): continue
            print("  G", f["severity"][0], f["code"], f.get("row"), f.get("field"), f.get("line"), f.get("key"), "|", f["message"][:150])
    except Exception as e:
        print("  (no json)", r.stdout[:500], r.stderr[-1500:])
    if fl:
        r2 = subprocess.run(["timeout", "60", B + "/python", "-c", f"""
import yaml, sys, os
sys.path.insert(0, '{WT}')
from tests.frictionless_run import frictionless_findings
d = yaml.safe_load(open('datapackage.yaml'))
for res in d['resources']:
    res.get('schema', dict()).pop('foreignKeys', None)
    try:
        print('  F', frictionless_findings(__import__('pathlib').Path('.'), {{k: v for k, v in res.items() if k in ('name','path','schema','dialect','format','encoding','compression','hash','bytes','sheet','data')}}))
    except Exception as e:
        print('  F EXC', type(e).__name__, str(e)[:300])
"""], capture_output=True, text=True, cwd=root / "datasets/hz-amr" / name)
        print(r2.stdout[-2000:], r2.stderr[-800:])

def res(d): return d["resources"][0]
