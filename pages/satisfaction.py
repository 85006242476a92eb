"""Satisfaction — "How do customers feel, where, and is it changing?"

NPS, CSAT and CES for the filtered customers; the chosen score's trend by group with 95% bands,
the NPS mix, the score distribution, the expectation gap by touchpoint and the groups that moved
significantly (Benjamini–Hochberg) against the comparison week.
"""

import streamlit as st

from dashboard import charts, satisfaction, ui

catalog = ui.catalog()
filters = ui.current_filters(catalog)

ui.page_header("Satisfaction", "How do customers feel, where, and is it changing?", filters)
view = ui.sat_controls()
report = satisfaction.build_report(ui.fetch, filters, view)

st.info(report.headline, icon=":material/sentiment_satisfied:")
ui.sat_tiles(report)

st.subheader("Is it changing?")
ui.chart(charts.split_trend_chart(report.trend, report.trend_title, report.y_title,
                                  satisfaction.OVERALL),
         "sat_trend", report.trend_takeaway)

left, right = st.columns(2)
with left:
    ui.chart(charts.nps_mix_chart(report.mix, report.mix_title), "sat_mix", report.mix_takeaway)
with right:
    ui.chart(charts.score_distribution_chart(report.distribution, report.distribution_title,
                                             filters.week, filters.compare_week),
             "sat_distribution", report.distribution_takeaway)

st.subheader("Where?")
ui.chart(charts.expectation_gap_chart(report.gap, report.gap_title), "sat_gap",
         report.gap_takeaway)

ui.sat_movers(report)
