"""Mixed traffic on loopback, with and without expensive clients, bounded in time.

    python -m benchmarks.load [--seconds 15] [--clients 8,32] [--out _build] [--skip-default]

Builds the sample catalogue (unless ``--out`` names an existing build folder), starts
``govdata serve`` (its default workers) and, for comparison, ``datasette serve --immutable`` with
default settings on the same SQLite files. For each server and each client count it runs, for
``--seconds`` each:

  quiet      C clients looping a mix of cheap requests: home page, dataset page, table JSON,
             indexed filter, CKAN package_search, a download (the last three on govdata only)
  expensive  the same, plus 3 clients looping the most expensive requests the limits allow:
             a query stopped by the SQL time limit, a facet, a streamed CSV export, the largest HTML table page

With ``--wrk`` the cheap mix comes from ``wrk`` (``apt-get install wrk``): httpx's own CPU on a
2-core machine caps the measurable throughput, the more so the more clients.

and reports requests/s, errors and p50/p99 of the cheap requests, and the expensive/quiet p99
ratio. Writes ``benchmarks/results/load.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]

CHEAP_GOVDATA = [
    ("home", "/"),
    ("dataset page", "/hz-shuanggongshi"),
    ("table json", "/hz-shuanggongshi/penalties.json?_size=50&_shape=array"),
    ("indexed filter", "/hz-shuanggongshi/penalties.json?region_code=330106&_shape=array"),
    ("ckan search", "/api/3/action/package_search?q=行政处罚&rows=5"),
    ("download", "/downloads/zj-holiday-calendar/days.csv"),
]
CHEAP_DEFAULT = CHEAP_GOVDATA[:4]
EXPENSIVE = [
    "/hz-shuanggongshi.json?sql=with+recursive+c(x)+as+(select+1+union+all+select+x%2B1+from+c)+select+count(*)+from+c",
    "/hz-shuanggongshi/penalties.json?_facet=category&_facet=status&_facet=region_code&_size=0",
    "/hz-shuanggongshi/licences.csv?_stream=1&_size=max",
    "/hz-shuanggongshi/penalties?_size=1000",  # the largest HTML page a client can ask for
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        time.sleep(0.2)
    raise RuntimeError("server did not start")


async def run_traffic(
    base: str, cheap: list[tuple[str, str]], clients: int, seconds: float, expensive_clients: int
) -> dict:
    stop_at = time.perf_counter() + seconds
    lat: list[float] = []
    by_kind: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    expensive_status: dict[int, int] = {}
    limits = httpx.Limits(max_connections=clients + expensive_clients + 4)

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def cheap_loop(seed: int):
            rnd = random.Random(seed)
            while time.perf_counter() < stop_at:
                kind, url = rnd.choice(cheap)
                t = time.perf_counter()
                try:
                    r = await client.get(url)
                    ok = r.status_code == 200
                    key = str(r.status_code)
                except httpx.HTTPError as exc:
                    ok, key = False, type(exc).__name__
                took = time.perf_counter() - t
                if ok:
                    lat.append(took)
                    by_kind.setdefault(kind, []).append(took)
                else:
                    errors[f"{kind} {key}"] = errors.get(f"{kind} {key}", 0) + 1

        async def expensive_loop(seed: int):
            rnd = random.Random(seed)
            while time.perf_counter() < stop_at:
                try:
                    r = await client.get(rnd.choice(EXPENSIVE))
                    expensive_status[r.status_code] = expensive_status.get(r.status_code, 0) + 1
                    if r.status_code in (429, 503):
                        await asyncio.sleep(float(r.headers.get("retry-after", "1")) / 4)
                except httpx.HTTPError:
                    expensive_status[-1] = expensive_status.get(-1, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(
            *[cheap_loop(i) for i in range(clients)], *[expensive_loop(1000 + i) for i in range(expensive_clients)]
        )
        wall = time.perf_counter() - started

    def pct(values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        values = sorted(values)
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1)

    return {
        "clients": clients,
        "expensive_clients": expensive_clients,
        "seconds": round(wall, 1),
        "requests": len(lat),
        "rps": round(len(lat) / wall, 1),
        "errors": errors,
        "p50_ms": pct(lat, 0.50),
        "p99_ms": pct(lat, 0.99),
        "by_kind_p99_ms": {k: pct(v, 0.99) for k, v in sorted(by_kind.items())},
        "expensive_status": {str(k): v for k, v in sorted(expensive_status.items())},
    }


WRK_SCRIPT = """
paths = {%s}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def _ms(text: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
    for unit in ("us", "ms", "s", "m"):
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return round(float(text[: -len(unit)]) * units[unit], 1)
    return float("nan")


def run_wrk(base: str, cheap, clients: int, seconds: float, expensive_clients: int) -> dict:
    """The cheap mix from ``wrk`` (C, far less CPU than httpx on a shared 2-core machine), the
    expensive clients beside it from httpx in a thread."""
    import re
    import threading

    script = Path(tempfile.mkdtemp(prefix="govdata-wrk-")) / "mix.lua"
    paths = ", ".join('"' + urllib.parse.quote(u, safe="/?=&_.-") + '"' for _, u in cheap)
    script.write_text(WRK_SCRIPT % paths, "utf-8")
    side: dict = {}
    thread = None
    if expensive_clients:
        thread = threading.Thread(
            target=lambda: side.update(asyncio.run(run_traffic(base, cheap, 0, seconds + 1, expensive_clients)))
        )
        thread.start()
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--latency", "--timeout", "30s", "-s", str(script), base],
        capture_output=True,
        text=True,
    ).stdout
    if thread is not None:
        thread.join()
    shutil.rmtree(script.parent, ignore_errors=True)
    pct = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", out, re.M))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return {
        "clients": clients,
        "expensive_clients": expensive_clients,
        "seconds": seconds,
        "generator": "wrk",
        "rps": float(rps.group(1)) if rps else float("nan"),
        "errors": {"non-2xx or socket": errors} if errors else {},
        "p50_ms": _ms(pct.get("50", "")),
        "p99_ms": _ms(pct.get("99", "")),
        "expensive_status": side.get("expensive_status", {}),
    }


