"""US and Mexican stock-turnover models (flodym InflowDrivenDSM) and SH trade.

Cohort arrays are indexed (t, c, ...) = (calendar year, year of entry); the age
of a new vehicle in year t is t - c (SH vehicles: t - c + import age).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import flodym as fd
import numpy as np
from scipy.optimize import brentq

from .config import MFAConfig
from .inputs import POWERTRAINS, MFAInputs
from ..models.lifetime import survival_us
from .lifetimes import SurvivalCurveLifetime, weibull_survival

log = logging.getLogger(__name__)


@dataclass
class Cohorts:
    """Result of one inflow-driven stock model."""

    inflow: np.ndarray          # (t, ...)
    stock_tc: np.ndarray        # (t, c, ...)
    outflow_tc: np.ndarray      # (t, c, ...)

    @property
    def stock(self) -> np.ndarray:
        return self.stock_tc.sum(axis=1)

    @property
    def outflow(self) -> np.ndarray:
        return self.outflow_tc.sum(axis=1)


def run_dsm(years: np.ndarray, inflow: np.ndarray, survival, entry_age=0.0, extra_dims=()) -> Cohorts:
    """Run a flodym InflowDrivenDSM.

    Parameters
    ----------
    years : array of int
        Calendar years (time dimension, first).
    inflow : array (t, ...)
        Vehicles entering the stock per year.
    survival : callable
        Survival S(age) (-), age in years.
    entry_age : float or array broadcastable to inflow's shape
        Age at entry (yr); 0 for new vehicles, the import age for SH vehicles.
    extra_dims : sequence of (name, letter, items)
        The non-time dimensions of ``inflow``.
    """
    dims = [fd.Dimension(name="time", letter="t", items=[int(y) for y in years])]
    dims += [fd.Dimension(name=n, letter=l, items=list(items)) for n, l, items in extra_dims]
    ds = fd.DimensionSet(dim_list=dims)
    age = np.broadcast_to(np.asarray(entry_age, float), inflow.shape).copy()
    lm = SurvivalCurveLifetime(dims=ds, survival=survival, entry_age=age)
    dsm = fd.InflowDrivenDSM(dims=ds, lifetime_model=lm, inflow=fd.StockArray(dims=ds, values=inflow))
    dsm.compute()
    return Cohorts(inflow=inflow, stock_tc=dsm.get_stock_by_cohort(), outflow_tc=dsm.get_outflow_by_cohort())


def _calibrate_constant(years, sales, shares, survival, anchor, dims) -> np.ndarray:
    """Fill the NaN (pre-data) sales with the constant that meets the stock anchor (linear)."""
    year, target = anchor
    i = int(np.searchsorted(years, year))
    pre = np.isnan(sales)
    base = np.where(pre, 0.0, sales)
    unit = pre.astype(float)
    s_base = run_dsm(years, base[:, None] * shares, survival, extra_dims=dims).stock[i].sum()
    s_unit = run_dsm(years, unit[:, None] * shares, survival, extra_dims=dims).stock[i].sum()
    level = (target - s_base) / s_unit
    if level < 0:
        log.warning("stock anchor %s in %s is below the stock of the sourced sales alone", target, year)
        level = 0.0
    return np.where(pre, level, sales)


@dataclass
class Fleet:
    """All fleet results on the model's year axis."""

    years: np.ndarray
    us: Cohorts                 # dims (p)
    us_sales: np.ndarray        # calibrated total (t)
    exports: np.ndarray         # (t, a0, p) SH exports = MX SH imports
    mx_new: Cohorts             # dims (p)
    mx_sales: np.ndarray        # calibrated total (t)
    mx_sh: Cohorts              # dims (a0, p)
    sh_ages: np.ndarray
    mx_scale: float
    mx_shape: float
    us_survival: object
    mx_survival: object
    us_stretch: float


def us_deregistrations_by_age(us: Cohorts, sh_ages: np.ndarray) -> np.ndarray:
    """US outflow (t, a, p) at the given ages (age = t - c)."""
    n = us.outflow_tc.shape[0]
    out = np.zeros((n, len(sh_ages), us.outflow_tc.shape[-1]))
    for j, a in enumerate(sh_ages):
        t = np.arange(a, n)
        out[t, j] = us.outflow_tc[t, t - a]
    return out


