"""``python -m dashboard serve [streamlit options]``: the app served as ``streamlit run
streamlit_app.py [options]`` does, with the ``pages/`` folder left to ``st.navigation``.

Why a launcher. ``streamlit_app.py`` registers every page with ``st.navigation`` and gives each
its URL (``/weekly-kpis``, ``/cx-in-money`` …). Streamlit 1.67 still keeps the multipage mode
of its first version for a folder named ``pages/`` beside the entry script: the first session a
server process opens (``PagesManager.uses_pages_directory``, set when that session's page
manager is made) runs the entry script through ``_mpa_v1``, which first lists every file of
``pages/`` in the sidebar under its file name and, for a URL such as ``/weekly-kpis`` that no
file name matches, sends the "Page not found" dialog — before the entry script's own
``st.navigation`` replaces the list and turns that mode off for the rest of the process. The
flag is read once per process and only while it is unset, so setting it before the server
starts keeps every session, the first included, on ``st.navigation``'s pages. The folder keeps
its name (the project's layout is fixed); the browser tests (``tests/test_browser_links.py``)
open every page by its URL on a fresh server and watch the sidebar from the first paint, so a
Streamlit release that changes this shows up there.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.warehouse import config

#: The entry script, relative to the checkout (``streamlit run`` resolves pages from it).
ENTRY = "streamlit_app.py"


def navigation_only() -> None:
    """Leave the ``pages/`` folder to ``st.navigation`` in this process (see the module's
    docstring); a no-op on a Streamlit without the first version's mode."""
    from streamlit.runtime.pages_manager import PagesManager

    if hasattr(PagesManager, "uses_pages_directory"):
        PagesManager.uses_pages_directory = False


def main(options: Sequence[str] = ()) -> int:
    """Serve the app from the checkout; ``options`` go to ``streamlit run`` unchanged (e.g.
    ``--server.port 8502``). Returns the server's exit status once it stops."""
    import os

    from streamlit.web import cli as streamlit_cli

    if not (config.ROOT / ENTRY).exists():
        raise FileNotFoundError(f"{ENTRY} is not in {config.ROOT}: the app is served from a "
                                "checkout of CX Ledger")
    os.chdir(config.ROOT)  # .streamlit/config.toml and the pages' paths are read from here
    navigation_only()
    from dashboard.ui import memory, warm

    memory.limit_arenas()  # before any thread allocates (the app's frame does it again)
    warm.start()  # the latest week's results computed while the server starts
    try:
        streamlit_cli.main(["run", ENTRY, *options], prog_name="streamlit",
                           standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
