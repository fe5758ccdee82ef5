"""Checks of the energy surrogate (electricity, petrol) and the grid data tables.

Values are pinned against their published sources by hand computation.
"""

import pytest

from lca_sh_ev.biosphere import flow_index
from lca_sh_ev.data import read_table
from lca_sh_ev.errors import UserInputError

ACT = "surrogate/activities_energy.csv"
EXC = "surrogate/exchanges_energy.csv"
GEN = "grid/generation.csv"
TD = "grid/td_losses.csv"
TMAP = "grid/technology_map.csv"
CLEAN = {"nuclear", "hydro", "wind_onshore", "solar_pv", "geothermal", "biomass"}
KG_PER_LB = 0.45359237
MJ_PER_BTU = 1.055056e-3


@pytest.fixture(scope="module")
def acts():
    return read_table(ACT, required=("code", "name", "reference_product", "location", "unit", "comment"),
                      numeric=("production_amount",))


@pytest.fixture(scope="module")
def exch():
    return read_table(EXC, required=("activity_code", "type", "flow_name", "flow_categories"), numeric=("amount",))


@pytest.fixture(scope="module")
def gen():
    return read_table(GEN, required=("region", "technology"), numeric=("year", "value"))


@pytest.fixture(scope="module")
def td():
    return read_table(TD, required=("region",), numeric=("year", "value"))


@pytest.fixture(scope="module")
def tmap():
    return read_table(TMAP, required=("technology", "activity_name", "reference_product", "location_US", "location_MX"))


def amount(exch, code, flow, categories=None):
    rows = exch[(exch.activity_code == code) & (exch.flow_name == flow)]
    if categories is not None:
        rows = rows[rows.flow_categories == categories]
    assert len(rows) >= 1, (code, flow)
    return rows.amount.sum()


def gwp100(exch, code):
    """kg CO2e per unit with the ReCiPe (H) GWP100 factors (CO2 1, CH4 fossil 36, CH4 non-fossil 34, N2O 298)."""
    cf = {"Carbon dioxide, fossil": 1.0, "Methane, fossil": 36.0, "Methane, non-fossil": 34.0, "Dinitrogen monoxide": 298.0}
    rows = exch[exch.activity_code == code]
    return sum(cf.get(f, 0.0) * a for f, a in zip(rows.flow_name, rows.amount))


@pytest.mark.parametrize("table", [ACT, EXC, GEN, TD, TMAP])
def test_every_row_has_unit_and_source(table):
    frame = read_table(table)
    assert len(frame) > 0
    assert (frame["unit"].str.strip() != "").all() and (frame["source"].str.strip() != "").all()


def test_activities_unique_codes_and_units(acts):
    assert acts.code.is_unique
    assert not acts.duplicated(["name", "reference_product", "location"]).any()
    assert (acts.production_amount == 1).all()
    elec = acts[acts.reference_product.str.startswith("electricity")]
    assert set(elec.unit) == {"kilowatt hour"}
    petrol = acts[acts.name == "market for petrol, low-sulfur"]
    assert set(petrol.location) == {"US", "MX"} and set(petrol.unit) == {"kilogram"}
    assert set(petrol.reference_product) == {"petrol, low-sulfur"}


def test_biosphere_flows_exist_with_matching_unit(exch):
    index = flow_index()
    bio = exch[exch.type == "biosphere"]
    assert len(bio) == len(exch)
    for name, cat, unit in zip(bio.flow_name, bio.flow_categories, bio.unit):
        assert (name, cat) in index, (name, cat)
        assert index[(name, cat)][1] == unit, (name, cat, unit)


def test_every_exchange_belongs_to_an_activity(acts, exch):
    assert set(exch.activity_code) <= set(acts.code)
    assert set(acts.code) <= set(exch.activity_code)
    assert (exch.amount > 0).all()


