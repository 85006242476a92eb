"""A real company's exports, generated: a CRM customer file and a billing invoice file shaped like
a telecom's (text ids such as ``7311-YNBIQ`` and ``INV-0000001``, day-first dates, no region,
columns the contract does not know), the mapping that loads them (the one the README shows), and
the figures computed from the source rows with plain pandas, independently of the product.

The company has no surveys, complaints or contacts yet; its invoices stop on 3 October 2026 while
churn dates run through October, and some churn dates fall exactly on a Monday or on the first of
a month (the churn rule's boundaries).
"""

from __future__ import annotations

import string
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

CRM_FILE = "crm_customers_2026-10.csv"
BILLING_FILE = "billing_invoices_2026-10.csv"
LAST_INVOICE = date(2026, 10, 3)
LAST_CHURN = date(2026, 10, 31)
FIRST_INVOICE = date(2024, 10, 1)

#: The mapping that loads both files (the README's "Bring your own data" shows this text).
MAPPING = '''\
[customers]
files = ["crm_customers*.csv"]
date_format = "%d/%m/%Y"
[customers.columns]
"customerID" = "customer_id"
"Contract" = "segment"
"Internet Service" = "plan"
"Signup Date" = "signup_date"
"Churn Date" = "churn_date"
[customers.defaults]
region = "All"

[transactions]
files = ["billing_invoices*.csv"]
date_format = "%d/%m/%Y"
[transactions.columns]
"Invoice No" = "transaction_id"
"customerID" = "customer_id"
"Invoice Date" = "occurred_at"
"Amount" = "amount"
"Type" = "kind"
[transactions.values.kind]
"Invoice" = "subscription"
"Refund" = "refund"
'''

CONTRACTS = ("Month-to-month", "One year", "Two year")
SERVICES = ("DSL", "Fiber optic", "No")
_PRICE = {"DSL": (45.0, 65.0), "Fiber optic": (70.0, 110.0), "No": (19.0, 26.0)}
#: monthly churn hazard by contract (the CRM's churners since the billing history starts)
_HAZARD = {"Month-to-month": 0.035, "One year": 0.012, "Two year": 0.004}


def _ids(rng: np.random.Generator, n: int) -> list[str]:
    out: set[str] = set()
    letters = np.array(list(string.ascii_uppercase))
    while len(out) < n:
        digits = rng.integers(0, 10_000)
        tail = "".join(rng.choice(letters, 5))
        out.add(f"{digits:04d}-{tail}")
    return sorted(out, key=lambda _: rng.random())