def scenarios(base: str, cheap, client_counts, seconds, use_wrk: bool = False) -> list[dict]:
    out = []
    for c in client_counts:
        if use_wrk:
            quiet = run_wrk(base, cheap, c, seconds, 0)
            busy = run_wrk(base, cheap, c, seconds, 3)
        else:
            quiet = asyncio.run(run_traffic(base, cheap, c, seconds, 0))
            busy = asyncio.run(run_traffic(base, cheap, c, seconds, 3))
        busy["p99_ratio_to_quiet"] = round(busy["p99_ms"] / quiet["p99_ms"], 2) if quiet["p99_ms"] else None
        out += [quiet, busy]
        for r in (quiet, busy):
            print(
                f"  {c:3d} clients +{r['expensive_clients']} expensive: {r['rps']:7.1f} req/s "
                f"p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  errors {sum(r['errors'].values())} "
                f"expensive {r['expensive_status']}",
                flush=True,
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--clients", default="8,32")
    ap.add_argument("--out", type=Path, help="an existing output folder with a build (default: build the sample)")
    ap.add_argument("--skip-default", action="store_true", help="do not measure default Datasette")
    ap.add_argument(
        "--wrk", action="store_true", help="generate the cheap mix with wrk (Debian package) instead of httpx"
    )
    args = ap.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    tmp = None
    if args.out is None:
        tmp = Path(tempfile.mkdtemp(prefix="govdata-load-"))
        args.out = tmp / "_build"
        subprocess.run(
            [sys.executable, "-m", "govdata", "build", "--root", str(REPO), "--out", str(args.out), "--quiet"],
            check=True,
        )
    results: dict = {"seconds": args.seconds, "cpus": os.cpu_count(), "govdata": [], "default_datasette": []}
    procs = []
    try:
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "govdata",
                "serve",
                "--root",
                str(REPO),
                "--out",
                str(args.out),
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(REPO / "benchmarks" / "results" / "load-server.log", "w"),
        )
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, proc)
        print("govdata serve", flush=True)
        results["govdata"] = scenarios(base, CHEAP_GOVDATA, counts, args.seconds, args.wrk)
        proc.terminate()
        proc.wait(timeout=20)
        if not args.skip_default:
            site = (args.out / "current").resolve() / "site"
            port = free_port()
            dbs = sorted(str(p) for p in site.glob("*.db"))
            proc = subprocess.Popen(
                [sys.executable, "-m", "datasette", "serve", *[a for d in dbs for a in ("-i", d)], "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append(proc)
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, proc)
            print("default datasette serve --immutable", flush=True)
            results["default_datasette"] = scenarios(base, CHEAP_DEFAULT, counts, args.seconds, args.wrk)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    target = REPO / "benchmarks" / "results" / ("load-wrk.json" if args.wrk else "load.json")
    target.write_text(json.dumps(results, ensure_ascii=False, indent=2), "utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
