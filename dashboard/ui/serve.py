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

Why the page tells the frontend where the server is. Opened at a page's own URL (``/cx-in-money``),
Streamlit's frontend cannot tell a page path from a base URL path, so it first probes
``/cx-in-money/_stcore/health`` and ``…/host-config``, gets two 404s (two console errors) and
then falls back to ``/`` (streamlit/streamlit#7074, open). The frontend reads the server's base
URL from ``window.__streamlit.BACKEND_BASE_URL`` when it is set before its bundle runs, and then
asks that one address only. The launcher serves Streamlit's own ``index.html`` with one inline
script in ``<head>`` that sets it to this origin plus ``server.baseUrlPath`` (computed in the
browser, so a proxy's host name is kept); everything else about the page is Streamlit's.
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


#: Set before the frontend's bundle runs: the server's base URL, so a deep link is not probed as
#: one (see the module's docstring). ``%s`` is the base URL path as a JSON string.
BASE_URL_SCRIPT = ("<script>window.__streamlit=Object.assign(window.__streamlit||{},"
                   "{BACKEND_BASE_URL:window.location.origin+%s});</script>")


def index_with_base_url(html: str, base_url_path: str) -> str:
    """Streamlit's ``index.html`` with :data:`BASE_URL_SCRIPT` first in ``<head>``."""
    import json

    base = "/" + base_url_path.strip("/")
    head = html.index("<head>") + len("<head>")
    literal = json.dumps(base).replace("<", "\\u003c")  # never closes the script
    return html[:head] + BASE_URL_SCRIPT % literal + html[head:]


def base_url_known() -> None:
    """Serve the frontend's page with its server's base URL set (see the module's docstring);
    a no-op on a Streamlit whose static files are served another way."""
    from pathlib import Path

    try:
        from starlette.responses import FileResponse, HTMLResponse
        from streamlit.web.server.starlette import starlette_static_routes as routes
    except ImportError:
        return
    make = routes.create_streamlit_static_handler
    if getattr(make, "cx_base_url", False):
        return

    def handler(directory: str, base_url: str | None):
        static = make(directory, base_url)
        index = Path(directory) / "index.html"
        page = index_with_base_url(index.read_text(encoding="utf-8"), base_url or "")
        served = static.get_response

        async def get_response(path, scope):
            response = await served(path, scope)
            if isinstance(response, FileResponse) and Path(response.path) == index:
                return HTMLResponse(page, headers={"Cache-Control": "no-cache"})
            return response

        static.get_response = get_response
        return static

    handler.cx_base_url = True
    routes.create_streamlit_static_handler = handler


#: Addresses of this computer only: the app may listen there without sign-in.
LOCAL_ADDRESSES = frozenset({"localhost", "127.0.0.1", "::1"})
#: Set to 1 to serve without sign-in on another address anyway (behind a proxy that signs
#: people in, say): the person who sets it means it.
OPEN_ENV = "CX_ALLOW_NO_SIGN_IN"


class OpenWithoutSignIn(RuntimeError):
    """The app would listen beyond this computer with nobody signing in."""


def _option(options: Sequence[str], name: str) -> str | None:
    """The value of ``--name value`` or ``--name=value`` among the options (the last one)."""
    found = None
    for i, opt in enumerate(options):
        if opt == f"--{name}" and i + 1 < len(options):
            found = options[i + 1]
        elif opt.startswith(f"--{name}="):
            found = opt.split("=", 1)[1]
    return found


def listen_address(options: Sequence[str]) -> str:
    """Where the server will listen: ``--server.address``, else ``STREAMLIT_SERVER_ADDRESS``,
    else ``.streamlit/config.toml``'s, else '' (Streamlit's default: every address)."""
    import os
    import tomllib

    given = _option(options, "server.address") or os.environ.get("STREAMLIT_SERVER_ADDRESS")
    if given is not None:
        return given.strip()
    try:
        with (config.ROOT / ".streamlit" / "config.toml").open("rb") as f:
            return str(tomllib.load(f).get("server", {}).get("address", "")).strip()
    except (OSError, tomllib.TOMLDecodeError):
        return ""


def secrets_file(options: Sequence[str]):
    """The secrets file the app reads: ``--secrets.files``, else ``CX_SECRETS_FILE``, else
    ``.streamlit/secrets.toml`` (``config.secrets_path``)."""
    from pathlib import Path

    given = _option(options, "secrets.files")
    return Path(given) if given else config.secrets_path()


def sign_in_configured(path) -> bool:
    """Whether the secrets file has an ``[auth]`` table (``st.login``'s settings)."""
    import tomllib

    try:
        with open(path, "rb") as f:
            return bool(tomllib.load(f).get("auth"))
    except (OSError, tomllib.TOMLDecodeError):
        return False


def check_address(options: Sequence[str]) -> None:
    """OpenWithoutSignIn when the server would listen beyond this computer without sign-in
    (no ``[auth]`` in the secrets file) and ``CX_ALLOW_NO_SIGN_IN`` is not 1: without sign-in
    everyone who reaches the address would see everything."""
    import os

    address = listen_address(options)
    if address in LOCAL_ADDRESSES or sign_in_configured(secrets_file(options)):
        return
    if os.environ.get(OPEN_ENV) == "1":
        return
    raise OpenWithoutSignIn(
        f"refusing to serve on {address or 'every address'} without sign-in: add an [auth] "
        f"table to {secrets_file(options).name} (README: Sign-in and roles), serve on this "
        f"computer only (--server.address localhost), or set {OPEN_ENV}=1 to mean it")


def main(options: Sequence[str] = ()) -> int:
    """Serve the app from the checkout; ``options`` go to ``streamlit run`` unchanged (e.g.
    ``--server.port 8502``), with ``--secrets.files`` added when ``CX_SECRETS_FILE`` names the
    secrets file (the app and the headless commands read one file). Refused, before anything
    starts, when it would listen beyond this computer without sign-in (``check_address``).
    Returns the server's exit status once it stops."""
    import os

    from streamlit.web import cli as streamlit_cli

    if not (config.ROOT / ENTRY).exists():
        raise FileNotFoundError(f"{ENTRY} is not in {config.ROOT}: the app is served from a "
                                "checkout of CX Ledger")
    options = list(options)
    if os.environ.get("CX_SECRETS_FILE") and _option(options, "secrets.files") is None:
        options += ["--secrets.files", os.environ["CX_SECRETS_FILE"]]
    check_address(options)
    if sign_in_configured(secrets_file(options)):
        # the app never falls back to one local user while this server runs
        os.environ["CX_SIGN_IN_REQUIRED"] = "1"
    os.chdir(config.ROOT)  # .streamlit/config.toml and the pages' paths are read from here
    navigation_only()
    base_url_known()
    from dashboard.ui import memory, warm

    memory.limit_arenas()  # before any thread allocates (the app's frame does it again)
    warm.start()  # the latest week's results computed while the server starts
    try:
        streamlit_cli.main(["run", ENTRY, *options], prog_name="streamlit",
                           standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
