"""Streamlit widgets of the Board pack page (``dashboard.exports.pack``); the page composes them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.exports import exhibits, pack, summary
from dashboard.exports import files as export
from dashboard.i18n import _
from dashboard.metrics import display
from dashboard.ui import access as access_ui
from dashboard.ui import common as ui

_STATE = "pack_built"


def chart_choice() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Whole pages, individual charts (default: the executive set) and formats."""
    pages = st.multiselect(_("Whole pages (every chart they draw)"), list(exhibits.PAGES),
                           key="pack_pages", format_func=ui._labels(
                               {p: p for p in exhibits.PAGES}))
    owner = exhibits.owner_pages()
    keys = st.multiselect(
        _("Individual charts"), list(owner), default=list(exhibits.EXECUTIVE), key="pack_charts",
        format_func={k: _("{page} — {chart}", page=_(owner[k]), chart=_(exhibits.LABELS[k]))
                     for k in owner}.get,
        help=_("The default is the executive set: ten charts across six pages."))
    # without a Chromium the PowerPoint and PDF cannot be drawn: XLSX only, and say why
    images = export.images_available()
    formats = st.pills(_("Formats"), list(pack.FORMATS), selection_mode="multi",
                       default=list(pack.FORMATS) if images else ["xlsx"], key="pack_formats",
                       format_func=str.upper)
    if not images:
        ui.note(_("PowerPoint and PDF need a Chromium browser, which this server does not "
                  "have: {install}. XLSX is built without it.",
                  install=_(export.INSTALL_CHROMIUM)))
    return tuple(pages), tuple(keys), tuple(formats or ())


def build_button(pages, keys, formats, filters, aset) -> None:
    """Build on click with progress shown; the result is kept for the downloads."""
    signature = (pages, keys, formats, filters, aset.id)
    if not (pages or keys) or not formats:
        st.warning(_("Pick at least one page or chart and one format."))
        return
    if not st.button(_("Build the pack"), type="primary", icon=":material/slideshow:",
                     key="pack_build"):
        return
    drawn = [f.upper() for f in formats if f in ("pptx", "pdf")]
    if drawn and not export.images_available():
        both = (drawn[0] if len(drawn) == 1
                else _("{first} and {second}", first=drawn[0], second=drawn[1]))
        st.warning(ui.plain(_("{formats} not built: this server has no Chromium browser to "
                              "draw the charts; {install}. Pick XLSX to build the pack "
                              "without it.", formats=both,
                              install=_(export.INSTALL_CHROMIUM))),
                   icon=":material/image_not_supported:")
        return
    with st.status(_("Building the pack…"), expanded=True) as status:
        st.write(_("Computing the charts of the chosen pages"))
        if {"pptx", "pdf"} & set(formats):
            export.Renderer.warm_up()
        catalogue = exhibits.Catalogue(ui.fetch, filters, aset, ui.data_coverage())
        chosen = catalogue.select(keys, pages)
        left_out = exhibits.not_loaded_lines(catalogue.not_loaded_list(keys, pages))
        bar = st.progress(0.0, text=_("Rendering"))

        def progress(done: int, total: int, label: str) -> None:
            bar.progress(done / total, text=ui.plain(_(
                "{done}/{total} · {chart}", done=display.number(done, 0),
                total=display.number(total, 0), chart=label)))

        try:
            if not chosen:
                raise pack.PackError("; ".join([
                    _("none of the picked charts is drawn for {week} ({filters})",
                      week=filters.week_name, filters=filters.describe()), *left_out]))
            built = pack.build(chosen, export.Context(filters, aset.id), aset, formats,
                               progress=progress, not_loaded=lambda: left_out,
                               summary=lambda: summary.build(ui.fetch, filters, aset,
                                                             catalogue.coverage))
        except (pack.PackError, export.RenderError) as exc:
            status.update(label=ui.plain(_("Not built: {error}", error=str(exc))),
                          state="error")
            return
        status.update(label=ui.plain(built.summary()), state="complete", expanded=False)
    access_ui.record("pack", ", ".join(built.file_name(f) for f in built.files),
                     f"{filters.week}; {filters.describe()}")
    st.session_state[_STATE] = (signature, built, catalogue.missing)


def downloads(pages, keys, formats, filters, aset) -> None:
    """The built files (only while the selection they were built for is unchanged)."""
    held = st.session_state.get(_STATE)
    if held is None:
        return
    signature, built, missing = held
    if signature != (pages, keys, formats, filters, aset.id):
        ui.note(_("The selection changed since the last build: build again to download."))
        return
    ui.note(built.summary())
    if missing:
        labels = ", ".join(_(exhibits.LABELS[k]) if k in exhibits.LABELS else k
                           for k in missing)
        ui.note(_("Not in the pack — not drawn for this selection: {charts}.", charts=labels))
    for line in built.not_loaded:
        ui.note(f"{line}.")
    with st.container(horizontal=True, key="pack_downloads"):
        for fmt, data in built.files.items():
            st.download_button(_("Download {name}", name=fmt.upper()),
                               ui.audited_bytes(data, built.file_name(fmt)),
                               file_name=built.file_name(fmt), mime=pack.MIME[fmt],
                               key=f"pack_dl_{fmt}", on_click="ignore",
                               icon=":material/download:")
    rows = [{"#": i, _("Page"): _(e.page), _("Chart"): e.title,
             _("Slide title"): pack.slide_title(e), _("Takeaway (slide body)"): e.takeaway}
            for i, e in enumerate(built.exhibits, start=1)]
    contents = pd.DataFrame(rows)
    st.dataframe(contents, hide_index=True, key="pack_contents", width="stretch",
                 column_config=ui.first_pinned(contents, None))
