"""Roles, scopes and the data layer's narrowing (dashboard.access).

The rules by hand (a scope's text, unions, narrowing, grants, the person the grants make), the
store (grants made and taken back, each recorded in the audit log in the same transaction),
and the scoped warehouse on the demo world: every named query is narrowed, holds no customer
data or is refused; a regional manager's every chart equals an analyst's with that region
filtered, whatever region the manager's request names."""

from __future__ import annotations

import base64
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from dashboard.access import roles, scoped
from dashboard.access import store as access
from dashboard.access.roles import AccessError, Grant, Scope
from dashboard.exports import exhibits
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions
from dashboard.warehouse import db
from dashboard.warehouse.catalog import catalog

# --- scopes -----------------------------------------------------------------------------------

def test_scope_text_round_trips_and_refuses_what_is_not_a_filter():
    s = Scope.parse(" region = North, South ; segment=SMB ")
    assert s.as_dict() == {"segment": ("SMB",), "region": ("North", "South")}
    assert s.text() == "segment=SMB;region=North,South"
    assert Scope.parse(s.text()) == s
    assert not Scope.parse("").restricted and Scope.parse("").text() == ""
    for bad, words in [("country=IR", "unknown dimension 'country'"),
                       ("region", "write dimension=value"),
                       ("region=", "region names no value"),
                       ("region=N;region=S", "region given twice")]:
        with pytest.raises(AccessError, match=words):
            Scope.parse(bad)


def test_scopes_join_into_one_set_of_filters_or_not_at_all():
    north, south = Scope.parse("region=North"), Scope.parse("region=South")
    assert north.union(south) == Scope.parse("region=North,South")
    assert north.union(Scope()) == Scope()  # one unscoped grant: the whole company
    # same dimensions, one differing: values joined
    a, b = Scope.parse("region=North;plan=Basic"), Scope.parse("region=North;plan=Pro")
    assert a.union(b) == Scope.parse("region=North;plan=Basic,Pro")
    # a scope holding the other: the larger one
    inner = Scope.parse("region=North;segment=SMB")
    outer = Scope.parse("region=North,South;segment=SMB,Mass")
    assert inner.union(outer) == outer and outer.union(inner) == outer
    assert Scope.parse("region=North").union(inner) == Scope.parse("region=North")
    assert outer.contains(inner) and not inner.contains(outer)
    # North-or-SMB is not a set of filters: refused, never widened to North×SMB's box
    with pytest.raises(AccessError, match="different dimensions"):
        north.union(Scope.parse("segment=SMB"))
    with pytest.raises(AccessError, match="more than one dimension"):
        Scope.parse("region=North;plan=Basic").union(Scope.parse("region=South;plan=Pro"))


def test_narrowing_never_asks_for_all_and_ignores_values_outside_the_scope():
    s = Scope.parse("region=North,South")
    assert s.narrow("region", []) == ("North", "South")  # "all" means the scope
    assert s.narrow("region", ["South"]) == ("South",)
    assert s.narrow("region", ["East"]) == ("North", "South")  # tampered: changes nothing
    assert s.narrow("region", ["East", "North"]) == ("North",)
    assert s.narrow("segment", ["SMB"]) == ("SMB",)  # not scoped: as asked
    f = s.filters(Filters(week="2026-W44", regions=("East",), segments=("SMB",), compare="4w"))
    assert f == Filters(week="2026-W44", regions=("North", "South"), segments=("SMB",),
                        compare="4w")
    assert Scope().filters(f) is f


# --- grants and people ------------------------------------------------------------------------

def test_grants_follow_the_rules():
    Grant("email", "a@x.org", "executive", Scope.parse("region=North"))
    for args, words in [
        (("email", "a@x.org", "finance", Scope.parse("region=North")), "whole company"),
        (("email", "a@x.org", "steward", Scope.parse("region=North")), "whole company"),
        (("email", "not-an-address", "analyst", Scope()), "not an e-mail address"),
        (("email", "a@x.org", "ceo", Scope()), "unknown role 'ceo'"),
        (("team", "a@x.org", "analyst", Scope()), "subject kind 'team'"),
        (("group", "  ", "analyst", Scope()), "blank"),
    ]:
        with pytest.raises(AccessError, match=words):
            Grant(*args)


