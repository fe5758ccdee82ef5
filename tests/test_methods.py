"""ReCiPe 2016 v1.03 (H) methods written offline from the file bundled with bw2io."""

import pandas as pd
import pytest

from lca_sh_ev import methods as M
from lca_sh_ev.data import methods_dir
from lca_sh_ev.errors import UserInputError

GWP = ("ReCiPe 2016 v1.03, midpoint (H)", "climate change", "global warming potential (GWP1000)")


@pytest.fixture(scope="module")
def project():
    """A project with biosphere3 and the ReCiPe (H) methods written once."""
    import bw2data as bd
    import bw2io

    bd.projects.set_current("test-methods")
    if "biosphere3" not in bd.databases:
        bw2io.create_default_biosphere3()
    M.write_recipe_methods()
    return bd


def _cf_by_flow(bd, method, name, categories):
    flow = next(
        f for f in bd.Database("biosphere3") if f["name"] == name and tuple(f["categories"]) == categories
    )
    return dict(bd.Method(method).load())[flow.id]


def test_recipe_method_keys_without_project():
    mid = M.recipe_method_keys("midpoint")
    end = M.recipe_method_keys("endpoint")
    assert len(mid) == 18 and len(set(mid)) == 18
    assert len(end) == 25
    assert all(m[0] == "ReCiPe 2016 v1.03, midpoint (H)" for m in mid)
    assert all(m[0] == "ReCiPe 2016 v1.03, endpoint (H)" for m in end)
    assert not any("no LT" in part for m in mid + end for part in m)
    assert sum(m[1].startswith("total: ") for m in end) == 3


def test_unknown_kind_raises():
    with pytest.raises(UserInputError, match="midpoint, endpoint"):
        M.recipe_method_keys("damage")


def test_eighteen_midpoint_methods_written_with_metadata(project):
    bd = project
    for method in M.recipe_method_keys("midpoint"):
        meta = bd.methods[method]
        assert meta["unit"] and meta["description"]
        assert meta["num_cfs"] == len(bd.Method(method).load()) > 0
    assert bd.methods[GWP]["unit"] == "kg CO2-Eq"
    assert "GWP100" in bd.methods[GWP]["description"]


def test_endpoint_methods_written(project):
    bd = project
    end = M.recipe_method_keys("endpoint")
    assert all(m in bd.methods for m in end)
    hh = ("ReCiPe 2016 v1.03, endpoint (H)", "total: human health", "human health")
    assert bd.methods[hh]["unit"] == "DALYs"
    assert len(bd.Method(hh).load()) == 1736


def test_climate_change_holds_gwp100_factors(project):
    bd = project
    assert _cf_by_flow(bd, GWP, "Methane, fossil", ("air",)) == 36
    assert _cf_by_flow(bd, GWP, "Dinitrogen monoxide", ("air",)) == 298
    assert _cf_by_flow(bd, GWP, "Sulfur hexafluoride", ("air",)) == 26100
    assert _cf_by_flow(bd, GWP, "Carbon dioxide, fossil", ("air", "urban air close to ground")) == 1


def test_node_ids_are_integers(project):
    rows = project.Method(GWP).load()
    assert all(isinstance(node, int) for node, _ in rows)


def test_second_write_changes_nothing(project):
    bd = project
    before = {m: (dict(bd.methods[m]), bd.Method(m).filepath_processed().stat().st_mtime_ns) for m in M.recipe_method_keys("midpoint")}
    M.write_recipe_methods()
    after = {m: (dict(bd.methods[m]), bd.Method(m).filepath_processed().stat().st_mtime_ns) for m in before}
    assert before == after
    assert M.methods_complete()


def test_interrupted_write_is_detected_and_repaired(project):
    bd = project
    method = ("ReCiPe 2016 v1.03, midpoint (H)", "eutrophication: freshwater", "freshwater eutrophication potential (FEP)")
    full = bd.Method(method).load()
    bd.Method(method).deregister()
    bd.Method(method).register(unit="kg P-Eq")  # a fresh registration, then a write cut short
    bd.Method(method).write(full[:3])
    assert M.methods_complete() is False
    M.write_recipe_methods()
    assert M.methods_complete() is True
    assert sorted(bd.Method(method).load()) == sorted(full)
    assert bd.methods[method]["description"]


