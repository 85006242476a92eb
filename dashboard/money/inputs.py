"""CX in money: the shared inputs of the value model and the simulator.

Everything money-related starts here:

* ``MoneyFigure`` — one money figure as the app shows it: its kind (observed, modelled or
  external context; never mixed in one total), a point and a band (P10–P90 for modelled
  figures, a 95% interval for observed ones), and the "how computed" record: formula, inputs
  with their values, data window and the assumption set id.
* ``fetch_inputs`` — the linked customer-level facts behind every relationship the model uses,
  read through two named queries over one trailing year: customers active at the window start
  by segment and latest NPS category (and whether they complained in the 13 weeks before),
  what they did during the year (churn, exposure, revenue, complaints) and their contacts by
  channel; plus the active base at the end of the selected week.
* ``category_estimates`` — per segment (and for all segments together) and NPS category: the
  12-month churn rate with its Beta posterior, revenue and cost to serve per customer-year
  with standard errors, complaints per customer-year, and the active base now. Estimated from
  the data, never hard-coded: the relationships between experience and money are this
  business's own, measured with their uncertainty, which the Monte Carlo of the value model
  and the simulator carry (``churn_draws``: churn ~ Beta(1 + churned, 1 + retained), the
  posterior under a uniform prior; revenue and cost to serve ~ normal(estimate, SE)).
* ``clv`` — churn-adjusted lifetime value (the retention model of Gupta & Lehmann 2003).
* ``EXTERNAL_CONTEXT`` — published rules of thumb, quoted with source and year, shown apart.

Pure: no Streamlit, no SQL text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard import i18n
from dashboard.i18n import N_, currency
from dashboard.i18n.numbers import written
from dashboard.metrics import display, stats
from dashboard.metrics.filters import Filters, week_label
from dashboard.money.assumptions import AssumptionSet
from dashboard.money.unit_costs import UnitCosts
from dashboard.money.unit_costs import compare as compare_unit_costs
from dashboard.warehouse import coverage as cov
from dashboard.warehouse.catalog import Fetch
from dashboard.warehouse.coverage import Coverage

#: NPS categories in model order; customers without an answer are kept apart as 'unanswered'.
CATEGORIES: tuple[str, ...] = ("promoter", "passive", "detractor")
UNANSWERED = "unanswered"
#: The label of the all-segments rows (a key of the estimates; shown translated, ``_(ALL)``).
ALL = N_("All segments")
#: Length of the trailing window the relationships are estimated on.
WINDOW_WEEKS = 52
KINDS = {"observed": N_("Observed"), "modelled": N_("Modelled"),
         "external": N_("External context")}


@dataclass(frozen=True)
class MoneyFigure:
    """One money figure with its band and the record of how it was computed.

    ``kind`` is 'observed' (from the data; band = 95% interval), 'modelled' (band = P10–P90 of
    the model's draws) or 'external' (a published rule of thumb, quoted, never added to ours).
    """

    key: str
    label: str
    kind: str
    value: float
    low: float | None
    high: float | None
    unit: str  # e.g. "$ a year"
    formula: str
    inputs: tuple[tuple[str, str], ...]
    window: str
    assumption_set: str
    note: str = ""
    #: the source tables that hold no rows: the figure is then "not loaded" (no value)
    missing: tuple[str, ...] = ()
    #: the cost per contact it prices contacts with, against the booked ones (None: it prices
    #: no contacts)
    unit_costs: UnitCosts | None = None

    @property
    def not_loaded(self) -> str | None:
        """The not-loaded message when a source table holds no rows, else None."""
        return cov.message(self.missing) if self.missing else None

    @property
    def status(self) -> str:
        """'not_loaded' (a source table holds no rows), 'withheld' (no value, the reason in
        the note) or 'ok'."""
        if self.missing:
            return cov.NOT_LOADED
        return "ok" if self.value is not None and math.isfinite(self.value) else "withheld"

    @property
    def band_label(self) -> str:
        """'P10–P90' for modelled figures, '95% CI' for observed ones."""
        return "P10–P90" if self.kind == "modelled" else i18n._("95% CI")

    def how_computed(self) -> dict[str, str]:
        """The rows of the "how computed" panel, in order."""
        _ = i18n._
        rows = {_("Kind"): _(KINDS[self.kind]), _("Formula"): self.formula}
        rows.update(dict(self.inputs))
        rows[_("Data window")] = self.window
        rows[_("Assumption set")] = self.assumption_set
        if self.unit_costs is not None:
            rows[_("Which unit costs")] = self.unit_costs.detail
        if self.note:
            rows[_("Note")] = self.note
        return rows

    @property
    def source_line(self) -> str:
        """What the figure is and what it was computed with: ``Observed · assumption set
        published v0 · unit costs as booked`` (the unit costs only for a figure that prices
        contacts)."""
        kind = i18n._(KINDS[self.kind])
        if self.unit_costs is not None:
            return i18n._("{kind} · assumption set {set_id} · {unit_costs}", kind=kind,
                          set_id=self.assumption_set, unit_costs=self.unit_costs.short)
        return i18n._("{kind} · assumption set {set_id}", kind=kind, set_id=self.assumption_set)


def money_text(value: float | None, symbol: str, signed: bool = False) -> str:
    """Money for tiles: ``$1.23M``, ``$45.6k``, ``$789``; a true minus sign; '—' when None."""
    if value is None or not math.isfinite(value):
        return "—"
    if currency.of(symbol).after:  # Persian, Toman and Rial: compact in words, unit after
        return display.money_words(value, symbol, signed)
    a = abs(value)
    if a >= 1e9:
        scaled, digits, body = value / 1e9, 2, f"{a / 1e9:.2f}B"
    elif a >= 1e6:
        scaled, digits, body = value / 1e6, 2, f"{a / 1e6:.2f}M"
    elif a >= 1e4:
        scaled, digits, body = value / 1e3, 1, f"{a / 1e3:.1f}k"
    else:
        scaled, digits, body = value, 0, f"{a:,.0f}"
    return f"{display.sign(scaled, digits, signed)}{symbol}{body}"


def band_text(fig: MoneyFigure, symbol: str) -> str:
    """``$1.2M (P10–P90 $0.8M – $1.6M)``."""
    if fig.low is None or fig.high is None:
        return money_text(fig.value, symbol)
    band = display.span(fig.low, fig.high, lambda v: money_text(v, symbol))
    return i18n._("{value} ({band_label} {band})", value=money_text(fig.value, symbol),
                  band_label=fig.band_label, band=band)


# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """The linked facts for one selection: a trailing year and the active base now."""

    filters: Filters
    as_of: date  # window start (a Monday)
    horizon_end: date  # window end, exclusive: the Monday after the selected week
    outcomes: pd.DataFrame  # money_category_outcomes over [as_of, horizon_end)
    contacts: pd.DataFrame  # money_category_contacts over the same window
    base: pd.DataFrame  # money_category_outcomes at horizon_end (the active base now)
    assumptions: Mapping[str, float | str]  # in force in the selected week
    assumption_set: str  # the set's id, naming CX Ledger's defaults when they are in force
    #: which raw tables hold rows (a figure of an empty one is not loaded); inputs assembled
    #: by hand count every table as loaded
    coverage: Coverage = cov.COMPLETE
    queries: tuple[str, ...] = field(default=("money_category_outcomes",
                                               "money_category_contacts",
                                               "money_category_contact_spread", "data_coverage"))
    #: money_category_contact_spread priced with the set in force: each cell's customer-level
    #: sums (Σx², Σx·e, Σe²) behind the customer-clustered error of contact cost per year.
    #: Inputs assembled by hand without it fall back to the compound-Poisson error.
    contact_spread: pd.DataFrame | None = None
    #: the set's cost per contact in the selected week against the booked ones
    unit_costs: UnitCosts | None = None

    @property
    def window_text(self) -> str:
        """``2025-W45 – 2026-W44 (52 weeks; customers active on 2025-11-03)``."""
        last = self.horizon_end - timedelta(weeks=1)
        return i18n._("{first} – {last} ({weeks} weeks; customers active on {start}, base now "
                      "on {end})", first=week_label(self.as_of), last=week_label(last),
                      weeks=written(str(WINDOW_WEEKS)), start=self.as_of,
                      end=self.horizon_end)

    def number(self, key: str, default: float | None = None) -> float:
        """A numeric assumption; KeyError naming the key when it is missing."""
        v = self.assumptions.get(key, default)
        if not isinstance(v, float | int):
            raise KeyError(f"assumption {key} is missing or not a number")
        return float(v)

    @property
    def symbol(self) -> currency.Currency:
        """The currency of the set (its symbol, knowing its code)."""
        return currency.from_assumptions(self.assumptions)


def fetch_inputs(fetch: Fetch, filters: Filters, aset: AssumptionSet,
                 coverage: Coverage | None = None) -> Inputs:
    """Read the linked facts for the filters' customers and the selected week (and which raw
    tables hold rows, read from the warehouse when ``coverage`` is not given)."""
    horizon_end = filters.week_start + timedelta(weeks=1)
    as_of = horizon_end - timedelta(weeks=WINDOW_WEEKS)
    keys = ["segment", "nps_category", "has_recent_complaint"]
    # the queries' rows are per segment x region x plan: a filter change re-uses them
    outcomes = filters.narrow(fetch("money_category_outcomes", as_of=as_of,
                                    horizon_end=horizon_end), keys)
    contacts = filters.narrow(fetch("money_category_contacts", as_of=as_of,
                                    horizon_end=horizon_end),
                              ["segment", "nps_category", "channel"])
    base = filters.narrow(fetch("money_category_outcomes", as_of=horizon_end,
                                horizon_end=horizon_end), keys)
    in_force = aset.in_force(filters.week_start)
    prices = _prices(in_force)
    spread = filters.narrow(fetch("money_category_contact_spread", as_of=as_of,
                                  horizon_end=horizon_end, channels=list(prices),
                                  prices=list(prices.values())),
                            ["segment", "nps_category"])
    return Inputs(filters, as_of, horizon_end, outcomes, contacts, base, in_force,
                  aset.described(filters.week_start), cov.resolve(coverage, fetch),
                  contact_spread=spread,
                  unit_costs=compare_unit_costs(aset, fetch("assumption_rows"),
                                                filters.week_start))


def load(fetch: Fetch, filters: Filters, aset: AssumptionSet,
         coverage: Coverage | None = None) -> tuple[Inputs, pd.DataFrame]:
    """The inputs for the selection and their estimates per segment and NPS category
    (``category_estimates``): what the money row, the moves' money and CX in money all start
    from, read once and handed to each (``loaded=``)."""
    inputs = fetch_inputs(fetch, filters, aset, coverage)
    return inputs, category_estimates(inputs)


def _prices(assumptions: Mapping[str, float | str]) -> dict[str, float]:
    return {k.removeprefix("cost_per_contact_"): float(v) for k, v in assumptions.items()
            if k.startswith("cost_per_contact_") and isinstance(v, float | int)}


def contact_cost_per_channel(inputs: Inputs) -> dict[str, float]:
    """The cost per contact of each channel in the set (``cost_per_contact_<channel>``)."""
    return _prices(inputs.assumptions)


# --- estimates per segment and NPS category ------------------------------------------------------

ESTIMATE_COLUMNS = (
    "segment", "nps_category", "customers", "churned", "churn_rate", "churn_low", "churn_high",
    "exposure_years", "revenue_per_year", "revenue_se", "contact_cost_per_year",
    "contact_cost_se", "complaint_cost_per_year", "complaints_per_year", "cts_per_year",
    "cts_se", "contacts_per_year", "active_now",
)


def _with_all(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The frame plus rows summed over segments (segment = ALL)."""
    if df.empty:
        return df
    total = df.groupby([k for k in keys if k != "segment"], as_index=False).sum(
        numeric_only=True)
    total["segment"] = ALL
    return pd.concat([df, total[df.columns]], ignore_index=True)


