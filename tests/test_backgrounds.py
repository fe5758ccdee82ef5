"""Background swap through the real ecoinvent import path (bw2io's ecospold2 importer), on our own surrogate.

The surrogate is written as ecospold2 files (lca_sh_ev.export.write_ecospold2),
imported with ``lca-sh-ev relink --background ecoinvent --ecospold DIR`` /
``setup --background ecoinvent``, and the reduced scenario must give the same
totals as on the surrogate to 1e-9.
"""

import json

import bw2data as bd
import numpy as np
import pytest
from test_backgrounds_common import reduced, surrogate_ecospold, totals
from typer.testing import CliRunner

from lca_sh_ev.backgrounds import parse_background
from lca_sh_ev.cli import app
from lca_sh_ev.errors import UserInputError

from lca_sh_ev.surrogate import load_tables as _surrogate_tables

N_SURROGATE = len(_surrogate_tables()[0])  # activities in inventories/surrogate

PROJECT = "test-bg-roundtrip"


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory):
    from lca_sh_ev.engine import node_scores
    from lca_sh_ev.foreground import FG_DB
    from lca_sh_ev.job import run, selected_methods

    tmp = tmp_path_factory.mktemp("roundtrip")
    scenario = reduced(PROJECT)
    before = run(scenario, progress=False)
    folder = tmp / "datasets"
    n_files = surrogate_ecospold(PROJECT, folder)
    result = CliRunner().invoke(app, ["relink", "--project", PROJECT, "--background", "ecoinvent",
                                      "--ei-version", "3.8", "--ecospold", str(folder),
                                      "--report", str(tmp / "relink.csv")])
    assert result.exit_code == 0, result.output
    bd.projects.set_current(PROJECT)
    # the relinked foreground itself (before any run rewrites it): scores of the case activities
    methods = [tuple(m.split(" | ")) for m in selected_methods(scenario)["method"]]
    cases = [a for a in bd.Database(FG_DB) if a["name"].endswith(", per km")]
    scores = node_scores([a.id for a in cases], methods)
    relinked = {a["code"]: scores.of(a.id) for a in cases}
    fg_exchanges = [(e.input.key, e["amount"]) for a in bd.Database(FG_DB) for e in a.technosphere()]
    after = run(scenario, progress=False)
    return {"before": before, "after": after, "n_files": n_files, "relinked": relinked, "tmp": tmp,
            "fg_exchanges": fg_exchanges, "methods": methods, "cli": result.output}


def test_roundtrip_totals_equal_surrogate(roundtrip):
    a, b = totals(roundtrip["before"]), totals(roundtrip["after"])
    assert len(a) == 4 * 18  # 4 cases (SH x 2 export ages, MX, US) x 18 midpoints
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=0)
    assert roundtrip["after"].info["background"] == "ecoinvent-3.8-cutoff"
    assert roundtrip["after"].info["background_spec"] == "ecoinvent:3.8"
    assert roundtrip["after"].info["grids"]["kind"] == "bundled"
    assert roundtrip["before"].info["background"] == "lca-sh-ev surrogate background"


def test_relinked_foreground_scores_equal_surrogate_run(roundtrip):
    """The relinked foreground (before a run rewrites it) scores like the surrogate run, case by case."""
    from lca_sh_ev.foreground import build_plan

    plan = build_plan(reduced(PROJECT))
    df = roundtrip["before"].impacts
    tot = df[df["stage"] == "total"]
    assert len(roundtrip["relinked"]) == len(plan.cases) == 4
    for case in plan.cases:
        rows = tot[(tot["pathway"] == case.pathway)
                   & ((tot["export_age"] == case.export_age) if case.export_age else tot["export_age"].isna())]
        expected = [float(rows[rows["method"] == " | ".join(m)]["value"].iloc[0]) for m in roundtrip["methods"]]
        np.testing.assert_allclose(roundtrip["relinked"][case.code], expected, rtol=1e-9)


def test_foreground_points_only_at_new_background(roundtrip):
    dbs = {k[0] for k, _ in roundtrip["fg_exchanges"]}
    assert "lca-sh-ev surrogate background" not in dbs
    assert "ecoinvent-3.8-cutoff" in dbs
    # credits keep their sign through the swap
    assert any(amount < 0 for _, amount in roundtrip["fg_exchanges"])


