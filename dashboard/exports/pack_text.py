"""The board pack's words: its template (logo, colours, fonts), titles, scope line, speaker
notes and the assumptions in use as rows — shared by the PPTX, the PDF pages
(``pack_pdf``) and the XLSX (``pack``)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard import i18n
from dashboard.exports import files as export
from dashboard.exports import rtl
from dashboard.exports import summary as summary_mod
from dashboard.exports.exhibits import Exhibit
from dashboard.warehouse import config


class PackError(RuntimeError):
    """A pack that cannot be built (bad template, unknown format …): one line for the user."""

@dataclass(frozen=True)
class Template:
    """Logo, colours and fonts of the pack."""

    name: str = "CX Ledger default"
    logo: Path | None = None
    font: str = "Calibri"
    #: the font of Persian text (PowerPoint's complex-script font): exports in Persian
    font_fa: str = rtl.PERSIAN_FONT
    primary: str = "#1F4E79"
    accent: str = "#C0504D"
    text: str = "#222222"
    muted: str = "#666666"
    master: Path | None = None

    @classmethod
    def load(cls, path: Path | str | None = None) -> Template:
        """The template TOML (``CX_PACK_TEMPLATE`` or the shipped default); paths in it are
        relative to the file. A missing file or logo is an error naming it."""
        p = Path(path or config.pack_template_path())
        try:
            doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PackError(f"pack template {p} not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise PackError(f"pack template {p}: {exc}") from None
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(doc) - known)
        if unknown:
            raise PackError(f"pack template {p}: unknown key(s) {', '.join(unknown)}")
        for key in ("logo", "master"):
            if doc.get(key):
                doc[key] = (p.parent / doc[key]).resolve()
                if not doc[key].exists():
                    raise PackError(f"pack template {p}: {key} file {doc[key]} not found")
        for key in ("primary", "accent", "text", "muted"):
            v = str(doc.get(key, getattr(cls, key)))
            if not re.fullmatch(r"#[0-9A-Fa-f]{6}", v):
                raise PackError(f"pack template {p}: {key} must be a colour like #1F4E79, "
                                f"got {v!r}")
        return cls(**doc)

def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())

def assumptions_rows(aset, ctx: export.Context) -> pd.DataFrame:
    """The assumptions in force in the pack's week: key, value, unit, source (the columns
    keep these English names; exports show them translated, ``rtl.header``)."""
    t = aset.table(ctx.filters.week_start)
    return pd.DataFrame({"Assumption": t["assumption_key"].astype(str),
                         "Value": t["value_text"].astype(str), "Unit": t["unit"].astype(str),
                         "Source": t["source"].astype(str)})

def _chunks(df: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [df.iloc[i:i + size] for i in range(0, max(len(df), 1), size)]

def speaker_notes(ex: Exhibit, ctx: export.Context) -> str:
    """Definitions, base, band and source of one chart."""
    lines = [rtl.say(ex.title), *map(rtl.say, ex.notes)]
    if ex.n is not None:
        lines.append(i18n._("n = {n}", n=rtl.number(ex.n)))
    if ex.band:
        lines.append(i18n._("Bands: {band}", band=rtl.say(ex.band)))
    lines += [i18n._("Scope: {scope}", scope=ctx.scope_line(None, ex.span)),
              ctx.source_line()]
    return "\n".join(lines)

#: The most words a slide or page title has (the sentence goes in the body).
TITLE_WORDS = 12

def word_count(text: str) -> int:
    """Words of a title: the tokens that hold a letter or digit ("—" is not a word)."""
    return sum(any(ch.isalnum() for ch in w) for w in text.split())

def slide_title(ex: Exhibit) -> str:
    """A chart slide's title: the chart's own title when it has at most ``TITLE_WORDS``
    words, else its short name (the takeaway sentence is in the slide's body)."""
    if word_count(ex.title) <= TITLE_WORDS:
        return rtl.say(ex.title)
    from dashboard.exports.exhibits import LABELS

    short = LABELS.get(ex.key, ex.title)
    return rtl.say(short if word_count(short) <= TITLE_WORDS
                   else " ".join(short.split()[:TITLE_WORDS]))

def summary_title(ctx: export.Context) -> str:
    return rtl.say(i18n._("Executive summary: week {week}", week=ctx.filters.week_name))

def pack_title(ctx: export.Context) -> str:
    """The opening title of a pack made without the summary."""
    return rtl.say(i18n._("CX Ledger board pack: week {week}", week=ctx.filters.week_name))

def assumptions_title(ctx: export.Context) -> str:
    title = rtl.say(i18n._("Assumptions in use: set {set_id}", set_id=ctx.set_id))
    return title if word_count(title) <= TITLE_WORDS else i18n._("Assumptions in use")

def scope_text(ctx: export.Context, n_charts: int) -> str:
    f = ctx.filters
    return rtl.say(i18n.ngettext(
        "Week {week} against {compare_week} ({comparison}) · Filters: {filters} · "
        "Assumption set: {set_id} · {n} chart",
        "Week {week} against {compare_week} ({comparison}) · Filters: {filters} · "
        "Assumption set: {set_id} · {n} charts", n_charts, week=f.week_name,
        compare_week=f.compare_week_name, comparison=f.compare_label, filters=f.describe(),
        set_id=ctx.set_id))

#: Rows of other assumption values on the closing slide (the rest: notes and workbook).
VALUE_ROWS = 18

def _value_rows(use: summary_mod.AssumptionsInUse) -> pd.DataFrame:
    """The closing slide's other values, at most ``VALUE_ROWS`` (the last says how many more
    are in the notes and the workbook)."""
    v = use.values
    if len(v) <= VALUE_ROWS:
        return v
    more = len(v) - VALUE_ROWS + 1
    return pd.concat([v.iloc[:VALUE_ROWS - 1], pd.DataFrame([{
        "Assumption": rtl.say(i18n._("… {n} more", n=more)), "Value": "", "Unit": "",
        "Source": i18n._("in the notes and the workbook")}])], ignore_index=True)

def assumptions_notes(aset, ctx: export.Context) -> str:
    """Every value in force, one line each (the closing slide's notes)."""
    rows = assumptions_rows(aset, ctx)
    lines = [f"{r.Assumption} = {r.Value} {r.Unit} ({r.Source})".replace("  ", " ")
             for r in rows.itertuples(index=False)]
    return "\n".join([in_force(ctx) + ":", *map(rtl.say, lines), ctx.source_line()])

def in_force(ctx: export.Context) -> str:
    """"Assumption set …, in force in …" (the notes' and the workbook's heading)."""
    return rtl.say(i18n._("Assumption set {set_id}, in force in {week}", set_id=ctx.set_id,
                          week=ctx.filters.week))

def unit_costs_heading() -> str:
    return i18n._("Unit costs (currency per contact)")

def other_values_heading() -> str:
    return i18n._("Other values in force")