def test_fossil_plants_book_each_gas_and_pollutant(exch):
    required = {"Carbon dioxide, fossil", "Methane, fossil", "Dinitrogen monoxide", "Sulfur dioxide",
                "Nitrogen oxides", "Particulate Matter, < 2.5 um", "Carbon monoxide, fossil"}
    for tech in ("hard_coal", "ng_cc", "ng_ct", "oil"):
        for loc in ("US", "MX"):
            flows = set(exch[exch.activity_code == f"elec_{tech}_{loc}"].flow_name)
            assert required <= flows, (tech, loc, required - flows)


def test_us_coal_direct_co2_matches_eia_2022(exch):
    # EIA FAQ (State Electricity Profiles 2022): coal 2.30 lb CO2/kWh = 1.043 kg/kWh
    eia = 2.30 * KG_PER_LB
    co2 = amount(exch, "elec_hard_coal_US", "Carbon dioxide, fossil", "air::non-urban air or from high stacks")
    assert co2 == pytest.approx(eia, rel=0.05)


def test_gas_cc_co2_from_heat_rate():
    # 7740 Btu/kWh HHV x 0.9 (LHV) x 56.1 kg/GJ = 0.4123 kg/kWh; EIA FAQ all gas 2022: 0.97 lb/kWh = 0.44 kg
    exch = read_table(EXC, numeric=("amount",))
    expected = 7740 * MJ_PER_BTU * 0.9 * 56.1e-3
    co2 = amount(exch, "elec_ng_cc_US", "Carbon dioxide, fossil", "air::non-urban air or from high stacks")
    assert co2 == pytest.approx(expected, rel=1e-4)
    assert co2 == pytest.approx(0.97 * KG_PER_LB, rel=0.10)


def test_gas_leakage_methane_matches_alvarez(exch):
    # 2.3 % of gross production leaked -> 0.023/0.977 kg CH4 per kg gas burned (gas taken as CH4)
    kg_gas = 7740 * MJ_PER_BTU * 0.9 / 48.0
    leak = amount(exch, "elec_ng_cc_US", "Methane, fossil", "air::unspecified")
    assert leak == pytest.approx(kg_gas * 0.023 / 0.977, rel=1e-4)


def test_renewables_equal_ar5_medians(exch):
    ar5 = {"hydro_ror": 0.024, "wind_onshore": 0.011, "pv_open_ground": 0.048, "geothermal": 0.038,
           "nuclear": 0.012, "biomass": 0.230}
    for key, value in ar5.items():
        for loc in ("US", "MX"):
            assert gwp100(exch, f"elec_{key}_{loc}") == pytest.approx(value, rel=1e-4), key


def test_gwp_ranking_of_technologies(exch):
    g = {k: gwp100(exch, f"elec_{k}_US") for k in ("hard_coal", "oil", "ng_ct", "ng_cc", "biomass", "wind_onshore")}
    assert g["hard_coal"] > g["oil"] > g["ng_ct"] > g["ng_cc"] > g["biomass"] > g["wind_onshore"]
    # coal within the AR5 pulverised-coal range 740-910 g plus mine methane; below 1.2 kg
    assert 0.9 < g["hard_coal"] < 1.2


def test_petrol_is_cradle_to_pump_only(exch):
    # (10.3 g/MJ crude / 0.886 + 7.8 g/MJ refining) x 44.3 MJ/kg = 0.8606 kg CO2e per kg (no combustion CO2 of ~3.07 kg/kg)
    for loc in ("US", "MX"):
        value = gwp100(exch, f"petrol_low_sulfur_{loc}")
        assert value == pytest.approx((10.3 / 0.886 + 7.8) * 44.3e-3, rel=1e-4)
        assert value < 1.0


def test_generation_covers_every_year_and_is_positive(gen):
    assert (gen.value >= 0).all()
    us_years = set(gen[gen.region == "US"].year.astype(int))
    mx_years = set(gen[gen.region == "MX"].year.astype(int))
    assert us_years == set(range(2022, 2051))
    assert mx_years == set(range(2019, 2051))
    assert not gen.duplicated(["region", "year", "technology"]).any()


