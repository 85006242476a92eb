"""The app process's memory: keep glibc's allocator from hoarding what the app has freed.

Every Streamlit session runs its script in its own thread, and glibc's ``malloc`` gives busy
threads arenas of their own (up to eight per core); a page run at 1M customers allocates and
frees tens of megabytes of query results and frames, and the freed pages stay in those arenas,
resident, fragmented between live blocks. Measured with five Chromium sessions on every page
at 1M customers: about 90 MB of the app's resident memory was free space inside the heap.

Two standard glibc calls, on Linux only (elsewhere both are no-ops that say so):
- ``limit_arenas``: at most ``ARENAS`` arenas (``mallopt(M_ARENA_MAX)``, what the environment
  variable ``MALLOC_ARENA_MAX`` sets), called before the sessions' threads allocate;
- ``release``: after each script run, hand free heap pages back to the system
  (``malloc_trim(0)``). Nothing is limited: an allocation never fails because of either.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache

#: glibc's mallopt parameter number for the arena cap (malloc.h: M_ARENA_MAX -8).
M_ARENA_MAX = -8
#: Arenas the app's threads share (glibc's default on two cores would be sixteen).
ARENAS = 2


@cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):  # another C library (musl): nothing to tune
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap the number of malloc arenas; True when the C library took the setting."""
    libc = _glibc()
    return bool(libc and libc.mallopt(M_ARENA_MAX, arenas) == 1)


def release() -> bool:
    """Return free heap memory to the system; True when the C library did (glibc)."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
