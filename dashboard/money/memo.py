"""Values derived from objects, kept while those objects live: the few most recent, looked up
by the objects' identity and checked through weak references (an identity a freed object
leaves behind is never taken for it)."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class WhileAlive:
    """The last ``size`` values made from given objects (and plain extra keys)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, tuple[tuple, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, objects: tuple, extra: tuple, make: Callable[[], T]) -> T:
        """``make()``, or what it gave for the same live ``objects`` and ``extra`` before."""
        key = (*map(id, objects), *extra)
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and all(ref() is o for ref, o in zip(kept[0], objects, strict=True)):
            return kept[1]
        value = make()
        with self._lock:
            self._kept[key] = (tuple(weakref.ref(o) for o in objects), value)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return value
