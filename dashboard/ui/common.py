"""Streamlit widgets: the only module of the package that imports Streamlit.

Pages compose these; they hold no SQL, formulas or formatting of their own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.access import scoped
from dashboard.analysis import compare
from dashboard.exports import files as export
from dashboard.exports import tables as export_tables
from dashboard.exports import text as literal_text
from dashboard.exports.exhibits import Exhibit
from dashboard.i18n import N_, _
from dashboard.metrics import display, kpis
from dashboard.metrics.dimensions import Dimensions
from dashboard.metrics.filters import COMPARISONS, DIMENSIONS, Filters
from dashboard.metrics.kpis import Catalog, KpiReport, Tile
from dashboard.metrics.registry import format_delta, format_value
from dashboard.money import assumptions
from dashboard.money.assumptions import AssumptionSet
from dashboard.ui import access as access_ui
from dashboard.ui import frame
from dashboard.ui.language import tile_value, week_help, week_names
from dashboard.warehouse import config, db, steps, weeks
from dashboard.warehouse import coverage as cov

#: The browser tab's icon, served by the app (a ``:material/…:`` icon is fetched from a font
#: server on the internet).
PAGE_ICON = str(Path(__file__).with_name("icon.png"))

_KEYS = {"week": "f_week", "segment": "f_segment", "region": "f_region", "plan": "f_plan",
         "compare": "f_compare", "set": "f_assumption_set"}
#: The filter bar's and the comparison pickers' names of each dimension (``N_``: translated
#: where shown).
_FILTER_LABELS = {"segment": N_("Segment"), "region": N_("Region"), "plan": N_("Plan"),
                  "channel": N_("Survey channel")}
_FILTER_HELP = {"segment": N_("Customers by segment; empty means all."),
                "region": N_("Customers by region; empty means all."),
                "plan": N_("Customers by plan; empty means all.")}
_GROUPS_LABELS = {
    "segment": N_("Segments to compare (the first is the reference)"),
    "region": N_("Regions to compare (the first is the reference)"),
    "plan": N_("Plans to compare (the first is the reference)"),
    "channel": N_("Survey channels to compare (the first is the reference)"),
}
_PICK_GROUPS = {
    "segment": N_("Pick {low} to {high} segments to compare."),
    "region": N_("Pick {low} to {high} regions to compare."),
    "plan": N_("Pick {low} to {high} plans to compare."),
    "channel": N_("Pick {low} to {high} survey channels to compare."),
}
#: The page-level pickers' option labels defined in the analysis modules (the Satisfaction
#: page's splits and grains, Cost to serve's bases), marked here for the catalogs.
_OPTION_TEXTS = (N_("Journey stage"), N_("Touchpoint"), N_("Channel"), N_("Weekly"),
                 N_("Monthly"), N_("Per 1,000 active customers a week"),
                 N_("Total over the 13 weeks"))


_WAREHOUSES: dict[str, db.Warehouse] = {}
_WAREHOUSES_LOCK = threading.Lock()


def _warehouse(url: str) -> db.Warehouse:
    """One read-only warehouse per URL and process, shared by every session and by the
    server's warm-up thread (``dashboard.ui.warm``), which runs outside any session."""
    with _WAREHOUSES_LOCK:
        if url not in _WAREHOUSES:
            _WAREHOUSES[url] = db.open_warehouse(url, read_only=True)
        return _WAREHOUSES[url]


def warehouse() -> db.Warehouse:
    """The warehouse of ``CX_WAREHOUSE_URL``, opened read-only once per process and URL, as
    this run's person may read it: narrowed to their scope in the data layer
    (``scoped.reader``); outside a run, for the server's warm-up only
    (``access_ui.server_work``; anything else is refused)."""
    return scoped.reader(_warehouse(config.warehouse_url()), access_ui.reading_scope())


def fetch(name: str, **params) -> pd.DataFrame:
    """Run a named query through the single TTL cache of the data layer."""
    return db.cached_run(warehouse(), name, **params)


def data_coverage() -> cov.Coverage:
    """Which raw tables hold rows (one cached query), passed to the reports like the filters."""
    return db.cached_value(warehouse(), "coverage", lambda: cov.load(fetch))