def test_a_person_is_the_union_of_their_grants():
    north = Scope.parse("region=North")
    grants = [Grant("email", "Maryam@X.org", "executive", north),
              Grant("group", "cx-analysts", "analyst", Scope.parse("region=South")),
              Grant("group", "stewards", "steward"),
              Grant("email", "fin@x.org", "finance"),
              Grant("email", "fin@x.org", "executive", north)]
    p = roles.resolve("maryam@x.org", [], grants)
    assert p.roles == {"executive"} and p.scope == north
    assert p.can("aggregates") and p.can("pack") and not p.can("customer_ids")
    assert not p.can("export_aggregates") and not p.can("admin")
    # a South analyst who is a North executive too sees both regions' figures, but customer
    # lists only as far as the analyst's grant reaches: not at all (they would cover North)
    p = roles.resolve("MARYAM@x.org", ["cx-analysts"], grants)
    assert p.roles == {"executive", "analyst"}
    assert p.scope == Scope.parse("region=North,South")
    assert not p.can("customer_ids") and p.withheld == roles.DETAIL and p.can("aggregates")
    # an analyst alone: their region's customer lists
    south = roles.resolve("s@x.org", ["cx-analysts"], grants)
    assert south.scope == Scope.parse("region=South") and south.can("customer_ids")
    # a steward reads every raw row anyway: with a steward's grant the person reads the whole
    # company (and the South analyst's customer rights are still withheld)
    p = roles.resolve("MARYAM@x.org", ["cx-analysts", "stewards"], grants)
    assert p.scope == Scope() and p.can("data") and not p.can("customer_ids")
    # a whole-company analyst with a North executive grant: everything, everywhere
    both = roles.resolve("y@x.org", ["all-analysts", "cx-north"],
                         [Grant("group", "all-analysts", "analyst"),
                          Grant("group", "cx-north", "executive", north)])
    assert both.scope == Scope() and both.can("customer_ids")
    # finance is company-wide: with a North executive grant the person sees every region
    assert roles.resolve("fin@x.org", [], grants).scope == Scope()
    # nobody's grant: no role at all
    nobody = roles.resolve("someone@x.org", ["other"], grants)
    assert nobody.roles == frozenset() and nobody.permissions == frozenset()
    # scopes that do not join: refused
    with pytest.raises(AccessError):
        roles.resolve("maryam@x.org", ["smb"],
                      grants + [Grant("group", "smb", "marketing", Scope.parse("segment=SMB"))])
    with pytest.raises(KeyError):
        p.can("fly")


def test_the_local_user_holds_every_role_and_no_scope():
    p = roles.local_user()
    assert p.roles == set(roles.ROLES) and not p.scope.restricted and p.source == "local"
    assert all(p.can(perm) for perm in roles.PERMISSIONS)


def test_every_permission_is_held_by_some_role_and_every_role_has_a_name():
    held = set().union(*roles.ROLES.values())
    assert held == set(roles.PERMISSIONS)
    assert set(roles.ROLE_NAMES) == set(roles.ROLES)


# --- the store ----------------------------------------------------------------------------------

def test_grants_are_stored_replaced_revoked_and_each_change_is_audited(tmp_path):
    store = db.AppStore(f"sqlite:///{tmp_path}/store.sqlite")
    admin = roles.Principal(email="admin@x.org", roles=frozenset({"admin"}))
    access.grant(store, admin, "email", " Reza@X.org ", "executive", Scope.parse("region=North"))
    access.grant(store, admin, "group", "cx-analysts", "analyst", Scope())
    # the same role again: its scope replaced, not a second grant
    access.grant(store, admin, "email", "reza@x.org", "executive",
                 Scope.parse("region=North,South"))
    held = {(g.kind, g.subject, g.role, g.scope.text()) for g in access.grants(store)}
    assert held == {("email", "reza@x.org", "executive", "region=North,South"),
                    ("group", "cx-analysts", "analyst", "")}
    p = access.principal(store, "REZA@x.org", ["cx-analysts"])
    assert p.roles == {"executive", "analyst"} and not p.scope.restricted
    # a grant whose scope cannot join the subject's others: refused, nothing written
    with pytest.raises(AccessError):
        access.grant(store, admin, "email", "reza@x.org", "marketing", Scope.parse("plan=Pro"))
    assert len(access.grants(store)) == 2
    assert access.revoke(store, admin, "email", "reza@x.org", "executive")
    assert not access.revoke(store, admin, "email", "reza@x.org", "executive")
    ev = access.events(store)
    assert list(ev["action"]) == ["role_revoke", "role_grant", "role_grant", "role_grant"]
    assert set(ev["actor"]) == {"admin@x.org"} and set(ev["actor_roles"]) == {"admin"}
    assert ev["detail"].iloc[1] == "email reza@x.org: executive (region=North,South)"
    assert list(access.events(store, action="role_revoke")["target"]) == ["reza@x.org"]
    assert access.events(store, actor="nobody@x.org").empty


