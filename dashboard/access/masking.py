"""Personal data masked in customers' own words (verbatims, complaint texts) for a person whose
roles do not include personal data (``personal_text``): e-mail addresses, card numbers,
national id numbers and phone numbers, in Latin, Persian or Arabic-Indic digits, each replaced
by a bracketed word. The text around them is kept as written."""

from __future__ import annotations

import re

#: A digit as customers write it: Latin, Persian (۰–۹) or Arabic-Indic (٠–٩).
_D = "[0-9\u06f0-\u06f9\u0660-\u0669]"
#: What may sit between a number's digits: spaces, dashes, dots, slashes.
_SEP = r"[ \-./\u200c]?"

EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
#: 13 to 19 digits in groups (payment cards).
CARD = re.compile(rf"(?<!{_D})(?:{_D}{_SEP}){{12,18}}{_D}(?!{_D})")
#: Ten digits, optionally written 3-6-1 (an Iranian national id, کد ملی).
NATIONAL_ID = re.compile(rf"(?<!{_D}){_D}{{3}}{_SEP}{_D}{{6}}{_SEP}{_D}(?!{_D})")
#: A phone number: an optional +, then 9 to 14 digits in groups (an area code may be in
#: brackets); fewer digits (an order number, a date) are left alone.
PHONE = re.compile(rf"(?<![\w{_D[1:-1]}])\+?(?:{_D}{_SEP}|\({_D}+\){_SEP}){{8,13}}{_D}(?!{_D})")

MASKS = (("[e-mail]", EMAIL), ("[card]", CARD), ("[national id]", NATIONAL_ID),
         ("[phone]", PHONE))


def mask_personal(text: object) -> str:
    """``text`` with e-mail addresses, card, national id and phone numbers replaced."""
    out = "" if text is None else str(text)
    for word, pattern in MASKS:
        out = pattern.sub(word, out)
    return out


def shown_text(text: object, may_see_personal: bool) -> str:
    """A customer's words as a person may see them: as written with the personal-data right,
    masked without it."""
    return ("" if text is None else str(text)) if may_see_personal else mask_personal(text)
