"""The product's languages: English (the source strings) and Persian.

Every sentence shown to a person is written once, in English, as a whole template with named
placeholders — ``_("Complaints rose ×{ratio} in {region}", ratio=..., region=...)`` — and looked
up in the language's gettext catalog (``dashboard/i18n/locale/<lang>/LC_MESSAGES/cx.po``, managed
with Babel: ``make messages`` extracts the templates and updates the catalogs). Catalogs are read
with Babel and kept in memory; nothing is compiled at install.

The language of the moment is a context variable: the app sets it at the start of each script
run from the session (sidebar selector, ``?lang=``, else ``CX_LOCALE``), the CLI from ``--lang``.
A template without a translation falls back to English (the test suite fails on any such
template, so a release has none); placeholders are filled after the lookup, so a translation may
reorder them but never drop or invent one (tested too).
"""

from __future__ import annotations

import gettext
import os
import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

#: The languages, by code, with their own name for themselves (the selector's labels).
LOCALES: dict[str, str] = {"en": "English", "fa": "فارسی"}
#: Written right to left.
RTL = frozenset({"fa"})
#: The gettext domain: ``locale/<lang>/LC_MESSAGES/cx.po``.
DOMAIN = "cx"
CATALOGS = Path(__file__).with_name("locale")

_current: ContextVar[str | None] = ContextVar("cx_locale", default=None)


class UnknownLocale(ValueError):
    """A language code CX Ledger has no catalog for."""


def check(code: str, source: str = "the language") -> str:
    """``code`` normalised (``fa-IR`` → ``fa``, case-insensitive), or one clear error naming
    ``source`` and the languages there are."""
    norm = (code or "").strip().replace("_", "-").split("-")[0].lower()
    if norm not in LOCALES:
        raise UnknownLocale(f"{source}: unknown language {code!r}; one of "
                            f"{', '.join(LOCALES)}")
    return norm


def default() -> str:
    """``CX_LOCALE`` (``en`` when unset)."""
    return check(os.environ.get("CX_LOCALE") or "en", "CX_LOCALE")


def current() -> str:
    """The language of this run: the one set with :func:`use` / :func:`set_current`, else the
    default."""
    return _current.get() or default()


def set_current(code: str) -> str:
    """Make ``code`` this context's language (the app, at the start of a script run)."""
    code = check(code)
    _current.set(code)
    return code


@contextmanager
def use(code: str) -> Iterator[str]:
    """``with use("fa"):`` — the language inside the block (the CLI, exports, tests)."""
    token = _current.set(check(code))
    try:
        yield code
    finally:
        _current.reset(token)


def is_rtl(code: str | None = None) -> bool:
    """Whether the language (default: the current one) is written right to left."""
    return (code or current()) in RTL


@cache
def catalog(code: str):
    """The Babel catalog of ``code`` as read from its ``.po`` file (None for English)."""
    from babel.messages.pofile import read_po

    if code == "en":
        return None
    path = CATALOGS / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=code, domain=DOMAIN)


@cache
def translations(code: str) -> gettext.NullTranslations:
    """``code``'s catalog compiled in memory (fuzzy entries left out, as ``msgfmt`` does) and
    loaded with the standard library's gettext, which evaluates the plural forms."""
    import io

    from babel.messages.mofile import write_mo

    cat = catalog(code)
    if cat is None:
        return gettext.NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, cat)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


#: A placeholder's value that is a week key or a day, shown as the reader reads it.
_WEEK = re.compile(r"(\d{4}-W\d{2})")
_WEEK_VALUE = re.compile(r"\d{4}-W\d{2}(?:\s*[–-]\s*\d{4}-W\d{2})?")
_DAY_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: How a week key and a day read in a language: ``(week, code) -> str`` and ``(date, code) ->
#: str``, given by the calendar's owner (``warehouse.weeks`` registers its ``week_display``
#: and ``day_display`` when imported: the warehouse counts weeks, this package does not
#: import it).
_NAMES: dict[str, object] = {}


def name_dates_with(week, day) -> None:
    """Register how ``shown`` names a week key and a day (``warehouse.weeks`` does)."""
    _NAMES.update(week=week, day=day)


def shown(template: str, values: dict, code: str | None = None) -> dict:
    """The values of ``template``'s plain placeholders (no format spec) as a reader of
    ``code`` reads them: in English unchanged; in Persian a week key (``2026-W44``) or a range
    of two (``2026-W32 – 2026-W44``) becomes its Jalali week and a day (a ``date`` or
    ``2026-10-31``) its Jalali day (``name_dates_with``). Only a value that is wholly a week
    or a day changes: a name or a customer's text holding one is shown as it is."""
    from datetime import date, datetime

    code = code or current()
    if code == "en" or not _NAMES:
        return values
    week, day = _NAMES["week"], _NAMES["day"]
    plain_fields = {name for _, name, spec, conv in string.Formatter().parse(template)
                    if name and not spec and not conv}
    out = dict(values)
    for name in plain_fields & out.keys():
        v = out[name]
        if isinstance(v, datetime):
            continue
        if isinstance(v, date):
            out[name] = day(v, code)
        elif isinstance(v, str) and _WEEK_VALUE.fullmatch(v.strip()):
            out[name] = _WEEK.sub(lambda m: week(m[1], code), v.strip())
        elif isinstance(v, str) and _DAY_VALUE.fullmatch(v.strip()):
            out[name] = day(date.fromisoformat(v.strip()), code)
    return out


def _(message: str, /, **values) -> str:
    """``message`` in the current language, its ``{placeholders}`` filled from ``values``
    (a week or a day as the reader reads it: ``shown``)."""
    text = translations(current()).gettext(message)
    return text.format(**shown(text, values)) if values else text


def N_(message: str, /) -> str:
    """``message`` marked for the catalogs but not translated here: for texts defined once
    (a module's labels and definitions) and translated where they are shown, ``_(LABEL)`` in
    the language of that run."""
    return message


def ngettext(singular: str, plural: str, n: int, /, **values) -> str:
    """The singular or plural template for ``n`` (available as ``{n}``), translated and filled."""
    text = translations(current()).ngettext(singular, plural, n)
    return text.format(n=n, **shown(text, values))


#: Separators of a list in each language (Persian writes its own comma and semicolon).
_SEPARATORS = {"fa": ("، ", "؛ ")}


def commas(items) -> str:
    """Values listed with commas: ``North, South`` (``شمال، جنوب`` in Persian); the values
    themselves are shown as given."""
    return _SEPARATORS.get(current(), (", ", "; "))[0].join(str(x) for x in items)


def semicolons(items) -> str:
    """Parts of a line separated by semicolons: ``segment: A; region: B``."""
    return _SEPARATORS.get(current(), (", ", "; "))[1].join(str(x) for x in items)


def placeholders(template: str) -> set[str]:
    """The named placeholders of a template (``{ratio}``, ``{region}`` …)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
