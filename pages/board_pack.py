"""Board pack — "What goes in front of the board this week?"

Pick whole pages or individual charts (the executive set by default) and build a 16:9 PPTX (a
title slide, one chart per slide with its takeaway as the title and definitions in the notes,
the assumptions to close), the same content as a PDF, and an XLSX with a sheet and a native
chart per chart. The week, filters and assumption set are the sidebar's.
"""

from dashboard.ui import common as ui
from dashboard.ui import pack as ui_pack

catalog = ui.catalog()
filters = ui.current_filters(catalog)
aset = ui.assumption_set()

ui.page_header("Board pack", "What goes in front of the board this week?", filters)
ui.note(f"Built for {filters.week} ({filters.describe()}) with assumption set {aset.id}: "
        "change them in the sidebar. The same pack comes from: python -m dashboard pack.")
pages, keys, formats = ui_pack.chart_choice()
ui_pack.build_button(pages, keys, formats, filters, aset)
ui_pack.downloads(pages, keys, formats, filters, aset)