def test_the_audit_log_records_what_it_names_and_nothing_else(tmp_path):
    store = db.AppStore(f"sqlite:///{tmp_path}/store.sqlite")
    who = roles.Principal(email="m@x.org", roles=frozenset({"marketing"}),
                          scope=Scope.parse("region=North"))
    access.record(store, who, "export", "cmp_volume.csv", "2026-W44; region: North")
    with pytest.raises(KeyError):
        access.record(store, who, "deleted_everything")
    row = access.events(store).iloc[0]
    assert (row["actor"], row["actor_roles"], row["actor_scope"], row["action"], row["target"],
            row["detail"]) == ("m@x.org", "marketing", "region=North", "export",
                               "cmp_volume.csv", "2026-W44; region: North")
    assert row["occurred_at"].endswith(" UTC")


# --- the scoped warehouse -------------------------------------------------------------------------

def _params(when: dt.date) -> dict[str, object]:
    """A value for every parameter a named query declares (a new parameter must be added)."""
    return {
        "as_of": when, "row_limit": 50, "window_start": when - dt.timedelta(days=400),
        "window_end": when, "band_lower_hours": [0.0, 24.0, 72.0],
        "start_week": when - dt.timedelta(weeks=12), "end_week": when,
        "response_start_week": when - dt.timedelta(weeks=12),
        "cohort_start": when - dt.timedelta(days=120), "cohort_end": when - dt.timedelta(days=30),
        "horizon_end": when + dt.timedelta(days=90), "channels": ["phone", "email"],
        "prices": [5.0, 1.0], "week_start": when, "compare_start": when - dt.timedelta(weeks=1),
        "period_end": when, "start_month": when - dt.timedelta(days=365),
        "week_from": when - dt.timedelta(weeks=12), "week_to": when,
        "month_from": when - dt.timedelta(days=180), "month_to": when,
        "dimension": "region", "base_start": when - dt.timedelta(weeks=8),
        "base_end": when - dt.timedelta(weeks=4), "cur_start": when - dt.timedelta(weeks=4),
        "cur_end": when, "segments": [], "regions": [], "plans": [],
        "load_ids": [], "tables": [], "rules": [], "max_rows": 10,
    }


def test_every_query_is_narrowed_to_the_scope_holds_no_customer_data_or_is_refused(demo_wh):
    regions = sorted(demo_wh.run("filter_options").query("dimension == 'region'")
                     ["dimension_value"])
    assert len(regions) >= 3
    scope = Scope.parse(f"region={regions[0]}")
    wh = scoped.Scoped(demo_wh, scope)
    week = dt.date.fromisoformat(str(demo_wh.run("weeks_available")["week_start"].max())[:10])
    values = _params(week)
    seen = {"narrowed": [], "free": [], "refused": []}
    for name, q in sorted(catalog().items()):
        if q.layer not in ("dashboard", "data"):
            continue
        missing = [p for p in q.params if p not in values]
        assert not missing, f"{name}: give the test a value for {missing}"
        params = {p: values[p] for p in q.params}
        try:
            got = wh.run(name, **params)
        except scoped.ScopeRefused:
            seen["refused"].append(name)
            continue
        if "region" in got.columns:
            assert set(got["region"]) <= {regions[0]}, name
            seen["narrowed"].append(name)
        elif name in scoped.OPTION_QUERIES:
            shown = set(got.query("dimension == 'region'")["dimension_value"])
            assert shown == {regions[0]}
            assert set(got["dimension"]) == set(demo_wh.run(name)["dimension"])
            seen["narrowed"].append(name)
        elif "regions" in q.params:
            # narrowed in SQL: what it returns for the scope is what it returns for the region,
            # whatever region is asked for
            mine = demo_wh.run(name, **{**params, "regions": [regions[0]]})
            for asked in ([], [regions[1]], [regions[0], regions[1]]):
                got = wh.run(name, **{**params, "regions": asked})
                # (DuckDB's parallel sums may differ in the last bits between runs)
                pd.testing.assert_frame_equal(got, mine, rtol=1e-9, obj=f"{name} {asked}")
            seen["narrowed"].append(name)
        else:
            assert name in scoped.SCOPE_FREE, f"{name} ran unnarrowed for a scoped reader"
            seen["free"].append(name)
    # the customer-level queries narrowed in pandas by the pages are narrowed here too, the
    # Data page's (raw rows, loads) refused: a scoped person never reads them
    assert {"churn_at_risk", "cmp_complaints", "money_category_outcomes",
            "kpi_survey_weekly", "filter_options"} <= set(seen["narrowed"])
    assert {"data_quarantine_rows", "data_loads", "data_table_status"} <= set(seen["refused"])
    assert "weeks_available" in seen["free"]
    with pytest.raises(scoped.ScopeRefused):
        wh.sql("select * from marts.dim_customers")


