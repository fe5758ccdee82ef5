"""Battery data: surrogate precursor salts, assembly, landfill; bills of materials, recovery rates, credits.

Checks the data contract of the battery files, the stoichiometry of every credit
factor (hand-computed from IUPAC atomic weights), the BatPaC 5.1 pins, the
waste-treatment sign convention and the GWP100 of the credited precursor salts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lca_sh_ev.biosphere import flow_index
from lca_sh_ev.data import read_table
from lca_sh_ev.errors import UserInputError
from lca_sh_ev.linking import Provider, ProviderIndex
from lca_sh_ev.surrogate import ADDITIONS_DB, SURROGATE_DB, build_records
from lca_sh_ev.surrogate import load_tables as _load_folder
from lca_sh_ev.units import canonical

BATTERY_FILES = (
    "surrogate/activities_battery.csv",
    "surrogate/exchanges_battery.csv",
    "additions/activities_battery.csv",
    "additions/exchanges_battery.csv",
    "foreground/components_battery.csv",
    "foreground/battery_materials.csv",
    "foreground/recovery_rates.csv",
    "foreground/credits.csv",
)

# IUPAC CIAAW 2021 abridged standard atomic weights (g/mol)
H, C, O, S, LI, MN, CO, NI = 1.008, 12.011, 15.999, 32.06, 6.94, 54.938, 58.933, 58.693
WATER = 2 * H + O

# GWP100 factors of the bundled ReCiPe 2016 (H) climate indicator (kg CO2-eq per kg)
GWP100 = {"Carbon dioxide, fossil": 1.0, "Methane, fossil": 36.0, "Dinitrogen monoxide": 298.0}


def _table(name: str) -> pd.DataFrame:
    return read_table(name)


def load_tables():
    """Surrogate and project-addition datasets together (battery landfill and assembly are additions)."""
    parts = [_load_folder("surrogate"), _load_folder("additions")]
    return pd.concat([p[0] for p in parts], ignore_index=True), pd.concat([p[1] for p in parts], ignore_index=True)


def _both(kind: str) -> pd.DataFrame:
    return pd.concat([_table(f"surrogate/{kind}_battery.csv"), _table(f"additions/{kind}_battery.csv")],
                     ignore_index=True)


def _all_records() -> dict:
    records = build_records()
    index = ProviderIndex.from_providers(
        Provider(k[0], k[1], d["name"], d["reference product"], d["location"], d["unit"]) for k, d in records.items())
    records.update(build_records(ADDITIONS_DB, folder="additions", index=index))
    return records


def _battery_activity_codes() -> set[str]:
    return set(_both("activities")["code"])


def _gwp_per_unit() -> dict[tuple[str, str, str], float]:
    """Cradle-to-gate GWP100 of one unit of every surrogate activity (small dense solve)."""
    acts, excs = load_tables()
    codes = list(acts["code"])
    idx = {c: i for i, c in enumerate(codes)}
    triple = {(n, p, loc): c for n, p, loc, c in zip(acts["name"], acts["reference_product"], acts["location"], acts["code"])}
    n = len(codes)
    a = np.zeros((n, n))
    b = np.zeros(n)
    for i, pa in enumerate(acts["production_amount"]):
        a[i, i] = pa
    for e in excs.itertuples(index=False):
        j = idx[e.activity_code]
        if e.type == "technosphere":
            i = idx[triple[(e.flow_name, e.flow_product, e.flow_location)]]
            a[i, j] -= e.amount
        elif e.type == "biosphere":
            b[j] += e.amount * GWP100.get(e.flow_name, 0.0)
    # score per unit output of activity j: s = b A^-1 (row vector)
    s = np.linalg.solve(a.T, b)
    return {k: s[idx[c]] for k, c in triple.items()}


@pytest.mark.parametrize("name", BATTERY_FILES)
def test_every_row_has_unit_and_source(name):
    table = read_table(name)  # raises on an empty unit or source
    assert len(table) > 0
    assert (table["unit"].str.strip() != "").all() and (table["source"].str.strip() != "").all()


def test_missing_source_is_rejected(tmp_path):
    path = tmp_path / "credits.csv"
    path.write_text("material,value,unit,source\nNi,4.4782,kg/kg,\n")
    with pytest.raises(UserInputError, match="source"):
        read_table(path)


def test_biosphere_flows_exist_with_matching_unit():
    flows = flow_index()
    ex = _both("exchanges")
    bio = ex[ex["type"] == "biosphere"]
    assert len(bio) >= 15
    for e in bio.itertuples(index=False):
        hit = flows.get((e.flow_name, e.flow_categories))
        assert hit is not None, (e.flow_name, e.flow_categories)
        assert canonical(e.unit) == canonical(hit[1])


def test_surrogate_with_battery_files_builds_and_treatments_are_negative():
    records = _all_records()
    acts = _both("activities")
    acts["production_amount"] = acts["production_amount"].astype(float)
    treatments = acts[acts["name"].str.startswith("treatment of")]
    assert set(treatments["reference_product"]) == {
        "used Li-ion battery", "used nickel-metal hydride battery", "used Ni-metal hydride battery"}
    for code in treatments["code"]:
        ds = records.get((SURROGATE_DB, code)) or records[(ADDITIONS_DB, code)]
        prod = [x for x in ds["exchanges"] if x["type"] == "production"]
        assert prod[0]["amount"] == -1.0
        emissions = [x for x in ds["exchanges"] if x["type"] == "biosphere"]
        assert emissions and all(x["amount"] > 0 for x in emissions)
    # every non-treatment battery activity produces +1
    assert (acts.loc[~acts["name"].str.startswith("treatment of"), "production_amount"] == 1).all()


def test_component_inputs_link_to_existing_surrogate_activities():
    acts, _ = load_tables()
    available = {
        (n, p, loc): u for n, p, loc, u in zip(acts["name"], acts["reference_product"], acts["location"], acts["unit"])
    }
    comps = _table("foreground/components_battery.csv")
    assert set(comps["component"]) == {
        "battery, Li-ion, NMC111", "battery, Li-ion, NMC622", "battery, Li-ion, NMC811",
        "battery, Li-ion, NCA", "battery, Li-ion, LFP", "battery, NiMH",
    }
    for c in comps.itertuples(index=False):
        key = (c.flow_name, c.flow_product, c.flow_location)
        assert key in available, key
        assert canonical(c.unit) == canonical(available[key])
        assert float(c.amount) > 0


def test_credits_link_to_existing_surrogate_activities():
    acts, _ = load_tables()
    triples = set(zip(acts["name"], acts["reference_product"], acts["location"]))
    credits = _table("foreground/credits.csv")
    assert set(credits["material"]) == {"Al", "Co", "Cu", "Li", "Mn", "Ni", "steel"}
    for c in credits.itertuples(index=False):
        assert (c.flow_name, c.flow_product, c.flow_location) in triples


def test_credit_factors_are_stoichiometric():
    f = read_table("foreground/credits.csv", numeric=("kg_product_per_kg_material",)).set_index("material")[
        "kg_product_per_kg_material"
    ]
    # hand computation, molar masses in g/mol
    nickel_sulfate_hexahydrate = 58.693 + 32.06 + 4 * 15.999 + 6 * 18.015  # 262.839
    cobalt_sulfate_heptahydrate = 58.933 + 32.06 + 4 * 15.999 + 7 * 18.015  # 281.094
    manganese_sulfate_monohydrate = 54.938 + 32.06 + 4 * 15.999 + 18.015  # 169.009
    lithium_hydroxide_monohydrate = 6.94 + 15.999 + 1.008 + 18.015  # 41.962
    assert f["Ni"] == pytest.approx(262.839 / 58.693, rel=1e-5) == pytest.approx(nickel_sulfate_hexahydrate / NI, rel=1e-5)
    assert f["Co"] == pytest.approx(281.094 / 58.933, rel=1e-5) == pytest.approx(cobalt_sulfate_heptahydrate / CO, rel=1e-5)
    assert f["Mn"] == pytest.approx(169.009 / 54.938, rel=1e-5) == pytest.approx(manganese_sulfate_monohydrate / MN, rel=1e-5)
    assert f["Li"] == pytest.approx(41.962 / 6.94, rel=1e-5) == pytest.approx(lithium_hydroxide_monohydrate / LI, rel=1e-5)
    assert f["Ni"] == pytest.approx(4.4782, abs=1e-4)
    assert f["Co"] == pytest.approx(4.7697, abs=1e-4)
    assert f["Mn"] == pytest.approx(3.0764, abs=1e-4)
    assert f["Li"] == pytest.approx(6.0464, abs=1e-4)
    for m in ("Al", "Cu", "steel"):
        assert f[m] == 1.0


def test_lithium_carbonate_in_bill_of_materials_is_stoichiometric():
    comps = _table("foreground/components_battery.csv")
    row = comps[(comps["component"] == "battery, Li-ion, LFP") & (comps["flow_product"] == "lithium carbonate")]
    # BatPaC 5.1 LFP: 0.0915 kg Li/kWh; Li2CO3 / 2 Li = 73.888 / 13.88
    assert row["amount"].astype(float).iloc[0] == pytest.approx(0.0915 * (2 * LI + C + 3 * O) / (2 * LI), rel=1e-5)


def test_recovery_rates_are_fractions_and_pyro_loses_li_mn_al():
    rr = read_table("foreground/recovery_rates.csv", numeric=("value",))
    assert set(rr["route"]) == {"pyrometallurgy", "hydrometallurgy"}
    assert ((rr["value"] >= 0) & (rr["value"] <= 1)).all()
    pyro = rr[rr["route"] == "pyrometallurgy"].set_index("material")["value"]
    for m in ("Li", "Mn", "Al"):
        assert pyro[m] == 0.0
    hydro = rr[rr["route"] == "hydrometallurgy"].set_index("material")["value"]
    for m in ("Al", "Co", "Cu", "Li", "Mn", "Ni", "steel"):
        assert m in pyro.index and m in hydro.index
    assert hydro["Li"] == pytest.approx(0.80)


def test_battery_materials_pin_batpac51():
    bm = read_table("foreground/battery_materials.csv", numeric=("value",))
    v = bm.set_index(["chemistry", "material"])["value"]
    # BatPaC 5.1 (Busch et al. compilation): NMC622 Ni 0.5463 kg/kWh, NCA Co 0.1336 kg/kWh
    assert v[("NMC622", "Ni")] == pytest.approx(0.5463)
    assert v[("NCA", "Co")] == pytest.approx(0.1336)
    assert v[("LFP", "Ni")] == 0.0
    # BatPaC 5.2 100-kWh NMC811 pack: 499 kg
    assert v[("NMC811", "pack mass")] == pytest.approx(4.99)
    comps = _table("foreground/components_battery.csv")
    ni = comps[(comps["component"] == "battery, Li-ion, NMC622") & (comps["flow_product"] == "nickel sulfate")]
    assert ni["amount"].astype(float).iloc[0] == pytest.approx(0.5463 * 262.839 / 58.693, rel=1e-5)


# GWP100 of 1 kg of each credited salt, kg CO2-eq per kg product, with the source's range:
#   nickel sulfate (NiSO4.6H2O): Nickel Institute class 1 Ni 13 kg CO2e/kg Ni -> 13/4.4782 = 2.90;
#       range 2.9 (class-1 basis) to 80/4.4782 = 17.9 (upper end of 20-80 t CO2e/t Ni quoted by CarbonChain 2024)
#   cobalt sulfate (CoSO4.7H2O): Rinne et al. 2021 20.9 kg CO2e, read per kg Co -> 4.38; per kg sulfate 20.9; GREET CoO 8.92 kg/kg
#       (Ciez & Whitacre 2019 input) x 0.2666 kg CoO per kg salt = 2.38: range 2.38-20.9
#   lithium hydroxide (LiOH.H2O): Fraunhofer UMSICHT 2023: 5.4 (optimised) to 10.5 (base case)
#   manganese sulfate (MnSO4.H2O): Element 25 2023: 1.7 (E25) to 1.7/0.33 = 5.15 (China)
CREDIT_GWP_RANGES = {
    "nickel sulfate": (2.9, 17.9, 2.903),
    "cobalt sulfate": (2.38, 20.9, 4.382),
    "lithium hydroxide": (5.4, 10.5, 10.5),
    "manganese sulfate": (1.7, 5.16, 5.152),
}


@pytest.mark.parametrize("product", sorted(CREDIT_GWP_RANGES))
def test_gwp100_of_credited_salts_within_source_range(product):
    scores = _gwp_per_unit()
    key = next(k for k in scores if k[1] == product and k[0] == f"market for {product}")
    lo, hi, pinned = CREDIT_GWP_RANGES[product]
    assert lo - 1e-3 <= scores[key] <= hi + 1e-3
    assert scores[key] == pytest.approx(pinned, rel=1e-3)


def test_graphite_gwp100_and_bill_of_materials():
    scores = _gwp_per_unit()
    # Surovtseva et al. 2022 (J. Ind. Ecol.): synthetic battery graphite 13.8 kg CO2-eq/kg
    assert scores[("market for graphite, battery grade", "graphite, battery grade", "GLO")] == pytest.approx(13.8)
    comps = _table("foreground/components_battery.csv")
    row = comps[(comps["component"] == "battery, Li-ion, LFP") & (comps["flow_product"] == "graphite, battery grade")]
    assert float(row["amount"].iloc[0]) == pytest.approx(0.9846)  # BatPaC 5.1 LFP graphite kg/kWh


def test_electrolyte_and_separator_amounts():
    comps = _table("foreground/components_battery.csv")
    nmc622 = comps[comps["component"] == "battery, Li-ion, NMC622"].set_index("flow_product")["amount"].astype(float)
    cells_per_kwh = 5.23 * (1 - 0.27)  # BatPaC 5.2 pack kg/kWh x cell share (premise BoP 27 %)
    assert nmc622["lithium hexafluorophosphate"] == pytest.approx(cells_per_kwh * 0.146 * 0.106, rel=1e-5)
    assert nmc622["ethylene carbonate"] == pytest.approx(cells_per_kwh * 0.146 * 0.894, rel=1e-5)
    assert nmc622["battery separator"] == pytest.approx(cells_per_kwh * 0.02, rel=1e-5)
    scores = _gwp_per_unit()
    assert scores[("market for lithium hexafluorophosphate", "lithium hexafluorophosphate", "GLO")] == pytest.approx(13.26)


def test_assembly_gwp100_hand_computed():
    scores = _gwp_per_unit()
    key = ("battery pack assembly, Li-ion, for electric vehicle", "battery pack assembly, Li-ion, per kWh capacity", "GLO")
    # GREET g/kWh: CO2 11905, CH4 30.985, N2O 0.354
    assert scores[key] == pytest.approx((11905 + 36 * 30.985 + 298 * 0.354) / 1000, rel=1e-6)


def test_recycling_treatments_hand_computed():
    scores = _gwp_per_unit()
    pyro = ("treatment of used Li-ion battery, pyrometallurgical treatment", "used Li-ion battery", "GLO")
    hydro = ("treatment of used Li-ion battery, hydrometallurgical treatment", "used Li-ion battery", "GLO")
    graphite_co2 = 0.9096 / 5.23 * 44.01 / 12.011  # BatPaC NMC622 graphite per kg pack, burned to CO2
    # Ciez & Whitacre 2019: smelting 1.58 kg CO2e/kg cells, gas 0.186 kWh x 0.2573, Co solvent extraction 2.82/kg Co
    expected_pyro = 1.58 * 0.726 + 0.186 * 0.2573 * 0.726 + graphite_co2 + 2.82 * 0.1828 / 5.23 * 0.94
    # production is -1: the score of "one unit" of a treatment is minus the burden of treating 1 kg
    assert -scores[pyro] == pytest.approx(expected_pyro, rel=1e-5)
    assert -scores[pyro] == pytest.approx(1.912, abs=2e-3)
    assert -scores[hydro] == pytest.approx(0.910, abs=2e-3)
    # hydrometallurgy burns the same graphite but needs no smelting: lower than pyrometallurgy
    assert graphite_co2 < -scores[hydro] < -scores[pyro]


def test_nimh_smelting_proxy_hand_computed():
    scores = _gwp_per_unit()
    key = ("treatment of used Ni-metal hydride battery, pyrometallurgical treatment", "used Ni-metal hydride battery", "GLO")
    # Ciez & Whitacre smelting 1.58 + gas 0.186 kWh x 0.2573, on the module share 29/49.9 of a Prius Gen 3 pack
    assert -scores[key] == pytest.approx((1.58 + 0.186 * 0.2573) * 29 / 49.9, rel=1e-5)


def test_treatment_sign_convention_with_negative_waste_input():
    """A consumer inputs -X kg of waste; the burden must then be +X times the per-kg burden."""
    acts, excs = load_tables()
    code = "bat_recycling_pyro"
    production = float(acts.loc[acts["code"] == code, "production_amount"].iloc[0])
    emitted = float(excs.loc[excs["activity_code"] == code, "amount"].iloc[0])
    waste_input = -435.0  # kg of pack sent to treatment (Bolt-sized pack)
    scaling = waste_input / production
    assert scaling == pytest.approx(435.0)
    assert scaling * emitted == pytest.approx(435.0 * 1.91174, rel=1e-5)


def test_cobalt_sulfate_so2_and_pm_from_greet():
    ex = _both("exchanges")
    co = ex[ex["activity_code"] == "bat_cobalt_sulfate"].set_index("flow_name")["amount"].astype(float)
    # Dai et al. 2018 (GREET cobalt): 2.30125e-3 kg SO2/kg hydroxide, 1.0868 kg hydroxide per kg CoSO4 (0.38 kg Co/kg)
    assert co["Sulfur dioxide"] == pytest.approx(2.30125e-3 * 1.0868 / 0.38 / (281.094 / 58.933), rel=1e-5)
    assert co["Particulate Matter, < 2.5 um"] == pytest.approx(2.70908e-5 * 53.5647 * 1.0868 / 0.38 / (281.094 / 58.933), rel=1e-4)


def test_landfill_leaching_values():
    ex = _both("exchanges")
    ex["amount"] = ex["amount"].astype(float)
    li = ex[ex["activity_code"] == "bat_landfill_li"].set_index("flow_name")["amount"]
    # Collins et al. 2016 upper end (mg/g electrode) x 0.28 kg cathode per kg pack
    assert li["Nickel II"] == pytest.approx(0.48e-3 * 0.28)
    assert li["Cobalt II"] == pytest.approx(0.055e-3 * 0.28)
    assert li["Copper ion"] == pytest.approx(0.40e-3 * 0.28)
    assert li["Manganese II"] == pytest.approx(0.03e-3 * 0.28)
    nimh = ex[ex["activity_code"] == "bat_landfill_nimh"].set_index("flow_name")["amount"]
    assert nimh["Nickel II"] == pytest.approx(0.48e-3 * 29 / 49.9, rel=1e-5)


def test_battery_codes_do_not_collide_with_other_surrogate_files():
    acts, _ = load_tables()
    mine = _battery_activity_codes()
    others = acts[acts["file"] != "activities_battery.csv"]  # both folders' battery files are "mine"
    assert not mine & set(others["code"])


def _score(code: str, method_part: str) -> float:
    """Characterised direct emissions of one battery surrogate activity (per its production amount)."""
    from lca_sh_ev.biosphere import flow_index
    from lca_sh_ev.methods import bundled_factors, recipe_method_keys

    method = next(k for k in recipe_method_keys("midpoint") if method_part in k[1])
    cfs = dict(zip(*bundled_factors(method).T.values))
    flows = flow_index()
    ex = _both("exchanges")
    ex = ex[(ex["activity_code"] == code) & (ex["type"] == "biosphere")]
    return sum(float(e.amount) * cfs.get(flows[(e.flow_name, e.flow_categories)][0], 0.0) for e in ex.itertuples())


def test_landfill_leaching_is_characterised_by_recipe_toxicity():
    # ReCiPe 2016 (H) FETP of groundwater emissions (kg 1,4-DCB/kg): Ni 46, Co 6.34, Cu 162 (bundled bw2io file)
    fetp = _score("bat_landfill_li", "ecotoxicity: freshwater")
    assert fetp == pytest.approx(0.48e-3 * 0.28 * 46 + 0.055e-3 * 0.28 * 6.34 + 0.40e-3 * 0.28 * 162, rel=1e-3)
    # HTPnc: Ni 4.4, Cu 2.86
    htpnc = _score("bat_landfill_li", "human toxicity: non-carcinogenic")
    assert htpnc == pytest.approx(0.48e-3 * 0.28 * 4.4 + 0.40e-3 * 0.28 * 2.86, rel=1e-3)
