"""Traction-battery material in stocks and end-of-life flows.

One Li-ion pack per PHEV/BEV, sized and of the chemistry of its model year and
region of first sale; the pack leaves the stock with the vehicle (battery
replacements are modelled in the LCA, not here).  HEVs are left out: their packs
are small and often NiMH (see inventories/mfa/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fleet import Cohorts, Fleet  # noqa: F401
from .inputs import CHEMISTRIES, EV_POWERTRAINS, MATERIALS, POWERTRAINS, MFAInputs

EV_IDX = [POWERTRAINS.index(p) for p in EV_POWERTRAINS]


def content_per_vehicle(inp: MFAInputs, region: str) -> np.ndarray:
    """Pack material per vehicle by model year (c, p, ch, m) in t/vehicle.

    kWh(region, p, c) x chemistry share(c, ch) x intensity(ch, m) [kg/kWh] / 1000.
    """
    n = len(inp.years)
    kwh = np.zeros((n, len(POWERTRAINS)))
    for p in EV_POWERTRAINS:
        kwh[:, POWERTRAINS.index(p)] = inp.kwh[(region, p)]
    return np.einsum("cp,ck,km->cpkm", kwh, inp.chem_share, inp.intensity) / 1000.0


@dataclass
class BatteryFlows:
    """Battery material (t) by (t, origin-specific cohort axes..., ch, m), summed to (t, ch, m)."""

    inflow: np.ndarray
    stock: np.ndarray
    outflow: np.ndarray


def _new_cohorts(c: Cohorts, content: np.ndarray) -> BatteryFlows:
    n = content.shape[0]
    inflow = np.einsum("cp,cpkm->ckm", c.inflow, content)
    stock = np.einsum("tcp,cpkm->tkm", c.stock_tc, content)
    out = np.einsum("tcp,cpkm->tkm", c.outflow_tc, content)
    return BatteryFlows(inflow=inflow[:n], stock=stock, outflow=out)


def sh_content(inp: MFAInputs, us_content: np.ndarray) -> np.ndarray:
    """Content of SH vehicles by (import year c, import age a0, p, ch, m): US pack of model year c - a0."""
    n = us_content.shape[0]
    out = np.zeros((n, len(inp.sh_ages)) + us_content.shape[1:])
    for j, a in enumerate(inp.sh_ages):
        my = np.clip(np.arange(n) - a, 0, n - 1)
        out[:, j] = us_content[my]
    return out


def battery_flows(inp: MFAInputs, fleet: Fleet) -> dict:
    """Battery material flows for US (new), MX new, MX SH and the US export flow."""
    us_c = content_per_vehicle(inp, "US")
    mx_c = content_per_vehicle(inp, "MX")
    sh_c = sh_content(inp, us_c)
    us = _new_cohorts(fleet.us, us_c)
    mx_new = _new_cohorts(fleet.mx_new, mx_c)
    sh = fleet.mx_sh
    mx_sh = BatteryFlows(
        inflow=np.einsum("cap,capkm->ckm", sh.inflow, sh_c),
        stock=np.einsum("tcap,capkm->tkm", sh.stock_tc, sh_c),
        outflow=np.einsum("tcap,capkm->tkm", sh.outflow_tc, sh_c),
    )
    exported = np.einsum("tap,tapkm->tkm", fleet.exports, sh_c)
    return {"US": us, "MX_new": mx_new, "MX_SH": mx_sh, "exported": exported}


def mx_new_within_warranty(fleet: Fleet, warranty_years: int) -> np.ndarray:
    """Share of MX new-vehicle EV deregistrations (by count) at age < warranty, (t,)."""
    o = fleet.mx_new.outflow_tc[..., EV_IDX].sum(axis=-1)       # (t, c)
    n = o.shape[0]
    age = np.arange(n)[:, None] - np.arange(n)[None, :]
    inside = np.where((age >= 0) & (age < warranty_years), o, 0.0).sum(axis=1)
    tot = o.sum(axis=1)
    return np.divide(inside, tot, out=np.zeros(n), where=tot > 0)


def mx_new_within_warranty_mass(inp: MFAInputs, fleet: Fleet, warranty_years: int) -> np.ndarray:
    """MX new-vehicle EOL battery mass retired within warranty (t, ch, m)."""
    mx_c = content_per_vehicle(inp, "MX")
    o = fleet.mx_new.outflow_tc
    n = o.shape[0]
    age = np.arange(n)[:, None] - np.arange(n)[None, :]
    mask = ((age >= 0) & (age < warranty_years)).astype(float)
    return np.einsum("tcp,tc,cpkm->tkm", o, mask, mx_c)
