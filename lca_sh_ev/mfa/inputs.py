"""Bundled MFA data (inventories/mfa/*.csv) as arrays on the model's year axis.

Every value comes from a sourced CSV row; this module only interpolates,
extrapolates by the configured rule and checks ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import read_table
from ..errors import UserInputError
from .config import MFAConfig

POWERTRAINS = ("ICEV", "HEV", "PHEV", "BEV")
EV_POWERTRAINS = ("PHEV", "BEV")          # powertrains with a traction Li-ion battery
CHEMISTRIES = ("NCA", "NMC", "LFP")
MATERIALS = ("Li", "Ni", "Co", "Mn", "Al", "Cu", "steel", "graphite")
DATA_YEARS = (1900, 2100)
#: Year of the INEGI average age used by the lifetime model (models/parameters.csv, survival_mx).
MX_AGE_YEAR = 2022


def _table(name: str, required: tuple[str, ...], numeric: tuple[str, ...]) -> pd.DataFrame:
    table = read_table(f"mfa/{name}", required=required, numeric=numeric)
    if "year" in numeric:
        bad = table[(table["year"] < DATA_YEARS[0]) | (table["year"] > DATA_YEARS[1])]
        if len(bad):
            raise UserInputError(
                f"data file 'mfa/{name}': year {bad['year'].iloc[0]:g} is out of range; "
                f"years must lie within {DATA_YEARS[0]}-{DATA_YEARS[1]}"
            )
    return table


def _nonnegative(table: pd.DataFrame, name: str, column: str = "value") -> None:
    neg = table[table[column] < 0]
    if len(neg):
        raise UserInputError(
            f"data file 'mfa/{name}': {column} {neg[column].iloc[0]:g} is negative; "
            "vehicle counts, stocks and masses must be >= 0"
        )


def _share(table: pd.DataFrame, name: str, column: str = "value") -> None:
    bad = table[(table[column] < 0) | (table[column] > 1)]
    if len(bad):
        raise UserInputError(
            f"data file 'mfa/{name}': share {bad[column].iloc[0]:g} is outside [0, 1]"
        )


def interp_hold(years: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Linear interpolation in year, held constant outside the data (no extrapolation)."""
    order = np.argsort(x)
    return np.interp(years, np.asarray(x, float)[order], np.asarray(y, float)[order])


@dataclass
class MFAInputs:
    """Time series on ``years`` (spin-up start .. last year)."""

    years: np.ndarray
    us_sales: np.ndarray              # vehicles/yr, NaN before the first data year
    us_share: np.ndarray              # (t, p) powertrain shares of US new sales
    params: object                    # lca_sh_ev.models.params.ModelParameters
    us_stock_anchor: tuple[int, float]
    mx_sales: np.ndarray              # vehicles/yr, NaN before 2005
    mx_share: np.ndarray              # (t, p)
    mx_stock_anchor: tuple[int, float]
    mx_average_age: tuple[int, float]
    us_scrappage: dict                # year -> vehicles deregistered (calibration target)
    sh_imports: np.ndarray            # vehicles/yr (0 before first data year)
    sh_ages: np.ndarray               # import ages (union over periods)
    sh_age_weights: np.ndarray        # (t, a0)
    kwh: dict                         # (region, powertrain) -> array over model years
    chem_share: np.ndarray            # (t, ch) by model year
    intensity: np.ndarray             # (ch, m) kg/kWh
    recovery: pd.DataFrame            # route, material, value


def _us_sales(years: np.ndarray) -> np.ndarray:
    t = _table("us_sales.csv", ("kind",), ("year", "value"))
    _nonnegative(t, "us_sales.csv")
    hist = t[t["kind"] == "historical"].groupby("year")["value"].first()
    proj = t[(t["kind"] == "projection") & (t["year"] > hist.index.max())].set_index("year")["value"]
    series = pd.concat([hist, proj]).sort_index()
    out = interp_hold(years, series.index.to_numpy(), series.to_numpy())
    out[years < series.index.min()] = np.nan          # calibrated spin-up level goes here
    return out