def not_loaded_note(tables) -> None:
    """One clear info state for a figure or page whose source table holds no rows."""
    st.info(plain(cov.sentence(tables)), icon=":material/upload_file:")


def require_loaded(page: str) -> cov.Coverage:
    """The coverage, after checking that the page's main tables hold rows
    (``exports.needs.PAGE_NEEDS``); if one does not, the page shows one info state with what
    to load instead of empty charts, and stops there."""
    from dashboard.exports.needs import PAGE_NEEDS

    coverage = data_coverage()
    gone = coverage.missing(PAGE_NEEDS.get(page, ()))
    if gone:
        not_loaded_note(gone)
        st.stop()
    return coverage


def catalog_value() -> Catalog:
    """Filter allowlists from the warehouse (one cached value; WarehouseMissing without one)."""
    return db.cached_value(warehouse(), "catalog", lambda: kpis.load_catalog(fetch))


#: What a page says when the warehouse's marts were built by another version's SQL.
STALE_NOTE = N_("This warehouse's marts were built by another version of CX Ledger, so its "
                "pages cannot be drawn yet. The next load on the Data page rebuilds them from "
                "the data already loaded (nothing is lost), as does `python -m dashboard "
                "ingest --rebuild`.")


def stale_marts() -> bool:
    """Whether the warehouse's marts were built by other staging and mart SQL than this
    version's (``db.WarehouseStale``); False without a warehouse."""
    wh = warehouse()
    try:  # a Spark warehouse keeps no fingerprint: never called stale
        return hasattr(wh, "marts_version") and wh.marts_version() != steps.marts_version()
    except db.WarehouseMissing:
        return False


def catalog() -> Catalog | None:
    """Filter allowlists from the warehouse; None (with a message shown) when there is none,
    when its marts were built by another version (``STALE_NOTE``), or when it has no weeks yet
    (no loaded table carries a date)."""
    if stale_marts():
        st.error(_(STALE_NOTE), icon=":material/build:")
        return None
    try:
        cat = catalog_value()
    except db.WarehouseMissing as exc:
        st.error(_("{error}. `make run` builds it automatically.", error=plain(str(exc))))
        return None
    if not cat.weeks:
        st.info(_("The warehouse has no weeks yet: no loaded table carries a date (customers' "
                  "signups, surveys, complaints, contacts or transactions), so there is nothing "
                  "to chart. Load them on the Data page."))
        return None
    return cat


def filter_bar(cat: Catalog) -> Filters:
    """Render the shared filter bar in the sidebar and return the selection."""
    with st.sidebar:
        st.header(_("Filters"))
        keys = list(cat.weeks)
        default = keys.index(cat.latest_complete) if cat.latest_complete in keys else 0
        st.selectbox(_("Week"), keys, index=default, key=_KEYS["week"],
                     help=week_help(), **week_names())
        # a dimension with one value (a company without regions …) has no filter
        for dim in cat.dims.splittable(DIMENSIONS):
            st.multiselect(_(_FILTER_LABELS[dim]), list(cat.options[dim]), key=_KEYS[dim],
                           placeholder=_("All"), help=_(_FILTER_HELP[dim]))
        st.selectbox(_("Compare with"), list(COMPARISONS), key=_KEYS["compare"],
                     format_func=_labels({k: label for k, (label, _w) in COMPARISONS.items()}))
        names = assumptions.set_names(app_store())
        if st.session_state.get(_KEYS["set"]) not in names:
            st.session_state[_KEYS["set"]] = assumptions.PUBLISHED
        st.selectbox(_("Assumption set"), names, key=_KEYS["set"],
                     help=_("The finance inputs every money figure uses (Assumptions page)."))
    return current_filters(cat)


#: The app-owned store of ``CX_APP_STORE_URL`` (assumption edits, scenarios, roles, the audit
#: log), one per URL and process.
app_store = access_ui.app_store


#: The assumption sets built lately, by what they are built from (``assumption_set``).
_SETS: OrderedDict[tuple, AssumptionSet] = OrderedDict()
_SETS_KEPT = 8
_SETS_LOCK = threading.Lock()


def _digest(frame: pd.DataFrame) -> str:
    """A small frame's columns and values as one text (two frames equal cell by cell, NaN as
    NaN, give the same text)."""
    return repr((tuple(frame.columns), list(frame.itertuples(index=False, name=None))))