def _rounded(value):
    """A chart's values with floats to 9 significant digits (DuckDB's parallel sums may
    differ in the last bits between two runs of one query) and arrays written out."""
    if isinstance(value, dict) and {"dtype", "bdata"} <= set(value):  # a typed array
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return _rounded(arr.reshape([int(x) for x in str(value["shape"]).split(",")])
                        if "shape" in value else arr)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if hasattr(value, "tolist"):
        return _rounded(value.tolist())
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.9g}")
    return value


def _data(ex) -> list:
    return _rounded(ex.fig.to_plotly_json()["data"])


#: Charts whose grouping follows the dimensions' values (a dimension with one value is not
#: split by): the manager's region has one value, the analyst's filtered view four.
SPLIT_BY_CATALOG = frozenset({"sat_trend"})


def test_a_regional_managers_charts_are_an_analysts_with_the_region_filtered(demo_wh, tmp_path):
    regions = sorted(demo_wh.run("filter_options").query("dimension == 'region'")
                     ["dimension_value"])
    north, other = regions[0], regions[-1]
    store = db.AppStore(f"sqlite:///{tmp_path}/store.sqlite")
    manager_wh = scoped.Scoped(demo_wh, Scope.parse(f"region={north}"))
    manager = lambda name, **p: manager_wh.run(name, **p)  # noqa: E731
    analyst = lambda name, **p: demo_wh.run(name, **p)  # noqa: E731
    aset = assumptions.load_set(store, analyst("assumption_rows"), "published")
    week = kpis.load_catalog(analyst).latest_complete
    assert kpis.load_catalog(manager).options["region"] == (north,)
    filtered = Filters(week=week, regions=(north,))
    want = exhibits.Catalogue(analyst, filtered, aset)
    # the manager as the app sets them (their region), with nothing chosen (tampered: the
    # filter emptied) and asking for another region: the same figures every time
    scope = manager_wh.scope
    for asked in ((north,), (), (other,), (north, other)):
        chosen = scope.filters(Filters(week=week, regions=asked))
        assert chosen == filtered
        got = exhibits.Catalogue(manager, chosen, aset)
        compared = 0
        for title in exhibits.PAGES:
            mine = {e.key: _data(e) for e in got.page(title)}
            theirs = {e.key: _data(e) for e in want.page(title)}
            assert mine.keys() == theirs.keys(), (title, asked)
            for key in mine:
                if key in SPLIT_BY_CATALOG:
                    continue
                assert mine[key] == theirs[key], (title, key, asked)
                compared += 1
        # the satisfaction trend splits by the first dimension with two values or more: for
        # the manager, whose region has one, by segment (the analyst's: by region, one group)
        names = {t["name"] for t in _data(next(e for e in got.page("Satisfaction")
                                                 if e.key == "sat_trend")) if t.get("name")}
        segments = set(kpis.load_catalog(analyst).options["segment"])
        assert names - segments == {"All (filtered)"} and names & segments, names
        assert compared >= 35
    # the weekly KPIs, number by number
    a = kpis.build_report(analyst, filtered)
    m = kpis.build_report(manager, Filters(week=week))
    assert [(t.metric.name, t.current.value, t.current.n) for t in m.tiles] == \
        [(t.metric.name, t.current.value, t.current.n) for t in a.tiles]


# --- personal data in customers' words ----------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("write to me at maryam.k+cx@example.co.uk please", "write to me at [e-mail] please"),
    ("card 6037 9974 1234 5678 was charged twice", "card [card] was charged twice"),
    ("کارت ۶۰۳۷-۹۹۷۴-۱۲۳۴-۵۶۷۸ دو بار کسر شد", "کارت [card] دو بار کسر شد"),
    ("my national id is 0012345678", "my national id is [national id]"),
    ("کد ملی ۰۰۱-۲۳۴۵۶۷-۸ است", "کد ملی [national id] است"),
    ("call 0912 345 6789 or +98 21 8888 7777", "call [phone] or [phone]"),
    ("شماره‌ام ۰۹۱۲۳۴۵۶۷۸۹ است", "شماره‌ام [phone] است"),
    ("order 12345 arrived on 2026-11-03, 3 days late", "order 12345 arrived on 2026-11-03, "
                                                        "3 days late"),
    ("NPS 9/10, price 1,250,000 rial", "NPS 9/10, price 1,250,000 rial"),
])
def test_personal_data_is_masked_and_the_rest_kept(text, want):
    from dashboard.access import masking

    assert masking.mask_personal(text) == want
    assert masking.shown_text(text, True) == text
    assert masking.shown_text(text, False) == want
