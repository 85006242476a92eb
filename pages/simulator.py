"""Impact simulator — "What would an improvement be worth, and how sure are we?"

Move the levers (NPS by segment with an explicit migration rule, complaint rate, first-contact
resolution, phone contacts moved to self-service) and read the modelled revenue retained, cost
saved and profit impact over the horizon as P10–P90 bands, the chance the profit impact exceeds
the programme cost, which assumption drives the answer (tornado), the distribution of the draws,
saved scenarios side by side, and published rules of thumb kept apart as external context.
"""

import streamlit as st

from dashboard.exports import exhibits, tables
from dashboard.i18n import _
from dashboard.money import inputs as money
from dashboard.money import sim_texts, whatif
from dashboard.money import simulate as sim
from dashboard.ui import common as ui
from dashboard.ui import simulator as ui_sim

catalog = ui.catalog()
filters = ui.current_filters(catalog)
aset = ui.assumption_set()
ui.page_header(_("Impact simulator"),
               _("What would an improvement be worth, and how sure are we?"), filters)
coverage = ui.require_loaded("Impact simulator")
inputs = money.fetch_inputs(ui.fetch, filters, aset, coverage)
estimates = money.category_estimates(inputs)
segments = tuple(sorted(s for s in estimates["segment"].unique() if s != money.ALL))
split_note = catalog.dims.no_split("segment")  # one segment: no lever or chart by segment

st.subheader(_("Levers"))
levers = ui_sim.lever_controls(segments, int(inputs.number("analysis_horizon_years", 3)),
                               coverage, split_note)
result = sim.simulate(estimates, inputs, levers)

st.subheader(_("What it is worth"))
for col, fig in zip(st.columns(3), result.figures, strict=True):
    with col:
        ui.money_tile(fig, inputs.symbol)
ui_sim.probability_tile(result)
ui.method_note(sim_texts.method_note(result))
for line in result.notes:
    ui.note(line)
if not result.components.empty:
    ui.takeaway_table(sim_texts.components_table(result), "sim_components",
                      sim_texts.components_takeaway(result),
                      data=lambda: tables.sim_components(result))

st.subheader(_("What drives the answer"))
values = sim.point_values(estimates, inputs, levers.migration_rule, levers.horizon_years)
ex = exhibits.simulator_exhibits(result, values, levers, split_note,
                                 _("data {window}", window=inputs.window_text))
if levers.is_zero:
    ui.note(sim_texts.tornado_takeaway(result))
else:
    ui.side_by_side(ex, "sim_tornado", "sim_draws")
ui.exhibit_or_note(ex, "sim_point_values", sim_texts.point_values_takeaway(values, result))

st.subheader(_("Scenarios"))
saved = ui_sim.scenario_panel(levers, aset.id, segments)
scenarios = whatif.scenario_levers(saved)
if scenarios:
    compared = sim_texts.scenario_numbers(estimates, inputs, scenarios)
    ui.takeaway_table(sim_texts.compare_scenarios(estimates, inputs, scenarios, numbers=compared),
                      "sim_compare", sim_texts.comparison_takeaway(len(scenarios), aset.id),
                      data=lambda: tables.sim_scenarios(compared))
else:
    ui.note(sim_texts.comparison_takeaway(0, aset.id))

ui.external_context("sim_external")