def _shares(years: np.ndarray, region: str, total: np.ndarray) -> np.ndarray:
    t = _table("ev_sales.csv", ("region", "powertrain"), ("year", "value"))
    _nonnegative(t, "ev_sales.csv")
    t = t[t["region"] == region]
    share = np.zeros((len(years), len(POWERTRAINS)))
    counts = {}
    for p in ("BEV", "PHEV", "HEV", "xEV"):
        s = t[t["powertrain"] == p].groupby("year")["value"].mean()
        if len(s) == 0:
            continue
        c = np.full(len(years), np.nan)
        idx = np.searchsorted(years, s.index.to_numpy().astype(int))
        ok = (idx < len(years)) & (years[np.minimum(idx, len(years) - 1)] == s.index.to_numpy())
        c[idx[ok]] = s.to_numpy()[ok]
        counts[p] = c
    raw = {p: c / total for p, c in counts.items()}
    with np.errstate(invalid="ignore", divide="ignore"):
        for p, c in list(counts.items()):
            sh = c / total
            first = years[~np.isnan(c)].min()
            if np.isnan(sh[years == first][0]):
                # first record before the sales series (e.g. US HEV debut, 1999): share ~0 there
                sh[years == first] = 0.0
            known = ~np.isnan(sh)
            filled = interp_hold(years, years[known], sh[known])   # hold last share after the data
            filled[years < first] = 0.0                          # no sales before the first record
            counts[p] = filled
    bev = np.clip(counts.get("BEV", 0 * years), 0, 1)
    phev = counts.get("PHEV", 0 * years)
    hev = counts.get("HEV", 0 * years)
    if "xEV" in raw:                    # HEV = INEGI xEV - BEV - PHEV in the data years (D), then held
        known = ~np.isnan(raw["xEV"])
        hev_known = np.clip(counts["xEV"][known] - bev[known] - phev[known], 0, None)
        hev = interp_hold(years, years[known], hev_known)
        hev[years < years[known].min()] = 0.0
    room = 1 - bev
    other = phev + hev
    scale = np.where(other > room, room / np.where(other > 0, other, 1), 1.0)
    share[:, POWERTRAINS.index("BEV")] = bev
    share[:, POWERTRAINS.index("PHEV")] = phev * scale
    share[:, POWERTRAINS.index("HEV")] = hev * scale
    share[:, 0] = 1 - share[:, 1:].sum(axis=1)
    return share


def _mx_sales(years: np.ndarray, cfg: MFAConfig) -> np.ndarray:
    t = _table("mx_new_sales.csv", (), ("year", "value"))
    _nonnegative(t, "mx_new_sales.csv")
    s = t.groupby("year")["value"].first()
    a, b = cfg.mx_sales_growth_years
    cagr = (s[b] / s[a]) ** (1 / (b - a)) - 1
    out = interp_hold(years, s.index.to_numpy(), s.to_numpy())
    last = s.index.max()
    after = years > last
    out[after] = s[last] * (1 + cagr) ** (years[after] - last)
    out[years < s.index.min()] = np.nan
    return out


def _sh_imports(years: np.ndarray, mx_sales: np.ndarray, cfg: MFAConfig) -> np.ndarray:
    t = _table("mx_sh_imports.csv", (), ("year", "value"))
    _nonnegative(t, "mx_sh_imports.csv")
    s = t.groupby("year")["value"].first()
    out = np.zeros(len(years))
    idx = np.searchsorted(years, s.index.to_numpy().astype(int))
    out[idx] = s.to_numpy()
    if cfg.sh_ratio_override is not None:
        ratio = cfg.sh_ratio_override
    else:
        a, b = cfg.sh_ratio_years
        sel = [y for y in range(a, b + 1) if y in s.index]
        ratio = float(np.mean([s[y] / mx_sales[years == y][0] for y in sel]))
    after = years > s.index.max()
    out[after] = ratio * mx_sales[after]
    return out


