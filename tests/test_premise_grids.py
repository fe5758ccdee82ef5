"""premise grids: a premise-shaped fixture (premise's dataset names, IAM locations USA/MEX, two years)
drives the grid path end to end; interpolation between database years is pinned; missing key, source
database or files give one line and exit 2.

The fixture markets are built on our open surrogate's generation datasets; they are not premise output.
"""

import json

import bw2data as bd
import numpy as np
import pytest
from test_backgrounds_common import reduced
from typer.testing import CliRunner

from lca_sh_ev.cli import app
from lca_sh_ev.premise_grids import interpolation_weights

PROJECT = "test-premise"
SURR = "lca-sh-ev surrogate background"
#: (year, IAM region) -> (surrogate generation dataset code, low-voltage loss multiplier)
FIXTURE = {(2030, "USA"): ("elec_hard_coal_US", 1.05), (2050, "USA"): ("elec_wind_onshore_US", 1.04),
           (2030, "MEX"): ("elec_ng_cc_MX", 1.10), (2050, "MEX"): ("elec_hydro_ror_MX", 1.08)}


def fixture_name(year):
    return f"ecoinvent_cutoff_3.8_image_SSP2-Base_{year}"


def write_premise_fixture(names=None):
    """Two premise-shaped databases with market groups for electricity at USA and MEX."""
    from lca_sh_ev.setup import write_db

    names = names or {y: fixture_name(y) for y in (2030, 2050)}
    for year, db in names.items():
        records = {}
        for region in ("USA", "MEX"):
            tech, lv_factor = FIXTURE[(year, region)]
            inputs = {"high": ((SURR, tech), 1.0), "medium": ((db, f"hv-{region}"), 1.0),
                      "low": ((db, f"mv-{region}"), lv_factor)}
            for v, (src, amount) in inputs.items():
                code = f"{v[0]}v-{region}"
                records[(db, code)] = {
                    "name": f"market group for electricity, {v} voltage", "reference product": f"electricity, {v} voltage",
                    "location": region, "unit": "kilowatt hour", "type": "process",
                    "exchanges": [{"input": (db, code), "amount": 1.0, "type": "production", "unit": "kilowatt hour"},
                                  {"input": src, "amount": amount, "type": "technosphere", "unit": "kilowatt hour"}]}
        write_db(db, records)
    return names


@pytest.fixture(scope="module")
def premise_project():
    from lca_sh_ev.setup import setup

    setup(project=PROJECT)
    names = write_premise_fixture()
    result = CliRunner().invoke(app, ["setup", "--project", PROJECT, "--grids", "premise", "--pathway", "SSP2-Base",
                                      "--premise-db", f"2030={names[2030]}", "--premise-db", f"2050={names[2050]}"])
    assert result.exit_code == 0, result.output
    return names


@pytest.mark.parametrize("year, years, expected", [
    (2035, [2030, 2050], [(2030, 0.75), (2050, 0.25)]),
    (2040, [2030, 2050], [(2030, 0.5), (2050, 0.5)]),
    (2030, [2030, 2050], [(2030, 1.0)]),
    (2050, [2030, 2050], [(2050, 1.0)]),
    (2024, [2030, 2050], [(2030, 1.0)]),   # held at the first database year
    (2061, [2030, 2050], [(2050, 1.0)]),   # held at the last
    (2046, [2050, 2030, 2040], [(2040, 0.4), (2050, 0.6)]),
])
def test_interpolation_weights(year, years, expected):
    got = interpolation_weights(year, years)
    assert [y for y, _ in got] == [y for y, _ in expected]
    np.testing.assert_allclose([w for _, w in got], [w for _, w in expected], rtol=1e-12)


def test_grid_markets_interpolate_premise_markets(premise_project):
    from lca_sh_ev.grid import GRID_DB, market_code

    bd.projects.set_current(PROJECT)
    marker = json.loads((bd.projects.dir / "lca_sh_ev_setup.json").read_text())
    assert marker["grids"]["kind"] == "premise" and marker["grids"]["regions"] == {"US": "USA", "MX": "MEX"}
    lv = bd.get_node(database=GRID_DB, code=market_code("US", 2035, "low"))
    got = {(e.input["database"], e.input["location"], e.input["name"]): e["amount"] for e in lv.technosphere()}
    assert got == {(premise_project[2030], "USA", "market group for electricity, low voltage"): 0.75,
                   (premise_project[2050], "USA", "market group for electricity, low voltage"): 0.25}
    mx = bd.get_node(database=GRID_DB, code=market_code("MX", 2022, "high"))
    assert [(e.input["database"], e.input["location"], e["amount"]) for e in mx.technosphere()] == \
        [(premise_project[2030], "MEX", 1.0)]