def test_relink_report_lists_every_background_exchange(roundtrip):
    import pandas as pd

    rep = pd.read_csv(roundtrip["tmp"] / "relink.csv", keep_default_na=False)
    assert set(rep["status"]) == {"linked"}
    assert {"lca-sh-ev foreground", "lca-sh-ev grid"} == set(rep["database"])
    grid = rep[rep["database"] == "lca-sh-ev grid"]
    from lca_sh_ev.grid import generation_shares, load_grid_tables

    shares = generation_shares(load_grid_tables()[0])
    assert len(grid) == len(shares[["region", "technology"]].drop_duplicates())  # one row per region technology
    assert (grid["old_provider"] == grid["new_provider"]).all()
    # the bundled additions have no background inputs today (their rows: see test_additions_rows)
    assert (rep["database"] == "lca-sh-ev additions").sum() == 0
    fg = rep[rep["database"] == "lca-sh-ev foreground"]
    assert (fg["old_provider"] != "").all() and (fg["new_provider"] != "").all()
    # the surrogate and its ecospold copy share names and locations: each link keeps its location
    assert (fg["old_provider"] == fg["new_provider"]).all()
    assert "relinked from 'surrogate' to 'ecoinvent:3.8'" in roundtrip["cli"]


def test_marker_records_background_identity(roundtrip):
    bd.projects.set_current(PROJECT)
    marker = json.loads((bd.projects.dir / "lca_sh_ev_setup.json").read_text())
    assert marker["background"] == "ecoinvent:3.8"
    assert marker["background_db"] == "ecoinvent-3.8-cutoff"
    assert marker["background_version"] == "3.8"
    # one ecospold2 file per surrogate activity
    assert len(bd.Database("ecoinvent-3.8-cutoff")) == roundtrip["n_files"] == N_SURROGATE


def test_setup_with_ecospold_builds_project_on_it(roundtrip):
    from lca_sh_ev.job import run

    result = CliRunner().invoke(app, ["setup", "--project", "test-bg-setup", "--background", "ecoinvent",
                                      "--ei-version", "3.8", "--ecospold", str(roundtrip["tmp"] / "datasets")])
    assert result.exit_code == 0, result.output
    assert f"ecoinvent-3.8-cutoff imported ({N_SURROGATE} datasets" in result.output  # every surrogate activity
    again = run(reduced("test-bg-setup"), progress=False)
    np.testing.assert_allclose(totals(again), totals(roundtrip["before"]), rtol=1e-9)
    assert again.info["background"] == "ecoinvent-3.8-cutoff"


@pytest.mark.parametrize("args, message", [
    (["--background", "ecoinvent", "--ei-version", "3.8", "--ecospold", "/nonexistent/datasets"],
     "--ecospold '/nonexistent/datasets' is not a directory"),
    (["--background", "ecoinvent", "--ei-version", "3.7", "--ecospold", "."],
     "--ei-version '3.7' is not supported; allowed: 3.8, 3.9, 3.10, 3.11"),
    (["--background", "ecoinvent", "--ei-version", "3.9"],
     "ecoinvent 3.9 is not imported in project"),
    (["--background", "bw:nope"], "must look like bw:PROJECT:DATABASE"),
    (["--background", "bw:no-such-project:ei"], "no Brightway project 'no-such-project'"),
    (["--background", "openlca"], "unknown background 'openlca'"),
])
def test_bad_background_options_exit_2_one_line(args, message):
    result = CliRunner().invoke(app, ["setup", "--project", "test-bg-bad"] + args)
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert message in result.output


def test_empty_ecospold_dir_is_one_line(tmp_path):
    result = CliRunner().invoke(app, ["setup", "--project", "test-bg-bad", "--background", "ecoinvent",
                                      "--ei-version", "3.8", "--ecospold", str(tmp_path)])
    assert result.exit_code == 2
    assert "holds no .spold files" in result.output


