"""Vehicle materials: surrogate cradle-to-gate activities and the vehicle bills of materials.

Checks the data contract of the materials files, the biosphere flow names and
units, that every bill-of-materials input is a surrogate activity of the
materials files, that glider and powertrain material shares sum to one, the
waste-treatment sign convention, the GREET-ratio split of CO2e values into
CO2/CH4/N2O, and pins the cradle-to-gate GWP100 of the key metals against the
published values they come from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lca_sh_ev.biosphere import flow_index
from lca_sh_ev.data import read_table
from lca_sh_ev.errors import UserInputError
from lca_sh_ev.units import canonical

ACTIVITIES = "surrogate/activities_materials.csv"
EXCHANGES = "surrogate/exchanges_materials.csv"
COMPONENTS = "foreground/components_vehicle.csv"

# GWP100 factors of the bundled ReCiPe 2016 v1.03 (H) climate indicator (kg CO2-eq per kg);
# test_gwp_factors_match_bundled_method checks them against the bw2io file.
GWP100 = {"Carbon dioxide, fossil": 1.0, "Methane, fossil": 36.0, "Dinitrogen monoxide": 298.0}

# GREET passenger-car vehicle-production emissions per vehicle (g), the proxy ratios' source
# (pmbusch/USA-EV-Lithium-GHG Inputs/Prod_Veh.csv, ICE CAR).
GREET_CO2, GREET_CH4, GREET_N2O = 5563226.0, 12872.231, 167.407

# Allowed deviation of material shares from 1 kg per kg.  The bills of materials carry no
# manufacturing scrap (documented in README_vehicle.md), so only rounding is tolerated.
SHARE_TOLERANCE = 1e-5


def _acts() -> pd.DataFrame:
    return read_table(ACTIVITIES, required=("code", "name", "reference_product", "location", "unit"),
                      numeric=("production_amount",))


def _excs() -> pd.DataFrame:
    return read_table(EXCHANGES, required=("activity_code", "type", "flow_name"), numeric=("amount",))


def _comps() -> pd.DataFrame:
    return read_table(COMPONENTS, required=("component", "component_unit", "flow_name", "flow_product", "flow_location"),
                      numeric=("amount",))


def cradle_to_gate_gwp(acts: pd.DataFrame, excs: pd.DataFrame) -> dict[str, float]:
    """GWP100 (kg CO2-eq) per one unit of reference product of every activity in the tables.

    Solves ``A^T s = b`` with ``A`` the technosphere matrix (production amounts on the
    diagonal, inputs negative) and ``b`` the direct GWP of each activity, so the
    per-unit score follows ecoinvent's sign convention for treatments (production -1).

    Raises
    ------
    UserInputError
        A technosphere input names no activity of the tables.
    """
    codes = list(acts["code"])
    idx = {c: i for i, c in enumerate(codes)}
    triple = {(n, p, loc): c for n, p, loc, c in
              zip(acts["name"], acts["reference_product"], acts["location"], acts["code"])}
    a = np.diag(acts["production_amount"].to_numpy(dtype=float))
    b = np.zeros(len(codes))
    for e in excs.itertuples(index=False):
        j = idx[e.activity_code]
        if e.type == "technosphere":
            key = (e.flow_name, e.flow_product, e.flow_location)
            if key not in triple:
                raise UserInputError(f"exchange of {e.activity_code!r}: no activity {key!r} in the materials tables")
            a[idx[triple[key]], j] -= e.amount
        else:
            b[j] += GWP100.get(e.flow_name, 0.0) * e.amount
    s = np.linalg.solve(a.T, b)
    return dict(zip(codes, s))


@pytest.fixture(scope="module")
def gwp() -> dict[str, float]:
    return cradle_to_gate_gwp(_acts(), _excs())


# ---------------------------------------------------------------- data contract

@pytest.mark.parametrize("name", [ACTIVITIES, EXCHANGES, COMPONENTS])
def test_every_row_has_unit_and_source(name):
    table = read_table(name)  # raises on an empty unit or source
    assert len(table) > 0
    assert (table["source"].str.len() > 20).all(), "sources must name a publication or dataset"


def test_missing_source_is_rejected(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,unit,source\nx,kilogram,\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="source"):
        read_table(bad)


def test_codes_and_triples_unique_and_units_ecoinvent():
    acts = _acts()
    assert not acts["code"].duplicated().any()
    assert not acts[["name", "reference_product", "location"]].duplicated().any()
    assert set(acts["unit"]) == {"kilogram"}
    assert set(acts["location"]) <= {"GLO", "RoW", "RER"}


def test_market_names_are_ecoinvent_38_names():
    """Names checked against premise 2.5 / randonneur 3.7.1->3.8 ecoinvent name lists (copied here)."""
    expected = {
        ("market for steel, low-alloyed", "steel, low-alloyed", "GLO"),
        ("market for steel, chromium steel 18/8", "steel, chromium steel 18/8", "GLO"),
        ("market for aluminium, primary, ingot", "aluminium, primary, ingot", "RoW"),
        ("market for aluminium, wrought alloy", "aluminium, wrought alloy", "GLO"),
        ("market for aluminium, cast alloy", "aluminium, cast alloy", "GLO"),
        ("market for copper, cathode", "copper, cathode", "GLO"),
        ("market for polypropylene, granulate", "polypropylene, granulate", "GLO"),
        ("market for polyethylene, high density, granulate", "polyethylene, high density, granulate", "GLO"),
        ("market for flat glass, uncoated", "flat glass, uncoated", "RER"),
        ("market for synthetic rubber", "synthetic rubber", "GLO"),
        ("treatment of used glider, passenger car, shredding", "used glider, passenger car", "GLO"),
        ("treatment of used internal combustion engine, passenger car, shredding",
         "used internal combustion engine, passenger car", "GLO"),
        ("market for used powertrain from electric passenger car, manual dismantling",
         "used powertrain from electric passenger car, manual dismantling", "GLO"),
    }
    acts = _acts()
    assert set(zip(acts["name"], acts["reference_product"], acts["location"])) == expected


def test_biosphere_flows_exist_with_matching_unit():
    flows = flow_index()
    bio = _excs().query("type == 'biosphere'")
    assert len(bio) > 50
    for e in bio.itertuples(index=False):
        hit = flows.get((e.flow_name, e.flow_categories))
        assert hit is not None, f"unknown flow {e.flow_name!r} in {e.flow_categories!r}"
        assert canonical(e.unit) == canonical(hit[1])


def test_minimum_substances_booked_on_every_produced_material():
    needed = {"Carbon dioxide, fossil", "Methane, fossil", "Dinitrogen monoxide", "Sulfur dioxide", "Nitrogen oxides",
              "Particulate Matter, < 2.5 um", "NMVOC, non-methane volatile organic compounds", "Carbon monoxide, fossil"}
    excs = _excs()
    direct = {"mat_steel_low_alloyed", "mat_steel_chromium_18_8", "mat_aluminium_primary_ingot", "mat_copper_cathode",
              "mat_polypropylene", "mat_hdpe", "mat_flat_glass"}
    for code in direct:
        booked = set(excs.query("activity_code == @code and type == 'biosphere'")["flow_name"])
        assert needed <= booked, f"{code} lacks {needed - booked}"


def test_copper_smelter_metal_emissions_pinned():
    """German IIR 2023, NFR 2.C.7.a Tier-1 factors: As 7, Cd 15, Cu 57, Hg 0.031, Pb 16 g per t copper."""
    cu = _excs().query("activity_code == 'mat_copper_cathode' and type == 'biosphere'")
    amounts = cu.groupby("flow_name")["amount"].sum()
    assert amounts["Arsenic ion"] == pytest.approx(7e-6)
    assert amounts["Cadmium II"] == pytest.approx(15e-6)
    assert amounts["Copper ion"] == pytest.approx(57e-6)
    assert amounts["Mercury II"] == pytest.approx(0.031e-6)
    assert amounts["Lead II"] == pytest.approx(16e-6)


def test_technosphere_inputs_resolve_within_materials_files():
    acts, excs = _acts(), _excs()
    triples = set(zip(acts["name"], acts["reference_product"], acts["location"]))
    tech = excs.query("type == 'technosphere'")
    assert len(tech) >= 3
    for e in tech.itertuples(index=False):
        assert (e.flow_name, e.flow_product, e.flow_location) in triples


def test_unresolved_input_is_reported():
    acts, excs = _acts(), _excs()
    broken = excs.copy()
    first = broken.index[broken["type"] == "technosphere"][0]
    broken.loc[first, "flow_location"] = "XX"
    with pytest.raises(UserInputError, match="no activity"):
        cradle_to_gate_gwp(acts, broken)


# ---------------------------------------------------------------- waste convention

def test_treatments_produce_minus_one_and_are_consumed_negatively():
    acts, comps = _acts(), _comps()
    treat = acts[acts["name"].str.startswith("treatment of") | acts["reference_product"].str.startswith("used ")]
    assert len(treat) == 3
    assert (treat["production_amount"] == -1.0).all()
    assert (acts.drop(treat.index)["production_amount"] == 1.0).all()
    eol = comps[comps["component"].str.startswith("end of life")]
    single = eol[eol["component"] != "end of life, powertrain, HEV"]
    assert len(single) == 3 and (single["amount"] == -1.0).all()
    # HEV powertrain waste: 0.75 kg ICE + 0.25 kg electric drive per kg (same split as its bill of materials)
    hev = eol[eol["component"] == "end of life, powertrain, HEV"]
    assert sorted(hev["amount"]) == [-0.75, -0.25]


def test_treatment_burden_scales_positively_with_waste_input():
    """A consumer inputs -m kg of waste; burden = (-m / -1) x burden per treated kg >= 0."""
    acts = _acts().copy()
    excs = _excs().copy()
    # give the glider treatment a hand-made burden of 0.5 kg CO2 per kg treated
    excs.loc[len(excs)] = {**excs.iloc[0].to_dict(), "activity_code": "eol_used_glider_shredding",
                           "type": "biosphere", "flow_name": "Carbon dioxide, fossil", "amount": 0.5}
    per_unit = cradle_to_gate_gwp(acts, excs)["eol_used_glider_shredding"]
    # score per one unit of reference product (-1 kg waste) is -0.5; a 1,300 kg car inputs -1,300 kg
    assert per_unit == pytest.approx(-0.5)
    assert -1300.0 * per_unit == pytest.approx(650.0)


# ---------------------------------------------------------------- bills of materials

def test_every_component_input_is_a_materials_surrogate_with_same_unit():
    acts, comps = _acts(), _comps()
    unit_of = {(n, p, loc): u for n, p, loc, u in
               zip(acts["name"], acts["reference_product"], acts["location"], acts["unit"])}
    for c in comps.itertuples(index=False):
        key = (c.flow_name, c.flow_product, c.flow_location)
        assert key in unit_of, f"{c.component}: {key} is not a materials surrogate activity"
        assert canonical(c.unit) == canonical(unit_of[key])
    assert not ((comps["flow_name"] == "market for electricity, medium voltage")).any()


@pytest.mark.parametrize("component", ["glider", "powertrain, BEV", "powertrain, ICEV", "powertrain, HEV"])
def test_material_shares_sum_to_one(component):
    comps = _comps()
    rows = comps[comps["component"] == component]
    assert (rows["component_unit"] == "kilogram").all()
    assert (rows["amount"] > 0).all()
    assert rows["amount"].sum() == pytest.approx(1.0, abs=SHARE_TOLERANCE)


def test_hev_powertrain_is_three_to_one_mix_of_ice_and_electric_drive():
    comps = _comps()
    share = {k: g.set_index("flow_name")["amount"] for k, g in comps.groupby("component")}
    steel = "market for steel, low-alloyed"
    assert share["powertrain, HEV"][steel] == pytest.approx(
        0.75 * share["powertrain, ICEV"][steel] + 0.25 * share["powertrain, BEV"][steel], abs=1e-6)


def test_maintenance_tyres_per_km_hand_computed():
    """4 tyres x 25 lb / 60,000 mi = 45.36 kg / 96,560.6 km = 4.6975e-4 kg/km."""
    comps = _comps()
    m = comps[comps["component"].str.startswith("maintenance")]
    assert set(m["component"]) == {"maintenance, ICEV", "maintenance, HEV", "maintenance, BEV"}
    assert (m["component_unit"] == "kilometer").all()
    assert np.allclose(m["amount"], 4 * 11.33980925 / 96560.64, rtol=1e-5)


# ---------------------------------------------------------------- GHG split and GWP pins

def test_gwp_factors_match_bundled_method():
    import json
    import os
    import zipfile

    import bw2io

    path = os.path.join(os.path.dirname(bw2io.__file__), "data", "lcia", "lcia_39_ecoinvent.zip")
    with zipfile.ZipFile(path) as z:
        methods = json.loads(z.read("data.json"))
    name = ["ReCiPe 2016 v1.03, midpoint (H)", "climate change", "global warming potential (GWP1000)"]
    cc = next(m for m in methods if list(m["name"]) == name)
    cf = {e["name"]: e["amount"] for e in cc["exchanges"]
          if list(e["categories"]) == ["air", "non-urban air or from high stacks"]}
    for flow, factor in GWP100.items():
        assert cf[flow] == factor
    assert "Carbon monoxide, fossil" not in cf


def test_co2e_split_reproduces_source_value_hand_computed():
    """IAI 2022: 15.1 kg CO2e/kg.  CO2 = 15.1 / (1 + 36 r_CH4 + 298 r_N2O), r from GREET."""
    r_ch4, r_n2o = GREET_CH4 / GREET_CO2, GREET_N2O / GREET_CO2
    co2 = 15.1 / (1 + 36 * r_ch4 + 298 * r_n2o)
    assert co2 == pytest.approx(13.8245, rel=1e-4)
    al = _excs().query("activity_code == 'mat_aluminium_primary_ingot'").groupby("flow_name")["amount"].sum()
    assert al["Carbon dioxide, fossil"] == pytest.approx(co2, rel=1e-5)
    assert al["Methane, fossil"] == pytest.approx(co2 * r_ch4, rel=1e-5)
    assert al["Dinitrogen monoxide"] == pytest.approx(co2 * r_n2o, rel=1e-5)


def test_gwp_primary_aluminium_ingot_iai(gwp):
    """IAI primary aluminium GHG intensity 15.1 t CO2e/t (2022; 15.8 in 2021, ~16-17 for 2019 LCI)."""
    assert gwp["mat_aluminium_primary_ingot"] == pytest.approx(15.1, rel=1e-4)
    assert 14.5 <= gwp["mat_aluminium_primary_ingot"] <= 17.0


def test_gwp_low_alloyed_steel_worldsteel(gwp):
    """worldsteel 2022: 1.91 t CO2/t crude steel; CH4 and N2O by GREET ratios add 9.2 % -> 2.086."""
    expected = 1.91 * (1 + 36 * GREET_CH4 / GREET_CO2 + 298 * GREET_N2O / GREET_CO2)
    assert gwp["mat_steel_low_alloyed"] == pytest.approx(expected, rel=1e-5)
    assert 1.8 <= gwp["mat_steel_low_alloyed"] <= 2.3


def test_gwp_copper_cathode_ica(gwp):
    """ICA copper environmental profile: about 4.1 kg CO2e per kg cathode."""
    assert gwp["mat_copper_cathode"] == pytest.approx(4.1, rel=1e-4)
    assert 3.5 <= gwp["mat_copper_cathode"] <= 5.0


def test_gwp_other_materials_pinned(gwp):
    assert gwp["mat_flat_glass"] == pytest.approx(12.24 / 10.0, rel=1e-4)     # 12.24 kg/m2, 10 kg/m2
    assert gwp["mat_polypropylene"] == pytest.approx(1.63, rel=1e-4)          # PlasticsEurope 2014
    assert gwp["mat_hdpe"] == pytest.approx(1.80, rel=1e-4)                   # PlasticsEurope 2014
    assert 1.95 <= gwp["mat_steel_chromium_18_8"] / 1.0923 <= 6.8            # worldstainless 2023 range
    assert gwp["mat_aluminium_wrought_alloy"] == pytest.approx(gwp["mat_aluminium_primary_ingot"])
    assert gwp["mat_synthetic_rubber"] == pytest.approx(gwp["mat_polypropylene"])


def test_glider_gwp_per_kg_in_plausible_range(gwp):
    """Material GWP of 1 kg glider: sum of shares x material GWP (hand check of the bill)."""
    acts, comps = _acts(), _comps()
    code_of = {(n, p, loc): c for n, p, loc, c in
               zip(acts["name"], acts["reference_product"], acts["location"], acts["code"])}
    glider = comps[comps["component"] == "glider"]
    total = sum(r.amount * gwp[code_of[(r.flow_name, r.flow_product, r.flow_location)]]
                for r in glider.itertuples(index=False))
    # steel 0.64 x 2.086 + stainless 0.01 x 4.04 + Al 0.08 x 15.1 + Cu 0.02 x 4.1 + plastics/rubber 0.21 x ~1.65 + glass 0.04 x 1.224
    assert total == pytest.approx(3.08, abs=0.05)
