"""The main job end to end on the bundled data: contract, balances, cross-check, report findings."""

import numpy as np
import pandas as pd
import pytest

from lca_sh_ev.config import load_scenario, scenario_from_dict
from lca_sh_ev.foreground import STAGES

PROJECT = "test-main-job"


@pytest.fixture(scope="module")
def default_results():
    from lca_sh_ev.job import run

    scenario = load_scenario()
    scenario = scenario.model_copy(update={"project": PROJECT})
    return run(scenario, progress=False)


def test_impacts_cover_every_pathway_age_category_and_stage(default_results):
    imp = default_results.impacts
    mid = imp[imp["kind"] == "midpoint"]
    assert mid["category"].nunique() == 18
    cases = mid[["pathway", "export_age"]].drop_duplicates()
    sh = cases[cases["pathway"].str.endswith("/SH")]
    assert len(cases) == 6 + 3 * 20  # 6 single-case pathways, 3 SH pathways x ages 1-20 (average age 9 is in 1-20)
    assert set(sh["export_age"]) == set(range(1, 21))
    per_case = mid.groupby(["pathway", "export_age"], dropna=False).size()
    assert (per_case == 18 * (len(STAGES) + 1)).all()
    assert np.isfinite(imp["value"]).all()
    for col in ("pathway", "vehicle", "segment", "powertrain", "market", "first_year", "export_age", "method",
                "category", "indicator", "unit", "stage", "value"):
        assert col in imp.columns


def test_stages_sum_to_total_per_category(default_results):
    imp = default_results.impacts.assign(age=lambda d: d["export_age"].fillna(-1))
    keys = ["pathway", "age", "method"]
    stages = imp[imp["stage"] != "total"].groupby(keys)["value"].sum()
    total = imp[imp["stage"] == "total"].set_index(keys)["value"].reindex(stages.index)
    assert len(stages) == 66 * 43
    np.testing.assert_allclose(stages.to_numpy(), total.to_numpy(), rtol=1e-9, atol=1e-15)


def test_lifetime_table_has_a_row_per_case(default_results):
    lt = default_results.lifetime
    assert len(lt) == 66
    assert (lt["km_total"] - lt["km_us"] - lt["km_mx"]).abs().max() < 1e-6
    us = lt[lt["market"] == "US"]
    assert (us["km_mx"] == 0).all()
    np.testing.assert_allclose(us["p_battery_recycled"].dropna(), 1.0, rtol=1e-12)


def _case_node(pathway, export_age):
    import bw2data as bd

    from lca_sh_ev.foreground import FG_DB

    vehicle, market = pathway.split("/")
    code = f"{vehicle}-{market}-2022" + (f"-age{export_age:02d}" if export_age else "")
    return bd.get_node(database=FG_DB, code=code)


def test_battery_mass_balance_per_case(default_results):
    """Battery mass produced (original + replacements) = mass recycled + mass landfilled, per km."""
    from lca_sh_ev.vehicles import get_vehicle

    lt = default_results.lifetime
    ev = lt[lt["powertrain"] != "ICEV"]
    assert len(ev) == 66 - 1
    for row in ev.itertuples():
        node = _case_node(row.pathway, None if pd.isna(row.export_age) else int(row.export_age))
        mass = get_vehicle(row.pathway.split("/")[0]).battery_mass_kg
        produced = sum(e["amount"] for e in node.technosphere() if e["stage"] in ("battery production",
                                                                                  "battery replacement"))
        treated = 0.0
        for e in node.technosphere():
            if e["stage"] == "end of life, battery":
                waste = [x["amount"] for x in e.input.technosphere()]
                assert len(waste) == 1 and waste[0] == pytest.approx(-mass)  # negative waste input
                treated += e["amount"] * -waste[0]
        assert produced * mass == pytest.approx(treated, rel=1e-12)
        assert produced * row.km_total == pytest.approx(1 + row.battery_replacements, rel=1e-9)


def test_fast_path_equals_full_bw2calc_lca(default_results):
    """Totals of the fast path = a plain bw2calc LCA of the written foreground, all midpoint categories."""
    from lca_sh_ev.engine import full_lca_scores

    imp = default_results.impacts
    mid = imp[(imp["kind"] == "midpoint") & (imp["stage"] == "total")]
    methods = [tuple(m.split(" | ")) for m in mid["method"].drop_duplicates()]
    picks = [("tesla_model_y/US", None), ("tesla_model_y/SH", 9), ("chevrolet_bolt/SH", 3),
             ("nissan_versa/MX", None), ("toyota_prius/SH", 17), ("jac_e10x/MX", None)]
    nodes = [_case_node(p, a).id for p, a in picks]
    full = full_lca_scores(nodes, methods)
    for i, (p, a) in enumerate(picks):
        rows = mid[(mid["pathway"] == p) & ((mid["export_age"] == a) if a else mid["export_age"].isna())]
        fast = rows.set_index("method").loc[[" | ".join(m) for m in methods], "value"].to_numpy()
        np.testing.assert_allclose(fast, full[i], rtol=1e-9, atol=1e-18)


def test_exported_model_y_has_higher_impacts_than_us_model_y_at_average_age(default_results):
    imp = default_results.impacts
    tot = imp[(imp["stage"] == "total") & (imp["kind"] == "midpoint")]
    us = tot[tot["pathway"] == "tesla_model_y/US"].set_index("indicator")["value"]
    sh = tot[(tot["pathway"] == "tesla_model_y/SH") & tot["average_export_age"]].set_index("indicator")["value"]
    change = sh / us - 1
    assert change["GWP100"] > 0
    assert change["HTPnc"] > 0
    assert change["TETP"] > 0
    assert change["HTPnc"] > change["GWP100"]


def test_sh_model_y_and_prius_below_mx_versa_on_gwp_at_every_export_age(default_results):
    imp = default_results.impacts
    gwp = imp[(imp["stage"] == "total") & (imp["indicator"] == "GWP100")]
    versa = float(gwp[gwp["pathway"] == "nissan_versa/MX"]["value"].iloc[0])
    for pathway in ("tesla_model_y/SH", "toyota_prius/SH"):
        values = gwp[gwp["pathway"] == pathway]["value"]
        assert len(values) == 20
        assert (values < versa).all(), pathway


def test_uncharacterised_categories_are_flagged_not_hidden(default_results):
    imp = default_results.impacts
    flags = imp.groupby("indicator")["characterised"].agg(["min", "max"])
    assert (flags["min"] == flags["max"]).all()  # one flag per method
    assert flags.loc["GWP100", "min"] and flags.loc["HTPnc", "min"]
    off = imp[~imp["characterised"]]
    assert (off["value"] == 0).all()


def test_python_api_mirrors_the_cli(default_results, tmp_path):
    import lca_sh_ev

    small = scenario_from_dict({"project": PROJECT, "pathways": [{"vehicle": "nissan_versa", "market": "MX"}],
                                "categories": ["GWP100"], "endpoint": False})
    res = lca_sh_ev.run(small, progress=False)
    assert isinstance(res.impacts, pd.DataFrame) and isinstance(res.lifetime, pd.DataFrame)
    got = res.impacts[(res.impacts["stage"] == "total")]["value"].iloc[0]
    full = default_results.impacts
    want = full[(full["pathway"] == "nissan_versa/MX") & (full["stage"] == "total") & (full["indicator"] == "GWP100")]
    assert got == pytest.approx(want["value"].iloc[0], rel=1e-12)
    out = lca_sh_ev.write_outputs(res, tmp_path / "res", figures=False)
    assert (out / "impacts.csv").is_file() and (out / "run.json").is_file()
