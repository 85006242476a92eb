"""Streamlit widgets of the Data page: freshness, load log, quarantine, contract checks, upload.

The logic is ``dashboard.intake.status``; this module draws it. File names, values, rules and
records come from the loaded files: they are shown in data tables and code blocks (literal
text), never through markdown or HTML. Captions and banners carry counts and the contract's own
names only (and go through ``ui.plain``).

The page works before there is a warehouse: a new team's first upload creates it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import i18n
from dashboard.access.masking import mask_personal
from dashboard.exports import files as export
from dashboard.i18n import _
from dashboard.intake import contract, ingest
from dashboard.intake import status as data_status
from dashboard.metrics import display, kpis
from dashboard.metrics.kpis import Catalog
from dashboard.ui import access as access_ui
from dashboard.ui import common as ui
from dashboard.ui import language
from dashboard.warehouse import db

_REPORT_KEY = "data_last_report"
#: Bumped after a published load: the uploaders get new keys, so they start empty again.
_ROUND_KEY = "data_upload_round"
#: The files the last dry run checked, and the files a "Load" waits to be confirmed for.
_CHECKED_KEY, _CONFIRM_KEY = "data_checked_files", "data_confirm_files"
_DETECT = "detect"
_TIME = "YYYY-MM-DD HH:mm:ss"


def catalog_if_any() -> Catalog | None:
    """The filter bar's catalog when the warehouse exists and has weeks to filter; None,
    without a message, otherwise (the Data page needs no filters)."""
    try:
        cat = kpis.load_catalog(ui.fetch)
    except db.WarehouseMissing:
        return None
    return cat if cat.weeks else None


def warehouse_ready() -> bool:
    """Whether the warehouse exists, its marts are this version's and it holds the load log;
    otherwise say what to do (the upload below works in every case)."""
    if ui.stale_marts():
        st.warning(_(ui.STALE_NOTE), icon=":material/build:")
        return False
    try:
        missing = data_status.missing_tables(ui.fetch)
    except db.WarehouseMissing:
        st.info(_("There is no warehouse yet. Upload your files below — customers first, or "
                  "together with their surveys, complaints, contacts and transactions. The "
                  "first load creates the warehouse."), icon=":material/database:")
        return False
    if missing:
        st.warning(ui.plain(_(
            "This warehouse was built before the load log existed: it lacks {tables}. The "
            "next load below creates them (the rows it holds are kept).",
            tables=", ".join(missing))), icon=":material/history:")
        return False
    return True


def _downloads(df: pd.DataFrame, key: str, name: str, customer_list: bool,
               allowed: bool | None = None) -> None:
    """CSV and XLSX of a table, named ``<name>_<date>``; made on click, no rerun, recorded in
    the audit log. None for a person whose roles allow no such download (``allowed``: the
    page's own rule instead, e.g. the admins' page for its tables)."""
    now = datetime.now(UTC)
    stem = f"{export.slug(name)}_{now:%Y-%m-%d}"
    header = (name, _("Data status at {time} UTC", time=f"{now:%Y-%m-%d %H:%M}"),
              _("CX Ledger · Data page"))
    items = [
        ("CSV", f"{stem}.csv", export.CSV_MIME, lambda: export.csv_bytes(df, customer_list)),
        ("XLSX", f"{stem}.xlsx", export.XLSX_MIME,
         lambda: export.xlsx_bytes(df, name, header, customer_list)),
    ]
    if not (ui.may_download(customer_list) if allowed is None else allowed):
        return
    with st.container(horizontal=True, gap="small", key=f"dl_{key}"):
        for label, file_name, mime, make in items:
            st.download_button(label, ui.audited(make, file_name, "Data page"),
                               file_name=file_name, mime=mime,
                               key=f"dl_{key}_{label}", on_click="ignore", type="tertiary",
                               icon=":material/download:",
                               help=_("Download {name}", name=file_name))


def screen_config(column_config: dict | None) -> dict | None:
    """The column settings of a table drawn by ``data_status.on_screen``: as given in English;
    in Persian keyed by the translated column names, every column a text column (its values
    are text in Persian digits) keeping its help, width and pin."""
    if not column_config or i18n.current() == "en":
        return column_config
    out = {}
    for column, given in column_config.items():
        given = given if isinstance(given, dict) else {}
        name = _(column) if column in data_status.COLUMNS else column
        out[name] = st.column_config.TextColumn(
            help=given.get("help"), width=given.get("width"), pinned=given.get("pinned"))
    return out


def table(df: pd.DataFrame, key: str, name: str, column_config: dict | None = None,
          customer_list: bool = False, allowed: bool | None = None) -> None:
    """A data table (cells are text, never HTML) with CSV and XLSX downloads. Unlike
    ``ui.table`` it needs no week or filters: the Data page works without survey data.
    ``customer_list`` keeps customer ids in the downloads (quarantined source rows). The
    screen shows the table in the reader's language (``data_status.on_screen``); the downloads
    keep it as it is."""
    shown = data_status.on_screen(df)
    st.dataframe(shown, key=key, hide_index=True, width="stretch", placeholder="—",
                 column_config=ui.first_pinned(shown, screen_config(column_config)))
    _downloads(df, key, name, customer_list, allowed)


def _times(*columns: str) -> dict:
    return {c: st.column_config.DatetimeColumn(format=_TIME) for c in columns}


def freshness_section() -> None:
    """Rows, first and last event, age, latest load, history and quarantine per raw table."""
    t = data_status.freshness(ui.fetch)
    config = {
        "Table": st.column_config.TextColumn(pinned=True),
        **_times("First event", "Last event", "Last load (UTC)"),
        "Latest event age (days)": st.column_config.NumberColumn(
            help=_("Whole days from the latest event to now (UTC).")),
        "History rows": st.column_config.NumberColumn(
            help=_("Older versions of rows that a later load replaced (history schema).")),
        "Quarantined rows": st.column_config.NumberColumn(
            help=_("Rows of loaded files that broke a rule and were kept aside.")),
    }
    table(t, "data_freshness", "raw table freshness", config)
    st.caption(ui.coded(data_status.freshness_takeaway(t)))
    st.caption(ui.coded(data_status.calendar_takeaway(ui.fetch)))


def loads_section() -> None:
    """The load log with every file's summary, newest first."""
    t = data_status.loads(ui.fetch)
    config = {
        "Load": st.column_config.NumberColumn(pinned=True, format="%d"),
        **_times("Loaded at (UTC)", "First event", "Last event"),
        "Checksum": st.column_config.TextColumn(
            help=_("First characters of the file's SHA-256.")),
        "Archive": st.column_config.TextColumn(
            help=_("The accepted file's copy, relative to the archive folder "
                   "(CX_ARCHIVE_DIR).")),
    }
    table(t, "data_loads", "load log", config)
    st.caption(ui.coded(data_status.loads_takeaway(t)))


