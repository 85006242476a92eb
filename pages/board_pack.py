"""Board pack — "What goes in front of the board this week?"

Pick whole pages or individual charts (the executive set by default) and build a 16:9 PPTX (a
title slide, one chart per slide with its takeaway as the title and definitions in the notes,
the assumptions to close), the same content as a PDF, and an XLSX with a sheet and a native
chart per chart. The week, filters and assumption set are the sidebar's.
"""

from dashboard.i18n import _
from dashboard.ui import common as ui
from dashboard.ui import pack as ui_pack

catalog = ui.catalog()
filters = ui.current_filters(catalog)
aset = ui.assumption_set()

ui.page_header(_("Board pack"), _("What goes in front of the board this week?"), filters)
ui.note(_("Built for {week} ({filters}) with assumption set {set_id}: change them in the "
          "sidebar. The same pack comes from: python -m dashboard pack.",
          week=filters.week, filters=filters.describe(), set_id=aset.id))
pages, keys, formats = ui_pack.chart_choice()
ui_pack.build_button(pages, keys, formats, filters, aset)
ui_pack.downloads(pages, keys, formats, filters, aset)
