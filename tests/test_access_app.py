"""Sign-in and roles in the app, under AppTest with ``[auth]`` configured and ``st.user`` set
as the identity provider would (the real provider and a real browser are in
test_browser_sign_in.py): who sees the sign-in page, the no-role page, which pages, which
numbers, downloads and edits — and that a hand-made widget value changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import roles
from dashboard.access import store as access
from dashboard.access.roles import Scope
from dashboard.exports.text import markdown
from dashboard.ui import access as access_ui
from dashboard.ui import navigation, serve
from dashboard.warehouse import db
from tests.conftest import ROOT

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-test-cookie-secret-of-32-chars!", "client_id": "cx-ledger",
        "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ADMIN = roles.Principal(email="admin@x.org", roles=frozenset({"admin"}))


@pytest.fixture
def world(demo_db, monkeypatch, tmp_path):
    """(open, store, regions): ``open(email, page=None, groups=(), state=None)`` runs the app
    signed in as ``email`` (None: nobody signed in)."""
    url = f"sqlite:///{tmp_path}/store.sqlite"
    monkeypatch.setenv("CX_WAREHOUSE_URL", f"duckdb:///{demo_db}")
    monkeypatch.setenv("CX_APP_STORE_URL", url)
    monkeypatch.setenv("CX_WARM", "0")
    store = db.AppStore(url)
    wh = db.Warehouse(f"duckdb:///{demo_db}")
    regions = sorted(wh.run("filter_options").query("dimension == 'region'")["dimension_value"])

    def open_(email, page=None, groups=(), state=None, claims=None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
        at.secrets["auth"] = AUTH
        at.user = ({"is_logged_in": False} if email is None else
                   {"is_logged_in": True, "email": email, "name": email.split("@")[0],
                    "groups": list(groups), **(claims or {})})
        for k, v in (state or {}).items():
            at.session_state[k] = v
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at

    return open_, store, regions


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_nobody_signed_in_sees_the_sign_in_page_only(world):
    open_, _, _ = world
    at = open_(None)
    assert [t.value for t in at.title] == ["CX Ledger"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.get("plotly_chart")


def test_a_person_without_a_role_is_told_so_and_refused(world):
    open_, store, _ = world
    at = open_("stranger@x.org")
    assert [w.value for w in at.warning] == [markdown(
        "You are signed in as stranger@x.org, but no role has been given to you yet. Ask an "
        "administrator to give you one.")]
    assert [b.label for b in at.button] == ["Sign out"] and not at.metric
    ev = access.events(store)
    assert list(ev["action"]) == ["refused"] and list(ev["actor"]) == ["stranger@x.org"]


def test_sign_in_never_falls_back_to_one_local_user(world, monkeypatch):
    """The launcher found [auth]: secrets that lose it let nobody in (never everyone in as the
    local user); an address the provider says is unverified is refused."""
    open_, store, _ = world
    access.grant(store, ADMIN, "email", "ceo@x.org", "executive", Scope())
    monkeypatch.setenv("CX_SIGN_IN_REQUIRED", "1")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()  # no [auth] in the secrets any more
    assert not at.exception and not at.metric and not at.get("plotly_chart")
    assert at.error[0].value.startswith(markdown("Sign-in is configured but its settings "
                                                 "cannot be read"))
    ok = open_("ceo@x.org")
    assert ok.metric  # with [auth]: the person signs in as before
    unverified = open_("ceo@x.org", claims={"email_verified": False})
    assert not unverified.metric
    assert unverified.warning[0].value == markdown(
        "Your identity provider sent no verified e-mail address: CX Ledger knows people by "
        "it. Ask an administrator.")


def test_a_sign_in_older_than_its_hours_is_ended(world, monkeypatch):
    import time

    open_, store, _ = world
    access.grant(store, ADMIN, "email", "ceo@x.org", "executive", Scope())
    fresh = open_("ceo@x.org", claims={"iat": int(time.time()) - 3600})
    assert fresh.metric  # an hour old: in
    monkeypatch.setenv("CX_SIGN_IN_HOURS", "8")
    stale = open_("ceo@x.org", claims={"iat": int(time.time()) - 9 * 3600})
    assert not stale.metric
    out = access.events(store, action="sign_out").iloc[0]
    assert (out["actor"], out["detail"]) == ("ceo@x.org", "sign-in older than 8 hours")


def test_a_regional_executive_sees_their_region_and_no_downloads(world):
    open_, store, regions = world
    north = regions[0]
    access.grant(store, ADMIN, "email", "north@x.org", "executive", Scope.parse(f"region={north}"))
    access.grant(store, ADMIN, "group", "cx-analysts", "analyst", Scope())
    manager = open_("north@x.org")
    analyst = open_("ana@x.org", groups=["cx-analysts"], state={"f_region": [north]})
    # the same tiles as an analyst's with the region filtered
    assert _tiles(manager) and _tiles(manager) == _tiles(analyst)
    # the region filter offers nothing else: one region is not a filter at all
    assert not [w for w in manager.multiselect if w.key == "f_region"]
    assert [w.key for w in analyst.multiselect if w.key == "f_region"] == ["f_region"]
    # no download for the executive; the analyst has them
    assert not manager.get("download_button") and analyst.get("download_button")
    captions = [c.value for c in manager.sidebar.caption]
    assert markdown(f"Signed in as north · executive · region: {north}") in captions, captions
    # a hand-made widget value for another region changes nothing
    tampered = open_("north@x.org", state={"f_region": [regions[1]]})
    assert _tiles(tampered) == _tiles(manager)
    ev = access.events(store)
    signed = ev[ev["action"] == "sign_in"]
    assert set(signed["actor"]) == {"north@x.org", "ana@x.org"}
    assert set(ev.loc[ev["action"] == "page_view", "target"]) == {"weekly-kpis"}


def test_pages_follow_roles():
    def titles(*role_names):
        who = roles.Principal(email="p@x.org", roles=frozenset(role_names))
        return [p.url_path for p in access_ui.allowed_pages(who)]

    figures = ["weekly-kpis", "satisfaction-trends", "complaints-recovery", "cost-to-serve",
               "churn-retention", "cx-in-money", "impact-simulator"]
    assert titles("executive") == [*figures[:5], "segment-comparison", *figures[5:],
                                   "board-pack", "finance-assumptions"]
    assert titles("marketing") == [*figures[:5], "segment-comparison", *figures[5:],
                                   "finance-assumptions"]
    assert titles("finance") == [*figures, "finance-assumptions"]
    assert titles("analyst") == [*figures[:5], "segment-comparison", *figures[5:],
                                 "board-pack", "finance-assumptions", "data-loads"]
    assert titles("steward") == ["data-loads"]
    assert titles("admin") == ["access-audit"]
    assert titles("steward", "admin") == ["data-loads", "access-audit"]
    assert [p.url_path for p in access_ui.allowed_pages(roles.local_user())] == [
        p.url_path for p in navigation.PAGES]


def test_assumptions_are_edited_by_finance_only(world):
    open_, store, _ = world
    access.grant(store, ADMIN, "email", "cfo@x.org", "finance", Scope())
    access.grant(store, ADMIN, "email", "ceo@x.org", "executive", Scope())
    ceo = open_("ceo@x.org", "pages/assumptions.py")
    assert not [b for b in ceo.button if b.label.startswith("Start a draft")]
    assert "Drafts and publishing are for the finance role: yours reads the assumptions." in [
        c.value for c in ceo.caption]
    cfo = open_("cfo@x.org", "pages/assumptions.py")
    assert [b for b in cfo.button if b.label.startswith("Start a draft")]
    assert not [t for t in cfo.text_input if t.key == "asm_who"]  # recorded as the person
    cfo.text_input(key="asm_new_name").input("FY27")
    next(b for b in cfo.button if b.label.startswith("Start a draft")).click()
    cfo.run()
    ev = access.events(store, action="assumption_draft")
    assert list(ev["actor"]) == ["cfo@x.org"] and list(ev["target"]) == ["FY27"]


def test_a_steward_opens_the_data_page_and_an_admin_the_access_page(world):
    open_, store, regions = world
    access.grant(store, ADMIN, "email", "dee@x.org", "steward", Scope())
    access.grant(store, ADMIN, "email", "root@x.org", "admin", Scope())
    dee = open_("dee@x.org")  # the root opens the person's first page: the Data page
    assert [t.value for t in dee.title] == ["Data"] and not dee.metric
    root = open_("root@x.org")
    assert [t.value for t in root.title] == ["Access & audit"]
    shown = root.dataframe[0].value
    assert set(shown["Person or group"]) == {"dee@x.org", "root@x.org"}
    # a grant through the page's form: stored and recorded as the admin's
    root.text_input(key="adm_subject").input("mo@x.org")
    root.selectbox(key="adm_role").set_value("marketing")
    root.text_input(key="adm_scope").input(f"region={regions[0]}")
    next(b for b in root.button if b.label == "Grant").click()
    root.run()
    assert not root.exception, root.exception
    assert root.success[0].value == markdown("Granted marketing to mo@x.org.")
    mo = access.principal(store, "mo@x.org")
    assert mo.roles == {"marketing"} and mo.scope == Scope.parse(f"region={regions[0]}")
    # a grant the rules refuse: said in one line, nothing stored
    root.text_input(key="adm_subject").input("dee@x.org")
    root.selectbox(key="adm_role").set_value("steward")
    root.text_input(key="adm_scope").input(f"region={regions[0]}")
    next(b for b in root.button if b.label == "Grant").click()
    root.run()
    assert root.error[0].value == markdown("grant: the steward role acts for the whole "
                                           "company and takes no scope")
    grants = access.events(store, action="role_grant")
    assert grants["actor"].iloc[0] == "root@x.org" and grants["target"].iloc[0] == "mo@x.org"
    audit = root.dataframe[-1].value
    assert audit["Who"].iloc[0] == "root@x.org"
    # the admin role taken back while the page is open: the form's next grant is refused
    access.revoke(store, ADMIN, "email", "root@x.org", "admin")
    root.text_input(key="adm_subject").input("root@x.org")
    root.selectbox(key="adm_role").set_value("admin")
    root.text_input(key="adm_scope").input("")
    next(b for b in root.button if b.label == "Grant").click()
    root.run()
    assert not access.principal(store, "root@x.org").roles


def test_without_sign_in_the_app_refuses_to_listen_beyond_this_computer(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[smtp]\nhost = "h"\n')
    res = subprocess.run([sys.executable, "-m", "dashboard", "serve", "--server.address",
                          "0.0.0.0", "--server.port", "8599"],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "CX_SECRETS_FILE": str(secrets)}, cwd=ROOT)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "error: refusing to serve on 0.0.0.0 without sign-in: add an [auth] table to "
        "secrets.toml (README: Sign-in and roles), serve on this computer only "
        "(--server.address localhost), or set CX_ALLOW_NO_SIGN_IN=1 to mean it"]
    assert serve.listen_address(["--server.address=localhost"]) == "localhost"
    with_auth = tmp_path / "auth.toml"
    with_auth.write_text('[auth]\nclient_id = "x"\n')
    serve.check_address(["--server.address", "127.0.0.1"])  # this computer: no sign-in needed
    serve.check_address(["--server.address", "0.0.0.0", "--secrets.files", str(with_auth)])
    with pytest.raises(serve.OpenWithoutSignIn):
        serve.check_address(["--server.address", "0.0.0.0", "--secrets.files", str(secrets)])


def test_quarantined_rows_are_masked_for_a_steward_and_kept_for_an_analyst():
    import pandas as pd

    from dashboard.ui import data as ui_data

    rows = pd.DataFrame({"Row": [2, 3], "Value": ["0912 345 6789", None],
                         "Record": ['{"customer_id": "C1", "note": "mail me a@b.org"}', "{}"]})
    for who, want in (
            (roles.Principal(email="s@x.org", roles=frozenset({"steward"})),
             ["[phone]", None, '{"customer_id": "C1", "note": "mail me [e-mail]"}', "{}"]),
            (roles.Principal(email="a@x.org", roles=frozenset({"analyst"})),
             ["0912 345 6789", None, '{"customer_id": "C1", "note": "mail me a@b.org"}',
              "{}"])):
        token = access_ui._PERSON.set(who)
        try:
            out = ui_data.masked(rows)
        finally:
            access_ui._PERSON.reset(token)
        got = [None if pd.isna(v) else v for v in [*out["Value"], *out["Record"]]]
        assert got == want, who.email