def assumption_set() -> AssumptionSet:
    """The assumption set chosen in the sidebar, read fresh (edits show at once). A page asks
    for it once per figure: the set is built again only when the warehouse's rows or the
    store's changes and sets differ from a set built lately (the store is read each time)."""
    name = st.session_state.get(_KEYS["set"]) or assumptions.PUBLISHED
    store, published = app_store(), fetch("assumption_rows")
    key = (name, _digest(published), _digest(store.read("store_changes", set_name=name)),
           _digest(store.read("store_sets")))
    with _SETS_LOCK:
        kept = _SETS.get(key)
        if kept is not None:
            _SETS.move_to_end(key)
            return kept
    made = assumptions.load_set(store, published, name)
    with _SETS_LOCK:
        _SETS[key] = made
        while len(_SETS) > _SETS_KEPT:
            _SETS.popitem(last=False)
    return made


def choose_assumption_set(name: str) -> None:
    """Make ``name`` the sidebar's assumption set (from a widget callback, before the
    sidebar is drawn again)."""
    st.session_state[_KEYS["set"]] = name


def external_context(key: str) -> None:
    """Published rules of thumb with source, year and exact wording, kept apart from our
    figures (``dashboard.money.inputs.EXTERNAL_CONTEXT``)."""
    from dashboard.money.inputs import external_context_table

    with st.expander(_("External context: published rules of thumb — not part of any total")):
        note(_("Not part of any total. Quoted with source, year and exact wording: other "
               "companies' numbers from other times and industries, never added to our "
               "observed or modelled figures, and not forecasts or targets."))
        table(external_context_table(), key)


def money_row(figures, symbol: str) -> None:
    """Money figures side by side (one ``money_tile`` each)."""
    figures = list(figures)
    for col, fig in zip(st.columns(len(figures)), figures, strict=True):
        with col:
            money_tile(fig, symbol)


def money_tile(fig, symbol: str) -> None:
    """One money figure (``money.inputs.MoneyFigure``): value, band, kind and assumption set,
    and a "How computed" popover with formula, inputs and data window."""
    from dashboard.money.inputs import money_text

    if fig.missing:
        not_loaded_tile(fig.label, fig.missing)
        return
    with st.container(border=True):
        st.metric(plain(fig.label), tile_value(money_text(fig.value, symbol)),
                  help=plain(fig.note) if fig.note else None)
        if fig.low is not None and fig.high is not None:
            st.caption(plain(_("{band} {low}\u2009–\u2009{high} · {unit}", band=fig.band_label,
                               low=money_text(fig.low, symbol),
                               high=money_text(fig.high, symbol), unit=fig.unit)))
        else:
            st.caption(plain(fig.unit))
        st.caption(plain(fig.source_line))
        with st.popover(_("How computed")):
            facts(fig.how_computed())


def current_filters(cat: Catalog) -> Filters:
    """The selection held by the filter bar's widgets, as one immutable object, inside this
    run's person's scope (``Scope.filters``)."""
    s = st.session_state

    def chosen(dim: str) -> tuple[str, ...]:
        return tuple(s.get(_KEYS[dim]) or ()) if cat.dims.splits(dim) else ()

    chosen_filters = Filters(
        week=s.get(_KEYS["week"]) or cat.latest_complete,
        segments=chosen("segment"), regions=chosen("region"), plans=chosen("plan"),
        compare=s.get(_KEYS["compare"]) or "previous",
    )
    # a scoped person's selection inside their scope (their region named in every title,
    # export, pack and audit line; a value outside it changes nothing)
    person = access_ui.current()
    return chosen_filters if person is None else person.scope.filters(chosen_filters)


