"""The app's pages, in navigation order: one list the frame (``streamlit_app.py``), the benches
and the tests read. Titles are English templates (``N_``), shown in the session's language;
URL paths stay the same in every language, so a link works for everyone."""

from __future__ import annotations

from typing import NamedTuple

from dashboard.i18n import N_


class Page(NamedTuple):
    file: str  # the page script, relative to the project root
    title: str  # English; the navigation shows it translated
    icon: str
    url_path: str


PAGES: tuple[Page, ...] = (
    Page("pages/weekly_kpis.py", N_("Weekly KPIs"), ":material/dashboard:", "weekly-kpis"),
    Page("pages/satisfaction.py", N_("Satisfaction"), ":material/sentiment_satisfied:",
         "satisfaction-trends"),
    Page("pages/complaints.py", N_("Complaints"), ":material/report:", "complaints-recovery"),
    Page("pages/cost_to_serve.py", N_("Cost to serve"), ":material/payments:", "cost-to-serve"),
    Page("pages/churn.py", N_("Churn & retention"), ":material/group_remove:",
         "churn-retention"),
    Page("pages/segments.py", N_("Segment comparison"), ":material/compare:",
         "segment-comparison"),
    Page("pages/money.py", N_("CX in money"), ":material/account_balance:", "cx-in-money"),
    Page("pages/simulator.py", N_("Impact simulator"), ":material/tune:", "impact-simulator"),
    Page("pages/board_pack.py", N_("Board pack"), ":material/slideshow:", "board-pack"),
    Page("pages/assumptions.py", N_("Assumptions"), ":material/rule_settings:",
         "finance-assumptions"),
    Page("pages/data.py", N_("Data"), ":material/database:", "data-loads"),
)