def category_estimates(inputs: Inputs) -> pd.DataFrame:
    """Per segment (and ``ALL``) and NPS category (and 'unanswered'): the estimates the value
    model and the simulator draw from (columns ``ESTIMATE_COLUMNS``).

    churn_rate: churned / customers active at the window start (12-month churn), Wilson 95%
    interval; revenue_per_year: revenue / customer-years of exposure (ratio estimator, delta-
    method SE); contact_cost_per_year: Σ contacts × cost per contact of the set / exposure,
    the same ratio estimator with customers as clusters: with x a customer's priced contact
    cost and e their exposure, SE = √(Σx² − 2rΣxe + r²Σe²) / Σe (compound-Poisson
    √(Σ contacts × price²) / Σe only for inputs assembled without ``contact_spread``);
    cts_se is that SE (complaint cost is taken as known); complaint_cost_per_year:
    (complaints × handling cost + compensation) / exposure; cts = contact + complaint cost;
    active_now: the base at the window end.
    """
    keys = ["segment", "nps_category"]
    num = ["customer_count", "churned_count", "exposure_years", "exposure_sq_sum",
           "revenue_amount", "revenue_sq_sum", "revenue_exposure_sum", "complaint_count",
           "compensation_amount"]
    o = inputs.outcomes.copy()
    for c in num:
        o[c] = pd.to_numeric(o[c]).astype(float)
    o = _with_all(o.groupby(keys, as_index=False)[num].sum(), keys)

    prices = contact_cost_per_channel(inputs)
    c = inputs.contacts.copy()
    c["contact_count"] = pd.to_numeric(c["contact_count"]).astype(float)
    c["price"] = c["channel"].map(prices).fillna(0.0).astype(float)
    c["cost"] = c["contact_count"] * c["price"]
    c["cost_var"] = c["contact_count"] * c["price"] ** 2
    c = _with_all(c.groupby(keys, as_index=False)[["contact_count", "cost", "cost_var"]].sum(),
                  keys)

    spread_cols = ["cost_sq_sum", "cost_exposure_sum", "exposure_sq_sum"]
    if inputs.contact_spread is not None:
        sp = inputs.contact_spread.copy()
        for col in spread_cols:
            sp[col] = pd.to_numeric(sp[col]).astype(float)
        sp = _with_all(sp.groupby(keys, as_index=False)[spread_cols].sum(), keys)
        spread_cols = ["spread_x2", "spread_xe", "spread_e2"]  # the outcomes hold Σe² too
        sp.columns = [*keys, *spread_cols]
        c = c.merge(sp, on=keys, how="outer").fillna(
            {k: 0.0 for k in ("contact_count", "cost", "cost_var", *spread_cols)})

    b = inputs.base.copy()
    b["customer_count"] = pd.to_numeric(b["customer_count"]).astype(float)
    b = _with_all(b.groupby(keys, as_index=False)[["customer_count"]].sum(), keys)

    df = o.merge(c, on=keys, how="left").merge(
        b.rename(columns={"customer_count": "active_now"}), on=keys, how="outer")
    df = df.fillna({k: 0.0 for k in (*num, "contact_count", "cost", "cost_var", "active_now",
                                     *spread_cols) if k in df.columns})
    handling = inputs.number("complaint_handling_cost", 0.0)
    rows = []
    for r in df.itertuples(index=False):
        n, k, e = int(r.customer_count), int(r.churned_count), float(r.exposure_years)
        lo, hi = stats.wilson(k, n) if n else (float("nan"), float("nan"))
        if e > 0:
            rev = r.revenue_amount / e
            var = (r.revenue_sq_sum - 2 * rev * r.revenue_exposure_sum
                   + rev**2 * r.exposure_sq_sum) / e**2
            rev_se = math.sqrt(max(var, 0.0))
            cc = r.cost / e
            if inputs.contact_spread is not None:
                cvar = r.spread_x2 - 2 * cc * r.spread_xe + cc**2 * r.spread_e2
            else:
                cvar = r.cost_var
            cc_se = math.sqrt(max(cvar, 0.0)) / e
            comp = (r.complaint_count * handling + r.compensation_amount) / e
            comp_n = r.complaint_count / e
            contacts = r.contact_count / e
        else:
            rev = rev_se = cc = cc_se = comp = comp_n = contacts = float("nan")
        rows.append({
            "segment": r.segment, "nps_category": r.nps_category, "customers": n,
            "churned": k, "churn_rate": k / n if n else float("nan"),
            "churn_low": lo, "churn_high": hi, "exposure_years": e,
            "revenue_per_year": rev, "revenue_se": rev_se,
            "contact_cost_per_year": cc, "contact_cost_se": cc_se,
            "complaint_cost_per_year": comp, "complaints_per_year": comp_n,
            "cts_per_year": cc + comp, "cts_se": cc_se, "contacts_per_year": contacts,
            "active_now": int(r.active_now),
        })
    out = pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))
    order = {k: i for i, k in enumerate((*CATEGORIES, UNANSWERED))}
    segs = sorted(s for s in out["segment"].unique() if s != ALL) + [ALL]
    seg_order = {s: i for i, s in enumerate(segs)}
    out = out.sort_values(["segment", "nps_category"], key=lambda s: s.map(
        seg_order if s.name == "segment" else order)).reset_index(drop=True)
    return out