def test_parse_background_specs():
    assert parse_background("surrogate").database == "lca-sh-ev surrogate background"
    bg = parse_background("ecoinvent", "3.10")
    assert (bg.kind, bg.database, bg.spec) == ("ecoinvent", "ecoinvent-3.10-cutoff", "ecoinvent:3.10")
    bw = parse_background("bw:other:ecoinvent-3.9.1-cutoff", "3.9")
    assert (bw.database, bw.source, bw.version, bw.spec) == ("ecoinvent-3.9.1-cutoff", "other:ecoinvent-3.9.1-cutoff",
                                                             "3.9", "bw:other:ecoinvent-3.9.1-cutoff")
    with pytest.raises(UserInputError, match="disagree"):
        parse_background("ecoinvent:3.8", "3.9")


def test_unlinked_elementary_flow_stops_import_with_list(tmp_path, roundtrip):
    """An elementary flow that is not in biosphere3 (e.g. a flow of another ecoinvent version) is listed."""
    from lca_sh_ev.backgrounds import import_ecospold

    folder = tmp_path / "datasets"
    folder.mkdir()
    src = sorted((roundtrip["tmp"] / "datasets").glob("*.spold"))
    n_bio = 0
    for f in src:
        text = f.read_text()
        n_bio += text.count('elementaryExchangeId="')
        (folder / f.name).write_text(text.replace('elementaryExchangeId="', 'elementaryExchangeId="0'))
    bd.projects.set_current(PROJECT)
    with pytest.raises(UserInputError) as err:
        import_ecospold(folder, "ecoinvent-bad-cutoff")
    assert f"{n_bio} exchange(s)" in str(err.value)
    assert "ecoinvent-bad-cutoff" not in bd.databases


def test_copy_from_another_project(roundtrip):
    """bw:PROJECT:DATABASE copies the database; biosphere inputs re-keyed to our biosphere3 by code."""
    from lca_sh_ev.job import run

    result = CliRunner().invoke(app, ["relink", "--project", "test-bg-setup", "--background",
                                      f"bw:{PROJECT}:ecoinvent-3.8-cutoff", "--report",
                                      str(roundtrip["tmp"] / "relink2.csv")])
    # same name as the local import: the copy replaces nothing because it is already there
    assert result.exit_code == 0, result.output
    bd.projects.set_current("test-bg-setup")
    assert json.loads((bd.projects.dir / "lca_sh_ev_setup.json").read_text())["background"] == \
        f"bw:{PROJECT}:ecoinvent-3.8-cutoff"
    again = run(reduced("test-bg-setup"), progress=False)
    np.testing.assert_allclose(totals(again), totals(roundtrip["before"]), rtol=1e-9)


def test_copy_from_project_writes_the_database(roundtrip):
    from lca_sh_ev.backgrounds import copy_from_project
    from lca_sh_ev.setup import setup

    setup(project="test-bg-copy")
    n = copy_from_project(PROJECT, "ecoinvent-3.8-cutoff", "test-bg-copy")
    assert bd.projects.current == "test-bg-copy"
    assert n == N_SURROGATE and len(bd.Database("ecoinvent-3.8-cutoff")) == N_SURROGATE
    bio = {e.input.key[0] for a in bd.Database("ecoinvent-3.8-cutoff") for e in a.biosphere()}
    assert bio == {"biosphere3"}


def test_ecoinvent_38_flow_uuids_are_migrated_to_39(tmp_path, roundtrip):
    """A flow under its ecoinvent 3.8 UUID (3.8 'Methane' -> 3.9 'Methane, fossil') links to biosphere3's 3.9 flow."""
    import re

    from lca_sh_ev.backgrounds import biosphere_uuid_map, import_ecospold

    mapping = biosphere_uuid_map("3.8")
    assert len(mapping) == 18
    assert biosphere_uuid_map("3.9") == {}
    bd.projects.set_current(PROJECT)
    names = {new: bd.get_node(database="biosphere3", code=new)["name"] for new in mapping.values()}
    old, new = next((o, n) for o, n in mapping.items() if names[n] == "Methane, fossil")
    files = sorted((roundtrip["tmp"] / "datasets").glob("*.spold"))
    # stand-in: the first elementary flow of the first file with one is written under the 3.8 methane UUID
    victim = next(m.group(1) for f in files for m in [re.search(r'elementaryExchangeId="([^"]+)"', f.read_text())] if m)
    folder = tmp_path / "datasets"
    folder.mkdir()
    n = 0
    for f in files:
        text = f.read_text()
        n += text.count(f'elementaryExchangeId="{victim}"')
        (folder / f.name).write_text(text.replace(f'elementaryExchangeId="{victim}"', f'elementaryExchangeId="{old}"'))
    assert n > 0
    with pytest.raises(UserInputError, match=f"{n} exchange"):
        import_ecospold(folder, "ecoinvent-39-check", version="3.9")  # no migration for 3.9: unlinked, listed
    rep = import_ecospold(folder, "ecoinvent-38-check", version="3.8")
    assert rep.migrated_flows == n
    linked = [e for a in bd.Database("ecoinvent-38-check") for e in a.biosphere() if e.input["code"] == new]
    assert len(linked) == n


