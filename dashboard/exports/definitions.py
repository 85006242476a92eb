"""What the charts without a metric-registry definition show (speaker notes, PDF foot), and
the band line of observed money. No Streamlit here."""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.i18n import N_

#: What the charts without a metric-registry definition show (speaker notes, PDF foot).
DEFINITIONS: Mapping[str, str] = {
    "sat_trend": N_("The chosen score per group and period with its 95% interval (NPS: Wilson "
                 "intervals on the promoter and detractor shares; CSAT: Wilson; CES: t); "
                 "bases under 30 are gaps."),
    "sat_mix": N_("Share of promoters (9–10), passives (7–8) and detractors (0–6) among the NPS "
               "answers of each period."),
    "sat_distribution": N_("Share of answers at each score of the chosen survey, selected week "
                        "against the comparison week."),
    "sat_gap": N_("Perceived minus expected score per touchpoint over the last 26 weeks: paired "
               "answers, mean difference with a t interval; below zero = below expectation."),
    "cmp_volume": N_("Complaints opened each week and the rate per 1,000 customers active at the "
                  "week's start (exact Poisson interval)."),
    "cmp_pareto": N_("Complaints opened in the 13 weeks to the selected week by category, largest "
                  "first, with the cumulative share."),
    "cmp_severity": N_("Share of the week's complaints at each severity."),
    "cmp_resolution": N_("Hours from opening to resolution of the complaints resolved each week: "
                      "median and 90th percentile."),
    "cmp_backlog": N_("Complaints still open at the end of the selected week by age, split by "
                   "whether the customer has since left."),
    "cmp_compensation": N_("Compensation paid each week and the mean per compensated complaint."),
    "cts_channels": N_("Each channel's share of the week's contacts and of their cost (contacts "
                    "× the unit cost in force)."),
    "cts_segments": N_("Cost to serve per active customer in the week by segment (contact cost / "
                    "active customers) with a 95% interval; change against the comparison "
                    "week tested with Benjamini–Hochberg correction."),
    "cts_mix": N_("Each channel's share of all contacts per week; the self-service launch is "
               "detected from the data."),
    "cts_repeat": N_("Repeat contacts: a contact by the same customer for the same reason within "
                  "7 days of an earlier one, as a share of contacts (Wilson interval)."),
}

#: Observed money drawn without an interval.
OBSERVED = N_("observed values (booked costs and revenue), no interval")
