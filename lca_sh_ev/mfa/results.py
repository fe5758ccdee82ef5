"""Tidy result tables of the MFA (columns as in the design's "User interface")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .batteries import EV_IDX, battery_flows, mx_new_within_warranty, mx_new_within_warranty_mass
from .config import MFAConfig
from .fleet import Fleet
from .inputs import CHEMISTRIES, MATERIALS, POWERTRAINS, MFAInputs


def _long(arr: np.ndarray, years: np.ndarray, keep: np.ndarray, value: str, **fixed) -> pd.DataFrame:
    """(t, p) array -> rows year, powertrain, value for the kept years."""
    t, p = np.meshgrid(years[keep], POWERTRAINS, indexing="ij")
    df = pd.DataFrame({"year": t.ravel(), "powertrain": p.ravel(), value: arr[keep].ravel()})
    for k, v in fixed.items():
        df[k] = v
    return df


def stock_table(f: Fleet, keep: np.ndarray) -> pd.DataFrame:
    parts = [_long(f.us.stock, f.years, keep, "vehicles", region="US", origin="new"),
             _long(f.mx_new.stock, f.years, keep, "vehicles", region="MX", origin="new"),
             _long(f.mx_sh.stock.sum(axis=1), f.years, keep, "vehicles", region="MX", origin="SH")]
    df = pd.concat(parts, ignore_index=True)
    df["unit"] = "vehicles"
    return df[["year", "region", "origin", "powertrain", "vehicles", "unit"]]


def flows_table(f: Fleet, keep: np.ndarray) -> pd.DataFrame:
    exp = f.exports.sum(axis=1)
    parts = [
        _long(f.us.inflow, f.years, keep, "vehicles", region="US", flow="sales", origin="new"),
        _long(f.us.outflow, f.years, keep, "vehicles", region="US", flow="deregistrations", origin="new"),
        _long(exp, f.years, keep, "vehicles", region="US", flow="SH exports", origin="SH"),
        _long(f.mx_new.inflow, f.years, keep, "vehicles", region="MX", flow="sales", origin="new"),
        _long(exp, f.years, keep, "vehicles", region="MX", flow="SH imports", origin="SH"),
        _long(f.mx_new.outflow, f.years, keep, "vehicles", region="MX", flow="deregistrations", origin="new"),
        _long(f.mx_sh.outflow.sum(axis=1), f.years, keep, "vehicles", region="MX", flow="deregistrations", origin="SH"),
    ]
    df = pd.concat(parts, ignore_index=True)
    df["unit"] = "vehicles/yr"
    return df[["year", "region", "flow", "origin", "powertrain", "vehicles", "unit"]]


def flows_by_age_table(f: Fleet, keep: np.ndarray) -> pd.DataFrame:
    """Deregistrations and SH exports by age (age = t - c, SH: + import age)."""
    n = len(f.years)
    age = np.arange(n)[:, None] - np.arange(n)[None, :]
    rows = []

    def add(arr_tcp, region, flow, origin, offset=0):
        for i in np.nonzero(keep)[0]:
            for c in range(i + 1):
                v = arr_tcp[i, c]
                if v.sum() > 0:
                    for k, p in enumerate(POWERTRAINS):
                        rows.append((f.years[i], region, flow, origin, p, age[i, c] + offset, v[k]))

    add(f.us.outflow_tc, "US", "deregistrations", "new")
    add(f.mx_new.outflow_tc, "MX", "deregistrations", "new")
    for j, a in enumerate(f.sh_ages):
        add(f.mx_sh.outflow_tc[:, :, j], "MX", "deregistrations", "SH", int(a))
    for i in np.nonzero(keep)[0]:
        for j, a in enumerate(f.sh_ages):
            for k, p in enumerate(POWERTRAINS):
                if f.exports[i, j, k] > 0:
                    rows.append((f.years[i], "US", "SH exports", "SH", p, int(a), f.exports[i, j, k]))
    df = pd.DataFrame(rows, columns=["year", "region", "flow", "origin", "powertrain", "age", "vehicles"])
    df = df.groupby(["year", "region", "flow", "origin", "powertrain", "age"], as_index=False)["vehicles"].sum()
    df["unit"] = "vehicles/yr"
    return df


def _tkm_rows(arr, years, keep, **fixed) -> pd.DataFrame:
    t, k, m = np.meshgrid(years[keep], CHEMISTRIES, MATERIALS, indexing="ij")
    df = pd.DataFrame({"year": t.ravel(), "chemistry": k.ravel(), "material": m.ravel(), "mass_t": arr[keep].ravel()})
    for key, v in fixed.items():
        df[key] = v
    return df


def battery_tables(cfg: MFAConfig, inp: MFAInputs, f: Fleet, keep: np.ndarray):
    """battery_eol, recoverable, coupling and the battery balance tables."""
    b = battery_flows(inp, f)
    us_domestic = b["US"].outflow - b["exported"]
    eol = pd.concat([
        _tkm_rows(us_domestic, f.years, keep, region="US", origin="new"),
        _tkm_rows(b["MX_new"].outflow, f.years, keep, region="MX", origin="new"),
        _tkm_rows(b["MX_SH"].outflow, f.years, keep, region="MX", origin="SH"),
    ], ignore_index=True)
    eol["unit"] = "t"
    eol = eol[["year", "region", "origin", "chemistry", "material", "mass_t", "unit"]]

    by_mat = eol.groupby(["year", "region", "origin", "material"], as_index=False)["mass_t"].sum()
    rates = inp.recovery
    rec_parts = []
    for route, g in rates.groupby("route"):
        r = by_mat.merge(g[["material", "value"]], on="material")
        r["mass_t"] = r["mass_t"] * r["value"]
        r["route"] = f"{route} (all EOL mass)"
        rec_parts.append(r.drop(columns="value"))
    # the report's rules: US all recycled; SH in MX not recycled; MX new only within warranty (pyro)
    warr = mx_new_within_warranty_mass(inp, f, cfg.warranty_years)
    warr_df = _tkm_rows(warr, f.years, keep, region="MX", origin="new").groupby(
        ["year", "region", "origin", "material"], as_index=False)["mass_t"].sum()
    rule_parts = []
    for region, origin, route, base in (
        ("US", "new", cfg.us_recycling_route, by_mat[(by_mat.region == "US")]),
        ("MX", "new", cfg.mx_recycling_route, warr_df),
    ):
        r = base.merge(rates[rates.route == route][["material", "value"]], on="material")
        r["mass_t"] = r["mass_t"] * r["value"]
        r["route"] = f"report rules ({route})"
        rule_parts.append(r.drop(columns="value"))
    sh0 = by_mat[(by_mat.region == "MX") & (by_mat.origin == "SH")].copy()
    sh0 = sh0[sh0.material.isin(rates.material.unique())]
    sh0["mass_t"] = 0.0
    sh0["route"] = "report rules (not recycled)"
    rec = pd.concat(rec_parts + rule_parts + [sh0], ignore_index=True)
    rec["unit"] = "t"
    rec = rec[["year", "region", "origin", "material", "route", "mass_t", "unit"]]

    coupling = coupling_table(cfg, f, b, warr, keep)
    balance = balance_table(f, b, keep)
    return eol, rec, coupling, balance


def coupling_table(cfg, f: Fleet, b: dict, warr: np.ndarray, keep) -> pd.DataFrame:
    """Numbers the LCA's battery end of life can take from the MFA (see README)."""
    y = f.years
    mass_sh = b["MX_SH"].outflow.sum(axis=(1, 2))
    mass_new = b["MX_new"].outflow.sum(axis=(1, 2))
    n_sh = f.mx_sh.outflow[..., EV_IDX].sum(axis=(1, 2))
    n_new = f.mx_new.outflow[..., EV_IDX].sum(axis=1)
    tot_m, tot_n = mass_sh + mass_new, n_sh + n_new
    div = lambda a, c: np.divide(a, c, out=np.full(len(a), np.nan), where=c > 0)  # noqa: E731
    us_out = f.us.outflow.sum(axis=1)
    exp = f.exports.sum(axis=(1, 2))
    ages = np.einsum("tap,a->t", f.exports, f.sh_ages.astype(float))
    rows = {
        ("MX", "SH", "share of EOL EV battery mass from SH vehicles", "-"): div(mass_sh, tot_m),
        ("MX", "SH", "share of EOL EV batteries (count) from SH vehicles", "-"): div(n_sh, tot_n),
        ("MX", "all", "share of EOL EV battery mass recycled (report rules)", "-"): div(warr.sum(axis=(1, 2)), tot_m),
        ("MX", "new", "share of new-vehicle EOL EV batteries retired within warranty", "-"): mx_new_within_warranty(f, cfg.warranty_years),
        ("US", "new", "share of domestic EOL EV battery mass recycled (report rules)", "-"): np.where(keep, 1.0, np.nan),
        ("US", "all", "share of US deregistrations exported to Mexico", "-"): div(exp, us_out),
        ("US", "SH", "mean age of exported SH vehicles", "yr"): div(ages, exp),
        ("MX", "SH", "EOL EV batteries from SH vehicles", "batteries/yr"): n_sh,
        ("MX", "new", "EOL EV batteries from new vehicles", "batteries/yr"): n_new,
    }
    out = []
    for (region, origin, q, unit), v in rows.items():
        out.append(pd.DataFrame({"year": y[keep], "region": region, "origin": origin,
                                 "quantity": q, "value": v[keep], "unit": unit}))
    return pd.concat(out, ignore_index=True)


def balance_table(f: Fleet, b: dict, keep) -> pd.DataFrame:
    """Battery material balance by region: inflow, outflow, stock (t)."""
    y = f.years
    us_in = b["US"].inflow.sum(axis=(1, 2))
    mx_in = b["MX_new"].inflow.sum(axis=(1, 2)) + b["MX_SH"].inflow.sum(axis=(1, 2))
    parts = []
    for region, inflow, outflow, stock in (
        ("US", us_in, b["US"].outflow.sum(axis=(1, 2)), b["US"].stock.sum(axis=(1, 2))),
        ("MX", mx_in, (b["MX_new"].outflow + b["MX_SH"].outflow).sum(axis=(1, 2)),
         (b["MX_new"].stock + b["MX_SH"].stock).sum(axis=(1, 2))),
    ):
        parts.append(pd.DataFrame({"year": y, "region": region, "inflow_t": inflow,
                                   "outflow_t": outflow, "stock_t": stock}))
    return pd.concat(parts, ignore_index=True)
