"""Page render timings for `make bench` (a UI module: it drives the app through AppTest)."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from dashboard.warehouse import config, db


def registered_pages() -> list[tuple[str, str]]:
    """(title, file) of every page of the app's navigation, in its order."""
    from dashboard.ui import navigation

    return [(p.title, p.file) for p in navigation.PAGES]


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
        changes = _filter_changes(at, repeat)
        out.append({"page": title, "cold_ms": cold, "warm_ms_p50": statistics.median(warm),
                    "change_ms_p50": statistics.median(changes) if changes else None,
                    "change_ms_max": max(changes) if changes else None,
                    "errors": len(at.exception)})
    return out


def _filter_changes(at, repeat: int) -> list[float]:
    """Time from a filter change (a different region, then region + segment each time: new
    query parameters, so no cached result) to the page drawn again, in ms."""
    boxes = {m.key: m for m in at.sidebar.multiselect}
    if "f_region" not in boxes or "f_segment" not in boxes:
        return []
    regions, segments = list(boxes["f_region"].options), list(boxes["f_segment"].options)
    times = []
    for i in range(min(repeat, len(regions) * max(1, len(segments)))):
        at.sidebar.multiselect(key="f_region").set_value([regions[i % len(regions)]])
        at.sidebar.multiselect(key="f_segment").set_value(
            [segments[(i // len(regions)) % len(segments)]] if i >= len(regions) else [])
        t = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t) * 1000)
    return times


def memory_after_pages(warehouse: Path) -> float:
    """Peak resident memory (MB) of a fresh process that has drawn every page with its default
    filters and after a filter change — the app's own footprint on this warehouse."""
    import subprocess
    import sys

    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so a child of the
    # (large) bench process would report the parent's peak
    code = ("import sys; from pathlib import Path; from dashboard.bench import pages; "
            "pages.page_timings(Path(sys.argv[1]), repeat=1); "
            "print(next(int(line.split()[1]) for line in open('/proc/self/status') "
            "if line.startswith('VmHWM:')) / 1024)")
    res = subprocess.run([sys.executable, "-c", code, str(warehouse)], capture_output=True,
                         text=True, cwd=config.ROOT, timeout=1800)
    if res.returncode:
        raise RuntimeError(res.stderr.strip().splitlines()[-1])
    return float(res.stdout.strip().splitlines()[-1])