def _sh_age(years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = _table("sh_import_age.csv", (), ("first_year", "last_year", "age", "value"))
    _share(t, "sh_import_age.csv")
    ages = np.array(sorted(t["age"].astype(int).unique()))
    w = np.zeros((len(years), len(ages)))
    for _, r in t.iterrows():
        sel = (years >= r["first_year"]) & (years <= r["last_year"])
        w[sel, list(ages).index(int(r["age"]))] += r["value"]
    sums = w.sum(axis=1)
    bad = (sums > 0) & (np.abs(sums - 1) > 1e-6)
    if bad.any():
        raise UserInputError(
            f"data file 'mfa/sh_import_age.csv': age shares for {int(years[bad][0])} sum to "
            f"{sums[bad][0]:g}; they must sum to 1"
        )
    return ages, w


def load_inputs(cfg: MFAConfig) -> MFAInputs:
    """Read every MFA table and put it on the year axis ``spinup_start .. last_year``."""
    years = np.arange(cfg.spinup_start, cfg.last_year + 1)
    us_sales = _us_sales(years)
    us_share = _shares(years, "US", us_sales)
    from ..models.params import load_parameters

    params = load_parameters()          # survival_us / survival_mx parameters of the lifetime model
    anchors = _table("stock_anchors.csv", ("region",), ("year", "value"))
    _nonnegative(anchors, "stock_anchors.csv")
    anchor = {r["region"]: (int(r["year"]), float(r["value"])) for _, r in anchors.iterrows()}
    sc = _table("us_scrappage.csv", (), ("year", "value"))
    _nonnegative(sc, "us_scrappage.csv")
    scrap = {int(r["year"]): float(r["value"]) for _, r in sc.iterrows()}
    mx_sales = _mx_sales(years, cfg)
    mx_share = _shares(years, "MX", mx_sales)
    sh = _sh_imports(years, mx_sales, cfg)
    sh_ages, sh_w = _sh_age(years)
    kwh_t = _table("battery_kwh.csv", ("region", "powertrain"), ("year", "value"))
    _nonnegative(kwh_t, "battery_kwh.csv")
    kwh = {}
    for (reg, p), g in kwh_t.groupby(["region", "powertrain"]):
        kwh[(reg, p)] = interp_hold(years, g["year"].to_numpy(), g["value"].to_numpy())
    chem = _table("chemistry_mix.csv", ("chemistry",), ("year", "value"))
    _share(chem, "chemistry_mix.csv")
    chem_share = np.stack(
        [interp_hold(years, g["year"].to_numpy(), g["value"].to_numpy())
         for c in CHEMISTRIES for g in [chem[chem["chemistry"] == c]]], axis=1)
    mi = _table("material_intensity.csv", ("chemistry", "material"), ("value",))
    _nonnegative(mi, "material_intensity.csv")
    intensity = np.zeros((len(CHEMISTRIES), len(MATERIALS)))
    for _, r in mi.iterrows():
        if r["chemistry"] in CHEMISTRIES and r["material"] in MATERIALS:
            intensity[CHEMISTRIES.index(r["chemistry"]), MATERIALS.index(r["material"])] = r["value"]
    return MFAInputs(
        years=years, us_sales=us_sales, us_share=us_share,
        params=params,
        us_stock_anchor=anchor["US"], mx_sales=mx_sales, mx_share=mx_share,
        mx_stock_anchor=anchor["MX"], mx_average_age=(MX_AGE_YEAR, params.mx_mean_age), us_scrappage=scrap,
        sh_imports=sh, sh_ages=sh_ages, sh_age_weights=sh_w, kwh=kwh,
        chem_share=chem_share, intensity=intensity, recovery=recovery_rates(),
    )


def recovery_rates() -> pd.DataFrame:
    """Recovery rates by route and material.

    Reuses ``foreground/recovery_rates.csv``, the LCA's end-of-life data, so that
    both parts use the same rates.
    """
    name = "foreground/recovery_rates.csv"
    t = read_table(name, required=("route", "material"), numeric=("value",))
    _share(t, name)
    return t[["route", "material", "value"]]
