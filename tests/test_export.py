"""Excel export of the foreground with bw2io's exporter; it re-imports into a fresh project with the same totals."""

import bw2data as bd
import numpy as np
import pytest
from test_backgrounds_common import reduced
from typer.testing import CliRunner

from lca_sh_ev.cli import app
from lca_sh_ev.errors import UserInputError
from lca_sh_ev.foreground import FG_DB
from lca_sh_ev.grid import GRID_DB
from lca_sh_ev.surrogate import ADDITIONS_DB, SURROGATE_DB

PROJECT = "test-export"
FRESH = "test-export-fresh"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from lca_sh_ev.job import run

    tmp = tmp_path_factory.mktemp("excel")
    results = run(reduced(PROJECT, categories=["GWP100", "HTPnc", "FETP"]), progress=False)
    path = tmp / "foreground.xlsx"
    out = CliRunner().invoke(app, ["export", "--project", PROJECT, "--excel", str(path)])
    assert out.exit_code == 0, out.output
    return {"results": results, "path": path, "output": out.output}


def _case_totals(project, results):
    from lca_sh_ev.engine import node_scores
    from lca_sh_ev.foreground import build_plan

    bd.projects.set_current(project)
    methods = [tuple(m.split(" | ")) for m in results.impacts["method"].drop_duplicates()]
    plan = build_plan(results.scenario)
    ids = [bd.get_node(database=FG_DB, code=c.code).id for c in plan.cases]
    scores = node_scores(ids, methods)
    return np.array([scores.of(i) for i in ids]), plan, methods


def test_excel_reimports_into_fresh_project_with_same_totals(exported):
    from lca_sh_ev.export import import_excel
    from lca_sh_ev.setup import setup

    setup(project=FRESH)
    n = import_excel(exported["path"], link_to=[ADDITIONS_DB, GRID_DB, SURROGATE_DB])
    bd.projects.set_current(PROJECT)
    assert n == len(bd.Database(FG_DB))
    fresh, plan, methods = _case_totals(FRESH, exported["results"])
    df = exported["results"].impacts
    tot = df[df["stage"] == "total"]
    for i, case in enumerate(plan.cases):
        rows = tot[(tot["pathway"] == case.pathway)
                   & ((tot["export_age"] == case.export_age) if case.export_age else tot["export_age"].isna())]
        expected = [float(rows[rows["method"] == " | ".join(m)]["value"].iloc[0]) for m in methods]
        np.testing.assert_allclose(fresh[i], expected, rtol=1e-9)
    # credits (negative inputs) survive the round trip
    bd.projects.set_current(FRESH)
    assert any(e["amount"] < 0 for a in bd.Database(FG_DB) for e in a.technosphere())


def test_unlinked_exchanges_are_listed(exported, tmp_path):
    from lca_sh_ev.export import import_excel
    from lca_sh_ev.setup import setup

    setup(project="test-export-nogrid")
    with pytest.raises(UserInputError) as err:
        import_excel(exported["path"], link_to=[ADDITIONS_DB, SURROGATE_DB], db_name="fg-copy")
    message = str(err.value)
    assert "found no provider in ['(the file)', 'lca-sh-ev additions', 'lca-sh-ev surrogate background']" in message
    assert "'market for electricity, low voltage, 2030'" in message
    assert "fg-copy" not in bd.databases


def test_export_bad_inputs_exit_2(exported, tmp_path):
    r = CliRunner().invoke(app, ["export", "--project", PROJECT, "--excel", str(tmp_path / "f.csv")])
    assert r.exit_code == 2 and "must end in .xlsx" in r.output
    r = CliRunner().invoke(app, ["export", "--project", "test-export-none", "--excel", str(tmp_path / "f.xlsx")])
    assert r.exit_code == 2 and "--project 'test-export-none' does not exist" in r.output
    r = CliRunner().invoke(app, ["export", "--project", PROJECT, "--excel", str(tmp_path / "no" / "f.xlsx")])
    assert r.exit_code == 2 and "does not exist" in r.output
    assert exported["output"].strip().startswith("wrote ")


def test_project_opens_cleanly_and_dangling_exchanges_are_found(exported):
    from lca_sh_ev.export import project_problems

    bd.projects.set_current(PROJECT)
    assert project_problems() == []
    act = bd.get_node(database=FG_DB, code=next(iter(bd.Database(FG_DB))).key[1])
    exc = act.new_exchange(input=(SURROGATE_DB, "no-such-code"), amount=1.0, type="technosphere")
    exc.save()
    try:
        assert project_problems([FG_DB]) == [f"{FG_DB}/{act['code']}: input {SURROGATE_DB}/no-such-code does not exist"]
    finally:
        exc.delete()
    assert project_problems([FG_DB]) == []
