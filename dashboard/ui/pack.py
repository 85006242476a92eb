"""Streamlit widgets of the Board pack page (``dashboard.exports.pack``); the page composes them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.exports import exhibits, pack, summary
from dashboard.exports import files as export
from dashboard.ui import common as ui

_STATE = "pack_built"


def chart_choice() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Whole pages, individual charts (default: the executive set) and formats."""
    pages = st.multiselect("Whole pages (every chart they draw)", list(exhibits.PAGES),
                           key="pack_pages")
    owner = exhibits.owner_pages()
    keys = st.multiselect(
        "Individual charts", list(owner), default=list(exhibits.EXECUTIVE), key="pack_charts",
        format_func=lambda k: f"{owner[k]} — {exhibits.LABELS[k]}",
        help="The default is the executive set: ten charts across six pages.")
    # without a Chromium the PowerPoint and PDF cannot be drawn: XLSX only, and say why
    images = export.images_available()
    formats = st.pills("Formats", list(pack.FORMATS), selection_mode="multi",
                       default=list(pack.FORMATS) if images else ["xlsx"], key="pack_formats",
                       format_func=str.upper)
    if not images:
        ui.note(f"PowerPoint and PDF need a Chromium browser, which this server does not have: "
                f"{export.INSTALL_CHROMIUM}. XLSX is built without it.")
    return tuple(pages), tuple(keys), tuple(formats or ())


def build_button(pages, keys, formats, filters, aset) -> None:
    """Build on click with progress shown; the result is kept for the downloads."""
    signature = (pages, keys, formats, filters, aset.id)
    if not (pages or keys) or not formats:
        st.warning("Pick at least one page or chart and one format.")
        return
    if not st.button("Build the pack", type="primary", icon=":material/slideshow:",
                     key="pack_build"):
        return
    drawn = [f.upper() for f in formats if f in ("pptx", "pdf")]
    if drawn and not export.images_available():
        st.warning(ui.plain(f"{' and '.join(drawn)} not built: this server has no Chromium "
                            f"browser to draw the charts; {export.INSTALL_CHROMIUM}. Pick XLSX "
                            "to build the pack without it."), icon=":material/image_not_supported:")
        return
    with st.status("Building the pack…", expanded=True) as status:
        st.write("Computing the charts of the chosen pages")
        if {"pptx", "pdf"} & set(formats):
            export.Renderer.warm_up()
        catalogue = exhibits.Catalogue(ui.fetch, filters, aset, ui.data_coverage())
        chosen = catalogue.select(keys, pages)
        left_out = exhibits.not_loaded_lines(catalogue.not_loaded_list(keys, pages))
        bar = st.progress(0.0, text="Rendering")

        def progress(done: int, total: int, label: str) -> None:
            bar.progress(done / total, text=ui.plain(f"{done}/{total} · {label}"))

        try:
            if not chosen:
                raise pack.PackError("; ".join([
                    f"none of the picked charts is drawn for {filters.week} "
                    f"({filters.describe()})", *left_out]))
            built = pack.build(chosen, export.Context(filters, aset.id), aset, formats,
                               progress=progress, not_loaded=lambda: left_out,
                               summary=lambda: summary.build(ui.fetch, filters, aset,
                                                             catalogue.coverage))
        except (pack.PackError, export.RenderError) as exc:
            status.update(label=ui.plain(f"Not built: {exc}"), state="error")
            return
        status.update(label=ui.plain(built.summary()), state="complete", expanded=False)
    st.session_state[_STATE] = (signature, built, catalogue.missing)


def downloads(pages, keys, formats, filters, aset) -> None:
    """The built files (only while the selection they were built for is unchanged)."""
    held = st.session_state.get(_STATE)
    if held is None:
        return
    signature, built, missing = held
    if signature != (pages, keys, formats, filters, aset.id):
        ui.note("The selection changed since the last build: build again to download.")
        return
    ui.note(built.summary())
    if missing:
        labels = ", ".join(exhibits.LABELS.get(k, k) for k in missing)
        ui.note(f"Not in the pack — not drawn for this selection: {labels}.")
    for line in built.not_loaded:
        ui.note(f"{line}.")
    with st.container(horizontal=True, key="pack_downloads"):
        for fmt, data in built.files.items():
            st.download_button(f"Download {fmt.upper()}", data, file_name=built.file_name(fmt),
                               mime=pack.MIME[fmt], key=f"pack_dl_{fmt}", on_click="ignore",
                               icon=":material/download:")
    rows = [{"#": i, "Page": e.page, "Chart": e.title, "Slide title": pack.slide_title(e),
             "Takeaway (slide body)": e.takeaway}
            for i, e in enumerate(built.exhibits, start=1)]
    contents = pd.DataFrame(rows)
    st.dataframe(contents, hide_index=True, key="pack_contents", width="stretch",
                 column_config=ui.first_pinned(contents, None))
