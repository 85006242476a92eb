"""`make bench`: demo build time and size per scale, KPI-page query times, last suite figures.

Figures are printed, never asserted: speed goals live here, not in timed tests.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from dashboard import build, config, db, demo, kpis
from dashboard.filters import Filters


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def bench_scale(customers: int, repeat: int, folder: Path) -> dict:
    """Build the demo at one scale and time the KPI page's queries on it."""
    t0 = time.perf_counter()
    frames = demo.generate(customers=customers, seed=7)
    gen_s = time.perf_counter() - t0
    raw = {k: frames[k] for k in build.RAW_TABLES if k != "assumptions"}
    raw["assumptions"] = build.read_assumptions()
    rows = sum(len(v) for v in raw.values())
    path = folder / f"bench-{customers}.duckdb"
    report = build.build(raw, path, {k: frames[k] for k in build.TRUTH_TABLES})
    del frames, raw
    wh = db.Warehouse(f"duckdb:///{path}")
    direct = lambda name, **p: wh.run(name, **p)  # noqa: E731  (no result cache: real queries)
    cat = kpis.load_catalog(direct)
    combos = [Filters(week=cat.latest_complete),
              Filters(week=cat.weeks[10], regions=("Central",), compare="4w"),
              Filters(week=cat.weeks[30], segments=("Business",), plans=("Premium",),
                      compare="52w")]
    kpis.build_report(direct, combos[0])  # first touch of the file
    times = []
    for i in range(repeat):
        t = time.perf_counter()
        kpis.build_report(direct, combos[i % len(combos)])
        times.append((time.perf_counter() - t) * 1000)
    cached = lambda name, **p: db.cached_run(wh, name, **p)  # noqa: E731
    kpis.build_report(cached, combos[0])
    hits = []
    for _ in range(repeat):
        t = time.perf_counter()
        kpis.build_report(cached, combos[0])
        hits.append((time.perf_counter() - t) * 1000)
    wh.close()
    pages, pack = [], None
    if customers == 50_000:
        from dashboard import ui_bench

        pages = ui_bench.page_timings(path)
        pack = pack_timing(path, folder)
    return {
        "pages": pages, "pack": pack,
        "customers": customers, "raw_rows": rows, "generate_s": gen_s,
        "build_s": report.seconds, "size_mb": report.size_bytes / 1e6,
        "page_ms_p50": statistics.median(times), "page_ms_p95": _pct(times, 0.95),
        "cached_ms_p50": statistics.median(hits),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def pack_timing(path: Path, folder: Path) -> dict:
    """The executive pack (10 charts, PPTX + PDF + XLSX) built by the headless command in a
    fresh process, as a weekly job would: wall time from start to files written, the build's
    own time, file sizes."""
    import subprocess
    import sys

    out = folder / "pack"
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "dashboard", "pack", "--url", f"duckdb:///{path}",
                          "--out", str(out), "--json", "--quiet", "--no-email"],
                         capture_output=True, text=True, cwd=config.ROOT, timeout=600)
    wall = time.perf_counter() - t
    if res.returncode != 0:
        return {"error": res.stderr.strip().splitlines()[-1:] or ["exit " + str(res.returncode)]}
    doc = json.loads(res.stdout)
    sizes = {Path(f).suffix[1:]: Path(f).stat().st_size / 1e6 for f in doc["files"]}
    return {"charts": len(doc["charts"]), "wall_s": wall, "build_s": doc["seconds"],
            "sizes": sizes}


def main(args: argparse.Namespace) -> int:
    """Print the benchmark table."""
    print(f"{'customers':>10} {'raw rows':>11} {'generate s':>10} {'build s':>8} "
          f"{'size MB':>8} {'page p50 ms':>11} {'page p95 ms':>11} {'cached ms':>9} "
          f"{'peak RSS MB':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.customers:
            r = bench_scale(n, args.repeat, Path(tmp))
            print(f"{r['customers']:>10,} {r['raw_rows']:>11,} {r['generate_s']:>10.1f} "
                  f"{r['build_s']:>8.1f} {r['size_mb']:>8.1f} {r['page_ms_p50']:>11.1f} "
                  f"{r['page_ms_p95']:>11.1f} {r['cached_ms_p50']:>9.2f} "
                  f"{r['peak_rss_mb']:>11.0f}", flush=True)
            for pg in r["pages"]:
                print(f"    page {pg['page']:<20} cold {pg['cold_ms']:8.0f} ms   warm p50 "
                      f"{pg['warm_ms_p50']:7.0f} ms   exceptions {pg['errors']}", flush=True)
            if r["pack"]:
                p = r["pack"]
                if "error" in p:
                    print(f"    board pack: FAILED {p['error']}")
                else:
                    sizes = ", ".join(f"{k} {v:.2f} MB" for k, v in p["sizes"].items())
                    print(f"    board pack ({p['charts']} charts, headless command, fresh "
                          f"process): {p['wall_s']:.1f} s wall, {p['build_s']:.1f} s rendering "
                          f"and assembling; {sizes}", flush=True)
    print("page = every query and computation of the Weekly KPIs page for one filter state "
          "(result cache bypassed); cached = the same through the TTL cache")
    last = config.ROOT / "artifacts" / "last-suite.json"
    if last.exists():
        s = json.loads(last.read_text())
        print(f"last test suite: {s['passed']} passed, {s['failed']} failed, "
              f"{s['skipped']} skipped in {s['seconds']:.0f} s")
    else:
        print("last test suite: not run yet (make test writes artifacts/last-suite.json)")
    return 0
