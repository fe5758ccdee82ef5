"""Gap-filling datasets: cobalt metal (surrogate) and battery-grade iron phosphate (project addition).

Checks that the surrogate name is an ecoinvent 3.8 cut-off (name, product) pair and the
addition's is not, that every row has unit and source, that biosphere flows exist with the
flow's unit, the hand-computed GWP100 of each new dataset against its source's range, and
the stoichiometry and shares of the bill-of-materials rows that use them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lca_sh_ev.biosphere import flow_index
from lca_sh_ev.data import read_table
from lca_sh_ev.units import canonical

NAMES = Path(__file__).parent / "data" / "ecoinvent_38_cutoff_names.tsv.gz"
GAP_FILES = (
    "surrogate/activities_gaps.csv",
    "surrogate/exchanges_gaps.csv",
    "additions/activities_gaps.csv",
    "additions/exchanges_gaps.csv",
)
# GWP100 factors of the bundled ReCiPe 2016 (H) climate indicator (kg CO2-eq per kg)
GWP100 = {"Carbon dioxide, fossil": 1.0, "Methane, fossil": 36.0, "Dinitrogen monoxide": 298.0}
# IUPAC CIAAW 2021 abridged standard atomic weights (g/mol)
O, P, FE, CO = 15.999, 30.974, 55.845, 58.933
FEPO4 = FE + P + 4 * O


@pytest.fixture(scope="module")
def ecoinvent_38() -> set:
    t = pd.read_csv(NAMES, sep="\t", dtype=str, keep_default_na=False)
    return set(zip(t["name"], t["reference product"]))


def _acts(folder: str) -> pd.DataFrame:
    return read_table(f"{folder}/activities_gaps.csv", numeric=("production_amount",))


def _excs(folder: str) -> pd.DataFrame:
    return read_table(f"{folder}/exchanges_gaps.csv", numeric=("amount",))


def _gwp(folder: str, code: str) -> float:
    ex = _excs(folder)
    ex = ex[(ex["activity_code"] == code) & (ex["type"] == "biosphere")]
    assert len(ex) > 0
    return float(sum(a * GWP100.get(n, 0.0) for n, a in zip(ex["flow_name"], ex["amount"])))


@pytest.mark.parametrize("name", GAP_FILES)
def test_every_row_has_unit_and_source(name):
    table = read_table(name)  # raises on an empty unit or source
    assert len(table) > 0
    assert (table["source"].str.strip() != "").all()


def test_codes_are_prefixed_and_unique():
    codes = list(_acts("surrogate")["code"]) + list(_acts("additions")["code"])
    assert codes and all(c.startswith("gap_") for c in codes)
    assert len(set(codes)) == len(codes)
    for folder in ("surrogate", "additions"):
        assert set(_excs(folder)["activity_code"]) <= set(_acts(folder)["code"])


def test_surrogate_gap_names_are_ecoinvent_38_pairs(ecoinvent_38):
    acts = _acts("surrogate")
    assert ("market for cobalt", "cobalt") in set(zip(acts["name"], acts["reference_product"]))
    for a in acts.itertuples():
        assert (a.name, a.reference_product) in ecoinvent_38, (a.name, a.reference_product)


def test_iron_phosphate_is_a_project_addition_because_38_has_none(ecoinvent_38):
    assert not [pair for pair in ecoinvent_38 if "iron" in pair[1] and "phosphate" in pair[1]]
    acts = _acts("additions")
    assert list(acts["reference_product"]) == ["iron(III) phosphate, battery grade"]
    assert not [(n, p) for n, p in zip(acts["name"], acts["reference_product"]) if (n, p) in ecoinvent_38]


def test_biosphere_flows_exist_with_matching_unit():
    flows = flow_index()
    ex = pd.concat([_excs("surrogate"), _excs("additions")], ignore_index=True)
    assert (ex["type"] == "biosphere").all() and len(ex) == 5
    for e in ex.itertuples(index=False):
        hit = flows.get((e.flow_name, e.flow_categories))
        assert hit is not None, (e.flow_name, e.flow_categories)
        assert canonical(e.unit) == canonical(hit[1])


def test_cobalt_gwp100_hand_computed_and_within_source_range():
    # Ciez & Whitacre 2019 (GREET-based) CoO 8.92 kg CO2/kg, triangular 1.6-14.66, per kg of contained Co
    per_co = (CO + O) / CO
    gwp = _gwp("surrogate", "gap_cobalt")
    assert gwp == pytest.approx(8.92 * per_co, rel=1e-5)
    assert gwp == pytest.approx(11.342, abs=1e-3)
    assert 1.6 * per_co <= gwp <= 14.66 * per_co


def test_cobalt_so2_and_pm_on_the_cobalt_sulfate_basis():
    ex = _excs("surrogate").set_index("flow_name")["amount"]
    hydroxide_per_co = 1.0868 / 0.38  # Dai et al. 2018 via premise lci-cobalt.xlsx
    assert ex["Sulfur dioxide"] == pytest.approx(2.30125e-3 * hydroxide_per_co, rel=1e-5)
    assert ex["Particulate Matter, < 2.5 um"] == pytest.approx(2.70908e-5 * 53.565 * hydroxide_per_co, rel=1e-5)
    # the cobalt sulfate surrogate carries the same per-kg-Co emissions times 0.20966 kg Co per kg salt
    salt = read_table("surrogate/exchanges_battery.csv", numeric=("amount",))
    salt = salt[salt["activity_code"] == "bat_cobalt_sulfate"].set_index("flow_name")["amount"]
    assert salt["Sulfur dioxide"] == pytest.approx(ex["Sulfur dioxide"] * 0.20966, rel=1e-3)


def test_iron_phosphate_gwp100_hand_computed_and_within_source_range():
    # 1 mol FeSO4 (151.908 g) + 1 mol H3PO4 (97.994 g) per mol FePO4; Ciez & Whitacre mode/min/max per kg
    h3po4, feso4 = 97.994 / FEPO4, 151.908 / FEPO4
    gwp = _gwp("additions", "gap_iron_phosphate")
    assert gwp == pytest.approx(h3po4 * 0.64 + feso4 * 0.428621844, rel=1e-5)
    assert gwp == pytest.approx(0.8476, abs=1e-4)
    assert h3po4 * 0.639 + feso4 * 0.414769302 <= gwp <= h3po4 * 0.641 + feso4 * 0.615799751


def test_lfp_iron_phosphate_is_stoichiometric_from_batpac_phosphorus():
    comps = read_table("foreground/components_battery.csv", numeric=("amount",))
    row = comps[(comps["component"] == "battery, Li-ion, LFP") & (comps["flow_product"] == "iron(III) phosphate, battery grade")]
    assert len(row) == 1
    assert row["amount"].iloc[0] == pytest.approx(0.3916 * FEPO4 / P, rel=1e-5)
    assert row["amount"].iloc[0] == pytest.approx(1.9067, abs=1e-4)
    bm = read_table("foreground/battery_materials.csv", numeric=("value",)).set_index(["chemistry", "material"])["value"]
    assert bm[("LFP", "P")] == pytest.approx(0.3916)


def test_nimh_cobalt_share_matches_battery_materials_and_shares_stay_below_one():
    comps = read_table("foreground/components_battery.csv", numeric=("amount",))
    nimh = comps[comps["component"] == "battery, NiMH"]
    bm = read_table("foreground/battery_materials.csv", numeric=("value",)).set_index(["chemistry", "material"])["value"]
    co = nimh[nimh["flow_name"] == "market for cobalt"]["amount"]
    assert len(co) == 1 and co.iloc[0] == pytest.approx(bm[("NiMH", "Co")]) == pytest.approx(0.03)
    # per kg of pack: the linked materials are part of the pack, never more than all of it
    assert nimh["unit"].map(canonical).eq(canonical("kilogram")).all()
    assert nimh["amount"].sum() <= 1.0
