"""The impact simulator's formulas, one per output, as its method notes quote them
(``dashboard.money.simulate``'s figures)."""

from __future__ import annotations

from dashboard import i18n
from dashboard.i18n import N_, _
from dashboard.i18n.numbers import localize

#: Each output's formula (translated where used, ``formula``).
FORMULAS = {
    "revenue_retained": N_(
        "Σ moved customers × φ × [R_dest × S(1 − c_dest) − R_src × S(1 − c_src)] + complainants "
        "avoided a year × φ × (c_complainant − c_other) × R × W(1 − c_other); "
        "S(r) = Σ_{t=1..H} r^t / (1 + d)^t, W(r) = Σ_{t=1..H} (1 + d)^−t Σ_{i<t} r^i"),
    "cost_saved": N_(
        "Σ moved × φ × [CTS_src × S(1 − c_src) − CTS_dest × S(1 − c_dest)] − complainants "
        "avoided × φ × (c_complainant − c_other) × CTS × W(1 − c_other) + [complaints avoided × "
        "(handling + compensation) + FCR pp × assisted contacts × repeats per unresolved × "
        "CPC of repeats + phone contacts moved × (CPC_phone − CPC_self-service)] a year × "
        "Σ_{t=1..H} (1 + d)^−t"),
    "profit_impact": N_("gross margin × revenue retained + cost saved"),
}


def formula(key: str) -> str:
    """The formula of output ``key`` in the current language, its digits as the reader writes
    them (the ``{t=1..H}`` of a sum is the formula's own notation, not a placeholder)."""
    text = _(FORMULAS[key])
    return text if i18n.current() == "en" else localize(text)