_ALL = ""


def _pick(label: str, options: list, key: str, labels: dict, all_label: str):
    """A selectbox whose first option means all (returned as None); a stored choice that is no
    longer an option falls back to all. Option labels are plain text (selectbox options are
    not markdown)."""
    values = [_ALL, *options]
    if key in st.session_state and st.session_state[key] not in values:
        del st.session_state[key]
    got = st.selectbox(label, values, key=key,
                       format_func=lambda v: all_label if v == _ALL else labels.get(v, str(v)))
    return None if got == _ALL else got


def masked(rows: pd.DataFrame) -> pd.DataFrame:
    """Quarantined rows as this person may see them: e-mail addresses, card, national id and
    phone numbers in their values and source records masked without the personal-data right
    (``access.masking``); as loaded with it."""
    if access_ui.may("personal_text"):
        return rows
    out = rows.copy()
    for column in ("Value", "Record"):
        if column in out.columns:
            out[column] = out[column].map(lambda v: v if pd.isna(v) else mask_personal(v))
    return out


def quarantine_section() -> None:
    """Choose a load, table and rule; the quarantined rows with their source record."""
    summary = data_status.quarantine_summary(ui.fetch)
    if summary.empty:
        ui.note(_("Nothing is in quarantine: every row of every load met the rules."))
        return
    left, mid, right = st.columns([2, 1, 2])
    opts = data_status.quarantine_options(summary)
    with left:
        load_id = _pick(_("Load"), list(opts.loads), "data_q_load", opts.loads,
                        _("All loads"))
    opts = data_status.quarantine_options(summary, load_id)
    with mid:
        tbl = _pick(_("Table"), list(opts.tables), "data_q_table",
                    {t: data_status.table_name(t) for t in opts.tables}, _("All tables"))
    opts = data_status.quarantine_options(summary, load_id, tbl)
    with right:
        rule = _pick(_("Rule"), list(opts.rules), "data_q_rule", {}, _("All rules"))
    choice = data_status.QuarantineChoice(load_id, tbl, rule)
    rows = masked(data_status.quarantine_rows(ui.fetch, choice))
    config = {
        "Row": st.column_config.NumberColumn(
            format="%d", help=_("Data row in the file: 1 is the first row under the header.")),
        "Record": st.column_config.TextColumn(
            width="large", help=_("The source row as read (after the mapping), as JSON.")),
    }
    name = "quarantine" + ("" if load_id is None else f" load {load_id}")
    table(rows, "data_quarantine", name, config, customer_list=True)
    ui.note(data_status.quarantine_takeaway(summary, choice, len(rows)))