def churn_draws(customers: np.ndarray, churned: np.ndarray, rng: np.random.Generator,
                draws: int) -> np.ndarray:
    """12-month churn rates drawn from their Beta(1 + churned, 1 + retained) posteriors;
    shape (draws, len(customers))."""
    customers = np.asarray(customers, dtype=float)
    churned = np.asarray(churned, dtype=float)
    return rng.beta(1.0 + churned, 1.0 + customers - churned, size=(draws, len(customers)))


def discount_weights(d: float, horizon: int) -> np.ndarray:
    """1 / (1 + d)^t for t = 1..H."""
    return (1.0 + d) ** -np.arange(1, horizon + 1, dtype=float)


def survival_sum(retention: np.ndarray | float, discount: float, horizon: int
                 ) -> np.ndarray | float:
    """S(r) = Σ_{t=1..H} r^t / (1 + d)^t: present value of 1 a year kept while the customer
    survives (the convention of ``inputs.clv``)."""
    r = np.asarray(retention, dtype=float)
    t = np.arange(1, horizon + 1, dtype=float)
    out = (r[..., None] ** t) @ discount_weights(discount, horizon)
    return out if np.ndim(out) else float(out)


def cohort_sum(retention: np.ndarray | float, discount: float, horizon: int
               ) -> np.ndarray | float:
    """W(r) = Σ_{t=1..H} (1 + d)^−t Σ_{i<t} r^i: a new cohort of +1 survivor every year, each
    surviving on with retention r, counted to the horizon."""
    r = np.asarray(retention, dtype=float)
    powers = r[..., None] ** np.arange(horizon, dtype=float)
    out = np.cumsum(powers, axis=-1) @ discount_weights(discount, horizon)
    return out if np.ndim(out) else float(out)


