"""Relinking: a provider missing from the new background stops the swap with the full list, project unchanged."""

import json

import bw2data as bd
import pandas as pd
import pytest
from test_backgrounds_common import reduced, surrogate_ecospold
from typer.testing import CliRunner

from lca_sh_ev.cli import app
from lca_sh_ev.errors import UserInputError
from lca_sh_ev.foreground import FG_DB
from lca_sh_ev.grid import GRID_DB
from lca_sh_ev.surrogate import ADDITIONS_DB

PROJECT = "test-relink"
DROP = ("market for petrol, low-sulfur", "electricity production, deep geothermal")


def _snapshot():
    bd.projects.set_current(PROJECT)
    state = {"marker": (bd.projects.dir / "lca_sh_ev_setup.json").read_text(), "databases": sorted(bd.databases)}
    for db in (FG_DB, GRID_DB, ADDITIONS_DB):
        state[db] = sorted((a["code"], e.input.key, e["amount"]) for a in bd.Database(db) for e in a.exchanges())
    return state


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    from lca_sh_ev.foreground import build_plan
    from lca_sh_ev.job import write_foreground
    from lca_sh_ev.setup import setup

    tmp = tmp_path_factory.mktemp("relink")
    setup(project=PROJECT)
    write_foreground(build_plan(reduced(PROJECT)), "lca-sh-ev surrogate background")
    folder = tmp / "datasets"
    n = surrogate_ecospold(PROJECT, folder, drop=DROP)
    before = _snapshot()
    result = CliRunner().invoke(app, ["relink", "--project", PROJECT, "--background", "ecoinvent", "--ei-version",
                                      "3.9", "--ecospold", str(folder), "--report", str(tmp / "report.csv")])
    return {"result": result, "before": before, "after": _snapshot(), "tmp": tmp, "n": n}


def test_missing_providers_exit_2_with_full_list(broken):
    out = broken["result"].output.strip().splitlines()[-1]
    assert broken["result"].exit_code == 2
    assert out.startswith("error: relink stopped, project unchanged:")
    # petrol at US and at MX (the Prius is used in the US, the Versa in Mexico), geothermal in both grids
    assert "'market for petrol, low-sulfur' / 'petrol, low-sulfur' / 'US'" in out
    assert "'market for petrol, low-sulfur' / 'petrol, low-sulfur' / 'MX'" in out
    assert "grid US technology 'geothermal'" in out and "grid MX technology 'geothermal'" in out
    # every surrogate activity but the two petrol markets and
    # two geothermal plants left out
    from lca_sh_ev.surrogate import load_tables

    assert broken["n"] == len(load_tables()[0]) - 4


def test_project_left_as_it_was(broken):
    assert broken["after"] == broken["before"]
    assert "ecoinvent-3.9-cutoff" not in broken["after"]["databases"]
    assert json.loads(broken["after"]["marker"])["background"] == "surrogate"


def test_report_lists_unlinked_rows(broken):
    rep = pd.read_csv(broken["tmp"] / "report.csv", keep_default_na=False)
    unlinked = rep[rep["status"] == "unlinked"]
    assert len(unlinked) >= 2
    assert set(unlinked["exchange"]) == {"market for petrol, low-sulfur | petrol, low-sulfur"}
    assert set(unlinked["wanted_location"]) == {"US", "MX"}
    assert (unlinked["new_provider"] == "").all()
    assert (rep[rep["status"] == "linked"]["new_provider"] != "").all()


def test_relink_needs_a_set_up_project():
    from lca_sh_ev.relink import relink

    with pytest.raises(UserInputError, match="is not set up; run lca-sh-ev setup first"):
        relink("surrogate", project="test-relink-never-set-up")


def test_relink_refuses_premise_grids(broken):
    from lca_sh_ev.relink import relink

    bd.projects.set_current(PROJECT)
    path = bd.projects.dir / "lca_sh_ev_setup.json"
    marker = json.loads(path.read_text())
    try:
        path.write_text(json.dumps({**marker, "grids": {"kind": "premise", "source": "ecoinvent:3.9",
                                                        "databases": {}}}))
        with pytest.raises(UserInputError, match="grids come from premise databases built on 'ecoinvent:3.9'"):
            relink("surrogate", project=PROJECT)
    finally:
        path.write_text(json.dumps(marker))


def test_wanted_location_is_kept_on_foreground_exchanges(broken):
    """The foreground records what it wanted, so a relink finds a closer dataset when the new background has one."""
    bd.projects.set_current(PROJECT)
    petrol = [e for a in bd.Database(FG_DB) for e in a.technosphere()
              if e.input["name"] == "market for petrol, low-sulfur"]
    assert petrol and all(e["wanted location"] == e.input["location"] for e in petrol)
    assert all(e["wanted unit"] == "litre" and e.input["unit"] == "kilogram" for e in petrol)
    # litre -> kilogram through the density: amount = wanted amount x density
    assert all(abs(e["amount"] - e["wanted amount"] * e["wanted density"]) < 1e-12 * e["amount"] for e in petrol)
