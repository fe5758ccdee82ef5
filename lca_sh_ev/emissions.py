"""Non-exhaust particle and metal emissions per km (tyre, brake and road wear).

Method and data: ``inventories/foreground/non_exhaust.csv`` and its README
(``inventories/vehicles/README.md``): Beddows & Harrison (2021) mass-dependent
factors ``EF = b * W**(1/c)`` [mg/km] with W the vehicle mass in tonnes (curb +
added load), weighted by route shares, brake wear scaled for regenerative
braking, and the metal content of the total suspended particles (EMEP/EEA).
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

import pandas as pd

from .data import read_table
from .errors import UserInputError

SOURCES = ("tyre_wear", "brake_wear", "road_wear")
PM25 = "Particulate Matter, < 2.5 um"
PM10_25 = "Particulate Matter, > 2.5 um and < 10um"


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    return read_table("foreground/non_exhaust.csv", required=("source_type", "powertrain", "parameter", "route"),
                      numeric=("value",))


def _value(t, **where) -> float:
    rows = t
    for k, v in where.items():
        rows = rows[rows[k] == v]
    if rows.empty:
        raise UserInputError(f"foreground/non_exhaust.csv has no row {where}")
    return float(rows["value"].iloc[0])


def wear_factor_mg_per_km(b: float, c: float, mass_t):
    """Beddows & Harrison (2021) emission factor ``b * W**(1/c)`` [mg/km] for a vehicle of ``mass_t`` tonnes."""
    return b * mass_t ** (1.0 / c)


def non_exhaust_per_km(curb_mass_kg: float, powertrain: str) -> dict[tuple[str, str], float]:
    """Non-exhaust emissions [kg/km] (a fresh dict; see :func:`_non_exhaust` for the method)."""
    return dict(_non_exhaust(float(curb_mass_kg), powertrain))


@lru_cache(maxsize=256)
def _non_exhaust(curb_mass_kg: float, powertrain: str) -> dict[tuple[str, str], float]:
    """Non-exhaust emissions [kg/km] keyed by (biosphere flow name, categories).

    Parameters
    ----------
    curb_mass_kg : float
        Curb mass [kg]; the data file's ``added_mass`` (load) is added.
    powertrain : str
        ``ICEV``, ``HEV`` or ``BEV`` (selects the brake-wear factor).
    """
    t = _table()
    mass_t = (curb_mass_kg + _value(t, parameter="added_mass")) / 1000.0
    brake = _value(t, source_type="brake_wear", powertrain=powertrain, parameter="brake_wear_factor")
    shares = t[t["parameter"] == "route_share"]
    out: dict[tuple[str, str], float] = defaultdict(float)
    for route, share, cat in zip(shares["route"], shares["value"], shares["flow_categories"]):
        if share <= 0:
            continue
        for source in SOURCES:
            rows = t[(t["source_type"] == source) & t["parameter"].isin(["b", "c"])]
            r = route if (rows["route"] == route).any() else "all"
            ef = {}
            for pm in ("PM2.5", "PM10"):
                b = _value(rows, pollutant=pm, parameter="b", route=r)
                c = _value(rows, pollutant=pm, parameter="c", route=r)
                ef[pm] = wear_factor_mg_per_km(b, c, mass_t) * (brake if source == "brake_wear" else 1.0)
            out[(PM25, cat)] += share * ef["PM2.5"] * 1e-6
            out[(PM10_25, cat)] += share * (ef["PM10"] - ef["PM2.5"]) * 1e-6
            tsp = ef["PM10"] / _value(t, source_type=source, parameter="pm10_share_of_tsp")
            metals = t[(t["source_type"] == source) & (t["parameter"] == "mass_fraction_of_tsp")]
            for flow, fraction in zip(metals["flow_name"], metals["value"]):
                out[(flow, cat)] += share * tsp * fraction * 1e-6
    return dict(out)