def _day_first(d: date | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y")


def generate(customers: int = 2_000, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The CRM file and the billing file as the source systems write them (all text)."""
    rng = np.random.default_rng(seed)
    ids = _ids(rng, customers)
    first_signup = date(2019, 1, 1)
    span = (date(2026, 9, 30) - first_signup).days
    crm, bills = [], []
    invoice_no = 0
    for i, cid in enumerate(ids):
        contract = CONTRACTS[rng.choice(3, p=[0.55, 0.25, 0.20])]
        service = SERVICES[rng.choice(3, p=[0.35, 0.45, 0.20])]
        signup = first_signup + timedelta(days=int(rng.integers(0, span)))
        churn = None
        # churn on a day after both signup and the start of the billing history
        start = max(signup + timedelta(days=1), FIRST_INVOICE)
        months = (LAST_CHURN - start).days / 30.44
        if months > 0 and rng.random() < 1 - (1 - _HAZARD[contract]) ** months:
            churn = start + timedelta(days=int(rng.integers(0, (LAST_CHURN - start).days + 1)))
            if i % 17 == 0:  # a boundary: the Monday on or after that day
                churn += timedelta(days=(7 - churn.weekday()) % 7)
            elif i % 19 == 0:  # a boundary: the first of the next month
                churn = (churn.replace(day=1) + timedelta(days=32)).replace(day=1)
            churn = min(churn, LAST_CHURN)
            if churn <= signup:
                churn = None
        crm.append({
            "customerID": cid, "gender": rng.choice(["Female", "Male"]),
            "Senior Citizen": str(int(rng.random() < 0.16)), "Contract": contract,
            "Internet Service": service,
            "Payment Method": rng.choice(["Electronic check", "Mailed check",
                                          "Bank transfer (automatic)"]),
            "Signup Date": _day_first(signup), "Churn Date": _day_first(churn)})
        lo, hi = _PRICE[service]
        price = round(float(rng.uniform(lo, hi)), 2)
        day = min(signup.day, 28)
        month = date(max(signup, FIRST_INVOICE).year, max(signup, FIRST_INVOICE).month, 1)
        while True:
            when = month.replace(day=day)
            if when > LAST_INVOICE or (churn is not None and when >= churn):
                break
            if when >= signup:
                invoice_no += 1
                bills.append({"Invoice No": f"INV-{invoice_no:07d}", "customerID": cid,
                              "Invoice Date": _day_first(when), "Amount": f"{price:.2f}",
                              "Currency": "USD", "Type": "Invoice", "Status": "Paid"})
                if rng.random() < 0.01:
                    invoice_no += 1
                    bills.append({"Invoice No": f"INV-{invoice_no:07d}", "customerID": cid,
                                  "Invoice Date": _day_first(when),
                                  "Amount": f"{-round(price / 2, 2):.2f}", "Currency": "USD",
                                  "Type": "Refund", "Status": "Paid"})
            month = (month + timedelta(days=32)).replace(day=1)
    return pd.DataFrame(crm), pd.DataFrame(bills)


def write(folder: Path, customers: int = 2_000, seed: int = 11) -> tuple[Path, Path, Path]:
    """The two exports and the mapping in ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    crm, bills = generate(customers, seed)
    crm_path, bill_path = folder / CRM_FILE, folder / BILLING_FILE
    crm.to_csv(crm_path, index=False)
    bills.to_csv(bill_path, index=False)
    mapping = folder / "crm_billing.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return crm_path, bill_path, mapping


# --- the figures, from the source rows alone ----------------------------------------------

def _customers(crm: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": crm["customerID"], "segment": crm["Contract"],
        "signup": pd.to_datetime(crm["Signup Date"], format="%d/%m/%Y"),
        "churn": pd.to_datetime(crm["Churn Date"].replace("", None), format="%d/%m/%Y")})


def _active(c: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Active on ``day``: signed up on or before it, and no churn date or a later one."""
    return (c["signup"] <= day) & (c["churn"].isna() | (c["churn"] > day))


def churn_in(crm: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Per segment, customers active on ``start`` and of them those not active on ``end``."""
    c = _customers(crm)
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    base = _active(c, a)
    gone = base & ~_active(c, b)
    out = pd.DataFrame({"segment": c["segment"], "base": base, "churned": gone})
    return out.groupby("segment")[["base", "churned"]].sum().astype(int)


def four_week_churn(crm: pd.DataFrame, week_monday: date) -> tuple[int, int]:
    """(churned, base) of the 4 weeks ending with the week starting ``week_monday``."""
    per = churn_in(crm, week_monday - timedelta(weeks=3), week_monday + timedelta(weeks=1))
    return int(per["churned"].sum()), int(per["base"].sum())


def monthly_churn(crm: pd.DataFrame, month_start: date) -> pd.DataFrame:
    """Per segment: active at the month's first day, churned before the next month's."""
    nxt = (month_start + timedelta(days=32)).replace(day=1)
    return churn_in(crm, month_start, nxt)


def weekly_revenue(bills: pd.DataFrame) -> pd.Series:
    """Net invoiced amount per ISO week (Monday), refunds netted."""
    when = pd.to_datetime(bills["Invoice Date"], format="%d/%m/%Y")
    monday = (when - pd.to_timedelta(when.dt.weekday, unit="D")).dt.date
    return bills["Amount"].astype(float).groupby(monday).sum()