def kpi_tile(t: Tile, report: KpiReport) -> None:
    """One KPI tile: value, n and interval, change (arrow only if significant), target, popover."""
    m, sym, f = t.metric, report.currency_symbol, report.filters
    if t.not_loaded:
        not_loaded_tile(m.label, t.missing, m.definition)
        return
    with st.container(border=True):
        label = (_("{label} · low base", label=m.label) if t.current.status == "low_base"
                 else m.label)
        delta = None if t.delta is None else format_delta(t.delta, m, sym)
        color = ("normal" if m.higher_is_better else "inverse") if t.significant else "off"
        st.metric(plain(label), format_value(t.current.value, m.fmt, sym), delta=delta,
                  delta_color=color, delta_arrow="auto" if t.significant else "off",
                  help=m.definition)
        st.caption(plain(kpis.tile_caption(t, sym)))
        st.caption(plain(_("vs {comparison} ({previous}): {verdict}",
                           comparison=f.compare_label,
                           previous=format_value(t.previous.value, m.fmt, sym),
                           verdict=kpis.verdict(t, f))))
        if t.target is not None:
            st.caption(plain(_("Target {target}: {met}", target=format_value(t.target, m.fmt, sym),
                               met=target_word(t.target_met))))
        with st.popover(_("How computed")):
            how_computed(t, report)


def target_word(met: bool | None) -> str:
    """Whether a KPI met its target, as a word of the run's language (``—`` unknown)."""
    return {True: _("met"), False: _("missed"), None: "—"}[met]


def not_loaded_tile(label: str, tables, help: str | None = None) -> None:
    """A tile whose source table holds no rows: "Not loaded" and what to load, never a value,
    an arrow or a target verdict."""
    with st.container(border=True):
        st.metric(plain(label), cov.NOT_LOADED_TEXT, help=plain(help) if help else None)
        st.caption(plain(cov.sentence(tables)))


def how_computed(t: Tile, report: KpiReport) -> None:
    """The definition, base, interval, test and queries behind one tile."""
    m, sym, cur = t.metric, report.currency_symbol, t.current
    st.markdown(f"**{plain(m.label)}** — {plain(m.definition)}")
    rows = {
        _("Week"): report.filters.week_name,
        _("Filters"): report.filters.describe(),
        _("n"): display.number(cur.n, 0),
        _("Value"): format_value(cur.value, m.fmt, sym),
        _("95% interval"): (f"{format_value(cur.ci_low, m.fmt, sym)}\u2009–\u2009"
                            f"{format_value(cur.ci_high, m.fmt, sym)}"),
        _("Comparison ({week})", week=report.filters.compare_week):
            format_value(t.previous.value, m.fmt, sym),
        _("Change"): format_delta(t.delta, m, sym),
        _("p-value (raw)"): display.number(t.p_value, 4),
        _("p-value (Benjamini–Hochberg)"): display.number(t.p_adjusted, 4),
        _("Queries"): ", ".join(f"queries/dashboard/{q}.sql" for q in report.queries),
    }
    facts(rows)


def facts(rows: dict[str, object]) -> None:
    """A two-column table of labels and values (st.table renders markdown in its cells: both
    are shown as literal text)."""
    st.table(pd.DataFrame({"": [plain(str(v)) for v in rows.values()]},
                          index=[plain(str(k)) for k in rows]))


def headline(text: str, icon: str) -> None:
    """A page's computed headline in an info box, as literal text."""
    st.info(plain(text), icon=icon)


def _calendar() -> weeks.DataCalendar | None:
    """The loaded data's calendar (one cached query), None without a warehouse."""
    try:
        return db.cached_value(warehouse(), "data_calendar", lambda: weeks.data_calendar(fetch))
    except db.WarehouseMissing:
        return None


def as_of_text() -> str:
    """``data as of 2026-10-31 (customers.churn_date)``: the loaded data's as-of date and where
    it comes from; empty when there is no warehouse or no dated row yet."""
    cal = _calendar()
    return "" if cal is None else cal.as_of_text()


def stale_warning() -> None:
    """One quiet line, under the scope line of every page, when the newest data is more than
    ``CX_STALE_DAYS`` days (default 8) older than today (UTC); nothing otherwise."""
    cal = _calendar()
    text = "" if cal is None else cal.staleness(datetime.now(UTC).date(), config.stale_days())
    if text:
        with st.container(key="stale_data"):
            st.caption(f":orange[:material/schedule:] {plain(text)}")


def no_images_note() -> None:
    """One quiet line, under the scope line of every page, when this server has no Chromium
    for image exports (``exports.files.images_available``): what to install."""
    if not export.images_available():
        with st.container(key="no_chromium"):
            st.caption(f":orange[:material/image_not_supported:] {plain(export.NO_CHROMIUM)}")


