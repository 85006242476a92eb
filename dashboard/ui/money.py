"""Streamlit widgets of the "CX in money" page (``dashboard.money.value``); the page composes them.

Every computed string is shown as literal text (``ui.plain``): no markdown, LaTeX or HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from dashboard.exports.exhibits import Exhibit
from dashboard.money.inputs import MoneyFigure
from dashboard.ui import common as ui


def money_tiles(figs: Sequence[MoneyFigure], symbol: str, heading: str, note: str,
                per_row: int = 4) -> None:
    """A labelled row of money tiles (value, band, kind, set id, "How computed")."""
    st.markdown(f"**{ui.plain(heading)}**")
    figs = list(figs)
    for start in range(0, len(figs), per_row):
        for col, fig in zip(st.columns(per_row), figs[start:start + per_row], strict=False):
            with col:
                ui.money_tile(fig, symbol)
    ui.note(note)


def heading(text: str) -> None:
    """A computed bold line (literal text)."""
    st.markdown(f"**{ui.plain(text)}**")


def how_computed(figs: Mapping[str, MoneyFigure], key: str, label: str) -> None:
    """The "how computed" rows of one figure in an expander (nothing when it is missing)."""
    fig = figs.get(key)
    if fig is None:
        return
    with st.expander(ui.plain(label)):
        ui.facts(fig.how_computed())


def did_charts(ex: Mapping[str, Exhibit]) -> None:
    """The programme's three outcomes, programme segment against the others, side by side
    (nothing when the selection has no programme)."""
    keys = [k for k in ("money_did_nps", "money_did_fcr", "money_did_cts") if k in ex]
    if not keys:
        return
    # the three charts often share one takeaway: said once, under the row
    shared = len({ex[k].takeaway for k in keys}) == 1
    for col, key in zip(st.columns(len(keys)), keys, strict=True):
        with col:
            ui.exhibit(ex[key], caption=not shared)
    if shared:
        st.caption(ui.plain(ex[keys[0]].takeaway))