def sh_exports(cfg: MFAConfig, inp: MFAInputs, pool: np.ndarray) -> np.ndarray:
    """SH vehicles exported to Mexico (t, a0, p).

    Total by year and import age = Mexico's legal SH imports x age weights.
    Scn1: powertrain mix = mix of US deregistrations at that age (the retired pool).
    Scn2: powertrain mix = Mexico's new-sales mix that year; where the US pool of a
    powertrain at that age is too small, the shortfall is taken as ICEV.
    Exports never exceed the pool (capped, with a warning).
    """
    demand = inp.sh_imports[:, None] * inp.sh_age_weights          # (t, a0)
    total = pool.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        if cfg.scenario == "Scn1":
            mix = np.where(total[..., None] > 0, pool / total[..., None], 0.0)
            mix[total == 0, 0] = 1.0
        else:
            mix = np.broadcast_to(inp.mx_share[:, None, :], pool.shape).copy()
    exp = demand[..., None] * mix
    short = np.clip(exp[..., 1:] - pool[..., 1:], 0, None)
    exp[..., 1:] -= short
    exp[..., 0] += short.sum(axis=2)
    exp = np.minimum(exp, pool)
    # demand the pool at the window ages cannot meet is drawn from the remaining pool
    # at the other import ages, in proportion to it (spill rule, see README)
    missing = demand.sum(axis=1) - exp.sum(axis=(1, 2))
    missing = np.where(missing > 1e-9 * demand.sum(axis=1), missing, 0.0)   # ignore round-off
    rest = pool - exp
    rest_tot = rest.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(rest_tot > 0, np.minimum(missing / rest_tot, 1.0), 0.0)
    if (missing > 1e-6 * np.maximum(demand.sum(axis=1), 1)).any():
        log.info("SH demand above the pool at the window ages in %d years; spilled to other ages",
                 int((missing > 1).sum()))
    exp = exp + frac[:, None, None] * rest
    left = demand.sum(axis=1) - exp.sum(axis=(1, 2))
    if (left > 1e-6 * np.maximum(demand.sum(axis=1), 1)).any():
        log.warning("SH demand exceeds the whole US pool at import ages in %d years; capped", int((left > 1).sum()))
    return exp


def _mx_model(cfg, inp, years, exports, survival, dims_p):
    sales = _calibrate_constant(years, inp.mx_sales, inp.mx_share, survival, inp.mx_stock_anchor, dims_p)
    new = run_dsm(years, sales[:, None] * inp.mx_share, survival, extra_dims=dims_p)
    dims_sh = [("import age", "a", [int(a) for a in inp.sh_ages])] + dims_p
    sh = run_dsm(years, exports, survival, entry_age=inp.sh_ages[None, :, None], extra_dims=dims_sh)
    return sales, new, sh


def mean_age(years, new: Cohorts, sh: Cohorts, sh_ages, year) -> float:
    """Average age (yr) of Mexico's in-use stock (new + SH) at the end of ``year``."""
    i = int(np.searchsorted(years, year))
    age_c = (i - np.arange(len(years))) + 0.5
    s_new = new.stock_tc[i].sum(axis=-1)
    s_sh = sh.stock_tc[i].sum(axis=-1)                               # (c, a0)
    tot = s_new.sum() + s_sh.sum()
    return float(((s_new * age_c).sum() + (s_sh * (age_c[:, None] + sh_ages[None, :])).sum()) / tot)


def _stretched_us(params, k: float):
    """US car survival of the lifetime model (``survival_us``) with ages stretched by ``k``."""
    return lambda a: survival_us(np.asarray(a, float) / k, "car", params)


def _us_model(inp, years, dims_p):
    """US model; the age stretch of the survival table and the pre-data sales level are
    calibrated to the VIO stock and the scrappage of the anchor years (two anchors, two unknowns)."""

    def build(k):
        surv = _stretched_us(inp.params, k)
        sales = _calibrate_constant(years, inp.us_sales, inp.us_share, surv, inp.us_stock_anchor, dims_p)
        return surv, sales, run_dsm(years, sales[:, None] * inp.us_share, surv, extra_dims=dims_p)

    idx = [int(np.searchsorted(years, y)) for y in inp.us_scrappage]
    target = sum(inp.us_scrappage.values())

    def gap(k):
        _, _, us = build(k)
        return float(us.outflow[idx].sum()) - target

    k = brentq(gap, 0.7, 2.0, xtol=1e-5)
    surv, sales, us = build(k)
    log.info("US survival: TEDB table ages x %.3f; pre-data sales %.0f/yr", k, sales[0])
    return surv, sales, us, k


def run_fleet(cfg: MFAConfig, inp: MFAInputs) -> Fleet:
    """US model, SH exports, Mexican model (survival scale calibrated to the average age)."""
    years = inp.years
    dims_p = [("powertrain", "p", list(POWERTRAINS))]
    us_surv, us_sales, us, stretch = _us_model(inp, years, dims_p)
    pool = us_deregistrations_by_age(us, inp.sh_ages)
    exports = sh_exports(cfg, inp, pool)

    shape = cfg.mx_survival_shape or inp.params.mx_shape
    year, target = inp.mx_average_age

    def gap(scale):
        _, new, sh = _mx_model(cfg, inp, years, exports, weibull_survival(scale, shape), dims_p)
        return mean_age(years, new, sh, inp.sh_ages, year) - target

    scale = brentq(gap, 8.0, 80.0, xtol=1e-4)
    mx_surv = weibull_survival(scale, shape)
    mx_sales, new, sh = _mx_model(cfg, inp, years, exports, mx_surv, dims_p)
    log.info("MX survival: Weibull scale %.2f yr, shape %.2f", scale, shape)
    return Fleet(years=years, us=us, us_sales=us_sales, exports=exports, mx_new=new,
                 mx_sales=mx_sales, mx_sh=sh, sh_ages=inp.sh_ages, mx_scale=scale,
                 mx_shape=shape, us_survival=us_surv, mx_survival=mx_surv, us_stretch=stretch)
