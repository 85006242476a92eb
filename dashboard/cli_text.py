"""What the command line prints: every value as a terminal shows it literally (control and
bidirectional characters as escapes), as text or JSON."""

from __future__ import annotations

import json

#: Bidirectional controls: shown as escapes too (they reorder what a terminal shows).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: object) -> str:
    """``text`` safe for a terminal: control characters (an ANSI escape, a carriage return, a
    NUL, C1 controls) and bidirectional controls written as ``\\x1b``/``\\u202e`` escapes, so
    what a file or value holds is shown, never acted on (one call prints one line). The
    product's own numbers in their left-to-right isolates (Persian) are kept, as every escape
    helper keeps them (``exports.text.visible``)."""
    from dashboard.exports.text import NUMBER_ISOLATE

    parts = NUMBER_ISOLATE.split(str(text))
    return "".join(part if i % 2 else _printable(part) for i, part in enumerate(parts))


def _printable(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif ch in _BIDI:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def say(*parts: object, file=None, flush: bool = False) -> None:
    """``print`` with every control character escaped (``printable``)."""
    print(printable(" ".join(str(p) for p in parts)), file=file, flush=flush)


def say_json(doc: object) -> None:
    """Print ``doc`` as JSON (non-ASCII text kept; C0 controls are escaped by JSON itself, C1
    and bidirectional controls here as ``\\u`` escapes, which JSON reads back the same)."""
    text = json.dumps(doc, indent=2, ensure_ascii=False, default=str)
    print("".join(f"\\u{ord(c):04x}" if 0x7F <= ord(c) <= 0x9F or c in _BIDI else c
                  for c in text))