def test_market_scores_are_linear_in_year(premise_project):
    """GWP of 1 kWh LV at 2035 = 0.75 x premise 2030 + 0.25 x premise 2050 (and the fixture is not flat)."""
    from lca_sh_ev.engine import node_scores
    from lca_sh_ev.grid import GRID_DB, market_code
    from lca_sh_ev.methods import recipe_method_keys

    bd.projects.set_current(PROJECT)
    gwp = [m for m in recipe_method_keys("midpoint") if "climate change" in m[1]][0]
    ids = {y: bd.get_node(database=premise_project[y], code="lv-USA").id for y in (2030, 2050)}
    grid = {y: bd.get_node(database=GRID_DB, code=market_code("US", y, "low")).id for y in (2030, 2035, 2040, 2050)}
    scores = node_scores(list(ids.values()) + list(grid.values()), [gwp])
    s30, s50 = scores.of(ids[2030])[0], scores.of(ids[2050])[0]
    assert s30 > 10 * s50 > 0  # coal vs wind
    assert scores.of(grid[2035])[0] == pytest.approx(0.75 * s30 + 0.25 * s50, rel=1e-9)
    assert scores.of(grid[2040])[0] == pytest.approx(0.5 * s30 + 0.5 * s50, rel=1e-9)
    assert scores.of(grid[2050])[0] == pytest.approx(s50, rel=1e-9)


def test_run_end_to_end_on_premise_grids(premise_project):
    """The run's use stage = km share x (use activity's grid kWh x interpolated premise scores + the rest)."""
    from lca_sh_ev.engine import node_scores
    from lca_sh_ev.foreground import FG_DB, build_plan
    from lca_sh_ev.grid import GRID_DB
    from lca_sh_ev.job import run

    scenario = reduced(PROJECT, categories=["GWP100"])
    res = run(scenario, progress=False)
    assert res.info["background"] == SURR and res.info["background_spec"] == "surrogate"
    assert res.info["grids"]["kind"] == "premise" and res.info["grids"]["databases"]["2050"] == premise_project[2050]
    bd.projects.set_current(PROJECT)
    case = [c for c in build_plan(scenario).cases if c.market == "SH" and c.export_age == 12][0]  # Model Y
    act = bd.get_node(database=FG_DB, code=case.code)
    method = tuple(res.impacts["method"].iloc[0].split(" | "))
    use_ex = [e for e in act.technosphere() if e.get("stage") == "use, US"]
    assert len(use_ex) == 1
    use = use_ex[0].input
    grid_ex = [e for e in use.technosphere() if e.input["database"] == GRID_DB]
    premise_ids = {y: bd.get_node(database=premise_project[y], code="lv-USA").id for y in (2030, 2050)}
    scores = node_scores([use.id] + [e.input.id for e in grid_ex] + list(premise_ids.values()), [method])
    years = sorted(int(e.input["year"]) for e in grid_ex)
    assert len(grid_ex) >= 10 and years[0] < 2030 < years[-1]  # held years and interpolated years both in use
    interpolated = sum(e["amount"] * sum(w * scores.of(premise_ids[y])[0]
                                         for y, w in interpolation_weights(int(e.input["year"]), [2030, 2050]))
                       for e in grid_ex)
    engine_grid = sum(e["amount"] * scores.of(e.input.id)[0] for e in grid_ex)
    expected = use_ex[0]["amount"] * (scores.of(use.id)[0] - engine_grid + interpolated)
    df = res.impacts
    got = df[(df["pathway"] == case.pathway) & (df["export_age"] == 12) & (df["stage"] == "use, US")]["value"].iloc[0]
    assert interpolated == pytest.approx(engine_grid, rel=1e-9)
    # the run and this test factorize different systems (all cases vs one); they agree to the solver's precision
    assert got == pytest.approx(expected, rel=1e-8)
