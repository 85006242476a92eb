"""Page render timings for `make bench` (a UI module: it drives the app through AppTest)."""

from __future__ import annotations

import os
import re
import statistics
import time
from pathlib import Path

from dashboard import config, db


def registered_pages() -> list[tuple[str, str]]:
    """(title, file) of every page registered in streamlit_app.py, in navigation order."""
    app = (config.ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    return [(t, f) for f, t in re.findall(r'st\.Page\("([^"]+)", title="([^"]+)"', app)]


def page_timings(warehouse: Path, repeat: int = 5) -> list[dict]:
    """Cold (first) and warm (p50 of later) render time of every page under AppTest, in ms."""
    from streamlit.testing.v1 import AppTest

    os.environ["CX_WAREHOUSE_URL"] = f"duckdb:///{warehouse}"
    db.clear_cache()
    out = []
    for title, file in registered_pages():
        at = AppTest.from_file(str(config.ROOT / "streamlit_app.py"), default_timeout=120)
        at.run()
        at.switch_page(file)
        t = time.perf_counter()
        at.run()
        cold = (time.perf_counter() - t) * 1000
        warm = []
        for _ in range(repeat):
            t = time.perf_counter()
            at.run()
            warm.append((time.perf_counter() - t) * 1000)
        out.append({"page": title, "cold_ms": cold, "warm_ms_p50": statistics.median(warm),
                    "errors": len(at.exception)})
    return out