def test_flag_left_false_is_incomplete(project):
    bd = project
    bd.methods[GWP][M.COMPLETE_FLAG] = False
    bd.methods.flush()
    assert M.methods_complete() is False
    M.write_recipe_methods()
    assert M.methods_complete() is True


def test_missing_biosphere_raises(project):
    with pytest.raises(UserInputError, match="no-such-biosphere"):
        M.write_recipe_methods(biosphere="no-such-biosphere")
    assert M.methods_complete(biosphere="no-such-biosphere") is False


def test_category_table_labels_climate_change_gwp100():
    table = M.category_table()
    assert list(table.columns[:4]) == ["method", "kind", "category", "indicator"]
    row = table[(table["kind"] == "midpoint") & (table["category"] == "climate change")].iloc[0]
    assert row["indicator"] == "GWP100"
    assert M.method_tuple(row["method"]) == GWP
    assert "GWP1000" not in set(table["indicator"])
    assert table["indicator"].is_unique
    assert (table["unit"].str.strip() != "").all() and (table["source"].str.strip() != "").all()


def test_category_table_covers_every_bundled_method():
    table = M.category_table()
    keys = M.recipe_method_keys("midpoint") + M.recipe_method_keys("endpoint")
    assert sorted(M.method_tuple(m) for m in table["method"]) == sorted(keys)
    for kind in ("midpoint", "endpoint"):
        assert (table["kind"] == kind).sum() == M.EXPECTED_COUNTS[kind]


def test_resolve_categories_by_name_indicator_and_kind():
    assert M.resolve_categories(["climate change", "gwp100"]) == [GWP, GWP]
    assert M.resolve_categories(["HTPnc"])[0][1] == "human toxicity: non-carcinogenic"
    assert M.resolve_categories(["land use"])[0][0] == "ReCiPe 2016 v1.03, midpoint (H)"
    assert M.resolve_categories(["land use"], kind="endpoint")[0] == (
        "ReCiPe 2016 v1.03, endpoint (H)", "ecosystem quality", "land use"
    )
    assert M.resolve_categories(["HH_total"])[0][2] == "human health"


def test_unknown_category_raises_listing_allowed_names():
    with pytest.raises(UserInputError, match="GWP1000x.*GWP100"):
        M.resolve_categories(["GWP1000x"])


def test_comparison_file_has_unit_and_source_on_every_row():
    path = methods_dir() / "cf_comparison.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(table.columns) == [
        "flow_name", "flow_categories", "category", "cf_bundled", "cf_rivm", "ratio", "unit", "source", "note",
    ]
    assert len(table) > 0
    assert (table["unit"].str.strip() != "").all()
    assert (table["source"].str.strip() != "").all()


def test_comparison_ratio_is_rivm_over_bundled():
    table = pd.read_csv(methods_dir() / "cf_comparison.csv")
    both = table.dropna(subset=["cf_bundled", "cf_rivm", "ratio"])
    both = both[both["cf_bundled"] != 0]
    assert len(both) > 0
    assert ((both["ratio"] - both["cf_rivm"] / both["cf_bundled"]).abs() <= 1e-5 * both["ratio"].abs() + 1e-12).all()