def page_header(title: str, question: str, filters: Filters) -> None:
    """The page title, its leadership question as subtitle, and the scope line: the active
    period and filters, and the data's as-of date."""
    st.title(title)
    st.markdown(f"*{question}*")
    as_of = as_of_text()
    scope = dict(week=weeks.week_display(filters.week),
                 compare_week=weeks.week_display(filters.compare_week),
                 comparison=filters.compare_label, filters=filters.describe())
    note(_("{week} vs {compare_week} ({comparison}) · {filters} · {as_of}", as_of=as_of, **scope)
         if as_of else _("{week} vs {compare_week} ({comparison}) · {filters}", **scope))
    stale_warning()
    no_images_note()


def export_context() -> export.Context:
    """Period, filters and assumption set of every export made in this run (made once a run)."""
    return frame.once("export", lambda: export.Context(current_filters(catalog()),
                                                      assumption_set().id))


def _downloads(items, key: str, off: dict[str, str] | None = None,
               customer_list: bool = False) -> None:
    """A row of small download buttons: (label, file name, mime, callable making the bytes).
    The bytes are made on click (deferred), and the click does not rerun the page; each
    download is recorded in the audit log when it is made. A label in ``off`` is shown
    disabled, its tip saying why and what to install instead. No row for a person whose roles
    allow no such download (``may_download``)."""
    if not may_download(customer_list):
        return
    off = off or {}
    scope = export_context().scope_line()
    with st.container(horizontal=True, gap="small", key=f"dl_{key}"):
        for label, name, mime, make in items:
            st.download_button(label, b"" if label in off else audited(make, name, scope),
                               file_name=name, mime=mime,
                               key=f"dl_{key}_{label}", on_click="ignore", type="tertiary",
                               icon=":material/download:", disabled=label in off,
                               help=off.get(label, _("Download {name}", name=name)))


def may_download(customer_list: bool = False) -> bool:
    """Whether this run's person may download a customer list (analysts; data stewards the
    Data page's raw rows), or aggregates."""
    if customer_list:
        return (access_ui.may("customer_ids") and access_ui.may("export_all")) \
            or access_ui.may("data")
    return access_ui.may("export_aggregates") or access_ui.may("export_all")


def audited(make: Callable[[], bytes], name: str, scope: str) -> Callable[[], bytes]:
    """``make``, recorded in the audit log as a download of ``name`` when it is called (on the
    click, outside the run: the person is taken now)."""
    record = access_ui.recorder("export", name, scope)

    def made() -> bytes:
        record()
        return make()
    return made


def audited_bytes(data: bytes, name: str) -> Callable[[], bytes]:
    """Bytes made already (a built pack's file), handed out through a download that is
    recorded in the audit log when it is made."""
    return audited(lambda: data, name, export_context().scope_line())


def exhibit(ex: Exhibit, ctx: export.Context | None = None, caption: bool = True) -> None:
    """A chart, its computed takeaway (literal text) and its downloads: PNG (2560 × 1440) and
    SVG carrying title, period, filters, n, band and source; the data behind it as CSV."""
    gone = data_coverage().missing(ex.tables)
    if gone:
        st.markdown(f"**{plain(ex.title)}**")
        not_loaded_note(gone)
        return
    ctx = ctx or export_context()
    st.plotly_chart(ex.fig, key=ex.key, config={"displaylogo": False})
    if caption:
        st.caption(plain(ex.takeaway))
    name = ex.title
    # no Chromium on this server: the image buttons say what to install instead of failing
    images_off = {} if export.images_available() else {
        fmt: plain(export.NO_CHROMIUM) for fmt in ("PNG", "SVG")}
    _downloads([
        ("PNG", export.file_name(name, ctx.filters, "png"), export.FORMATS["png"],
         lambda: export.image(ex, ctx, "png")),
        ("SVG", export.file_name(name, ctx.filters, "svg"), export.FORMATS["svg"],
         lambda: export.image(ex, ctx, "svg")),
        ("CSV", export.file_name(name, ctx.filters, "csv"), export.CSV_MIME,
         lambda: export.csv_bytes(ex.export_data(), ex.customer_list)),
    ], ex.key, images_off, ex.customer_list)


