"""Streamlit widgets: the only module of the package that imports Streamlit.

Pages compose these; they hold no SQL, formulas or formatting of their own.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, config, db, kpis
from dashboard.filters import COMPARISONS, Filters
from dashboard.kpis import Catalog, KpiReport, Tile
from dashboard.metrics import format_delta, format_value

_KEYS = {"week": "f_week", "segment": "f_segment", "region": "f_region", "plan": "f_plan",
         "compare": "f_compare"}


@st.cache_resource
def _warehouse(url: str) -> db.Warehouse:
    return db.Warehouse(url, read_only=True)


def warehouse() -> db.Warehouse:
    """The warehouse of ``CX_WAREHOUSE_URL``, opened read-only once per process and URL."""
    return _warehouse(config.warehouse_url())


def fetch(name: str, **params) -> pd.DataFrame:
    """Run a named query through the single TTL cache of the data layer."""
    return db.cached_run(warehouse(), name, **params)


def catalog() -> Catalog | None:
    """Filter allowlists from the warehouse; None (with a message shown) when there is none."""
    try:
        return kpis.load_catalog(fetch)
    except db.WarehouseMissing as exc:
        st.error(f"{exc}. `make run` builds it automatically.")
        return None


def filter_bar(cat: Catalog) -> Filters:
    """Render the shared filter bar in the sidebar and return the selection."""
    with st.sidebar:
        st.header("Filters")
        weeks = list(cat.weeks)
        default = weeks.index(cat.latest_complete) if cat.latest_complete in weeks else 0
        st.selectbox("Week", weeks, index=default, key=_KEYS["week"],
                     help="ISO week, Monday to Sunday (UTC). Default: the latest complete week.")
        for dim, label in (("segment", "Segment"), ("region", "Region"), ("plan", "Plan")):
            st.multiselect(label, list(cat.options[dim]), key=_KEYS[dim],
                           placeholder="All", help=f"Customers by {dim}; empty means all.")
        st.selectbox("Compare with", list(COMPARISONS), key=_KEYS["compare"],
                     format_func=lambda k: COMPARISONS[k][0])
    return current_filters(cat)


def current_filters(cat: Catalog) -> Filters:
    """The selection held by the filter bar's widgets, as one immutable object."""
    s = st.session_state
    return Filters(
        week=s.get(_KEYS["week"]) or cat.latest_complete,
        segments=tuple(s.get(_KEYS["segment"]) or ()),
        regions=tuple(s.get(_KEYS["region"]) or ()),
        plans=tuple(s.get(_KEYS["plan"]) or ()),
        compare=s.get(_KEYS["compare"]) or "previous",
    )


def _tile_caption(t: Tile, symbol: str) -> str:
    cur, m = t.current, t.metric
    if cur.status == "withheld":
        return f"Insufficient base (n = {cur.n:,}; at least 30 needed)"
    parts = [f"n = {cur.n:,}",
             f"95% CI {format_value(cur.ci_low, m.fmt, symbol)} – "
             f"{format_value(cur.ci_high, m.fmt, symbol)}"]
    if "mean" in cur.detail:
        parts.append(f"mean {cur.detail['mean']:.2f}")
    if "share_easy_pct" in cur.detail:
        parts.append(f"{cur.detail['share_easy_pct']:.1f}% easy (5–7)")
    return " · ".join(parts)


def _verdict(t: Tile, filters: Filters) -> str:
    if t.delta is None:
        return f"No comparison: {filters.compare_week} has no usable base."
    if t.current.status == "low_base" or t.previous.status == "low_base":
        return "Low base (n < 100): change not judged."
    if t.significant:
        return "Real change (significant after correction)."
    return "Within noise (not significant after correction)."


def kpi_tile(t: Tile, report: KpiReport) -> None:
    """One KPI tile: value, n and interval, change (arrow only if significant), target, popover."""
    m, sym, f = t.metric, report.currency_symbol, report.filters
    with st.container(border=True):
        label = m.label + (" · low base" if t.current.status == "low_base" else "")
        delta = None if t.delta is None else format_delta(t.delta, m, sym)
        color = ("normal" if m.higher_is_better else "inverse") if t.significant else "off"
        st.metric(label, format_value(t.current.value, m.fmt, sym), delta=delta,
                  delta_color=color, delta_arrow="auto" if t.significant else "off",
                  help=m.definition)
        st.caption(_tile_caption(t, sym))
        st.caption(f"vs {f.compare_label} ({format_value(t.previous.value, m.fmt, sym)}): "
                   f"{_verdict(t, f)}")
        if t.target is not None:
            met = {True: "met", False: "missed", None: "—"}[t.target_met]
            st.caption(f"Target {format_value(t.target, m.fmt, sym)}: {met}")
        with st.popover("How computed"):
            how_computed(t, report)


def how_computed(t: Tile, report: KpiReport) -> None:
    """The definition, base, interval, test and queries behind one tile."""
    m, sym, cur = t.metric, report.currency_symbol, t.current
    st.markdown(f"**{m.label}** — {m.definition}")
    rows = {
        "Week": report.filters.week,
        "Filters": report.filters.describe(),
        "n": f"{cur.n:,}",
        "Value": format_value(cur.value, m.fmt, sym),
        "95% interval": (f"{format_value(cur.ci_low, m.fmt, sym)} – "
                         f"{format_value(cur.ci_high, m.fmt, sym)}"),
        f"Comparison ({report.filters.compare_week})": format_value(t.previous.value, m.fmt, sym),
        "Change": format_delta(t.delta, m, sym),
        "p-value (raw)": "—" if t.p_value is None else f"{t.p_value:.4f}",
        "p-value (Benjamini–Hochberg)": "—" if t.p_adjusted is None else f"{t.p_adjusted:.4f}",
        "Queries": ", ".join(f"queries/dashboard/{q}.sql" for q in report.queries),
    }
    st.table(pd.DataFrame({"": list(rows.values())}, index=list(rows.keys())))


def trend(t: Tile, report: KpiReport) -> None:
    """The 13-week trend chart of one metric (interval band on survey metrics)."""
    m = t.metric
    fig = charts.trend_chart(report.trends[m.name], f"{m.label} — 13 weeks", m.unit,
                             target=t.target, band=m.kind == "survey")
    st.plotly_chart(fig, key=f"trend_{m.name}", config={"displaylogo": False})


def page_header(title: str, question: str, filters: Filters) -> None:
    """The page title, its leadership question as subtitle, and the active period and filters."""
    st.title(title)
    st.markdown(f"*{question}*")
    st.caption(f"{filters.week} vs {filters.compare_week} ({filters.compare_label}) · "
               f"{filters.describe()}")


def chart(fig, key: str, takeaway: str) -> None:
    """A plotly figure with its computed one-line takeaway underneath (plain text, never HTML)."""
    st.plotly_chart(fig, key=key, config={"displaylogo": False})
    st.caption(takeaway)


def table(df: pd.DataFrame, key: str, column_config: dict | None = None) -> None:
    """A data table; cells are rendered as text (customer text is never interpreted as HTML)."""
    st.dataframe(df, key=key, hide_index=True, column_config=column_config,
                 width="stretch")