def _comparison_script():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "compare_recipe_rivm.py"
    spec = importlib.util.spec_from_file_location("compare_recipe_rivm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_comparison_rows_hand_case():
    script = _comparison_script()
    flows = {
        "a": ("Methane, fossil", "air::unspecified", "kg"),
        "b": ("Toluene", "air::non-urban air or from high stacks", "kg"),
        "c": ("Water", "air::unspecified", "kg"),
    }
    bundled = {"GWP100": {"a": 36.0}, "HOFP": {}}
    rivm = {"GWP100": {"a": 34.2}, "HOFP": {"b": 0.16}}
    units = [("GWP100", "climate change", "kg CO2-Eq"), ("HOFP", "photochemical oxidant formation: human health", "kg NOx-Eq")]
    rows = script.build_rows(flows, bundled, rivm, units)
    assert len(rows) == 2  # the flow with no factor anywhere is left out
    gwp, hofp = rows
    assert gwp["ratio"] == "0.95" and gwp["unit"] == "kg CO2-Eq/kg"
    assert "differ: RIVM/bundled = 0.95" in gwp["note"] and "urban-air" in gwp["note"]
    assert hofp["cf_bundled"] == "" and hofp["ratio"] == "" and hofp["cf_rivm"] == "0.16"
    assert hofp["note"].startswith("no factor in the bundled method")
    assert all(r["source"] for r in rows)


def test_comparison_flags_metal_to_soil_tetp():
    script = _comparison_script()
    note = script._note("TETP", "Copper ion", "soil::industrial", 2.54e-16, 2.5379e-16, 2.5379e-16 / 2.54e-16)
    assert note.startswith("agree within 1%") and "metal-to-soil TETP is ~0" in note
    assert script._note("TETP", "Copper ion", "soil::industrial", 1.0, None, None).startswith("no RIVM v1.1 factor")


def test_endpoint_factors_are_midpoint_times_recipe_conversion(project):
    # ReCiPe 2016 (H) midpoint-to-endpoint factors (Huijbregts et al. 2017):
    # 9.28e-7 DALY/kg CO2-eq, 2.8e-9 species.yr/kg CO2-eq (terrestrial), 6.29e-4 DALY/kg PM2.5-eq
    bd = project
    hh_gwp, ed_gwp, hh_pm = M.resolve_categories(["HH_GWP100", "ED_GWP100_terrestrial", "HH_PMFP"])
    co2 = ("air", "urban air close to ground")
    assert _cf_by_flow(bd, hh_gwp, "Carbon dioxide, fossil", co2) == pytest.approx(9.28e-7)
    assert _cf_by_flow(bd, hh_gwp, "Methane, fossil", ("air",)) == pytest.approx(36 * 9.28e-7, rel=1e-3)
    assert _cf_by_flow(bd, ed_gwp, "Carbon dioxide, fossil", co2) == pytest.approx(2.8e-9)
    assert _cf_by_flow(bd, hh_pm, "Particulate Matter, < 2.5 um", co2) == pytest.approx(6.29e-4)


def test_bundled_tetp_of_copper_to_soil_is_near_zero_but_not_to_air():
    # The documented implausibility (methods/README.md, finding 2): pinned so a changed file is noticed.
    from lca_sh_ev.biosphere import flow_index

    cfs = dict(zip(*M.bundled_factors(M.resolve_categories(["TETP"])[0]).T.values))
    index = flow_index()
    assert cfs[index[("Copper ion", "soil::agricultural")][0]] < 1e-10
    assert cfs[index[("Copper ion", "air::urban air close to ground")][0]] == pytest.approx(1.21e6)


def test_bundled_factors_of_unknown_method_raises():
    with pytest.raises(UserInputError, match="not a bundled"):
        M.bundled_factors(("ReCiPe 2016 v1.03, midpoint (H)", "nonsense"))


def test_tailpipe_gap_hand_case(tmp_path):
    script = _comparison_script()
    from lca_sh_ev.biosphere import flow_index

    index = flow_index()
    rural_toluene = index[("Toluene", "air::non-urban air or from high stacks")][0]
    urban_toluene = index[("Toluene", "air::urban air close to ground")][0]
    (tmp_path / "foreground").mkdir()
    (tmp_path / "foreground" / "tailpipe.csv").write_text(
        "region,powertrain,flow_name,flow_categories,value,unit,source\n"
        "US,ICEV,Toluene,air::urban air close to ground,2.0,kg/km,test\n"
        "US,ICEV,Toluene,air::non-urban air or from high stacks,1.0,kg/km,test\n"
    )
    bundled = {"HOFP": {urban_toluene: 0.16}}
    rivm = {"HOFP": {urban_toluene: 0.16, rural_toluene: 0.16}}
    (line,) = script.tailpipe_gap(tmp_path, bundled, rivm, indicators=("HOFP",))
    # bundled 2 x 0.16 = 0.32; gap-filled 0.32 + 1 x 0.16 = 0.48 (+50%)
    assert line == "US ICEV HOFP: 0.32 bundled, 0.48 gap-filled (+50.00%)"
