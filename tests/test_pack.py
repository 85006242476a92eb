"""The board pack (dashboard.exports.pack):
the executive set of the demo as PPTX, PDF and XLSX built
once for the module; the template; atomic writes; e-mail settings (dashboard.exports.mail); and
`python -m dashboard pack` with its exit statuses and e-mail through a local SMTP server."""

from __future__ import annotations

import email
import email.policy
import io
import json
import math
import os
import re
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from dashboard.exports import exhibits, mail, pack
from dashboard.exports import files as export
from dashboard.metrics import kpis
from dashboard.metrics.filters import Filters
from dashboard.money import assumptions
from dashboard.warehouse import config, db
from tests.conftest import ROOT

GENERATED = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)
SOURCE = "CX Ledger · assumption set published v0 · generated 2026-11-02 09:05 UTC"
TEMPLATE = config.DATA_DIR / "pack_template.toml"
LOGO = (config.DATA_DIR / "pack_logo.png").read_bytes()
WIDE = (12192000, 6858000)  # 16:9, 13.333 × 7.5 in


@pytest.fixture(scope="module")
def demo(demo_wh, tmp_path_factory):
    fetch = lambda name, **p: db.cached_run(demo_wh, name, **p)  # noqa: E731
    catalog = kpis.load_catalog(fetch)
    store = db.AppStore(f"sqlite:///{tmp_path_factory.mktemp('store')}/store.sqlite")
    aset = assumptions.load_set(store, fetch("assumption_rows"), "published")
    filters = Filters(week=catalog.latest_complete)
    return SimpleNamespace(fetch=fetch, filters=filters, aset=aset,
                           cat=exhibits.Catalogue(fetch, filters, aset),
                           ctx=export.Context(filters, aset.id, GENERATED))


@pytest.fixture(scope="module")
def renderer():
    yield export.Renderer
    export.Renderer.stop()


@pytest.fixture(scope="module")
def built(demo, renderer):
    """The executive pack of the demo's default week in all three formats."""
    exs = demo.cat.select(exhibits.EXECUTIVE)
    steps = []
    p = pack.build(exs, demo.ctx, demo.aset, template=pack.Template.load(TEMPLATE),
                   progress=lambda d, t, label: steps.append((d, t, label)))
    rows = pack.assumptions_rows(demo.aset, demo.ctx)
    return SimpleNamespace(pack=p, steps=steps, exhibits=exs, rows=rows)


@pytest.fixture(scope="module")
def two(demo, renderer):
    """Two exhibits and their real PNGs, for decks built with other templates."""
    exs = demo.cat.select(("trend_nps", "cmp_pareto"))
    return exs, [export.image(e, demo.ctx, "png") for e in exs]


def texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def title_rgb(slide) -> str:
    return str(slide.shapes.title.text_frame.paragraphs[0].font.color.rgb)


# --- what goes in ----------------------------------------------------------------------------

def test_executive_selection_and_progress(built, demo):
    p = built.pack
    assert [e.key for e in p.exhibits] == list(exhibits.EXECUTIVE)
    assert list(p.files) == ["pptx", "pdf", "xlsx"]
    n_pdf = len(pack.pdf_pages(built.exhibits, demo.ctx, demo.aset, pack.Template.load(TEMPLATE)))
    total = 10 + n_pdf + 1
    assert [s[:2] for s in built.steps] == [(i, total) for i in range(1, total + 1)]
    assert built.steps[0][2] == "slide image: NPS — 13 weeks"
    assert built.steps[1][2] == "PDF page: NPS — 13 weeks"
    assert built.steps[-1][2] == "files assembled"
    line = p.summary()
    assert line.startswith(f"pack {demo.filters.week} (all customers): 10 charts, pptx ")
    assert re.search(r"pptx \d+\.\d\d MB, pdf \d+\.\d\d MB, xlsx \d+\.\d\d MB in \d+\.\d s$",
                     line)


def test_assumption_rows(built, demo):
    rows = built.rows
    table = demo.aset.table(demo.filters.week_start)
    assert list(rows.columns) == ["Assumption", "Value", "Unit", "Source"]
    assert len(rows) == len(table) > pack.ROWS_PER_SLIDE
    assert list(rows["Assumption"]) == list(table["assumption_key"].astype(str))
    assert rows["Assumption"].is_unique
    assert "cost_per_contact_phone" in set(rows["Assumption"])