def clv(margin: np.ndarray | float, retention: np.ndarray | float, discount: float,
        horizon_years: int | None = None) -> np.ndarray | float:
    """Churn-adjusted lifetime value of a yearly margin ``m`` kept with retention ``r``:
    m × r / (1 + d − r) for an unlimited horizon, m × Σ_{t=1..H} r^t / (1 + d)^t for H years
    (the retention model of Gupta & Lehmann 2003, acquisition cost 0 for existing customers;
    margin received at the end of each year survived)."""
    m = np.asarray(margin, dtype=float)
    r = np.asarray(retention, dtype=float)
    if horizon_years is None:
        out = m * r / (1.0 + discount - r)
    else:
        q = r / (1.0 + discount)
        one = np.isclose(q, 1.0)
        out = m * np.where(one, horizon_years,
                           q * (1.0 - q**horizon_years) / np.where(one, 1.0, 1.0 - q))
    return out if np.ndim(out) else float(out)


# --- external context (never added to a modelled figure) ------------------------------------------


@dataclass(frozen=True)
class ExternalClaim:
    """A published rule of thumb, quoted with its exact wording, source and year: external
    context shown beside our own figures, never inside a total and never as a forecast.

    ``citation`` names the publisher, authors or title as published and is never translated
    (``CITATIONS``); ``described`` is the source line around it (``{citation}``), translated
    where shown. ``quote`` is the exact English wording. ``translations`` holds, by language,
    a faithful translation of the quotation: the Persian column of the table is that
    translation, not the source's own words (the English original stays in ``quote``).
    ``note`` is how to read it, a translatable template."""

    citation: str
    year: int | None
    quote: str
    note: str
    url: str = ""
    translations: Mapping[str, str] = field(default_factory=dict)
    described: str = ""

    @property
    def source(self) -> str:
        """The source line in English, as the table shows it."""
        return self.described.format(citation=self.citation) if self.described else \
            self.citation

    def source_shown(self) -> str:
        """The source line in the current language, the citation as published."""
        if not self.described:
            return self.citation
        return i18n._(self.described, citation=self.citation)

    def wording_shown(self) -> str:
        """The quotation in quotes: its translation in a language that has one, else the exact
        English wording."""
        return f"\"{self.translations.get(i18n.current(), self.quote)}\""


