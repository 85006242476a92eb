"""Satisfaction's expectation gap: the mean of (perceived − expected) per touchpoint on the
answers carrying both, with its t 95% interval, and its takeaway (``satisfaction`` draws it)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.i18n import _
from dashboard.metrics import display, stats
from dashboard.warehouse import config


def expectation_gap(gaps: pd.DataFrame) -> pd.DataFrame:
    """Mean of (perceived − expected) per touchpoint on answers carrying both, t 95% interval.

    Rows are labelled by touchpoint (with the survey and scale when several are present); shown
    rows come first, sorted worst (most negative) first, then withheld rows by base.
    """
    cols = ["label", "touchpoint", "survey", "scale", "n", "gap", "ci_low", "ci_high",
            "perceived_mean", "expected_mean", "status"]
    if gaps.empty:
        return pd.DataFrame(columns=cols)
    scales = {(r.survey, int(r.scale_min), int(r.scale_max))
              for r in gaps.itertuples(index=False)}
    rows = []
    for r in gaps.itertuples(index=False):
        n = int(r.paired_count)
        est = stats.mean(float(r.gap_sum), float(r.gap_sq_sum), n)
        scale = f"{int(r.scale_min)}–{int(r.scale_max)}"
        label = display.name(r.touchpoint)
        if len(scales) > 1:
            label += f" · {display.name(r.survey)} {scale}"
        rows.append({
            "label": label, "touchpoint": str(r.touchpoint), "survey": str(r.survey),
            "scale": scale, "n": n, "gap": est.value, "ci_low": est.ci_low,
            "ci_high": est.ci_high,
            "perceived_mean": float(r.perceived_sum) / n if est.shown else None,
            "expected_mean": float(r.expected_sum) / n if est.shown else None,
            "status": est.status,
        })
    out = pd.DataFrame(rows, columns=cols)
    shown = out[out["gap"].notna()].sort_values(["gap", "label"])
    hidden = out[out["gap"].isna()].sort_values(["n", "label"], ascending=[False, True])
    return pd.concat([shown, hidden], ignore_index=True)


def gap_takeaway(gap: pd.DataFrame, window: Any, by_touchpoint: bool = True) -> str:
    """The touchpoint where perception falls furthest below expectation (``window``: the
    report's ``satisfaction.Window``, read for its span), with its interval (the
    gap of all answers, unnamed, when there is a single touchpoint)."""
    if gap.empty:
        return _("No answers in the last {span} carry an expectation score.",
                 span=window.span)
    shown = gap[gap["gap"].notna()]
    if shown.empty:
        top = gap.iloc[0]
        return _("No touchpoint has {least} answers carrying both scores in the last {span} "
                 "(most: {touchpoint}, n = {n}).", least=display.number(config.MIN_BASE, 0),
                 span=window.span, touchpoint=top["label"], n=display.number(int(top["n"]), 0))
    w = shown.iloc[0]
    low, high = (display.number(int(x), 0) for x in str(w["scale"]).split("–"))
    values = {"gap": display.signed(w["gap"]), "low": display.signed(w["ci_low"]),
              "high": display.signed(w["ci_high"]), "n": display.number(int(w["n"]), 0),
              "scale": f"{low}–{high}",
              "span": window.span, "touchpoint": w["label"]}
    below = w["gap"] < 0
    if by_touchpoint and below:
        return _("Perceived fell furthest below expected at {touchpoint}: {gap} points (95% CI "
                 "{low} to {high}, n = {n} paired answers, below expectation on the {scale} "
                 "scale) over the last {span}.", **values)
    if by_touchpoint:
        return _("Perceived came closest to expected at {touchpoint}: {gap} points (95% CI "
                 "{low} to {high}, n = {n} paired answers, above expectation on the {scale} "
                 "scale) over the last {span}.", **values)
    if below:
        return _("Perceived fell below expected: {gap} points (95% CI {low} to {high}, n = {n} "
                 "paired answers, below expectation on the {scale} scale) over the last "
                 "{span}.", **values)
    return _("Perceived rose above expected: {gap} points (95% CI {low} to {high}, n = {n} "
             "paired answers, above expectation on the {scale} scale) over the last {span}.",
             **values)