def test_speaker_notes(built, demo):
    ex = built.exhibits[0]
    notes = pack.speaker_notes(ex, demo.ctx).splitlines()
    assert notes[0] == "NPS — 13 weeks"
    assert notes[1:1 + len(ex.notes)] == list(ex.notes)
    assert f"n = {ex.n:,}" in notes and "Bands: 95% confidence band" in notes
    assert notes[-2:] == [f"Scope: {demo.ctx.scope_line()}", SOURCE]


# --- PPTX ------------------------------------------------------------------------------------

def test_pptx_deck(built, demo):
    prs = Presentation(io.BytesIO(built.pack.files["pptx"]))
    assert (prs.slide_width, prs.slide_height) == WIDE
    n_assumption = math.ceil(len(built.rows) / pack.ROWS_PER_SLIDE)
    slides = list(prs.slides)
    assert len(slides) == 1 + 10 + n_assumption

    first = texts(slides[0])
    f = demo.filters
    assert f"Week {f.week} against {f.compare_week} (previous week)" in first
    assert "Filters: all customers" in first and "Assumption set: published v0" in first
    assert f"10 charts · {SOURCE}" in first
    assert [p.image.blob for p in pictures(slides[0])] == [LOGO]

    for ex, s in zip(built.exhibits, slides[1:11], strict=True):
        assert s.shapes.title.text == ex.takeaway
        assert title_rgb(s) == "1F4E79"
        pics = pictures(s)
        assert len(pics) == 2 and sum(p.image.blob == LOGO for p in pics) == 1
        (chart,) = [p for p in pics if p.image.blob != LOGO]
        assert Image.open(io.BytesIO(chart.image.blob)).size == (2560, 1440)
        assert chart.left >= 0 and chart.left + chart.width <= prs.slide_width
        assert chart.top + chart.height <= prs.slide_height
        assert chart.width / chart.height == pytest.approx(16 / 9, rel=1e-3)
        notes = s.notes_slide.notes_text_frame.text
        assert notes.startswith(ex.title)
        if ex.n is not None:
            assert f"n = {ex.n:,}" in notes
        if ex.band:
            assert f"Bands: {ex.band}" in notes
        assert notes.endswith(SOURCE)

    listed = []
    for i, s in enumerate(slides[11:], start=1):
        assert s.shapes.title.text == (f"Assumptions — set published v0, in force in {f.week}"
                                       f" ({i}/{n_assumption})")
        (table,) = [sh.table for sh in s.shapes if sh.has_table]
        cells = [[c.text for c in row.cells] for row in table.rows]
        assert cells[0] == ["Assumption", "Value", "Unit", "Source"]
        assert len(cells) - 1 <= pack.ROWS_PER_SLIDE
        listed += cells[1:]
    assert listed == built.rows.astype(str).values.tolist()