def test_shares_sum_to_one(gen):
    from lca_sh_ev.grid import generation_shares

    shares = generation_shares(gen)
    sums = shares.groupby(["region", "year"])["share"].sum()
    assert len(sums) == (2050 - 2022 + 1) + (2050 - 2019 + 1)
    assert (sums - 1.0).abs().max() < 1e-12
    # hand check: AEO2023 US 2030 coal 353.068268 TWh over the mix total without DG and storage
    total_2030 = 4246.555818 - 0.942422 - (-5.208105)
    coal = shares[(shares.region == "US") & (shares.year == 2030) & (shares.technology == "hard_coal")].share.iloc[0]
    assert coal == pytest.approx(353.068268 / total_2030, rel=1e-6)


def test_us_2022_matches_aeo_after_exclusions(gen):
    # AEO2023 2022 total 4088.66 TWh minus distributed generation (0.0) and pumped storage/other (1.036852)
    total = gen[(gen.region == "US") & (gen.year == 2022)].value.sum()
    assert total == pytest.approx(4088.662437 - 0.0 - 1.036852, abs=0.01)
    wind = gen[(gen.region == "US") & (gen.year == 2030) & (gen.technology == "wind_onshore")].value.iloc[0]
    assert wind == pytest.approx(934.94458 + 31.581455, abs=1e-3)  # onshore + offshore


def test_mx_clean_shares_hand_computed(gen):
    def clean_share(year):
        g = gen[(gen.region == "MX") & (gen.year == year)]
        return g[g.technology.isin(CLEAN)].value.sum() / g.value.sum()
    assert clean_share(2022) == pytest.approx(87.2 / 333.8, abs=1e-4)   # IMCO/CENACE 26.1 %
    assert clean_share(2023) == pytest.approx(0.22, abs=1e-4)           # Ember 2023
    assert clean_share(2030) == pytest.approx(0.38, abs=1e-4)           # PROSENER target
    assert clean_share(2040) == pytest.approx(0.38 + 0.12 * 10 / 20, abs=1e-4)
    assert clean_share(2050) == pytest.approx(0.50, abs=1e-4)
    g19 = gen[(gen.region == "MX") & (gen.year == 2019)]
    assert g19.value.sum() == pytest.approx(329.58, abs=0.02)        # Ember 2019 total


def test_each_technology_maps_to_a_surrogate_activity(gen, tmap, acts):
    assert tmap.technology.is_unique
    assert set(gen.technology) <= set(tmap.technology)
    keys = set(zip(acts.name, acts.reference_product, acts.location))
    for region in ("US", "MX"):
        for tech in set(gen[gen.region == region].technology):
            row = tmap[tmap.technology == tech].iloc[0]
            key = (row.activity_name, row.reference_product, row[f"location_{region}"])
            assert key in keys, key


def test_td_losses(td):
    for region in ("US", "MX"):
        sub = td[td.region == region]
        assert set(sub.year.astype(int)) == set(range(2019, 2051))
        assert ((sub.value > 0) & (sub.value < 0.3)).all()
    us = td[(td.region == "US") & (td.year == 2022)].value.iloc[0]
    assert us == pytest.approx(0.05)
    mx = td[td.region == "MX"].set_index("year").value
    assert mx[2019] == pytest.approx(0.12) and mx[2020] == pytest.approx(0.12)
    assert mx[2027] == pytest.approx(0.12 - 0.04 * 7 / 14, abs=1e-4)
    assert mx[2034] == pytest.approx(0.08) and mx[2050] == pytest.approx(0.08)


def test_missing_source_is_rejected(tmp_path):
    bad = tmp_path / "td_losses.csv"
    bad.write_text("region,year,value,unit,source,note\nUS,2022,0.05,-,,n\n")
    with pytest.raises(UserInputError, match="source"):
        read_table(bad, numeric=("year", "value"))


def test_oil_so2_follows_sulfur_content(exch):
    # AP-42 Table 1.3-1: SO2 = 157 x S lb per 10^3 gal; 11166 Btu/kWh / 150e6 Btu per 10^3 gal
    kgal_per_kwh = 11166 / 150e6
    for loc, sulfur in (("US", 1.0), ("MX", 4.0)):
        so2 = amount(exch, f"elec_oil_{loc}", "Sulfur dioxide")
        assert so2 == pytest.approx(157 * sulfur * kgal_per_kwh * KG_PER_LB, rel=1e-4)
    assert amount(exch, "elec_oil_MX", "Sulfur dioxide") == pytest.approx(
        4 * amount(exch, "elec_oil_US", "Sulfur dioxide"), rel=1e-5)


