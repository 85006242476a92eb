"""Segment comparison — "Which segments do better, and is the difference real?"

Every KPI side by side for 2–4 groups of one dimension (segment, region, plan or survey channel),
differences against the first group corrected with Benjamini–Hochberg across the table (revenue
per customer, the group totals beside it as context); a ranking of every group on one KPI; that
KPI's 13-week trend per group.
"""

import streamlit as st

from dashboard.analysis import compare
from dashboard.exports import exhibits, tables
from dashboard.i18n import _
from dashboard.ui import common as ui

catalog = ui.catalog()
filters = ui.current_filters(catalog)
options = compare.load_options(ui.fetch)
coverage = ui.data_coverage()

ui.compare_header(_("Segment comparison"),
                  _("Which segments do better, and is the difference real?"))
selection = ui.compare_controls(options, coverage, filters)
if selection is None:
    st.stop()
report = compare.build_comparison(ui.fetch, filters, selection, options, coverage)
ui.note(report.scope)
ex = exhibits.compare_exhibits(report)

st.subheader(_("Every KPI side by side"))
ui.takeaway_table(report.side_by_side(), "cmp_side_by_side", report.table_takeaway,
                  report.money_note, data=lambda: tables.cmp_side_by_side(report))

st.subheader(_("Ranking"))
ui.compare_ranking(report, ex)

st.subheader(_("Trend"))
ui.compare_trend(report, ex)
