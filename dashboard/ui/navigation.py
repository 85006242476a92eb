"""The app's pages, in navigation order: one list the frame (``streamlit_app.py``), the benches
and the tests read. Titles are English templates (``N_``), shown in the session's language;
URL paths stay the same in every language, so a link works for everyone. Each page names the
permissions that open it (``dashboard.access.roles``): the navigation lists only the pages the
signed-in person may open."""

from __future__ import annotations

from typing import NamedTuple

from dashboard.i18n import N_

#: Every page of aggregate figures opens with this permission (``dashboard.access.roles``).
FIGURES = ("aggregates",)


class Page(NamedTuple):
    file: str  # the page script, relative to the project root
    title: str  # English; the navigation shows it translated
    icon: str
    url_path: str
    needs: tuple[str, ...] = FIGURES  # any one of these permissions opens the page


PAGES: tuple[Page, ...] = (
    Page("pages/weekly_kpis.py", N_("Weekly KPIs"), ":material/dashboard:", "weekly-kpis"),
    Page("pages/satisfaction.py", N_("Satisfaction"), ":material/sentiment_satisfied:",
         "satisfaction-trends"),
    Page("pages/complaints.py", N_("Complaints"), ":material/report:", "complaints-recovery"),
    Page("pages/cost_to_serve.py", N_("Cost to serve"), ":material/payments:", "cost-to-serve"),
    Page("pages/churn.py", N_("Churn & retention"), ":material/group_remove:",
         "churn-retention"),
    Page("pages/segments.py", N_("Segment comparison"), ":material/compare:",
         "segment-comparison", ("segments",)),
    Page("pages/money.py", N_("CX in money"), ":material/account_balance:", "cx-in-money"),
    Page("pages/simulator.py", N_("Impact simulator"), ":material/tune:", "impact-simulator"),
    Page("pages/board_pack.py", N_("Board pack"), ":material/slideshow:", "board-pack",
         ("pack",)),
    Page("pages/assumptions.py", N_("Assumptions"), ":material/rule_settings:",
         "finance-assumptions", ("aggregates", "assumptions_edit")),
    # loads are the data steward's; analysts read the page (its quarantine holds raw rows)
    Page("pages/data.py", N_("Data"), ":material/database:", "data-loads",
         ("data", "customer_ids")),
    Page("pages/access.py", N_("Access & audit"), ":material/admin_panel_settings:",
         "access-audit", ("admin",)),
)
#: Pages drawn without the filter bar's catalog: the Data page (it works before there is a
#: warehouse) and the admins' page.
WITHOUT_FILTERS: frozenset[str] = frozenset({"data-loads", "access-audit"})
#: Pages that read every region's rows (raw rows, the audit log): never for a scoped person.
COMPANY_WIDE: frozenset[str] = frozenset({"data-loads", "access-audit"})