def test_exchanges_deleted_by_bw2io_strategies_are_listed(tmp_path, roundtrip):
    """An input with no activity link and no producer (an ecoinvent 'known data issue') is deleted by bw2io:
    the import names it instead of dropping it silently."""
    import csv

    from lca_sh_ev.backgrounds import import_ecospold

    folder = tmp_path / "datasets"
    folder.mkdir()
    files = sorted((roundtrip["tmp"] / "datasets").glob("*.spold"))
    for i, f in enumerate(files):
        text = f.read_text()
        if i == 0:
            ghost = ('<intermediateExchange id="11111111-1111-1111-1111-111111111111" amount="0.5" '
                     'intermediateExchangeId="22222222-2222-2222-2222-222222222222">'
                     '<name xml:lang="en">orphan product</name><unitName xml:lang="en">kilogram</unitName>'
                     '<inputGroup>5</inputGroup></intermediateExchange>')
            text = text.replace("</flowData>", ghost + "</flowData>")
        (folder / f.name).write_text(text)
    bd.projects.set_current(PROJECT)
    rep = import_ecospold(folder, "ecoinvent-ghost-check", report_csv=tmp_path / "import.csv")
    assert rep.dropped == [(files[0].name, "orphan product", 0.5)]
    rows = list(csv.DictReader((tmp_path / "import.csv").open()))
    assert [(r["dataset_file"], r["exchange"], float(r["amount"])) for r in rows] == rep.dropped


def test_additions_rows(tmp_path, monkeypatch, roundtrip):
    """An additions dataset with a background input gets a report row (old and new provider, location used)."""
    import shutil

    from lca_sh_ev.data import DATA_DIR_ENV, data_dir
    from lca_sh_ev.linking import ProviderIndex
    from lca_sh_ev.relink import additions_rows

    copy = tmp_path / "inventories"
    shutil.copytree(data_dir(), copy)
    monkeypatch.setenv(DATA_DIR_ENV, str(copy))
    with (copy / "additions" / "exchanges_battery.csv").open("a") as f:
        f.write('bat_li_assembly,technosphere,"market for steel, low-alloyed","steel, low-alloyed",MX,,1.5,kg,'
                'test row,test\n')
    bd.projects.set_current(PROJECT)
    old = ProviderIndex.from_databases(["lca-sh-ev surrogate background"])
    new = ProviderIndex.from_databases(["ecoinvent-3.8-cutoff"])
    rows = additions_rows(old, new)
    assert len(rows) == 1
    row = rows[0]
    assert row["old_provider"] == row["new_provider"] == "market for steel, low-alloyed | steel, low-alloyed | GLO"
    assert (row["wanted_location"], row["location_used"], row["status"]) == ("MX", "GLO", "linked")
    assert row["database"] == "lca-sh-ev additions"


def test_relink_back_to_surrogate(roundtrip):
    """Last in this file: swapping back gives the surrogate run again and points the foreground at the surrogate."""
    from lca_sh_ev.foreground import FG_DB
    from lca_sh_ev.relink import relink

    res = relink("surrogate", project=PROJECT, report=roundtrip["tmp"] / "back.csv")
    assert (res.old, res.new) == ("ecoinvent:3.8", "surrogate")
    bd.projects.set_current(PROJECT)
    dbs = {e.input.key[0] for a in bd.Database(FG_DB) for e in a.technosphere()}
    assert "ecoinvent-3.8-cutoff" not in dbs and "lca-sh-ev surrogate background" in dbs
    from lca_sh_ev.job import run

    again = run(reduced(PROJECT), progress=False)
    assert again.info["background"] == "lca-sh-ev surrogate background"
    np.testing.assert_allclose(totals(again), totals(roundtrip["before"]), rtol=1e-9)
