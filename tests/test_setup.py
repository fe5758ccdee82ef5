"""Offline set-up: complete, idempotent, and rebuilt after an interruption."""

import bw2data as bd
import pytest

from lca_sh_ev.errors import UserInputError
from lca_sh_ev.grid import GRID_DB
from lca_sh_ev.setup import MARKER, is_set_up, setup
from lca_sh_ev.surrogate import SURROGATE_DB

PROJECT = "test-setup"


@pytest.fixture(scope="module")
def first_setup():
    return setup(project=PROJECT)


def test_first_setup_builds_everything(first_setup):
    assert first_setup.changed
    assert {"biosphere3", SURROGATE_DB, GRID_DB} <= set(bd.databases)
    assert len(bd.Database("biosphere3")) == 4709
    recipe_mid = [m for m in bd.methods if "ReCiPe 2016 v1.03, midpoint (H)" in m[0]]
    assert len(recipe_mid) == 18
    assert is_set_up()


def test_second_setup_does_nothing_and_says_so(first_setup):
    again = setup(project=PROJECT)
    assert not again.changed
    assert "nothing to do" in again.summary()


def test_interrupted_setup_is_rebuilt(first_setup):
    bd.projects.set_current(PROJECT)
    # simulate a kill during the surrogate write: marker gone, surrogate half written
    (bd.projects.dir / MARKER).unlink()
    db = bd.Database(SURROGATE_DB)
    victim = next(iter(db))
    victim.delete()
    n_before = len(db)
    assert not is_set_up()
    report = setup(project=PROJECT)
    assert report.changed
    assert len(bd.Database(SURROGATE_DB)) == n_before + 1
    assert is_set_up()


def test_unknown_background_is_a_user_error():
    with pytest.raises(UserInputError, match="unknown background 'ecoinvent'; allowed: surrogate"):
        setup(project=PROJECT, background="ecoinvent")


def test_grid_markets_apply_td_losses_once(first_setup):
    bd.projects.set_current(PROJECT)
    from lca_sh_ev.grid import load_grid_tables, market_code

    _, loss, _ = load_grid_tables()
    l_mx = float(loss[(loss.region == "MX") & (loss.year == 2030)]["value"].iloc[0])
    lv = bd.get_node(database=GRID_DB, code=market_code("MX", 2030, "low"))
    inputs = list(lv.technosphere())
    assert len(inputs) == 1
    assert inputs[0].input["code"] == market_code("MX", 2030, "medium")
    assert inputs[0]["amount"] == pytest.approx(1 / (1 - l_mx))
    hv = bd.get_node(database=GRID_DB, code=market_code("MX", 2030, "high"))
    assert sum(e["amount"] for e in hv.technosphere()) == pytest.approx(1.0)
