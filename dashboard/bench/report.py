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

from dashboard.bench.browser import percentile
from dashboard.intake import demo
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.warehouse import build, config, db


def bench_scale(customers: int, repeat: int, folder: Path) -> dict:
    """Build the demo at one scale and time the KPI page's queries on it."""
    t0 = time.perf_counter()
    frames = demo.generate(customers=customers, seed=7, end_week=demo.PINNED_END_WEEK)
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
    from dashboard.bench import pages as ui_bench

    queries = query_timings(path, repeat)
    pages = ui_bench.page_timings(path)
    browser_pages = browser_timings(path, folder)
    app_mb = ui_bench.memory_after_pages(path)
    versus = pandas_timings(path)
    pack = None
    if customers == 50_000:
        pack = pack_timing(path, folder)
    load = ingest_timing(path, folder) if customers == 50_000 else None
    sessions = None
    if customers == 50_000:
        from dashboard.bench import browser as browser_sessions
        from dashboard.bench import concurrency

        # 50 threads computing pages and 5 real Chromium sessions on the served app
        with browser_sessions.serve({"CX_WAREHOUSE_URL": f"duckdb:///{path}"},
                                    folder / "streamlit.log") as url:
            sessions = concurrency.run(path, sessions=50, seconds=20, browser_url=url).line()
    scale = None
    if customers >= 1_000_000:
        from dashboard.bench import concurrency

        # five real browsers changing filters on every chart page for a minute: zero errors
        # and the app's resident memory within 600 MB
        scale = concurrency.browsers_on_served_app(path, folder, sessions=5, seconds=60)
    return {
        "queries": queries, "versus": versus, "pages": pages, "browser": browser_pages,
        "pack": pack, "ingest": load,
        "sessions": sessions, "scale": scale, "app_mb": app_mb,
        "customers": customers, "raw_rows": rows, "generate_s": gen_s,
        "build_s": report.seconds, "size_mb": report.size_bytes / 1e6,
        "page_ms_p50": statistics.median(times), "page_ms_p95": percentile(times, 0.95),
        "cached_ms_p50": statistics.median(hits),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def browser_timings(path: Path, folder: Path, changes: int = 6) -> dict:
    """Every page in a real browser (``dashboard.bench.speed``): the first visit of a fresh
    session on the served, warmed app and ``changes`` sidebar filter changes, from the user's
    action to the last change on screen; the lines to print and the server's warm-up time."""
    from dashboard.bench import speed

    try:
        pages, warmed = speed.measure(path, folder, changes=changes)
    except Exception as exc:  # noqa: BLE001 - a browser that cannot run is reported, not fatal
        return {"lines": [f"    browser pages: FAILED {type(exc).__name__}: {exc}"[:400]]}
    lines = [p.line() for p in pages]
    lines.append("    browser: the server warmed the latest week in "
                 + (f"{warmed[0]:.1f} s" if warmed else "— (no warm-up line)")
                 + " before the first visit; first visit = a fresh browser opening the page's "
                 "URL (returning: again in a new tab, the app's files cached); filter change = "
                 f"{changes} sidebar changes per page (another week, a "
                 "segment, region or plan added or the last removed), each from the click or "
                 "key press to the last change on screen")
    return {"lines": lines}


def _timed_page(path: Path, builder, repeat: int) -> tuple[list[float], list[float]]:
    """SQL and total milliseconds of ``repeat + 1`` runs of one page's computation on a freshly
    opened warehouse (the first run cold), default filters of the latest complete week."""
    from dashboard.money import assumptions

    wh = db.Warehouse(f"duckdb:///{path}")  # a new DuckDB instance: nothing cached
    sql_ms = [0.0]

    def fetch(name, **p):
        t = time.perf_counter()
        res = wh.run(name, **p)
        sql_ms[0] += (time.perf_counter() - t) * 1000
        return res

    cat = kpis.load_catalog(fetch)
    store = db.AppStore("sqlite:///:memory:")
    aset = assumptions.load_set(store, fetch("assumption_rows"), assumptions.PUBLISHED)
    filters = Filters(week=cat.latest_complete)
    sql, total = [], []
    for _ in range(repeat + 1):
        sql_ms[0] = 0.0
        t = time.perf_counter()
        builder(fetch, filters, aset)
        total.append((time.perf_counter() - t) * 1000)
        sql.append(sql_ms[0])
    wh.close()
    store.close()
    return sql, total


def query_timings(path: Path, repeat: int = 5) -> list[dict]:
    """Per chart page: the time of its queries (SQL only) and of its whole computation
    (queries + statistics + figures' data), cold — the first run on a freshly opened
    warehouse — and warm (p50 and p95 of ``repeat`` more runs, the result cache bypassed)."""
    from dashboard.exports import exhibits

    out = []
    for title, builder in exhibits.PAGES.items():
        sql, total = _timed_page(path, builder, repeat)
        out.append({"page": title, "sql_cold_ms": sql[0],
                    "sql_warm_p50": statistics.median(sql[1:]),
                    "sql_warm_p95": percentile(sql[1:], 0.95), "total_cold_ms": total[0],
                    "total_warm_p50": statistics.median(total[1:]),
                    "total_warm_p95": percentile(total[1:], 0.95)})
    return out


def pandas_timings(path: Path, repeat: int = 1) -> dict:
    """The same page numbers the pandas way (raw tables loaded into pandas, filtered and
    grouped in memory per interaction) against our queries, in this run, for the latest week
    and every customer (``dashboard.bench.pandas_way``; the pandas side takes minutes at 1M)."""
    import gc

    from dashboard.bench import pandas_way

    wh = db.Warehouse(f"duckdb:///{path}")
    filters = pandas_way.bench_filters(wh)[:1]
    wh.close()
    raw = pandas_way.load(path)
    rows = pandas_way.compare(path, filters, repeat, raw=raw)
    out = {"lines": pandas_way.lines(rows, raw)}
    del raw
    gc.collect()
    return out


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


def contact_file(path: Path, folder: Path, rows: int, bad_share: float = 0.01) -> Path:
    """A CSV of ``rows`` new service contacts for the warehouse's customers (after each one's
    signup), with ``bad_share`` of them for customers that do not exist."""
    import numpy as np
    import pandas as pd

    wh = db.Warehouse(f"duckdb:///{path}")
    cust = wh.sql("select customer_id, signup_date from raw.customers")
    window = wh.sql("select min(occurred_at) as lo, max(occurred_at) as hi from raw.contacts")
    lo, end = (pd.Timestamp(window[c].iloc[0]) for c in ("lo", "hi"))
    wh.close()
    rng = np.random.default_rng(7)
    pick = cust.iloc[rng.integers(0, len(cust), rows)].reset_index(drop=True)
    signup = pd.to_datetime(pick["signup_date"]).clip(lower=lo)  # within the data's window
    span = (end - signup).dt.total_seconds().clip(lower=3600)
    when = signup + pd.to_timedelta(rng.random(rows) * span, unit="s")
    ids = pick["customer_id"].astype(object).to_numpy().copy()
    ids[rng.random(rows) < bad_share] = "nobody"
    frame = pd.DataFrame({  # text ids of the shape helpdesks export, none of them already used
        "contact_id": [f"BENCH-{i:07d}" for i in range(1, rows + 1)], "customer_id": ids,
        "occurred_at": when.dt.strftime("%Y-%m-%d %H:%M:%S"),
        "channel": rng.choice(["phone", "chat", "email", "self_service", "store", "social"], rows),
        "reason": rng.choice(["billing", "technical", "delivery", "account"], rows),
        "handle_seconds": rng.integers(30, 1800, rows), "is_resolved": rng.random(rows) < 0.8,
        "agent_id": rng.integers(1, 400, rows)})
    out = folder / "contacts_bench.csv"
    frame.to_csv(out, index=False)
    return out


def ingest_timing(path: Path, folder: Path, rows: int = 1_000_000) -> dict:
    """Load ``rows`` new contact rows (1 % with unknown customers) into a copy of the warehouse:
    total time, rows per second, and the phases (read + validate, load, marts + checks)."""
    import shutil

    from dashboard.intake import ingest

    target = folder / "ingest" / "warehouse.duckdb"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(path, target)
    csv = contact_file(path, folder, rows)
    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    rep = ingest.ingest([csv], target, archive_dir=folder / "archive",
                        progress=lambda m: marks.append((m, time.perf_counter())))
    total = time.perf_counter() - t0
    at = {m.split()[0]: t - t0 for m, t in marks}
    f = rep.files[0]
    return {"rows": rows, "csv_mb": csv.stat().st_size / 1e6, "total_s": total,
            "rows_per_s": rows / total, "validate_s": at.get("copying", 0.0),
            "load_s": at.get("rebuilding", total) - at.get("copying", 0.0),
            "rebuild_s": total - at.get("rebuilding", total), "loaded": f.loaded,
            "quarantined": f.quarantined, "error": rep.error}


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
            for q in r["queries"]:
                print(f"    queries {q['page']:<20} SQL cold {q['sql_cold_ms']:7.0f} ms, warm p50 "
                      f"{q['sql_warm_p50']:6.0f} / p95 {q['sql_warm_p95']:6.0f} ms;  with the "
                      f"page's computation cold {q['total_cold_ms']:7.0f} ms, warm p50 "
                      f"{q['total_warm_p50']:6.0f} / p95 {q['total_warm_p95']:6.0f} ms",
                      flush=True)
            for pg in r["pages"]:
                change = ("" if pg["change_ms_p50"] is None else
                          f"   filter change p50 {pg['change_ms_p50']:7.0f} ms, max "
                          f"{pg['change_ms_max']:7.0f} ms")
                print(f"    page {pg['page']:<20} cold {pg['cold_ms']:8.0f} ms   warm p50 "
                      f"{pg['warm_ms_p50']:7.0f} ms{change}   exceptions {pg['errors']}",
                      flush=True)
            for line in r["browser"]["lines"]:
                print(line, flush=True)
            print(f"    app resident memory after drawing every page (fresh process): "
                  f"{r['app_mb']:.0f} MB", flush=True)
            for line in r["versus"]["lines"]:
                print(line, flush=True)
            if r["pack"]:
                p = r["pack"]
                if "error" in p:
                    print(f"    board pack: FAILED {p['error']}")
                else:
                    sizes = ", ".join(f"{k} {v:.2f} MB" for k, v in p["sizes"].items())
                    print(f"    board pack ({p['charts']} charts, headless command, fresh "
                          f"process): {p['wall_s']:.1f} s wall, {p['build_s']:.1f} s rendering "
                          f"and assembling; {sizes}", flush=True)
            if r["ingest"]:
                g = r["ingest"]
                print(f"    ingest {g['rows']:,} contact rows (CSV {g['csv_mb']:.0f} MB, 1 % "
                      f"unknown customers): {g['total_s']:.1f} s = {g['rows_per_s']:,.0f} "
                      f"rows/s; read + validate {g['validate_s']:.1f} s, load "
                      f"{g['load_s']:.1f} s, marts + checks {g['rebuild_s']:.1f} s; "
                      f"{g['loaded']:,} loaded, {g['quarantined']:,} quarantined"
                      + (f"; FAILED {g['error']}" if g["error"] else ""), flush=True)
            if r["sessions"]:
                print(f"    concurrency: {r['sessions']}", flush=True)
            if r.get("scale"):
                print(f"    at scale: {r['scale']}", flush=True)
    print("page = every query and computation of the Weekly KPIs page for one filter state "
          "(result cache bypassed); cached = the same through the TTL cache")
    last = config.ROOT / "artifacts" / "last-suite.json"
    parts = json.loads(last.read_text()).get("parts", {}) if last.exists() else {}
    if parts:
        total = {k: sum(p.get(k, 0) for p in parts.values())
                 for k in ("passed", "failed", "skipped", "seconds")}
        print(f"last test suite: {total['passed']} passed, {total['failed']} failed, "
              f"{total['skipped']} skipped in {total['seconds']:.0f} s ("
              + "; ".join(f"{name}: {p['passed']} passed in {p['seconds']:.0f} s"
                          for name, p in parts.items()) + ")")
    else:
        print("last test suite: not run yet (make test writes artifacts/last-suite.json)")
    return 0
