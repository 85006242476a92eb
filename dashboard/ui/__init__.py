"""UI: the only Streamlit modules of the package, one per page family.

``common`` holds the shared widgets (the filter bar, tiles, exhibits, the cached query runner);
the others draw one page each. Pages in ``pages/`` compose these.
"""
