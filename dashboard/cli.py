"""Command-line interface: build the demo warehouse, load your own files, print the weekly KPIs
and the money headline, build the board pack, run the benchmark."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from pathlib import Path

from dashboard import cli_access, i18n
from dashboard.cli_text import printable, say, say_json  # noqa: F401 - printable: the CLI's own
from dashboard.i18n import _
from dashboard.warehouse import config


def _progress(msg: str) -> None:
    say(f"  … {msg}", file=sys.stderr, flush=True)


def _calendar(args: argparse.Namespace) -> dict[str, str]:
    """How the warehouse is to count time, as given on the command line (only what was
    given: ``--week-start``, ``--months``)."""
    given = {"week_start": getattr(args, "week_start", None),
             "months": getattr(args, "months", None)}
    return {k: v for k, v in given.items() if v is not None}


def _calendar_args(p: argparse.ArgumentParser, new_only: bool) -> None:
    """The ``--week-start`` and ``--months`` options (``steps.CALENDAR_SETTINGS``)."""
    from dashboard.warehouse.steps import CALENDAR_SETTINGS

    when = (" (a warehouse's first load only: one holding data keeps its own; build a new one "
            "to change it)" if new_only else "")
    p.add_argument("--week-start", choices=CALENDAR_SETTINGS["week_start"], default=None,
                   help="where weeks start: iso (Monday to Sunday, the default) or saturday "
                        f"(Saturday to Friday, named by the ISO week of its Monday){when}")
    p.add_argument("--months", choices=CALENDAR_SETTINGS["months"], default=None,
                   help="the months of monthly figures: gregorian (the default) or jalali "
                        f"(Farvardin to Esfand){when}")


def cmd_demo(args: argparse.Namespace) -> int:
    """Generate the demo world and build it into a warehouse file, swapped in atomically."""
    from dashboard.intake import demo
    from dashboard.warehouse import build

    t0 = time.perf_counter()
    end_week = args.end_week or demo.default_end_week()
    say(f"Generating the demo world: {args.customers:,} customers, seed {args.seed}, "
          f"ending {end_week}", file=sys.stderr, flush=True)
    frames = demo.generate(customers=args.customers, seed=args.seed, end_week=end_week,
                           progress=_progress, locale=args.locale)
    raw = {k: frames[k] for k in build.RAW_TABLES if k != "assumptions"}
    raw["assumptions"] = demo.assumptions(frames)  # the world's currency is in here
    # the world's own calendar (Saturday weeks and Jalali months for the Persian world);
    # --week-start and --months, when given, win
    calendar = {**demo.calendar(frames), **_calendar(args)}
    truth = {k: frames[k] for k in build.TRUTH_TABLES}
    gen_s = time.perf_counter() - t0
    if args.url and not args.url.startswith("duckdb"):

        t1 = time.perf_counter()
        counts = build.build_remote(args.url, raw, calendar=calendar)
        rows = sum(v for k, v in counts.items() if k.startswith("raw."))
        say(f"Built in {args.url.split('@')[-1]}: {rows:,} raw rows, generated in "
              f"{gen_s:.1f} s, loaded and built in {time.perf_counter() - t1:.1f} s")
        return 0
    report = build.build(raw, Path(args.out), truth, progress=_progress, calendar=calendar)
    rows = sum(v for k, v in report.row_counts.items() if k.startswith("raw."))
    say(f"Built {report.path.name}: {rows:,} raw rows, {report.size_bytes / 1e6:.1f} MB, "
          f"generated in {gen_s:.1f} s, loaded and built in {report.seconds:.1f} s")
    return 0


def _selection(args: argparse.Namespace, need: str = "aggregates"):
    """(fetch, filters, who) for the CLI's week and filter arguments: ``who`` is the identity
    of ``--as`` (None without it), whose roles must allow ``need`` and whose scope narrows
    every query (``access.scoped``) and the filters. FilterError or WarehouseMissing when
    they are bad (the caller prints one line and exits with 2)."""
    from dashboard.access import scoped
    from dashboard.metrics import kpis
    from dashboard.metrics.filters import FilterError, Filters, validate
    from dashboard.warehouse import db

    wh = db.open_warehouse(args.url)
    who = cli_access.identity(args, need)
    if who is not None:
        wh = scoped.reader(wh, who.scope)
    fetch = lambda name, **p: db.cached_run(wh, name, **p)  # noqa: E731
    catalog = kpis.load_catalog(fetch)
    if not catalog.weeks:
        raise FilterError("the warehouse has no weeks of surveys, complaints, contacts or "
                          "transactions yet: load them with `ingest` or on the Data page")
    filters = Filters(
        week=args.week or catalog.latest_complete,
        segments=tuple(args.segment or ()), regions=tuple(args.region or ()),
        plans=tuple(args.plan or ()), compare=getattr(args, "compare", "previous"),
    )
    if who is not None:
        for dim, allowed in who.scope.as_dict().items():
            outside = [v for v in getattr(args, dim) or () if v not in allowed]
            if outside:
                raise FilterError(f"{dim} {', '.join(outside)} is outside the scope of "
                                  f"{who.email} ({who.scope.text()})")
        filters = who.scope.filters(filters)
    validate(filters, catalog.options, catalog.weeks, catalog.calendar)
    return fetch, filters, who


def cmd_kpis(args: argparse.Namespace) -> int:
    """Print the weekly KPIs for a week and filters and the headline ranked by money (the
    same numbers and words as the page)."""
    from dashboard.metrics import kpis
    from dashboard.metrics.filters import FilterError
    from dashboard.metrics.registry import format_delta, format_value
    from dashboard.money import impact
    from dashboard.warehouse import db

    try:
        fetch, filters, who = _selection(args)
        aset = _assumption_set(args, fetch)
    except (FilterError, db.WarehouseMissing) as exc:
        say(f"error: {exc}", file=sys.stderr)
        return 2
    cli_access.audit(args, who, "export", "kpis", filters)
    report = kpis.build_report(fetch, filters)
    # the headline ranks the moves by their money a week (the page's and the pack's own)
    moves = impact.build(fetch, report, aset)
    if args.json:
        say_json({**report.to_json(), "headline": moves.headline,
                  "assumption_set": moves.set_id, "moves": moves.to_json()})
        return 0
    sym = report.currency_symbol
    as_of = "" if report.as_of is None else f" — data as of {report.as_of:%Y-%m-%d}"
    say(f"{filters.week} vs {filters.compare_week} ({filters.compare_label}) — "
          f"{filters.describe()}{as_of}")
    for t in report.tiles:
        m = t.metric
        if t.not_loaded:
            say(f"  {m.label:<22} {'not loaded':>10}  ({t.not_loaded})")
            continue
        ci = ("" if t.current.ci_low is None else
              f" [{format_value(t.current.ci_low, m.fmt, sym)}, "
              f"{format_value(t.current.ci_high, m.fmt, sym)}]")
        mark = {"up": "↑", "down": "↓", None: " "}[t.direction]
        p = "" if t.p_adjusted is None else f"  p_adj={t.p_adjusted:.3f}"
        say(f"  {m.label:<22} {format_value(t.current.value, m.fmt, sym):>10}{ci:<24} "
              f"n={t.current.n:<7} {mark} {format_delta(t.delta, m, sym):>14}{p}")
    say(moves.headline)
    return 0


def _assumption_set(args: argparse.Namespace, fetch):
    """The assumption set named by ``--set`` from the store of ``--store-url`` (FilterError
    naming the known sets when it does not exist)."""
    from dashboard.metrics.filters import FilterError
    from dashboard.money import assumptions
    from dashboard.warehouse import db

    store = db.AppStore(args.store_url)
    if args.set not in assumptions.set_names(store):
        raise FilterError(f"unknown assumption set {args.set!r}: known are "
                          f"{', '.join(assumptions.set_names(store))}")
    return assumptions.load_set(store, fetch("assumption_rows"), args.set)


def cmd_money(args: argparse.Namespace) -> int:
    """Print the money headline (revenue at risk, savings, value of an NPS point by segment)
    for a week, filters and assumption set: the same code as the Weekly KPIs page."""
    from dashboard.metrics.filters import FilterError
    from dashboard.money import headline as money_headline
    from dashboard.money.inputs import band_text
    from dashboard.warehouse import db

    try:
        fetch, filters, who = _selection(args)
        aset = _assumption_set(args, fetch)
    except (FilterError, db.WarehouseMissing) as exc:
        say(f"error: {exc}", file=sys.stderr)
        return 2
    cli_access.audit(args, who, "export", "money", filters)
    head = money_headline.build(fetch, filters, aset)
    if args.json:
        say_json(head.to_json())
        return 0
    sym = head.symbol
    say(f"{filters.week} — {filters.describe()} — assumption set {head.assumption_set}")
    say(f"  data window: {head.window}")
    if head.savings.unit_costs is not None:
        say(f"  unit costs: {head.savings.unit_costs.detail}")
    if head.withheld:
        say(f"  {head.withheld}")
    for f in head.figures:
        if f.not_loaded:
            say(f"  {f.label:<34} {'not loaded':<44} ({f.not_loaded})")
            continue
        say(f"  {f.label:<34} {band_text(f, sym):<44} {f.unit} [{f.kind}]")
    return 0


def cmd_assumptions(args: argparse.Namespace) -> int:
    """The assumption sets' governance from the command line: ``history`` (the published set,
    its publications and the open drafts), ``diff DRAFT`` (what publishing the draft would
    change) and ``publish DRAFT --by NAME --reason TEXT`` (the only way the published set
    changes; ``--back-dated`` confirms periods that start before the next week). Exit 0 done,
    2 an unknown draft or a refused publication (the reason on one line)."""
    from dashboard.money import assumptions as A
    from dashboard.money import publishing
    from dashboard.warehouse import db

    try:
        rows = db.cached_run(db.open_warehouse(args.url), "assumption_rows")
    except db.WarehouseMissing as exc:
        say(f"error: {exc}", file=sys.stderr)
        return 2
    store = db.AppStore(args.store_url)
    published = A.load_set(store, rows, A.PUBLISHED)
    drafts = A.set_names(store)[1:]
    if args.action == "history":
        pubs = publishing.publications(store)
        if args.json:
            say_json({"published": published.id, "open_drafts": drafts,
                      "publications": pubs.to_dict(orient="records")})
            return 0
        say(f"Published set: {published.id}; open drafts: {', '.join(drafts) or 'none'}")
        for p in pubs.itertuples(index=False):
            say(f"  #{p[0]} {p.When} by {p.By}: {p.Reason} (draft {p.Draft}, {p.Versions}, "
                f"{p.Changes} change(s))")
        if pubs.empty:
            say("  no publication yet")
        return 0
    if args.draft not in drafts:
        say(f"error: unknown draft {args.draft!r}: open drafts are {', '.join(drafts) or 'none'}",
            file=sys.stderr)
        return 2
    draft = A.load_set(store, rows, args.draft)
    if args.action == "diff":
        table = publishing.diff_table(publishing.diff(published, draft))
        why_not = publishing.stale(store, draft)
        if args.json:
            say_json({"draft": draft.id, "published": published.id, "stale": why_not or None,
                      "differences": table.to_dict(orient="records")})
            return 0
        say(f"Draft {draft.id} against {published.id}: {len(table)} difference(s)")
        for r in table.itertuples(index=False):
            dated = " (back-dated)" if r[6] == "yes" else ""
            say(f"  {r.Key}: {r.Published} → {r.Draft} from {r.From} until {r.Until}{dated}")
        if why_not:
            say(why_not)
        return 0
    try:
        done = publishing.publish(store, rows, draft, args.by, args.reason,
                                  confirm_back_dated=args.back_dated)
    except A.AssumptionError as exc:
        say(f"error: {exc}", file=sys.stderr)
        return 2
    say(f"Published draft {done.draft} as {done.published_id}: {len(done.changes)} "
        f"difference(s), by {done.published_by}: {done.reason}")
    return 0


def _wants_images(formats: str) -> bool:
    """Whether a well-formed ``--format`` needs the browser (PPTX or PDF)."""
    chosen = {f.strip() for f in formats.split(",") if f.strip()}
    return bool(chosen) and chosen <= {"pptx", "pdf", "xlsx"} and bool(chosen & {"pptx", "pdf"})


def _start_browser():
    """Start the image browser on a thread before the heavy imports of the main thread; the
    thread ends when the browser is up (or failed to start)."""
    import threading

    def run() -> None:
        from dashboard.exports import files as export

        export.Renderer.warm_up().join()

    thread = threading.Thread(target=run, name="browser-early", daemon=True)
    thread.start()
    return thread


def cmd_pack(args: argparse.Namespace) -> int:
    """Build the board pack with no browser session: files written all or nothing, a one-line
    summary on stdout, e-mailed when SMTP settings are in the secrets file. Exit status 0 done,
    1 build/write failed (nothing left behind), 2 bad arguments, 3 files written but the
    e-mail failed."""
    early = None
    if not args.list and _wants_images(args.format):
        early = _start_browser()  # the browser's start (seconds) overlaps all that follows
    from dashboard.exports import exhibits, mail, pack, summary
    from dashboard.exports import files as export
    from dashboard.metrics.filters import FilterError
    from dashboard.warehouse import db

    if args.list:
        for title, keys in exhibits.PAGE_KEYS.items():
            say(f"{title}: {', '.join(keys)}")
        return 0
    try:
        # the arguments that need no warehouse first
        formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
        pack.check_formats(formats, "--format: ")
        template = pack.Template.load(args.template)
        settings = None if args.no_email else mail.smtp_settings()
        keys = tuple(k.strip() for k in (args.charts or "").split(",") if k.strip())
        pages = tuple(p.strip() for p in (args.pages or "").split(",") if p.strip())
        unknown = [p for p in pages if p not in exhibits.PAGES]
        if unknown:
            raise FilterError(f"--pages: unknown {', '.join(unknown)}; known are "
                              f"{', '.join(exhibits.PAGES)}")
        unknown = exhibits.unknown_keys(keys)
        if unknown:
            raise FilterError(f"unknown chart(s) {', '.join(unknown)}: "
                              "--list shows the keys")
        if not keys and not pages:
            keys = exhibits.EXECUTIVE
        fetch, filters, who = _selection(args, need="pack")
        aset = _assumption_set(args, fetch)
    except (FilterError, db.WarehouseMissing, pack.PackError, mail.MailError) as exc:
        say(f"error: {exc}", file=sys.stderr)
        if early is not None:  # no browser left behind by a refused run
            early.join()
            export.Renderer.stop()
        return 2
    catalogue = exhibits.Catalogue(fetch, filters, aset)

    def left_out() -> list[str]:
        return exhibits.not_loaded_lines(catalogue.not_loaded_list(keys, pages))

    try:
        # pages are computed on a thread of their own while the charts already made render
        chosen = pack.prefetch(catalogue.iter_select(keys, pages))
        expected = len(keys) + sum(len(exhibits.PAGE_KEYS[p]) for p in pages)
        built = pack.build(chosen, export.Context(filters, aset.id), aset, formats, template,
                           progress=None if args.quiet else
                           lambda d, t, label: _progress(f"{d}/{t} {label}"),
                           expected=expected,
                           empty=f"none of the charts {', '.join(keys or pages)} is drawn "
                                 f"for {filters.week} ({filters.describe()})",
                           not_loaded=left_out,
                           summary=lambda: summary.build(fetch, filters, aset,
                                                         catalogue.coverage))
        pack.write(built, args.out)
        cli_access.audit(args, who, "pack", ", ".join(p.name for p in built.written), filters)
    except Exception as exc:  # noqa: BLE001 - a scheduler needs one line and a status
        say(f"pack failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        export.Renderer.stop()
    line = built.summary()
    if catalogue.missing:
        line += f"; not drawn for this selection: {', '.join(catalogue.missing)}"
    not_loaded = catalogue.not_loaded_list(keys, pages)
    if not_loaded:
        line += f"; not loaded: {', '.join(e['chart'] for e in not_loaded)}"
    status, doc = 0, {"files": [str(p) for p in built.written],
                      "charts": [e.key for e in built.exhibits],
                      "missing": list(catalogue.missing), "not_loaded": not_loaded,
                      "seconds": round(built.seconds, 2)}
    if settings is not None:
        try:
            mail.send(settings, f"CX Ledger board pack {filters.week}",
                      f"{line}\n\n{built.context.source_line()}",
                      [(p.name, p.read_bytes(), pack.MIME[p.suffix[1:]])
                       for p in built.written])
        except mail.MailError as exc:
            line, status = f"{line}; {exc}", 3
            doc["email_error"] = str(exc)
        else:
            line += f"; e-mailed to {', '.join(settings.to)}"
    if args.json:
        print(json.dumps({"summary": line, **doc}, ensure_ascii=False))
    else:
        say(line, file=sys.stderr if status else sys.stdout)
    return status


def cmd_ingest(args: argparse.Namespace) -> int:
    """Validate files (or every supported file of a folder) against the contract and load them
    atomically (or only report, with ``--dry-run``). One line per file, then the verdict;
    problems listed up to ``--show``. ``--as-of`` sets the data's as-of date (with no files, it
    is the only change). Exit 0 everything loaded (or already there), 3 something loaded and
    something quarantined or refused, 1 nothing loaded while something was quarantined or
    refused (or the load failed, or an as-of date earlier than the data), 2 bad arguments (a
    path that does not exist, a folder with no data file, an unusable mapping, an ``--out``
    that is a folder or not a warehouse file, another load running). Everything printed goes
    through ``say`` (control characters escaped)."""
    from dashboard.intake import contract, ingest

    if not args.paths and args.as_of is None and not args.rebuild:
        say("error: give files or folders to load, --as-of YYYY-MM-DD or --rebuild",
            file=sys.stderr)
        return 2
    try:
        paths, skipped = ingest.files_in(args.paths)
    except (OSError, ValueError) as exc:
        say(f"error: {exc}", file=sys.stderr)
        return 2
    target = Path(args.out or config.default_db_path())
    try:
        report = ingest.ingest(paths, target, mapping=args.mapping, table=args.table,
                               dry_run=args.dry_run, as_of=args.as_of,
                               calendar=_calendar(args), rebuild=args.rebuild,
                               progress=_progress if not args.quiet else ingest._noop)
    except (contract.MappingError, ValueError, ingest.IngestBusy) as exc:
        say(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        say_json(report.to_json())
        return report.exit_code
    if skipped:
        say(f"Left out (not CSV, TSV, TXT, Parquet or XLSX): "
              f"{', '.join(p.name for p in skipped)}")
    for line in report.lines():
        say(line)
    problems = [p for f in report.files for p in f.problems]
    for p in problems[:args.show]:
        say(f"  {p}")
    if len(problems) > args.show:
        say(f"  … {len(problems) - args.show:,} more (the Data page's quarantine browser, or "
              "--show N)")
    return report.exit_code


def cmd_bench(args: argparse.Namespace) -> int:
    """Print the figures of the benchmark (demo build, size, warm query time)."""
    from dashboard.bench import report as bench

    return bench.main(args)


def _selection_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--week", help="ISO week YYYY-Www (default: latest complete week)")
    for dim in ("segment", "region", "plan"):
        p.add_argument(f"--{dim}", action="append",
                       help=f"keep customers of this {dim}; repeat for several (a warehouse "
                            f"whose customers all share one {dim} accepts only that value)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--url", default=None, help="warehouse URL (default CX_WAREHOUSE_URL)")
    p.add_argument("--as", dest="identity", default=None, metavar="IDENTITY",
                   help="run as this identity (an e-mail address or a service name granted "
                        "roles with `roles grant`): refused unless its roles allow it, every "
                        "figure narrowed to its scope, the run recorded in the audit log")


def _contract_tables() -> tuple[str, ...]:
    from dashboard.intake.contract import LOADABLE

    return tuple(LOADABLE)


def parser(prog: str = "python -m dashboard") -> argparse.ArgumentParser:
    """The argument parser of ``python -m dashboard`` (``cx-ledger`` when installed)."""
    p = argparse.ArgumentParser(prog=prog, description=__doc__)
    languages = ", ".join(i18n.LOCALES)
    p.add_argument("--lang", default=None,
                   help=f"the language of what is printed for people ({languages}; default "
                        "CX_LOCALE, else en)")
    # the same option after the command too (``kpis --lang fa``), without overriding one given
    # before it
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", required=True)
    sub_add = sub.add_parser
    sub.add_parser = functools.partial(sub_add, parents=[lang])  # type: ignore[method-assign]

    d = sub.add_parser("demo", help="generate the demo world and build the warehouse")
    d.add_argument("--customers", type=int, default=50_000)
    d.add_argument("--seed", type=int, default=7)
    d.add_argument("--end-week", default=None,
                   help="last ISO week of the world (YYYY-Www); default: the last complete "
                        "week before today (UTC)")
    d.add_argument("--out", default=str(config.DEFAULT_DB_PATH))
    d.add_argument("--locale", choices=["en", "fa"], default="en",
                   help=_("the language of the demo company: en (English) or fa (an Iranian "
                          "company in Persian, Toman, Saturday weeks)"))
    d.add_argument("--url", default=None,
                   help="build into another engine instead (e.g. postgresql+psycopg://…): "
                        "staging and marts are built there from the transpiled queries")
    _calendar_args(d, new_only=False)
    d.set_defaults(func=cmd_demo)

    k = sub.add_parser("kpis", help="print the weekly KPIs (same numbers as the page)")
    _selection_args(k)
    k.add_argument("--compare", choices=["previous", "4w", "52w"], default="previous")
    k.add_argument("--set", default="published",
                   help="assumption set the headline's money uses (default: published)")
    k.add_argument("--store-url", default=None,
                   help="app-owned store URL (default CX_APP_STORE_URL)")
    k.set_defaults(func=cmd_kpis)

    m = sub.add_parser("money", help="print the money headline (same numbers as the page)")
    _selection_args(m)
    m.add_argument("--set", default="published",
                   help="assumption set name (default: published)")
    m.add_argument("--store-url", default=None,
                   help="app-owned store URL (default CX_APP_STORE_URL)")
    m.set_defaults(func=cmd_money)

    a = sub.add_parser("assumptions", help="the published assumption set's history, a draft's "
                                            "differences from it, and publishing a draft")
    a.add_argument("--url", default=None, help="warehouse URL (default CX_WAREHOUSE_URL)")
    a.add_argument("--store-url", default=None,
                   help="app-owned store URL (default CX_APP_STORE_URL)")
    a.add_argument("--json", action="store_true", help="print JSON (history and diff)")
    acts = a.add_subparsers(dest="action", required=True)
    acts.add_parser("history", help="the published set, its publications and the open drafts")
    ad = acts.add_parser("diff", help="what publishing a draft would change")
    ad.add_argument("draft", help="the draft's name")
    ap = acts.add_parser("publish", help="publish a draft: the published set becomes equal to "
                                         "it (recorded with who, when and why)")
    ap.add_argument("draft", help="the draft's name")
    ap.add_argument("--by", required=True, help="your name, recorded with the publication")
    ap.add_argument("--reason", required=True, help="why the values change (required)")
    ap.add_argument("--back-dated", action="store_true",
                    help="confirm differences that start before the next week (they change "
                         "weeks already reported)")
    a.set_defaults(func=cmd_assumptions)

    pk = sub.add_parser("pack", help="build the board pack (PPTX/PDF/XLSX) with no browser "
                                     "session; e-mail it when SMTP secrets are present")
    _selection_args(pk)
    pk.add_argument("--compare", choices=["previous", "4w", "52w"], default="previous")
    pk.add_argument("--format", default="pptx,pdf,xlsx", help="comma-separated: pptx,pdf,xlsx")
    pk.add_argument("--out", default="packs", help="directory for the files (default packs/)")
    pk.add_argument("--charts", help="comma-separated chart keys (default: the executive set; "
                                     "--list shows them)")
    pk.add_argument("--pages", help="comma-separated page titles: every chart of those pages")
    pk.add_argument("--set", default="published", help="assumption set name")
    pk.add_argument("--store-url", default=None,
                    help="app-owned store URL (default CX_APP_STORE_URL)")
    pk.add_argument("--template", default=None,
                    help="pack template TOML (default CX_PACK_TEMPLATE or the shipped one)")
    pk.add_argument("--no-email", action="store_true", help="never e-mail, even with SMTP set")
    pk.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    pk.add_argument("--list", action="store_true", help="list the chart keys and exit")
    pk.set_defaults(func=cmd_pack)

    i = sub.add_parser(
        "ingest", help="validate CSV/Parquet/XLSX files against the contract and load them "
                       "atomically (rows that break a rule are quarantined)",
        description="Validate files against the contract and load them atomically. Each file "
                    "is for one raw table or for the company's assumptions (key, valid_from, "
                    "value, unit, description). Exit status: 0 everything loaded (or already "
                    "loaded); 3 something loaded and something quarantined or refused; 1 "
                    "nothing loaded while something was quarantined or refused, or the load "
                    "failed; 2 bad arguments (a missing path, an unusable mapping, an --out "
                    "that is not a warehouse file). Every failure is one line; control "
                    "characters in names and values are printed as escapes.")
    i.add_argument("paths", nargs="*", metavar="PATH",
                   help="files, each for one raw table or the assumptions, or folders: every "
                        "CSV/TSV/TXT/Parquet/XLSX file directly inside (not hidden files, not "
                        "sub-folders); none: only --as-of or --rebuild")
    i.add_argument("--mapping", help="TOML or YAML mapping file (renamed columns, values, "
                                     "scales, constants for missing columns, joined columns, "
                                     "date format, time zone, decimal and thousands "
                                     "separators; see data/mapping.example.toml)")
    i.add_argument("--table", choices=list(_contract_tables()),
                   help="the table of every file (default: from the mapping's files, the file "
                        "name or the columns)")
    i.add_argument("--dry-run", action="store_true", help="validate and report, load nothing")
    i.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="the data's as-of date, kept in the warehouse: the calendar runs to its "
                        "week, and a week is complete once it reaches the Sunday (default: the "
                        "latest date any loaded table carries, or the date given earlier while "
                        "the data stays within it); refused when earlier than the data's latest "
                        "date or in the future")
    i.add_argument("--rebuild", action="store_true",
                   help="rebuild staging and marts from the loaded data even when nothing else "
                        "changes (after upgrading CX Ledger; an upgraded version's first load "
                        "does it anyway)")
    i.add_argument("--out", default=None,
                   help="warehouse file (default: the one CX_WAREHOUSE_URL names, else data/)")
    i.add_argument("--show", type=int, default=20, help="problems to list (default 20)")
    i.add_argument("--json", action="store_true", help="print the report as JSON")
    i.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    _calendar_args(i, new_only=True)
    i.set_defaults(func=cmd_ingest)

    cli_access.add_parser(sub)

    sub.add_parser("serve", help="serve the web app (make run); every option after it goes "
                                 "to streamlit run, e.g. --server.port 8502")
    b = sub.add_parser("bench", help="print benchmark figures")
    b.add_argument("--customers", type=int, nargs="+", default=[50_000])
    b.add_argument("--repeat", type=int, default=30)
    b.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None, prog: str = "python -m dashboard") -> int:
    """Entry point; returns the exit status. Whatever goes wrong ends in one line on stderr,
    never a traceback: 2 for a bad argument, 1 for a failure (130 when interrupted)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:  # everything after it is streamlit's: argparse must not read it
        return _serve(argv[1:])
    args = parser(prog).parse_args(argv)
    try:
        i18n.set_current(i18n.check(args.lang, "--lang") if args.lang else i18n.default())
    except i18n.UnknownLocale as exc:
        say(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        say("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no trace
        text = " ".join(str(exc).split())
        say(f"error: {args.command} failed ({type(exc).__name__}: {text})", file=sys.stderr)
        return 1


def _serve(options: list[str]) -> int:
    """``serve [streamlit options]``: the web app (``dashboard.ui.serve``)."""
    from dashboard.ui import serve

    try:
        return serve.main(options)
    except serve.OpenWithoutSignIn as exc:
        say(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one line, no trace, as for every sub-command
        say(f"error: serve failed ({type(exc).__name__}: {' '.join(str(exc).split())})",
            file=sys.stderr)
        return 1


def console() -> int:
    """The ``cx-ledger`` command of an installed package: the same sub-commands."""
    return main(prog="cx-ledger")