def checks_section() -> None:
    """Every contract check: name, purpose, failing rows, verdict; failing rows below."""
    recorded = data_status.recorded_checks(ui.fetch)
    live = recorded is None or st.toggle(
        _("Run the checks on the file now"), key="data_live_checks",
        help=_("Every build and load runs the checks before it publishes and records the "
               "result; running them again scans every raw table (about a minute at 1M "
               "customers)."))
    results = data_status.run_checks(ui.fetch) if live else recorded.results
    config = {"Check": st.column_config.TextColumn(pinned=True)}
    table(data_status.checks_table(results), "data_checks", "contract checks", config)
    takeaway = data_status.checks_takeaway(results)
    st.caption(ui.coded(
        _("{takeaway} Run now on the warehouse file as it is.", takeaway=takeaway) if live
        else _("{takeaway} As recorded by the build or load that published this warehouse "
               "({time} UTC, {seconds} s); run them again to check the file as it is now.",
               takeaway=takeaway, time=data_status.moment(recorded.checked_at),
               seconds=display.number(recorded.seconds, 1))))
    for r in results:
        if not r.passed and live:
            with st.expander(ui.plain(_("{check}: {n} failing row(s)", check=r.name,
                                        n=display.number(len(r.failing), 0))),
                             icon=":material/error:"):
                table(r.failing.head(data_status.MAX_ROWS), f"data_check_{r.name}",
                      f"{r.name} failing rows", customer_list=True)


def upload_section() -> None:
    """Files and an optional mapping in, a table choice, then a dry run or a load; the last
    run's summary and problems below the buttons."""
    target = data_status.upload_target()
    if target is None:
        st.info(_("This app reads a warehouse that is not an embedded DuckDB file; load "
                  "files into it with that warehouse's own tools."), icon=":material/info:")
        return
    ui.note(_("Files load into {warehouse} atomically: every page keeps reading the previous "
              "data until the load is complete, and a failed load changes nothing. Accepted "
              "files are archived under their checksum; loading the same file again changes "
              "nothing.", warehouse=target.name))
    rnd = st.session_state.get(_ROUND_KEY, 0)
    files = st.file_uploader(
        _("Data files"), type=list(data_status.UPLOAD_TYPES), accept_multiple_files=True,
        key=f"data_files_{rnd}",
        help=_("CSV (any common delimiter, UTF-8), TSV, TXT, Parquet or XLSX; one raw table "
               "per file (or your assumptions: key, valid_from, value), named after it "
               "(contacts_2026-11.csv, assumptions.csv) or recognised from its columns."))
    _upload_caption(data_status.UPLOAD_TYPES)
    mapping = st.file_uploader(
        _("Mapping file (optional)"), type=list(data_status.MAPPING_TYPES),
        key=f"data_mapping_{rnd}",
        help=_("TOML or YAML (data/mapping.example.toml shows every key): renamed columns, "
               "mapped values, survey scales, constants for missing columns, joined columns, "
               "the source's date format, time zone and decimal/thousands separators."))
    _upload_caption(data_status.MAPPING_TYPES)
    labels = {_DETECT: _("Detect from file name or columns"),
              **{t: data_status.table_name(t) for t in data_status.LOAD_TABLES}}
    table_choice = st.selectbox(_("Table"), list(labels), key="data_table",
                                format_func=lambda v: labels[v])
    as_of = st.date_input(
        _("As-of date (optional)"), value=None, key="data_as_of", format="YYYY-MM-DD",
        help=_("The date the data is complete up to: the calendar runs to its week, and a "
               "week is complete once it reaches the Sunday. Empty: the latest date the loaded "
               "tables carry (or the date given earlier, while the data stays within it). A "
               "date earlier than the data is refused. With no files, only the as-of date "
               "changes."))
    with st.container(horizontal=True, gap="small"):
        dry = st.button(_("Check (dry run)"), key="data_dry_run", icon=":material/fact_check:",
                        help=_("Read, map and validate against the warehouse; load nothing."))
        load = st.button(_("Load"), key="data_load", type="primary", icon=":material/upload:",
                         help=_("Load the files; rows that break a rule go to quarantine."))
    chosen = None if table_choice == _DETECT else table_choice
    if dry or load:
        if not files and as_of is None:
            st.warning(_("Choose one or more files (or an as-of date) first."),
                       icon=":material/warning:")
        elif load and checked_again(files or []):
            # a file a dry run checked is still chosen: it is loaded only when asked for
            st.session_state[_CONFIRM_KEY] = fingerprint(files or [])
        else:
            run_upload(files or [], mapping, chosen, dry_run=bool(dry), target=target,
                       as_of=as_of)
    if st.session_state.get(_CONFIRM_KEY) and confirm_checked(files or []):
        run_upload(files or [], mapping, chosen, dry_run=False, target=target, as_of=as_of)
    report_panel()


