"""Set-up of the image exports: `make run` installs Debian's chromium when it is missing and
runs as root (and never stops for it); where there is no Chromium the export buttons say what to
install instead of failing. The Chromium location setting (``BROWSER_PATH``) is pointed at a
missing file to take that path."""

from __future__ import annotations

import re

import pytest

from dashboard.exports import files as export
from tests.conftest import ROOT, every_section

MISSING = "/nonexistent/chromium"


def _help_texts(at) -> dict[str, tuple[bool, str]]:
    """Download button key suffix (…_PNG) → (disabled, tip)."""
    out = {}
    for b in at.get("download_button"):
        m = re.search(r"dl_(.+)$", b.proto.id)
        if m:
            out[m.group(1)] = (b.proto.disabled, b.proto.help)
    return out


def test_a_missing_chromium_is_found_missing(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", MISSING)
    assert export.chromium_path() is None and not export.images_available()
    export.Renderer.stop()  # a browser another test started would draw it: start afresh
    with pytest.raises(export.RenderError) as err:
        export.Renderer.render(export.go.Figure(), "svg")
    assert str(err.value) == f"no Chromium for images: {export.INSTALL_CHROMIUM}"
    assert "apt-get install chromium" in export.INSTALL_CHROMIUM
    monkeypatch.delenv("BROWSER_PATH")
    assert export.images_available()  # the test machine has Debian's chromium (make test)


def test_the_browser_lookup_is_kept_briefly_and_redone(monkeypatch, tmp_path):
    """A page asks for the browser at every chart: the answer is kept for a short time, looked
    up again when the setting changes or the time is over (a browser installed meanwhile)."""
    prog = tmp_path / "chromium"
    prog.write_text("#!/bin/sh\n")
    monkeypatch.setenv("BROWSER_PATH", str(prog))
    assert export.chromium_path() is None  # not executable yet
    prog.chmod(0o755)
    assert export.chromium_path() is None  # the kept answer
    monkeypatch.setattr(export, "CHROMIUM_LOOKUP_TTL", 0.0)
    assert export.chromium_path() == str(prog)  # looked up again
    monkeypatch.setenv("BROWSER_PATH", MISSING)
    monkeypatch.setattr(export, "CHROMIUM_LOOKUP_TTL", 30.0)
    assert export.chromium_path() is None  # another setting: looked up at once


def test_chart_buttons_say_what_to_install(open_app, monkeypatch):
    from dashboard.exports.text import markdown

    monkeypatch.setenv("BROWSER_PATH", MISSING)
    at = open_app("pages/weekly_kpis.py")
    buttons, drawn = {}, 0
    for _ in every_section(at):  # each KPI's trend tab opened in turn
        buttons |= _help_texts(at)
        drawn += len(at.get("plotly_chart"))
    charts = {k.rsplit("_", 1)[0] for k in buttons if k.endswith("_PNG")}
    assert len(charts) == drawn >= 7
    for chart in charts:
        for fmt in ("PNG", "SVG"):
            disabled, tip = buttons[f"{chart}_{fmt}"]
            assert disabled and tip == markdown(export.NO_CHROMIUM), (chart, fmt)
        disabled, tip = buttons[f"{chart}_CSV"]
        assert not disabled and tip.startswith("Download ") and tip.endswith(".csv")
    # and once, under the scope line, what to install
    notes = [c.value for c in at.caption if "need a Chromium browser" in c.value]
    assert len(notes) == 1 and markdown(export.NO_CHROMIUM) in notes[0]


def test_with_chromium_nothing_is_said_and_every_button_works(open_app, monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    at = open_app("pages/weekly_kpis.py")
    assert all(not disabled for disabled, _ in _help_texts(at).values())
    assert not [c for c in at.caption if "need a Chromium browser" in c.value]


def test_board_pack_offers_xlsx_and_says_what_powerpoint_and_pdf_need(open_app, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", MISSING)
    at = open_app("pages/board_pack.py")
    assert at.pills(key="pack_formats").value == ["xlsx"]
    assert any("PowerPoint and PDF need a Chromium browser" in c.value
               and "apt-get install chromium" in c.value for c in at.caption)
    # asking for PowerPoint anyway: a warning saying what to install, no failed build
    at.pills(key="pack_formats").set_value(["pptx", "xlsx"])
    at.run()
    at.button(key="pack_build").click()
    at.run()
    assert not at.exception, at.exception
    assert len(at.warning) == 1 and "PPTX not built" in at.warning[0].value
    assert "apt-get install chromium" in at.warning[0].value
    assert not at.get("download_button") or all(
        b.proto.label != "Download PPTX" for b in at.get("download_button"))
    # XLSX alone is built without a browser
    at.pills(key="pack_formats").set_value(["xlsx"])
    at.run()
    at.button(key="pack_build").click()
    at.run()
    assert not at.exception, at.exception
    assert [b.proto.label for b in at.get("download_button")
            if b.proto.label.startswith("Download ")] == ["Download XLSX"]


def _target(makefile: str, name: str) -> tuple[list[str], str]:
    """(prerequisites, recipe) of a Makefile target."""
    m = re.search(rf"^{re.escape(name)}:([^\n]*)\n((?:\t[^\n]*\n)*)", makefile, flags=re.M)
    assert m, name
    return m.group(1).split(), m.group(2)


def test_make_run_installs_the_exports_browser_and_never_stops_for_it():
    makefile = (ROOT / "Makefile").read_text()
    prereq, _ = _target(makefile, "run")
    assert "exports" in prereq
    _, recipe = _target(makefile, "exports")
    # the app's own test for a Chromium decides, then Debian's package as root
    assert "from dashboard.exports.files import images_available" in recipe
    assert 'if [ "$$(id -u)" = 0 ]' in recipe and "apt-get install -y -q chromium" in recipe
    # without root, or when the install fails, it says so and `make run` goes on to serve
    assert "exit 1" not in recipe and "|| echo" in recipe
    # .ci/run is `make test`, which installs it the same way for the browser tests
    prereq, _ = _target(makefile, "test")
    assert "browser" in prereq