EXTERNAL_CONTEXT: tuple[ExternalClaim, ...] = (
    ExternalClaim(
        "Reichheld & Sasser, \"Zero Defections: Quality Comes to Services\", Harvard Business "
        "Review", 1990,
        "companies can boost profits by almost 100 % by retaining just 5 % more of their "
        "customers",
        N_("\"5 %\" means 5 percentage points of retention (e.g. 90 % → 95 %), i.e. halving "
           "defections; the effect is the compounding arithmetic of lifetime value, not a "
           "measured law. Context only, never a forecast."),
        translations={"fa": "شرکت‌ها می‌توانند تنها با حفظ ۵٪ بیشتر از مشتریان خود، سودشان را "
                            "تا نزدیک به ۱۰۰٪ افزایش دهند"}),
    ExternalClaim(
        "Reichheld, Bain & Company (\"Prescription for cutting costs\")", 2001,
        "in financial services, a 5 % increase in customer retention produces more than a 25 % "
        "increase in profit",
        N_("The popular \"25 %–95 %\" range is a cross-industry spread from Bain's 1990s case "
           "work."),
        "http://docplayer.net/29016-Prescription-for-cutting-costs.html",
        translations={"fa": "در خدمات مالی، ۵٪ افزایش در حفظ مشتریان بیش از ۲۵٪ افزایش سود "
                            "به همراه دارد"}),
    ExternalClaim(
        "McKinsey & Company, \"The CEO guide to customer experience\", McKinsey Quarterly "
        "(August)", 2016,
        "achieve revenue gains of 5 to 10 percent, and reduce costs by 15 to 25 percent within "
        "two or three years",
        N_("Said of CX leaders; an external sanity range for a multi-year programme, not a "
           "target."),
        "https://ja.scribd.com/document/362268690/The-CEO-guide-to-customer-experience-pdf",
        translations={"fa": "ظرف دو یا سه سال به رشد درآمد ۵ تا ۱۰ درصدی برسند و هزینه‌ها را "
                            "۱۵ تا ۲۵ درصد کاهش دهند"}),
    ExternalClaim(
        "McKinsey", None,
        "15–20 % cost reduction",
        N_("Not verified: we did not find this wording; the nearest verified figure is 15–25 % "
           "(McKinsey, The CEO guide to customer experience, 2016). Quote that, attributed, as "
           "an external benchmark, not as a target."),
        translations={"fa": "۱۵–۲۰٪ کاهش هزینه"},
        described=N_("Source article of this dashboard (attributed to {citation})")),
    ExternalClaim(
        "SQM Group", None,
        "a 1 % FCR improvement = $286,000 annual operational savings for the average centre",
        N_("Benchmark for an average contact centre, not for this business; SQM add that "
           "reduced customers at risk is \"typically a 5–10 times greater\" opportunity."),
        "https://www.sqmgroup.com/call-center-best-practices/",
        translations={"fa": "هر ۱٪ بهبود در حل مسئله در اولین تماس = ۲۸۶٬۰۰۰ دلار صرفه‌جویی "
                            "عملیاتی سالانه برای یک مرکز تماس متوسط"},
        described=N_("{citation}, call-centre best practices")),
    ExternalClaim(
        "Harvard Business Review (Gallo)", 2014,
        "acquiring a customer costs 5–25× more than retaining one",
        N_("Context-free rule of thumb; show only beside our own numbers."),
        translations={"fa": "جذب یک مشتری ۵ تا ۲۵ برابر پرهزینه‌تر از حفظ یک مشتری است"},
        described=N_("{citation}, widely repeated")),
)
#: The citations of the external context as published (publishers, authors, titles): shown
#: as they are in every language, the only Latin words of the table in Persian.
CITATIONS: tuple[str, ...] = tuple(dict.fromkeys(c.citation for c in EXTERNAL_CONTEXT))


def external_context_table() -> pd.DataFrame:
    """The external claims as text rows (source, year, quote, note, link) in the current
    language. In English the wording is the exact quotation; in a language with a translation
    (Persian) the column is a faithful translation of the quotation, and says so in its
    header; the citations stay as published (``CITATIONS``)."""
    _ = i18n._
    code = i18n.current()
    translated = code != "en" and all(code in c.translations for c in EXTERNAL_CONTEXT)
    wording = _("Wording (translated from the English original)") if translated else \
        _("Exact wording")
    return pd.DataFrame({
        _("Source"): [c.source_shown() for c in EXTERNAL_CONTEXT],
        _("Year"): [written(str(c.year)) if c.year else _("undated") for c in EXTERNAL_CONTEXT],
        wording: [c.wording_shown() if translated else f"\"{c.quote}\""
                  for c in EXTERNAL_CONTEXT],
        _("How to read it"): [_(c.note) for c in EXTERNAL_CONTEXT],
        _("Link"): [c.url for c in EXTERNAL_CONTEXT],
    })