def test_coal_mine_methane_tier1(exch):
    # (0.38 x (18 + 2.5) + 0.62 x (1.2 + 0.1)) m3/t x 0.67 kg/m3 per kg of coal burned
    per_kg = (0.38 * 20.5 + 0.62 * 1.3) * 0.67e-3
    for loc in ("US", "MX"):
        coal = amount(exch, f"elec_hard_coal_{loc}", "Coal, hard, unspecified")
        ch4 = amount(exch, f"elec_hard_coal_{loc}", "Methane, fossil", "air::unspecified")
        assert ch4 == pytest.approx(per_kg * coal, rel=1e-4)
        assert 0.3 < coal < 0.6  # kg coal per kWh at 25.8/18.9 MJ/kg and ~11 MJ/kWh


def test_technology_names_are_premise_ecoinvent_aliases(tmap):
    """Each dataset name starts with an ecoinvent alias premise uses for electricity (ecoinvent naming)."""
    import importlib.util
    from pathlib import Path

    import yaml

    spec = importlib.util.find_spec("premise")
    if spec is None:
        pytest.skip("premise not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / "iam_variables_mapping" / "electricity.yaml"
    mapping = yaml.safe_load(path.read_text())
    aliases = set()
    for entry in mapping.values():
        fltr = (entry or {}).get("ecoinvent_aliases", {}).get("fltr", [])
        if isinstance(fltr, dict):
            fltr = fltr.get("name", [])
        aliases.update([fltr] if isinstance(fltr, str) else fltr)
    # premise maps PV to its own "photovoltaic, commercial" inventories; the open-ground name used here is an
    # ecoinvent 3.8 dataset that premise's bundled inventories link to (ES location), so it is accepted explicitly.
    ecoinvent_pv = "electricity production, photovoltaic, 570kWp open ground installation, multi-Si"
    for name in tmap.activity_name:
        assert name == ecoinvent_pv or any(name.startswith(a) for a in aliases), name
    assert "electricity production, hard coal" in aliases


def test_oil_plant_fuel_supply_chain(exch):
    # (10.3 g/MJ crude / 0.945 + 3.4 g/MJ refining) x MJ(LHV)/kWh, MJ = 11166 Btu x 1.055056e-3 x 0.95
    mj = 11166 * MJ_PER_BTU * 0.95
    upstream = amount(exch, "elec_oil_US", "Carbon dioxide, fossil", "air::unspecified")
    assert upstream == pytest.approx((10.3 / 0.945 + 3.4) * mj * 1e-3, rel=1e-4)
    assert amount(exch, "elec_oil_US", "Oil, crude") == pytest.approx(mj / 0.945 / 42.3, rel=1e-4)


def test_technology_map_pairs_exist_in_ecoinvent_38(tmap):
    """Names/products are ecoinvent 3.8 cut-off; Mexican datasets exist except the PWR (Mexico has a BWR)."""
    from pathlib import Path

    names = Path(__file__).parent / "data" / "ecoinvent_38_cutoff_names.tsv.gz"
    if not names.is_file():
        pytest.skip("ecoinvent 3.8 name list not available")
    import pandas as pd

    ei = pd.read_csv(names, sep="\t", dtype=str, keep_default_na=False)
    triples = set(zip(ei["name"], ei["reference product"], ei["location"]))
    pairs = {(n, p) for n, p, _ in triples}
    for row in tmap.itertuples():
        assert (row.activity_name, row.reference_product) in pairs, row.technology
        has_mx = (row.activity_name, row.reference_product, "MX") in triples
        assert has_mx == (row.technology != "nuclear"), row.technology
        us_regions = {loc for n, p, loc in triples if (n, p) == (row.activity_name, row.reference_product) and loc.startswith("US-")}
        assert us_regions or row.technology == "biomass", row.technology  # US producers are NERC regions in 3.8