def sections(labels: Sequence[str], key: str):
    """A page's sections as tabs of which only the open one is drawn: (its index, its tab).

    The closed tabs are neither computed nor sent (Streamlit's lazy tabs, ``on_change=
    "rerun"``): a filter change draws the open section's charts only, and opening another tab
    draws it from the kept report. The first section is open on a first visit; the open one
    stays open across filter changes (the widget's ``key`` keeps it per session)."""
    tabs = st.tabs(list(labels), key=key, on_change="rerun")
    for i, tab in enumerate(tabs):
        if tab.open:
            return i, tab
    return 0, tabs[0]


def exhibit_or_note(ex: dict[str, Exhibit], key: str, *lines: str) -> None:
    """The exhibit ``key`` when the report drew it, else the lines saying why it did not (e.g.
    a breakdown by a dimension with a single value)."""
    if key in ex:
        exhibit(ex[key])
        return
    for line in lines:
        if line:
            note(line)


def side_by_side(ex: dict[str, Exhibit], left: str, right: str, note: str | None = None
                 ) -> None:
    """Two exhibits in two columns. With ``note``, a side the report may leave out (a split
    by a dimension with one value) shows that line instead (``exhibit_or_note``)."""
    for column, key in zip(st.columns(2), (left, right), strict=True):
        with column:
            if note is None:
                exhibit(ex[key])
            else:
                exhibit_or_note(ex, key, note)


def first_pinned(df: pd.DataFrame, column_config: dict | None) -> dict | None:
    """``column_config`` with the table's first column pinned (frozen while the table scrolls
    sideways) unless a column is pinned already: a table wider than the page keeps its row
    names in view."""
    config = dict(column_config or {})
    if len(df.columns) == 0:
        return column_config
    if any(isinstance(c, dict) and c.get("pinned") for c in config.values()):
        return config
    first = df.columns[0]
    given = config.get(first)
    if isinstance(given, dict):
        config[first] = {**given, "pinned": True}
    else:  # none, or a label given as text
        config[first] = st.column_config.Column(label=given, pinned=True)
    return config


def table(df: pd.DataFrame, key: str, column_config: dict | None = None,
          customer_list: bool = False, identifiers: tuple[str, ...] = (),
          data: Callable[[], pd.DataFrame] | None = None) -> None:
    """A data table; cells are rendered as text (customer text is never interpreted as HTML).
    Downloads: CSV and XLSX named after the table, the week and the filters, of what ``data``
    makes on the click (the same rows as numbers, ``exports.tables``) when given, else of the
    table as shown;
    every column kept but the declared customer ``identifiers`` (kept too when the table is
    a customer list)."""
    st.dataframe(df, key=key, hide_index=True, column_config=first_pinned(df, column_config),
                 width="stretch")
    ctx = export_context()
    name = export_tables.TABLE_NAMES.get(key, key.replace("_", " "))
    header = (name, ctx.scope_line(), ctx.source_line())
    def out() -> pd.DataFrame:
        return df if data is None else data()

    _downloads([
        ("CSV", export.file_name(name, ctx.filters, "csv"), export.CSV_MIME,
         lambda: export.csv_bytes(out(), customer_list, identifiers)),
        ("XLSX", export.file_name(name, ctx.filters, "xlsx"), export.XLSX_MIME,
         lambda: export.xlsx_bytes(out(), name, header, customer_list, identifiers)),
    ], key, customer_list=customer_list)


# --- Segment comparison page (dashboard/analysis/compare.py) ---

def plain(text: str) -> str:
    """Text made literal for st.caption/st.markdown/st.info, labels and help
    (``exports.text.markdown``: markdown, LaTeX, HTML, links, short codes escaped)."""
    return literal_text.markdown(text)


#: Literal text but for its parts between backticks, drawn as code (``text.markdown_coded``).
coded = literal_text.markdown_coded


def compare_header(title: str, question: str) -> None:
    """The page title, its leadership question and the data's as-of date (the page's own
    scope line follows its pickers)."""
    st.title(title)
    st.markdown(f"*{question}*")
    as_of = as_of_text()
    if as_of:
        note(as_of[0].upper() + as_of[1:])
    stale_warning()
    no_images_note()


