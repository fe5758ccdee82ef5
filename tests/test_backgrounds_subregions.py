"""US grid technologies on an ecoinvent-shaped background that has them only per NERC subregion.

ecoinvent 3.8 has no US-level electricity production datasets, only US-ASCC,
US-HICC, US-MRO, US-NPCC, US-RFC, US-SERC, US-TRE, US-WECC and US-PR
(tests/data/ecoinvent_38_cutoff_names.tsv.gz).  The rule: the exact location
if present, else every subregion except US-PR weighted by its production
volume, else the ordinary fallback chain.  Fixture volumes below are test
numbers, not data.
"""

import gzip

import bw2data as bd
import pytest

from lca_sh_ev.errors import UserInputError
from lca_sh_ev.linking import Provider, ProviderIndex, UnlinkedExchangesError, Wanted

COAL = ("electricity production, hard coal", "electricity, high voltage")


def _p(loc, volume, code=None):
    return Provider("bg", code or f"coal-{loc}", *COAL, loc, "kilowatt hour", production_volume=volume)


def test_exact_location_wins():
    index = ProviderIndex.from_providers([_p("US", 1.0), _p("US-RFC", 3.0)])
    mix, label = index.find_mix(*COAL, "US")
    assert [(p.location, w) for p, w in mix] == [("US", 1.0)] and label == "US"


def test_subregions_weighted_by_production_volume_without_puerto_rico():
    index = ProviderIndex.from_providers([_p("US-RFC", 3.0), _p("US-SERC", 1.0), _p("US-PR", 50.0), _p("RoW", 9.0)])
    mix, label = index.find_mix(*COAL, "US")
    assert [(p.location, w) for p, w in mix] == [("US-RFC", 0.75), ("US-SERC", 0.25)]
    assert label == "US subregion mix: US-RFC 0.7500, US-SERC 0.2500"


def test_subregion_without_volume_is_an_error_not_equal_weights():
    index = ProviderIndex.from_providers([_p("US-RFC", 3.0), _p("US-SERC", 0.0)])
    with pytest.raises(UserInputError, match=r"subregion datasets \['US-SERC'\] of US have no positive production"):
        index.find_mix(*COAL, "US")
    with pytest.raises(UnlinkedExchangesError, match="grid US coal"):
        index.link_all_mix([Wanted(*COAL, "US", "kilowatt hour", context="grid US coal")])


def test_no_subregion_falls_back_along_the_chain():
    index = ProviderIndex.from_providers([_p("RoW", 1.0)])
    mix, label = index.find_mix(*COAL, "US")
    assert [(p.location, w) for p, w in mix] == [("RoW", 1.0)] and label == "RoW"
    # Mexico has no subregions: plain chain
    assert index.find_mix(*COAL, "MX")[1] == "RoW"


def test_rule_covers_every_us_technology_location_in_ecoinvent_38():
    """Every US location ecoinvent 3.8 has for the grid's technologies is a subregion the rule takes (or US-PR)."""
    from lca_sh_ev.data import read_table
    from lca_sh_ev.linking import SUBREGIONS

    tech = read_table("grid/technology_map.csv", required=("activity_name",))
    names = set(tech["activity_name"])
    with gzip.open("tests/data/ecoinvent_38_cutoff_names.tsv.gz", "rt") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    us = {r[2] for r in rows if r[0] in names and r[2].startswith("US")}
    prefix, excluded = SUBREGIONS["US"]
    assert "US" not in us  # why the rule exists
    assert us and all(loc.startswith(prefix) for loc in us)
    assert {"US-RFC", "US-SERC", "US-WECC"} <= us
    assert excluded == ("US-PR",)


def test_grid_built_on_subregion_background_through_ecospold_import(tmp_path):
    """US technologies split into US-RFC (volume 3) and US-SERC (volume 1) via the real import path."""
    from lca_sh_ev.backgrounds import import_ecospold
    from lca_sh_ev.export import write_ecospold2
    from lca_sh_ev.grid import build_grid_records, generation_shares, load_grid_tables, market_code
    from lca_sh_ev.setup import setup
    from lca_sh_ev.surrogate import SURROGATE_DB

    setup(project="test-bg-subregions")
    records = bd.Database(SURROGATE_DB).load()
    split = {}
    for key, ds in records.items():
        if ds["location"] == "US" and ds["reference product"].startswith("electricity"):
            for loc, volume in (("US-RFC", 3.0), ("US-SERC", 1.0)):
                new = dict(ds, location=loc)
                code = f"{key[1]}-{loc}"
                new["exchanges"] = [dict(e) for e in ds["exchanges"]]
                new["exchanges"][0].update(input=(SURROGATE_DB, code), **{"production volume": volume})
                split[(SURROGATE_DB, code)] = new
        else:
            split[key] = ds
    codes = {e["input"][1] for ds in split.values() for e in ds["exchanges"] if e["type"] == "biosphere"}
    bio = {c: (f["name"], tuple(f["categories"]), f["unit"])
           for c in codes for f in [bd.get_node(database="biosphere3", code=c)]}
    write_ecospold2(split, bio, tmp_path / "datasets")
    import_ecospold(tmp_path / "datasets", "ecoinvent-split-fixture")

    index = ProviderIndex.from_databases(["ecoinvent-split-fixture"])
    log = []
    grid = build_grid_records(index, "grid-test", link_report=log)
    gen, _, _ = load_grid_tables()
    shares = generation_shares(gen)
    coal = float(shares[(shares.region == "US") & (shares.year == 2030) & (shares.technology == "hard_coal")]["share"].iloc[0])
    hv = grid[("grid-test", market_code("US", 2030, "high"))]
    got = {bd.get_node(database=e["input"][0], code=e["input"][1])["location"]: e["amount"]
           for e in hv["exchanges"] if e["type"] == "technosphere"
           and bd.get_node(database=e["input"][0], code=e["input"][1])["name"] == COAL[0]}
    assert got == pytest.approx({"US-RFC": 0.75 * coal, "US-SERC": 0.25 * coal}, rel=1e-12)
    # every US technology went through the mix; Mexico kept its own datasets
    us_links = [(w, link, weight) for w, link, weight in log if w.location == "US"]
    assert us_links and all(link.location_used.startswith("US subregion mix") for _, link, _ in us_links)
    assert all(link.location_used == "MX" for w, link, _ in log if w.location == "MX")
    # shares still sum to one per market (weights sum to one)
    total = sum(e["amount"] for e in hv["exchanges"] if e["type"] == "technosphere")
    assert total == pytest.approx(1.0, rel=1e-12)
