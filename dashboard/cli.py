"""Command-line interface: build the demo warehouse, print the weekly KPIs and the money
headline, run the benchmark."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from dashboard import config


def _progress(msg: str) -> None:
    print(f"  … {msg}", file=sys.stderr, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    """Generate the demo world and build it into a warehouse file, swapped in atomically."""
    from dashboard import build, demo

    t0 = time.perf_counter()
    print(f"Generating the demo world: {args.customers:,} customers, seed {args.seed}, "
          f"ending {args.end_week}", file=sys.stderr, flush=True)
    frames = demo.generate(customers=args.customers, seed=args.seed, end_week=args.end_week,
                           progress=_progress)
    raw = {k: frames[k] for k in build.RAW_TABLES if k != "assumptions"}
    raw["assumptions"] = build.read_assumptions()
    truth = {k: frames[k] for k in build.TRUTH_TABLES}
    gen_s = time.perf_counter() - t0
    report = build.build(raw, Path(args.out), truth, progress=_progress)
    rows = sum(v for k, v in report.row_counts.items() if k.startswith("raw."))
    print(f"Built {report.path.name}: {rows:,} raw rows, {report.size_bytes / 1e6:.1f} MB, "
          f"generated in {gen_s:.1f} s, loaded and built in {report.seconds:.1f} s")
    return 0


def _selection(args: argparse.Namespace):
    """(fetch, filters) for the CLI's week and filter arguments; FilterError or
    WarehouseMissing when they are bad (the caller prints one line and exits with 2)."""
    from dashboard import db, kpis
    from dashboard.filters import Filters, validate

    wh = db.Warehouse(args.url)
    fetch = lambda name, **p: db.cached_run(wh, name, **p)  # noqa: E731
    catalog = kpis.load_catalog(fetch)
    filters = Filters(
        week=args.week or catalog.latest_complete,
        segments=tuple(args.segment or ()), regions=tuple(args.region or ()),
        plans=tuple(args.plan or ()), compare=getattr(args, "compare", "previous"),
    )
    validate(filters, catalog.options, catalog.weeks)
    return fetch, filters


def cmd_kpis(args: argparse.Namespace) -> int:
    """Print the weekly KPIs for a week and filters (the same numbers as the page)."""
    from dashboard import db, kpis
    from dashboard.filters import FilterError
    from dashboard.metrics import format_delta, format_value

    try:
        fetch, filters = _selection(args)
    except (FilterError, db.WarehouseMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = kpis.build_report(fetch, filters)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return 0
    sym = report.currency_symbol
    print(f"{filters.week} vs {filters.compare_week} ({filters.compare_label}) — "
          f"{filters.describe()}")
    for t in report.tiles:
        m = t.metric
        ci = ("" if t.current.ci_low is None else
              f" [{format_value(t.current.ci_low, m.fmt, sym)}, "
              f"{format_value(t.current.ci_high, m.fmt, sym)}]")
        mark = {"up": "↑", "down": "↓", None: " "}[t.direction]
        p = "" if t.p_adjusted is None else f"  p_adj={t.p_adjusted:.3f}"
        print(f"  {m.label:<22} {format_value(t.current.value, m.fmt, sym):>10}{ci:<24} "
              f"n={t.current.n:<7} {mark} {format_delta(t.delta, m, sym):>14}{p}")
    print(report.headline)
    return 0


def cmd_money(args: argparse.Namespace) -> int:
    """Print the money headline (revenue at risk, savings, value of an NPS point by segment)
    for a week, filters and assumption set: the same code as the Weekly KPIs page."""
    from dashboard import assumptions, db, money_headline
    from dashboard.filters import FilterError
    from dashboard.money import band_text

    try:
        fetch, filters = _selection(args)
        store = db.AppStore(args.store_url)
        if args.set not in assumptions.set_names(store):
            raise FilterError(f"unknown assumption set {args.set!r}: known are "
                              f"{', '.join(assumptions.set_names(store))}")
        aset = assumptions.load_set(store, fetch("assumption_rows"), args.set)
    except (FilterError, db.WarehouseMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    head = money_headline.build(fetch, filters, aset)
    if args.json:
        print(json.dumps(head.to_json(), indent=2, ensure_ascii=False))
        return 0
    sym = head.symbol
    print(f"{filters.week} — {filters.describe()} — assumption set {head.assumption_set}")
    print(f"  data window: {head.window}")
    if head.withheld:
        print(f"  {head.withheld}")
    for f in head.figures:
        print(f"  {f.label:<34} {band_text(f, sym):<44} {f.unit} [{f.kind}]")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Print the figures of the benchmark (demo build, size, warm query time)."""
    from dashboard import bench

    return bench.main(args)


def _selection_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--week", help="ISO week YYYY-Www (default: latest complete week)")
    p.add_argument("--segment", action="append", help="repeat for several")
    p.add_argument("--region", action="append", help="repeat for several")
    p.add_argument("--plan", action="append", help="repeat for several")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--url", default=None, help="warehouse URL (default CX_WAREHOUSE_URL)")


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m dashboard``."""
    p = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="generate the demo world and build the warehouse")
    d.add_argument("--customers", type=int, default=50_000)
    d.add_argument("--seed", type=int, default=7)
    d.add_argument("--end-week", default="2026-W44")
    d.add_argument("--out", default=str(config.DEFAULT_DB_PATH))
    d.set_defaults(func=cmd_demo)

    k = sub.add_parser("kpis", help="print the weekly KPIs (same numbers as the page)")
    _selection_args(k)
    k.add_argument("--compare", choices=["previous", "4w", "52w"], default="previous")
    k.set_defaults(func=cmd_kpis)

    m = sub.add_parser("money", help="print the money headline (same numbers as the page)")
    _selection_args(m)
    m.add_argument("--set", default="published",
                   help="assumption set name (default: published)")
    m.add_argument("--store-url", default=None,
                   help="app-owned store URL (default CX_APP_STORE_URL)")
    m.set_defaults(func=cmd_money)

    b = sub.add_parser("bench", help="print benchmark figures")
    b.add_argument("--customers", type=int, nargs="+", default=[50_000])
    b.add_argument("--repeat", type=int, default=30)
    b.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parser().parse_args(argv)
    return int(args.func(args))