def compare_controls(options: dict[str, tuple[str, ...]], coverage: cov.Coverage,
                     filters: Filters) -> compare.Selection | None:
    """Page-level pickers: a dimension, 2–4 of its groups (first = reference) and a KPI (only
    KPIs whose source tables hold rows are offered to rank and trend).

    Each dimension has its own group selection (widget key ``cmp_groups_<dimension>``), which
    starts with the largest groups of the selected week (``compare.default_groups``: never a
    group without answers or customers while two have some); only dimensions with two groups
    or more are offered. Returns None, with a message shown, while fewer than two groups are
    picked (or no dimension has two).
    """
    metrics = [m.name for m in compare.loaded_metrics(coverage)]
    if st.session_state.get("cmp_metric") not in metrics:
        st.session_state["cmp_metric"] = metrics[0]
    offered = compare.dimension_choices(options)
    if not offered:
        note(Dimensions(options).none_note(compare.COMPARE_DIMENSIONS))
        return None
    if st.session_state.get("cmp_dimension") not in offered:
        st.session_state["cmp_dimension"] = offered[0]
    left, mid, right = st.columns([1, 3, 1])
    with left:
        dim = st.selectbox(
            _("Compare by"), offered, key="cmp_dimension",
            format_func=_labels(_FILTER_LABELS),
            help=_("Channel is the survey channel: only survey scores are defined per "
                   "channel."))
    values = list(options.get(dim, ()))
    key = f"cmp_groups_{dim}"
    if key in st.session_state:
        st.session_state[key] = [g for g in st.session_state[key] if g in values]
    else:
        sizes = compare.group_sizes(fetch, filters, dim, st.session_state["cmp_metric"])
        st.session_state[key] = list(compare.default_groups(sizes, tuple(values)))
    with mid:
        groups = st.multiselect(
            _(_GROUPS_LABELS[dim]), values, key=key,
            max_selections=compare.MAX_GROUPS,
            help=_("Every difference is tested against the first group; Benjamini–Hochberg "
                   "correction across the whole table."))
    with right:
        metric = st.selectbox(_("KPI to rank and trend"), metrics, key="cmp_metric",
                              format_func=_labels({n: compare.COMPARE_REGISTRY[n].label
                                                   for n in metrics}),
                              help=_("KPIs whose data are not loaded are not offered."))
    if len(groups) < compare.MIN_GROUPS:
        st.warning(_(_PICK_GROUPS[dim], low=display.number(compare.MIN_GROUPS, 0),
                     high=display.number(compare.MAX_GROUPS, 0)))
        return None
    return compare.Selection(dim, tuple(groups), metric)


def takeaway_table(df: pd.DataFrame, key: str, takeaway: str,
                   footnote: str | None = None, customer_list: bool = False,
                   missing: tuple[str, ...] = (), identifiers: tuple[str, ...] = (),
                   data: Callable[[], pd.DataFrame] | None = None) -> None:
    """A text table (first column pinned), then its computed takeaway and an optional footnote
    as literal captions; when a table it is drawn from holds no rows (``missing``), the load
    hint instead. ``data`` makes the same rows as numbers, for the downloads."""
    if missing:
        not_loaded_note(missing)
        return
    if customer_list and not access_ui.may("customer_ids"):
        st.info(_("Customer lists are shown to analysts only: your role sees the figures "
                  "above."), icon=":material/lock:")
        return
    first = df.columns[0] if len(df.columns) else None
    pinned = {first: st.column_config.TextColumn(pinned=True)} if first else None
    table(df, key, pinned, customer_list, identifiers, data)
    st.caption(plain(takeaway))
    if footnote:
        st.caption(plain(footnote))


def compare_ranking(report: compare.CompareReport, ex: dict[str, Exhibit]) -> None:
    """The ranking of every group of the dimension on the KPI: table and interval chart."""
    if not report.metric_applies:
        st.caption(plain(report.ranking_takeaway))
        return
    left, right = st.columns([3, 2])
    with left:
        takeaway_table(report.ranking_table(), "cmp_ranking", report.ranking_takeaway,
                       data=lambda: export_tables.cmp_ranking(report))
    with right:
        exhibit(ex["cmp_ranking_chart"])


