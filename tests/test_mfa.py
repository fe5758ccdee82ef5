"""MFA side module: balances, hand-computed cases, the report's directional findings, bad inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lca_sh_ev.data import DATA_DIR_ENV, data_dir, read_table
from lca_sh_ev.errors import UserInputError
from lca_sh_ev.mfa import run_mfa, write_outputs
from lca_sh_ev.mfa.fleet import run_dsm
from lca_sh_ev.mfa.lifetimes import weibull_survival


@pytest.fixture(scope="module")
def res():
    return run_mfa(None, None)


def _balance(stock, flows, region):
    s = stock[stock.region == region].groupby("year").vehicles.sum()
    f = flows[flows.region == region]
    inflow = f[f.flow.isin(["sales", "SH imports"])].groupby("year").vehicles.sum()
    outflow = f[f.flow == "deregistrations"].groupby("year").vehicles.sum()
    return s, inflow, outflow


@pytest.mark.parametrize("region", ["US", "MX"])
def test_stock_balance(res, region):
    s, i, o = _balance(res.stock, res.flows, region)
    lhs = s.diff().iloc[1:]
    rhs = (i - o).loc[lhs.index]
    assert np.all(np.abs(lhs - rhs) <= 1e-9 * s.loc[lhs.index])


@pytest.mark.parametrize("region", ["US", "MX"])
def test_battery_material_balance(res, region):
    b = res.battery_balance[res.battery_balance.region == region].set_index("year")
    d = b.stock_t.diff().iloc[1:]
    rhs = (b.inflow_t - b.outflow_t).loc[d.index]
    assert np.all(np.abs(d - rhs) <= 1e-9 * np.maximum(b.stock_t.loc[d.index], 1.0))


def test_exports_equal_imports_and_part_of_us_deregistrations(res):
    f = res.flows
    exp = f[f.flow == "SH exports"].groupby("year").vehicles.sum()
    imp = f[f.flow == "SH imports"].groupby("year").vehicles.sum()
    dereg = f[(f.region == "US") & (f.flow == "deregistrations")].groupby("year").vehicles.sum()
    assert np.allclose(exp, imp, rtol=1e-12)
    assert (exp <= dereg).all()


def test_sh_imports_follow_sourced_history(res):
    f = res.flows
    imp = f[f.flow == "SH imports"].groupby("year").vehicles.sum()
    assert imp[2006] == pytest.approx(1_575_150, rel=1e-9)
    assert imp[2013] == pytest.approx(644_209, rel=1e-9)
    assert imp[2021] == pytest.approx(167_064, rel=1e-9)


def test_stock_anchors(res):
    st = res.stock.groupby(["region", "origin", "year"]).vehicles.sum()
    assert st[("MX", "new", 2005)] == pytest.approx(16.0e6, rel=1e-9)
    assert st[("US", "new", 2021)] == pytest.approx(283.0e6, rel=1e-9)


def test_flodym_dsm_hand_case():
    """Inflow 100 in year 0 with Weibull(scale 2, shape 1), entry at mid-year."""
    years = np.arange(2000, 2004)
    c = run_dsm(years, np.array([100.0, 0, 0, 0]), weibull_survival(2.0, 1.0))
    expected = 100 * np.exp(-(np.arange(4) + 0.5) / 2.0)
    assert np.allclose(c.stock, expected, rtol=1e-12)
    assert c.outflow[0] == pytest.approx(100 - expected[0])


def test_sh_entry_age_conditional_survival():
    """An SH vehicle imported at age 8 survives S(8.5)/S(8) by the end of its first year."""
    years = np.arange(2000, 2003)
    s = weibull_survival(10.0, 3.0)
    c = run_dsm(years, np.array([1.0, 0, 0]), s, entry_age=8.0)
    assert c.stock[0] == pytest.approx(s(8.5) / s(8.0), rel=1e-12)
    assert c.stock[1] == pytest.approx(s(9.5) / s(8.0), rel=1e-12)


def _sh_share(res):
    st = res.stock[res.stock.region == "MX"].groupby(["year", "origin"]).vehicles.sum().unstack()
    return st["SH"] / st.sum(axis=1)


def test_sh_share_of_stock_peaks_mid_2010s_then_falls(res):
    share = _sh_share(res)
    peak = int(share.idxmax())
    assert 2011 <= peak <= 2016
    assert share[2050] < 0.5 * share.max()
    assert share[2030] < share[peak] and share[2050] <= share[2030]


def test_sh_larger_share_of_deregistrations_than_of_stock(res):
    share = _sh_share(res)
    f = res.flows[(res.flows.region == "MX") & (res.flows.flow == "deregistrations")]
    d = f.groupby(["year", "origin"]).vehicles.sum().unstack()
    dshare = d["SH"] / d.sum(axis=1)
    years = range(2008, 2051)
    assert all(dshare[y] > share[y] for y in years)


def test_sh_evs_supply_most_eol_battery_mass_early(res):
    e = res.battery_eol[res.battery_eol.region == "MX"]
    m = e.groupby(["year", "origin"]).mass_t.sum().unstack()
    early = m.loc[2020:2027]
    assert (early["SH"] > early["new"]).all()
    # with the sourced ICCT Momentum BEV sales, new EVs take over before 2035 (report: 2042)
    assert m.loc[2035, "new"] > m.loc[2035, "SH"]


def test_battery_eol_hand_check(res):
    """One SH BEV of model year 2016 retired: kWh x chemistry x BatPaC intensity."""
    mi = read_table("mfa/material_intensity.csv", numeric=("value",))
    li_nca = mi[(mi.chemistry == "NCA") & (mi.material == "Li")].value.iloc[0]
    li_nmc = mi[(mi.chemistry == "NMC") & (mi.material == "Li")].value.iloc[0]
    from lca_sh_ev.mfa.batteries import content_per_vehicle
    from lca_sh_ev.mfa.inputs import MATERIALS, POWERTRAINS, load_inputs
    inp = load_inputs(res.config)
    c = content_per_vehicle(inp, "US")
    i = int(np.searchsorted(inp.years, 2016))
    li = c[i, POWERTRAINS.index("BEV"), :, MATERIALS.index("Li")].sum()
    assert li == pytest.approx(59.71 * (0.5 * li_nca + 0.5 * li_nmc) / 1000, rel=1e-9)


def test_recoverable_route_rates(res):
    rec = res.recoverable
    eol = res.battery_eol.groupby(["year", "region", "origin", "material"]).mass_t.sum()
    r = rec[(rec.route == "pyrometallurgy (all EOL mass)") & (rec.year == 2040) & (rec.region == "MX")]
    r = r.set_index(["year", "region", "origin", "material"]).mass_t
    assert r[(2040, "MX", "SH", "Li")] == 0.0
    assert r[(2040, "MX", "SH", "Ni")] == pytest.approx(0.9 * eol[(2040, "MX", "SH", "Ni")], rel=1e-12)
    rules = rec[(rec.route == "report rules (not recycled)")]
    assert (rules.mass_t == 0).all()


def test_every_mfa_data_row_has_unit_and_source():
    for p in sorted((data_dir() / "mfa").glob("*.csv")):
        t = pd.read_csv(p, dtype=str, keep_default_na=False)
        assert {"unit", "source"} <= set(t.columns), p.name
        assert (t["unit"].str.strip() != "").all() and (t["source"].str.strip() != "").all(), p.name


def test_outputs_written(res, tmp_path):
    paths = write_outputs(res, tmp_path)
    assert (tmp_path / "figures" / "figure4_mx_fleet.png").stat().st_size > 1000
    stock = pd.read_csv(tmp_path / "stock.csv")
    assert list(stock.columns) == ["year", "region", "origin", "powertrain", "vehicles", "unit"]
    assert list(pd.read_csv(tmp_path / "flows.csv").columns) == ["year", "region", "flow", "origin", "powertrain", "vehicles", "unit"]
    assert list(pd.read_csv(tmp_path / "battery_eol.csv").columns) == ["year", "region", "origin", "chemistry", "material", "mass_t", "unit"]
    assert list(pd.read_csv(tmp_path / "recoverable.csv").columns) == ["year", "region", "origin", "material", "route", "mass_t", "unit"]
    assert len(paths) == 9


def test_scn2_uses_mexican_mix(res, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("scenario: Scn2\n")
    r2 = run_mfa(str(cfg), None)
    f1, f2 = res.flows, r2.flows
    sel = lambda f: f[(f.flow == "SH imports") & (f.year == 2040)].set_index("powertrain").vehicles  # noqa: E731
    assert sel(f1).sum() == pytest.approx(sel(f2).sum(), rel=1e-9)
    assert sel(f2)["BEV"] > sel(f1)["BEV"]


# ---- bad inputs -------------------------------------------------------------------------

@pytest.mark.parametrize("text, word", [
    ("first_year: 1990\n", "first_year"),
    ("last_year: 2070\n", "last_year"),
    ("export_share_reference: 1.5\n", "export_share_reference"),
    ("scenario: Scn3\n", "scenario"),
    ("sh_ratio_override: -0.1\n", "sh_ratio_override"),
    ("unknown_key: 1\n", "unknown_key"),
])
def test_bad_config(tmp_path, text, word):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    with pytest.raises(UserInputError, match=word):
        run_mfa(str(cfg), None)


def test_missing_config(tmp_path):
    with pytest.raises(UserInputError, match="not found"):
        run_mfa(str(tmp_path / "nope.yaml"), None)


def _copy_data(tmp_path, monkeypatch):
    dst = tmp_path / "inv"
    shutil.copytree(data_dir(), dst)
    monkeypatch.setenv(DATA_DIR_ENV, str(dst))
    return dst


@pytest.mark.parametrize("file, column, row, value, word", [
    ("mfa/stock_anchors.csv", "value", 0, "-16000000", "negative"),
    ("mfa/mx_sh_imports.csv", "year", 0, "1800", "out of range"),
    ("mfa/sh_import_age.csv", "value", 0, "1.5", r"outside \[0, 1\]"),
    ("mfa/chemistry_mix.csv", "value", 0, "-0.2", r"outside \[0, 1\]"),
    ("mfa/us_sales.csv", "value", 0, "-5", "negative"),
])
def test_bad_data(tmp_path, monkeypatch, file, column, row, value, word):
    dst = _copy_data(tmp_path, monkeypatch)
    t = pd.read_csv(dst / file, dtype=str, keep_default_na=False)
    t.loc[row, column] = value
    t.to_csv(dst / file, index=False)
    with pytest.raises(UserInputError, match=word) as exc:
        run_mfa(None, None)
    assert "\n" not in str(exc.value)


def test_flows_by_age_sum_to_flows(res):
    fa = res.flows_by_age.groupby(["year", "region", "flow", "origin", "powertrain"]).vehicles.sum()
    f = res.flows.set_index(["year", "region", "flow", "origin", "powertrain"]).vehicles
    common = f.index.intersection(fa.index)
    assert len(common) > 500
    assert np.allclose(fa.loc[common], f.loc[common], rtol=1e-9, atol=1e-6)
    sh = res.flows_by_age[(res.flows_by_age.flow == "SH exports") & (res.flows_by_age.year == 2030)]
    assert set(sh.age) == {8, 9}