def small_template(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "tpl.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_template_colour_changes_slide_titles(two, demo, tmp_path):
    exs, pngs = two
    tpl = pack.Template.load(small_template(
        tmp_path, 'primary = "#AA1100"\naccent = "#00AA11"\nfont = "Arial"\n'))
    assert tpl.primary == "#AA1100" and tpl.logo is None and tpl.muted == "#666666"
    prs = Presentation(io.BytesIO(pack.build_pptx(exs, pngs, demo.ctx, demo.aset, tpl)))
    assert (prs.slide_width, prs.slide_height) == WIDE
    slides = list(prs.slides)
    assert len(slides) == 1 + 2 + math.ceil(
        len(pack.assumptions_rows(demo.aset, demo.ctx)) / pack.ROWS_PER_SLIDE)
    for s in slides:
        assert title_rgb(s) == "AA1100"
        assert s.shapes.title.text_frame.paragraphs[0].font.name == "Arial"
    # no logo in this template: the chart is the only picture
    assert [len(pictures(s)) for s in slides[:3]] == [0, 1, 1]
    # the accent colour: the band along the title slide's foot
    bands = [sh for sh in slides[0].shapes if sh.shape_type == 1]  # MSO_SHAPE_TYPE.AUTO_SHAPE
    assert [str(b.fill.fore_color.rgb) for b in bands] == ["00AA11"]
    assert bands[0].top + bands[0].height == prs.slide_height


def test_template_master_supplies_the_layouts(two, demo, tmp_path):
    master = Presentation()  # python-pptx's own 4:3 template
    master.slides.add_slide(master.slide_layouts[6])  # a slide of its own: not in the pack
    master.slide_master._element.cSld.set("name", "ACME corporate")
    (blank,) = [lay for lay in master.slide_layouts if lay.name == "Blank"]
    blank._element.cSld.set("name", "ACME blank")
    master.save(tmp_path / "corp.pptx")
    tpl = pack.Template.load(small_template(tmp_path, 'master = "corp.pptx"\n'))
    assert tpl.master == (tmp_path / "corp.pptx").resolve()
    exs, pngs = two
    prs = Presentation(io.BytesIO(pack.build_pptx(exs, pngs, demo.ctx, demo.aset, tpl)))
    assert prs.slide_master.name == "ACME corporate"
    assert "ACME blank" in [lay.name for lay in prs.slide_layouts]
    assert (prs.slide_width, prs.slide_height) == (9144000, 6858000)  # the master's size
    slides = list(prs.slides)
    assert slides[0].slide_layout.name == "Title Slide"
    assert [s.slide_layout.name for s in slides[1:3]] == ["Title Only"] * 2
    assert [s.shapes.title.text for s in slides[1:3]] == [e.takeaway for e in exs]
    # the chart still fits the narrower slide
    for s in slides[1:3]:
        (pic,) = pictures(s)
        assert pic.left >= 0 and pic.left + pic.width <= prs.slide_width


def test_shipped_template_and_env(monkeypatch, tmp_path):
    tpl = pack.Template.load(TEMPLATE)
    assert tpl.logo == (config.DATA_DIR / "pack_logo.png").resolve() and tpl.master is None
    assert (tpl.primary, tpl.font) == ("#1F4E79", "Calibri")
    path = small_template(tmp_path, 'name = "Board"\naccent = "#00FF00"\n')
    monkeypatch.setenv("CX_PACK_TEMPLATE", str(path))
    assert pack.Template.load() == pack.Template(name="Board", accent="#00FF00")


@pytest.mark.parametrize(("body", "message"), [
    ('colour = "#000000"\nname = "x"\n', r"unknown key\(s\) colour"),
    ('primary = "blue"\n', r"primary must be a colour like #1F4E79, got 'blue'"),
    ('accent = "#12345"\n', r"accent must be a colour"),
    ('muted = "#GGGGGG"\n', r"muted must be a colour like #1F4E79, got '#GGGGGG'"),
    ('logo = "missing-logo.png"\n', r"logo file .*missing-logo\.png not found"),
    ('master = "corp.pptx"\n', r"master file .*corp\.pptx not found"),
    ('primary = \n', r"tpl\.toml"),
])
def test_bad_template_is_an_error_naming_it(tmp_path, body, message):
    with pytest.raises(pack.PackError, match=message):
        pack.Template.load(small_template(tmp_path, body))


def test_missing_template_file(tmp_path):
    with pytest.raises(pack.PackError, match=r"nope\.toml not found"):
        pack.Template.load(tmp_path / "nope.toml")


# --- PDF -------------------------------------------------------------------------------------

def test_pdf(built, demo):
    reader = PdfReader(io.BytesIO(built.pack.files["pdf"]))
    pages = pack.pdf_pages(built.exhibits, demo.ctx, demo.aset, pack.Template.load(TEMPLATE))
    n_assumption = math.ceil(len(built.rows) / (2 * pack.ROWS_PER_SLIDE))
    assert len(reader.pages) == len(pages) == 1 + 10 + n_assumption
    for page in reader.pages:
        assert float(page.mediabox.width) / float(page.mediabox.height) == pytest.approx(16 / 9)
    first = reader.pages[0].extract_text()
    assert "CX Ledger — board pack" in first and "Assumption set: published v0" in first
    assert f"Week {demo.filters.week} against {demo.filters.compare_week}" in first

    ex = built.exhibits[0]
    lines = [x.strip() for x in reader.pages[1].extract_text().splitlines()]
    head, tail = pack._wrap(ex.takeaway).split("\n")  # longer than one line of the page
    assert head in lines and tail in lines
    assert SOURCE in " ".join(lines) and ex.title in " ".join(lines)
    for ex, page in zip(built.exhibits, reader.pages[1:11], strict=True):
        text = page.extract_text()
        assert ex.takeaway[:40] in text, ex.key
        if ex.notes:  # the definition at the foot
            assert ex.notes[0][:40] in text, ex.key
    # the template's logo on every page (a raster image in the page's resources)
    assert all(len(page.images) >= 1 for page in reader.pages)
    last = reader.pages[-1].extract_text()
    assert f"Assumptions — set published v0, in force in {demo.filters.week}" in last
    assert built.rows["Assumption"].iloc[-1] in last


def test_wrap():
    assert pack._wrap("short text") == "short text"
    text = " ".join(["word"] * 40)  # 199 characters
    head, tail = pack._wrap(text).split("\n")
    assert len(head) <= 120 and head + " " + tail == text
    long = " ".join(["word"] * 100)  # 499 characters: three lines, the last cut with "…"
    lines = pack._wrap(long).split("\n")
    assert len(lines) == 3 and all(len(line) <= 120 for line in lines)
    assert lines[-1].endswith("…") and " ".join(lines)[:-1].strip() in long


# --- XLSX ------------------------------------------------------------------------------------

def _range(ws_book, ref: str) -> list:
    sheet, cells = ref.rsplit("!", 1)
    ws = ws_book[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_xlsx(built, demo):
    wb = openpyxl.load_workbook(io.BytesIO(built.pack.files["xlsx"]))
    used: set[str] = set()
    names = [export._sheet_name(ex.title, used) for ex in built.exhibits]
    assert wb.sheetnames == names + ["Assumptions"]
    for ex, name in zip(built.exhibits, names, strict=True):
        ws = wb[name]
        assert len(ws._charts) == 1, ex.key
        header = [ex.title, ex.takeaway, demo.ctx.scope_line(ex.n),
                  *([ex.band] if ex.band else []), SOURCE]
        assert [ws.cell(i + 1, 1).value for i in range(len(header))] == header
        data = ex.export_data()
        h = len(header) + 2  # a blank line, then the column names
        assert [ws.cell(h, j + 1).value for j in range(len(data.columns))] == list(data.columns)
        got = pd.DataFrame([[ws.cell(h + 1 + i, j + 1).value for j in range(len(data.columns))]
                            for i in range(len(data))], columns=data.columns)
        pd.testing.assert_frame_equal(got, data, check_dtype=False, check_exact=False,
                                      rtol=1e-12)
        assert ws.cell(h + 1 + len(data), 1).value is None
        # the native chart reads the data
        x, ys, series, _ = ex.excel
        chart = ws._charts[0]
        total = 0.0
        for s in chart.series:
            values = _range(wb, s.val.numRef.f)
            cats = _range(wb, (s.cat.strRef or s.cat.numRef).f)
            assert len(values) == len(cats) == (data[x].nunique() if series else len(data))
            assert [str(c) for c in cats] == [str(c) for c in data[x].drop_duplicates()]
            total += sum(v for v in values if v is not None)
        expected = data[ys[0]].sum() if series else sum(data[y].sum() for y in ys)
        assert total == pytest.approx(expected), ex.key
        assert len(chart.series) == (min(data[series].nunique(), 12) if series else len(ys))
    ws = wb["Assumptions"]
    assert len(ws._charts) == 0
    assert ws["A1"].value == f"Assumption set published v0, in force in {demo.filters.week}"
    assert ws["A2"].value == SOURCE
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert rows[0] == ["Assumption", "Value", "Unit", "Source"]
    assert rows[1:] == built.rows.values.tolist()


def test_pareto_sheet_values(built):
    """A hand-checkable cell: the first Pareto category and its count."""
    wb = openpyxl.load_workbook(io.BytesIO(built.pack.files["xlsx"]))
    (ex,) = [e for e in built.exhibits if e.key == "cmp_pareto"]
    ws = wb["Categories — 13 weeks (Paret"]
    assert [ws["A6"].value, ws["B6"].value] == ["category", "count"]
    assert ws["A7"].value == ex.data["category"].iloc[0]
    assert ws["B7"].value == int(ex.data["count"].iloc[0]) == max(ex.data["count"])
    assert ws._charts[0].series[0].val.numRef.f.endswith(f"$B$7:$B${6 + len(ex.data)}")


# --- build errors and subsets ----------------------------------------------------------------

def test_build_renders_a_lazy_selection_as_it_arrives(demo, renderer):
    """A generator of exhibits computed on another thread (prefetch) gives the same pack as
    the list, with the progress total taken from ``expected``."""
    steps = []
    lazy = pack.prefetch(demo.cat.iter_select(("trend_nps", "cmp_pareto")))
    p = pack.build(lazy, demo.ctx, demo.aset, ("pdf", "xlsx"), pack.Template.load(TEMPLATE),
                   progress=lambda d, t, label: steps.append((d, t)), expected=2)
    assert [e.key for e in p.exhibits] == ["trend_nps", "cmp_pareto"]
    total = 2 + 1 + math.ceil(len(pack.assumptions_rows(demo.aset, demo.ctx))
                              / (2 * pack.ROWS_PER_SLIDE)) + 1
    assert steps == [(i, total) for i in range(1, total + 1)]
    assert len(PdfReader(io.BytesIO(p.files["pdf"])).pages) == total - 1
    # an error on the computing thread is raised to the consumer
    def broken():
        yield demo.cat.select(("trend_nps",))[0]
        raise ValueError("page failed")

    with pytest.raises(ValueError, match="page failed"):
        pack.build(pack.prefetch(broken()), demo.ctx, demo.aset, ("xlsx",))
    with pytest.raises(pack.PackError, match="nothing drawn here"):
        pack.build(pack.prefetch(iter(())), demo.ctx, demo.aset, ("xlsx",),
                   empty="nothing drawn here")


def test_build_refuses_unknown_formats_and_empty_selection(built, demo):
    with pytest.raises(pack.PackError, match=r"unknown format\(s\) doc"):
        pack.build(built.exhibits, demo.ctx, demo.aset, ("pptx", "doc"))
    with pytest.raises(pack.PackError, match="no chart selected"):
        pack.build([], demo.ctx, demo.aset, ("xlsx",))


def test_build_subset_of_formats(two, demo):
    exs, _ = two
    p = pack.build(exs, demo.ctx, demo.aset, ("xlsx", "pdf"), pack.Template.load(TEMPLATE))
    assert list(p.files) == ["pdf", "xlsx"]  # always in pack order
    assert len(PdfReader(io.BytesIO(p.files["pdf"])).pages) == 1 + 2 + 1


# --- write -----------------------------------------------------------------------------------

def fresh(p: pack.Pack) -> pack.Pack:
    return pack.Pack(dict(p.files), p.exhibits, p.context, p.seconds)


def test_write_places_every_file(built, tmp_path):
    p = fresh(built.pack)
    out = tmp_path / "packs" / "weekly"
    paths = pack.write(p, out)
    stem = "cx-ledger-board-pack_2026-w44_all-customers"
    assert [x.name for x in paths] == [f"{stem}.pptx", f"{stem}.pdf", f"{stem}.xlsx"]
    assert [p.file_name(f) for f in pack.FORMATS] == [x.name for x in paths]
    assert sorted(os.listdir(out)) == sorted(x.name for x in paths)
    for x, fmt in zip(paths, pack.FORMATS, strict=True):
        assert x.read_bytes() == p.files[fmt]
    assert p.written == paths and p.summary().endswith(f" → {out}")


def test_write_is_all_or_nothing(built, tmp_path, monkeypatch):
    p = fresh(built.pack)
    out = tmp_path / "out"
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(pack.os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        pack.write(p, out)
    assert len(calls) == 2
    assert os.listdir(out) == []  # neither the placed pptx nor any .pack-*.part
    assert p.written == []


def test_failed_rewrite_keeps_last_runs_files(built, tmp_path, monkeypatch):
    """A failed run over last run's files of the same names puts every one of them back."""
    p = fresh(built.pack)
    out = tmp_path / "out"
    out.mkdir()
    old = {fmt: f"last run's {fmt}".encode() for fmt in p.files}
    for fmt, data in old.items():
        (out / p.file_name(fmt)).write_bytes(data)
    real, calls = os.replace, []

    def flaky(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == 4:  # pptx backed up and placed, pdf backed up, then the disk fails
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(pack.os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        pack.write(p, out)
    monkeypatch.setattr(pack.os, "replace", real)
    assert sorted(os.listdir(out)) == sorted(p.file_name(f) for f in old)
    assert {f: (out / p.file_name(f)).read_bytes() for f in old} == old
    # and a successful run replaces them, leaving no backup behind
    pack.write(p, out)
    assert sorted(os.listdir(out)) == sorted(p.file_name(f) for f in old)
    assert (out / p.file_name("xlsx")).read_bytes() == p.files["xlsx"]


# --- e-mail settings -------------------------------------------------------------------------

def secrets(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_smtp_settings(tmp_path, monkeypatch):
    assert mail.smtp_settings(tmp_path / "absent.toml") is None
    assert mail.smtp_settings(secrets(tmp_path, '[other]\nkey = "v"\n')) is None
    s = mail.smtp_settings(secrets(tmp_path, '[smtp]\nhost = "mx.example.org"\n'
                                             'sender = "cx@example.org"\nto = "a@example.org"\n'))
    assert s == mail.SmtpSettings("mx.example.org", "cx@example.org", ("a@example.org",))
    assert (s.port, s.starttls, s.ssl, s.user) == (587, True, False, None)
    path = secrets(tmp_path, '[smtp]\nhost = "h"\nport = 2525\nstarttls = false\nuser = "u"\n'
                             'password = "p"\nsender = "s@x"\nto = ["a@x", "b@x"]\n')
    monkeypatch.setenv("CX_SECRETS_FILE", str(path))
    s = mail.smtp_settings()
    assert (s.port, s.starttls, s.user, s.password, s.to) == (2525, False, "u", "p",
                                                              ("a@x", "b@x"))


@pytest.mark.parametrize(("body", "message"), [
    ('[smtp]\nhost = "h"\n', r"\[smtp\] needs sender, to"),
    ('[smtp]\nsender = "s"\nto = []\n', r"\[smtp\] needs host, to"),
    ('[smtp]\nhost = "h"\nto = ["a@x"]\n', r"\[smtp\] needs sender$"),
    ('[smtp\nhost = "h"\n', r"secrets file secrets\.toml"),
    ('[smtp]\nhost = "h"\nsender = "s"\nto = ["a@x"]\ntls = true\n',
     r"\[smtp\] has unknown key\(s\) tls; known are host, password, port"),
])
def test_smtp_settings_errors(tmp_path, body, message):
    with pytest.raises(mail.MailError, match=message):
        mail.smtp_settings(secrets(tmp_path, body))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_send_to_a_closed_port_is_a_mail_error():
    port = free_port()
    settings = mail.SmtpSettings("127.0.0.1", "cx@x", ("a@x",), port=port, starttls=False,
                                 timeout=5)
    with pytest.raises(mail.MailError, match=rf"e-mail to a@x via 127\.0\.0\.1:{port} failed"):
        mail.send(settings, "s", "b", [("f.txt", b"x", "text/plain")])


# --- the CLI ---------------------------------------------------------------------------------

def run_pack(url: str, tmp_path: Path, *args: str, secrets_file: Path | None = None):
    env = {**os.environ, "CX_SECRETS_FILE": str(secrets_file or tmp_path / "no-secrets.toml")}
    env.pop("CX_PACK_TEMPLATE", None)
    return subprocess.run([sys.executable, "-m", "dashboard", "pack", "--url", url,
                           "--store-url", f"sqlite:///{tmp_path}/store.sqlite", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


def test_cli_builds_the_pack(demo_db, tmp_path):
    out = tmp_path / "out"
    res = run_pack(f"duckdb:///{demo_db}", tmp_path, "--week", "2026-W43", "--segment", "Mass",
                   "--format", "pptx,pdf,xlsx", "--out", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("pack 2026-W43 (segment: Mass): 10 charts, pptx ")
    assert lines[0].endswith(f" → {out}")
    stem = "cx-ledger-board-pack_2026-w43_segment-mass"
    assert sorted(os.listdir(out)) == sorted(f"{stem}.{f}" for f in pack.FORMATS)
    prs = Presentation(out / f"{stem}.pptx")
    assert len(prs.slides) > 11 and "Filters: segment: Mass" in texts(prs.slides[0])
    assert "Week 2026-W43 against 2026-W42" in texts(prs.slides[0])
    assert len(PdfReader(out / f"{stem}.pdf").pages) > 11
    assert len(openpyxl.load_workbook(out / f"{stem}.xlsx").sheetnames) == 11


def test_cli_pages_as_json(demo_db, tmp_path):
    out = tmp_path / "out"
    res = run_pack(f"duckdb:///{demo_db}", tmp_path, "--pages", "Complaints",
                   "--charts", "trend_csat,trend_nps", "--format", "xlsx", "--out", str(out),
                   "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    # page order, and the page's own order within it
    assert doc["charts"] == ["trend_nps", "trend_csat", *exhibits.PAGE_KEYS["Complaints"]]
    assert doc["files"] == [str(out / "cx-ledger-board-pack_2026-w44_all-customers.xlsx")]
    assert doc["summary"].startswith("pack 2026-W44 (all customers): 10 charts, xlsx ")
    # progress lines (no --quiet) go to stderr, never stdout
    assert "1/1 files assembled" in res.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--format", "pptx,doc"), "--format: unknown format(s) doc"),
    (("--week", "2031-W01"), "week 2031-W01 is after the data's as-of date 2026-11-01"),
    (("--charts", "trend_nps,nope"), "unknown chart(s) nope"),
])
def test_cli_bad_arguments_exit_2(demo_db, tmp_path, args, message):
    out = tmp_path / "out"
    res = run_pack(f"duckdb:///{demo_db}", tmp_path, *args, "--out", str(out), "--quiet")
    assert res.returncode == 2, res.stderr
    assert res.stdout == ""
    assert res.stderr.startswith(f"error: {message}")
    assert len(res.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (("--week", "2026-W99"), "bad week '2026-W99'"),
    (("--pages", "Weekly KPIs,Nope"), "--pages: unknown Nope"),
    (("--segment", "Gold"), "unknown segment 'Gold'"),
    (("--set", "nope"), "unknown assumption set 'nope'"),
    (("--template", "missing.toml"), "missing.toml not found"),
    (("--format", ","), "--format: unknown format(s) (none given)"),
])
def test_cli_more_bad_arguments_exit_2(demo_db, tmp_path, monkeypatch, capsys, args,
                                       message):
    """The same refusals in-process (cheaper than a subprocess each)."""
    from dashboard import cli

    monkeypatch.setenv("CX_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.delenv("CX_PACK_TEMPLATE", raising=False)
    out = tmp_path / "out"
    status = cli.main(["pack", "--url", f"duckdb:///{demo_db}", "--store-url",
                       f"sqlite:///{tmp_path}/store.sqlite", *args, "--out", str(out)])
    got = capsys.readouterr()
    assert status == 2 and got.out == ""
    assert got.err.startswith("error: ") and message in got.err
    assert len(got.err.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_nothing_drawn_exits_1(demo_db, tmp_path, monkeypatch, capsys):
    """The programme is measured against the other segments: nothing to draw for Business
    alone, so no pack (exit 1, one line, nothing written)."""
    from dashboard import cli

    monkeypatch.setenv("CX_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    out = tmp_path / "out"
    status = cli.main(["pack", "--url", f"duckdb:///{demo_db}", "--segment", "Business",
                       "--charts", "money_did_nps", "--format", "xlsx", "--quiet",
                       "--out", str(out)])
    got = capsys.readouterr()
    assert status == 1 and got.out == ""
    assert got.err.strip() == ("pack failed: PackError: none of the charts money_did_nps is "
                               "drawn for 2026-W44 (segment: Business)")
    assert not out.exists()


def test_cli_names_charts_the_selection_does_not_draw(demo_db, tmp_path, monkeypatch,
                                                      capsys):
    from dashboard import cli

    monkeypatch.setenv("CX_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    out = tmp_path / "out"
    status = cli.main(["pack", "--url", f"duckdb:///{demo_db}", "--segment", "Business",
                       "--charts", "trend_nps,money_did_nps", "--format", "xlsx", "--quiet",
                       "--json", "--out", str(out)])
    doc = json.loads(capsys.readouterr().out)
    assert status == 0 and doc["charts"] == ["trend_nps"]
    assert doc["missing"] == ["money_did_nps"]
    assert doc["summary"].endswith("; not drawn for this selection: money_did_nps")
    assert "1 chart, xlsx" in doc["summary"]
    assert [Path(f).name for f in doc["files"]] == [
        "cx-ledger-board-pack_2026-w44_segment-business.xlsx"]


def test_cli_bad_smtp_settings_exit_2(demo_db, tmp_path, monkeypatch, capsys):
    from dashboard import cli

    monkeypatch.setenv("CX_SECRETS_FILE", str(secrets(tmp_path, '[smtp]\nhost = "h"\n')))
    monkeypatch.delenv("CX_PACK_TEMPLATE", raising=False)
    out = tmp_path / "out"
    status = cli.main(["pack", "--url", f"duckdb:///{demo_db}", "--format", "xlsx",
                       "--out", str(out)])
    assert status == 2
    assert "[smtp] needs sender, to" in capsys.readouterr().err and not out.exists()


def test_cli_list(tmp_path):
    res = run_pack("duckdb:///nowhere.duckdb", tmp_path, "--list")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines == [f"{t}: {', '.join(k)}" for t, k in exhibits.PAGE_KEYS.items()]
    assert [line.split(":")[0] for line in lines] == list(exhibits.PAGES)


def test_cli_unwritable_out_exits_1(demo_db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    res = run_pack(f"duckdb:///{demo_db}", tmp_path, "--format", "xlsx",
                   "--charts", "cmp_pareto", "--out", str(blocker / "packs"), "--quiet")
    assert res.returncode == 1
    assert res.stdout == "" and res.stderr.startswith("pack failed: ")
    assert len(res.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name != "store.sqlite") == ["a-file"]


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def smtp_secrets(tmp_path: Path, port: int) -> Path:
    return secrets(tmp_path, f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
                             'sender = "cx-ledger@example.org"\n'
                             'to = ["board@example.org", "cfo@example.org"]\n')


def test_cli_emails_the_pack(demo_db, tmp_path, smtp_server):
    controller, inbox = smtp_server
    conf = smtp_secrets(tmp_path, controller.port)
    out = tmp_path / "out"
    url = f"duckdb:///{demo_db}"
    res = run_pack(url, tmp_path, "--format", "xlsx", "--charts", "trend_nps,cmp_pareto",
                   "--out", str(out), "--quiet", secrets_file=conf)
    assert res.returncode == 0, res.stderr
    (line,) = res.stdout.splitlines()
    assert "2 charts" in line
    assert line.endswith("; e-mailed to board@example.org, cfo@example.org")
    (env,) = inbox.envelopes
    assert env.mail_from == "cx-ledger@example.org"
    assert env.rcpt_tos == ["board@example.org", "cfo@example.org"]
    msg = email.message_from_bytes(env.original_content, policy=email.policy.default)
    assert msg["Subject"] == "CX Ledger board pack 2026-W44"
    (written,) = out.iterdir()
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == written.name == ("cx-ledger-board-pack_2026-w44_"
                                                 "all-customers.xlsx")
    assert att.get_content_type() == pack.MIME["xlsx"]
    assert att.get_content() == written.read_bytes()
    assert "2 charts" in msg.get_body(("plain",)).get_content()

    # --no-email: the same settings, no message
    res = run_pack(url, tmp_path, "--format", "xlsx", "--charts", "cmp_pareto",
                   "--out", str(tmp_path / "again"), "--quiet", "--no-email", secrets_file=conf)
    assert res.returncode == 0, res.stderr
    assert "e-mailed" not in res.stdout and len(inbox.envelopes) == 1


def test_cli_email_failure_exits_3_with_files_written(demo_db, tmp_path):
    port = free_port()  # nothing listens there
    out = tmp_path / "out"
    res = run_pack(f"duckdb:///{demo_db}", tmp_path, "--format", "xlsx", "--charts",
                   "trend_nps,cmp_pareto", "--out", str(out), "--quiet",
                   secrets_file=smtp_secrets(tmp_path, port))
    assert res.returncode == 3, res.stderr
    assert res.stdout == ""
    assert f"e-mail to board@example.org, cfo@example.org via 127.0.0.1:{port} failed" \
        in res.stderr
    assert res.stderr.startswith("pack 2026-W44 (all customers): 2 charts")
    assert [p.name for p in out.iterdir()] == [
        "cx-ledger-board-pack_2026-w44_all-customers.xlsx"]


def test_written_files_are_readable_by_the_team(built, tmp_path):
    old = os.umask(0o022)
    try:
        paths = pack.write(fresh(built.pack), tmp_path / "shared")
    finally:
        os.umask(old)
    assert {oct(p.stat().st_mode & 0o777) for p in paths} == {"0o644"}


def test_pack_names_carry_a_set_other_than_the_published_one(built):
    p = fresh(built.pack)
    edited = pack.Pack(p.files, p.exhibits, export.Context(p.context.filters, "board case v3",
                                                           p.context.generated))
    assert edited.file_name("pptx") == (
        "cx-ledger-board-pack-board-case-v3_2026-w44_all-customers.pptx")
    assert p.file_name("pptx") == "cx-ledger-board-pack_2026-w44_all-customers.pptx"


def test_smtp_over_tls_defaults_to_port_465(tmp_path):
    base = '[smtp]\nhost = "h"\nsender = "s"\nto = "a@x"\n'
    assert mail.smtp_settings(secrets(tmp_path, base)).port == 587
    tls = mail.smtp_settings(secrets(tmp_path, base + "ssl = true\n"))
    assert (tls.port, tls.ssl, tls.to) == (465, True, ("a@x",))
    assert mail.smtp_settings(secrets(tmp_path, base + "ssl = true\nport = 2465\n")).port == 2465