def compare_trend(report: compare.CompareReport, ex: dict[str, Exhibit]) -> None:
    """The KPI's weekly trend for the compared groups (bands on survey scores) and takeaway."""
    if report.metric_applies:
        exhibit(ex["cmp_trend"])
    else:
        st.caption(plain(report.trend_takeaway))


def method_note(text: str | None, label: str | None = None) -> None:
    """A method's formulas and tests, one click away (an expander), as literal text."""
    if text:
        with st.expander(label or _("How computed")):
            st.caption(plain(text))


def note(text: str, missing: tuple[str, ...] = ()) -> None:
    """A computed line (scope, takeaway) as a literal caption; the load hint instead when a
    table it is drawn from holds no rows (``missing``)."""
    if missing:
        not_loaded_note(missing)
        return
    st.caption(plain(text))


# --- Cost to serve page (dashboard/analysis/cost.py) ---


def session_value(key: str):
    """The value a page-level widget holds (None before it is first drawn)."""
    return st.session_state.get(key)


def stat_tiles(tiles) -> None:
    """A row of headline figures: label, value as computed, caption as literal text."""
    for col, t in zip(st.columns(len(tiles)), tiles, strict=True):
        with col, st.container(border=True):
            st.metric(plain(t.label), tile_value(t.value),
                      help=plain(t.help) if t.help else None)
            st.caption(plain(t.caption))


def savings_controls(options, chosen: str | None, labels: dict[str, str],
                     bases: dict[str, str], basis: str) -> None:
    """Page-level pickers of the savings waterfall: the baseline window and the basis.

    Keys ``cts_baseline`` and ``cts_basis``; a stored choice the current options no longer
    offer is replaced by the computed default before the widget is drawn.
    """
    left, right = st.columns([2, 1])
    if options:
        if st.session_state.get("cts_baseline") not in options:
            st.session_state["cts_baseline"] = chosen
        with left:
            st.selectbox(_("Baseline: 13 weeks ending"), list(options), key="cts_baseline",
                         format_func=lambda w: labels.get(w, w),
                         help=_("Default: the 13 weeks before the detected self-service "
                                "launch, else the 13 weeks before the current window."))
    if st.session_state.get("cts_basis") not in bases:
        st.session_state["cts_basis"] = basis
    with right:
        st.radio(_("Express the change"), list(bases), key="cts_basis",
                 format_func=_labels(bases), horizontal=True)


# --- page-level pickers ---


def _labels(labels: dict[str, str]) -> Callable[[str], str]:
    """A widget's ``format_func`` over ``labels`` (value → English label), the labels read in
    this run's language when the widget is drawn: a function called later (by Streamlit's
    test harness, outside the run) gives the same text."""
    shown = {value: _(label) for value, label in labels.items()}
    return lambda value: shown.get(value, str(value))


def choice(label: str, options: dict[str, str], key: str, default: str,
           help: str | None = None) -> str:
    """A page-level selectbox over an allowlist (value -> label); returns the chosen value."""
    values = list(options)
    if st.session_state.get(key) not in values:
        st.session_state[key] = default
    return st.selectbox(_(label), values, key=key, format_func=_labels(options),
                        help=_(help) if help else None)


# --- Complaints and Churn & retention pages (analysis/complaints.py, analysis/churn.py) ---


def card_row(cards, per_row: int = 4) -> None:
    """Summary cards (``analysis.cards.Card``) in rows: value, an arrow only when the change is
    significant after correction, and caption lines as literal text."""
    cards = list(cards)
    for start in range(0, len(cards), per_row):
        row = cards[start:start + per_row]
        for col, c in zip(st.columns(per_row), row, strict=False):
            with col, st.container(border=True):
                color = ("normal" if c.higher_is_better else "inverse") if c.significant \
                    else "off"
                st.metric(plain(c.label), tile_value(c.value), delta=c.delta, delta_color=color,
                          delta_arrow="auto" if c.significant else "off",
                          help=plain(c.help) if c.help else None)
                for line in c.captions:
                    st.caption(plain(line))


def signed_in_user() -> str:
    """The signed-in user's e-mail or name when the app uses Streamlit authentication."""
    try:
        user = st.user
        return str(user.get("email") or user.get("name") or "")
    except Exception:  # noqa: BLE001 - no authentication configured: nobody is known
        return ""