def _upload_caption(types) -> None:
    """Under an uploader, in a right-to-left language (whose CSS hides Streamlit's English
    instructions): its size limit and file types in the language's words."""
    if i18n.is_rtl():
        st.caption(ui.coded(language.upload_caption(types)))


def fingerprint(files) -> tuple:
    """What identifies the chosen files: name, size and upload of each."""
    return tuple(sorted((f.name, f.size, getattr(f, "file_id", "")) for f in files))


def checked_again(files) -> list[str]:
    """The names of chosen files that the last dry run checked (they stay in the uploader)."""
    checked = set(st.session_state.get(_CHECKED_KEY) or ())
    return [f.name for f in files if fingerprint([f])[0] in checked]


def confirm_checked(files) -> bool:
    """Ask before loading files a dry run checked: True once "Load them" is clicked; "Do not
    load" empties the uploaders. The question goes away when the chosen files change."""
    if st.session_state.get(_CONFIRM_KEY) != fingerprint(files):
        st.session_state.pop(_CONFIRM_KEY, None)
        return False
    names = checked_again(files)
    st.warning(ui.plain(_("{n} of the chosen files ({files}) were checked in a dry run. Load "
                          "them into the warehouse?", n=display.number(len(names), 0),
                          files=", ".join(names))), icon=":material/help:")
    with st.container(horizontal=True, gap="small"):
        yes = st.button(_("Load them"), key="data_load_confirmed", type="primary")
        no = st.button(_("Do not load"), key="data_load_cancelled")
    if yes or no:
        st.session_state.pop(_CONFIRM_KEY, None)
        st.session_state.pop(_CHECKED_KEY, None)
    if no:
        st.session_state[_ROUND_KEY] = st.session_state.get(_ROUND_KEY, 0) + 1
        st.rerun()
    return yes


def run_upload(files, mapping, table: str | None, dry_run: bool, target,
               as_of=None) -> None:
    """Run ``data_status.ingest_uploads`` with its progress in a status box; keep the report
    for ``report_panel``; after a published load start a fresh run (new data, filter bar,
    empty uploaders)."""
    label = _("Checking the files (dry run)…") if dry_run else _("Loading the files…")
    with st.status(label, expanded=True) as box:
        try:
            report = data_status.ingest_uploads(files, mapping, table, dry_run, target=target,
                                                progress=st.text, as_of=as_of)
        except (contract.MappingError, ValueError, ingest.IngestBusy) as exc:
            box.update(label=_("Refused"), state="error", expanded=True)
            st.error(ui.plain(str(exc)), icon=":material/block:")
            st.session_state.pop(_REPORT_KEY, None)
            return
        kind, verdict = data_status.report_verdict(report)
        box.update(label=(_("Dry run finished") if dry_run else _("Load finished")),
                   state="error" if kind == "error" else "complete", expanded=False)
    if dry_run:
        st.session_state[_CHECKED_KEY] = fingerprint(files)
    else:
        access_ui.record("load", ", ".join(getattr(f, "name", "?") for f in files),
                         f"{verdict} (published)" if report.published else verdict)
    st.session_state[_REPORT_KEY] = {"kind": kind, "verdict": verdict,
                                     "lines": report.lines(),
                                     "problems": data_status.problems_table(report)}
    if report.published:
        db.clear_cache()
        st.session_state[_ROUND_KEY] = st.session_state.get(_ROUND_KEY, 0) + 1
        st.rerun()


def report_panel() -> None:
    """The last run's verdict, its summary lines (literal text) and its problems."""
    rep = st.session_state.get(_REPORT_KEY)
    if not rep:
        return
    show = {"success": st.success, "warning": st.warning, "error": st.error, "info": st.info}
    show[rep["kind"]](ui.plain(rep["verdict"]))
    st.code("\n".join(rep["lines"]), language=None, wrap_lines=True)
    if len(rep["problems"]):
        table(rep["problems"], "data_problems", "load problems",
              {"Row": st.column_config.NumberColumn(format="%d")}, customer_list=True)
