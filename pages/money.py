"""CX in money — "What are our customers' experiences worth, and what is at risk?"

Lifetime value by segment and by NPS category, the value of moving a customer up one NPS
category, revenue at risk from the excess churn of passives and detractors, the cost of
complaints, savings against a baseline quarter and the improvement programme's measured effect.
Modelled figures (P10–P90 bands) and observed ones (95% intervals) are never added together;
external rules of thumb are quoted apart. Every figure names its assumption set.
"""

import streamlit as st

from dashboard.exports import tables
from dashboard.i18n import _
from dashboard.money import value
from dashboard.ui import common as ui
from dashboard.ui import money as ui_money
from dashboard.ui import results

catalog = ui.catalog()
filters = ui.current_filters(catalog)
ui.page_header(_("CX in money"),
               _("What are our customers' experiences worth, and what is at risk?"), filters)
coverage = ui.require_loaded("CX in money")
report, ex = results.money_page(filters, ui.assumption_set(), coverage)
t, k, n, sym = report.titles, report.takeaways, report.notes, report.symbol

ui.note(n["window"])
ui_money.money_tiles(report.modelled, sym, _("Modelled (P10–P90)"), n["kinds"])
ui_money.money_tiles(report.observed, sym, _("Observed (95% interval)"), k["complaints"])

st.subheader(_("What a customer is worth"))
left, right = st.columns([3, 2])
with left:
    ui.takeaway_table(report.clv_table, "money_clv", k["clv_retention"],
                      data=lambda: tables.money_clv(report))
    ui.method_note(n["clv"])
    ui_money.how_computed(report.clv_figures, value.ALL, t["clv_how"])
with right:
    ui.exhibit_or_note(ex, "money_clv_chart", k["clv"], report.split_note)

st.subheader(_("Value by NPS category"))
ui.takeaway_table(report.category_table, "money_categories", k["categories"],
                  missing=report.missing("categories"),
                  data=lambda: tables.money_categories(report))
if not report.missing("categories"):
    ui.method_note(n["categories"])

st.subheader(_("Revenue at risk"))
ui.takeaway_table(report.rar_table, "money_rar", k["rar"], n["rar"],
                  missing=report.missing("rar"), data=lambda: tables.money_rar(report))

st.subheader(_("Savings we can see"))
ui.note(k["savings"], report.missing("savings"))
ui_money.heading(t["programme"])
ui.takeaway_table(report.did_table, "money_did", k["programme"], n["programme"],
                  data=lambda: tables.money_did(report))
ui_money.did_charts(ex)

ui.external_context("money_external")
