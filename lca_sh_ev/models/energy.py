"""Use-phase energy: wall-to-wheel electricity with round-trip-efficiency fade, fuel, grid losses.

EPA MPGe ratings are measured at the wall, so ``kwh_per_km_wall`` already
includes charger and battery losses of a new battery.  As the battery ages its
round-trip efficiency falls (Beckers et al. 2023); the extra losses raise the
energy drawn at the plug per km.  A replacement battery restarts the fade; the
caller averages over the battery-age distribution of the vehicles in use.
"""

from __future__ import annotations

import numpy as np


def rte_energy_factor(battery_age, fade_per_year):
    """Plug energy per km relative to a new battery, ``1 / (1 - fade * age)`` [-].

    Parameters
    ----------
    battery_age : array_like
        Battery age [year].
    fade_per_year : array_like
        Relative round-trip-efficiency fade [1/year]
        (Beckers et al. 2023: 0.46 percentage points over 3.5 years).

    Returns
    -------
    numpy.ndarray
        Factor >= 1.

    References
    ----------
    Beckers, Hoedemaekers, Dagkilic & Bergveld (2023), VPPC 2023, arXiv:2308.15828.
    """
    b = np.clip(np.asarray(battery_age, dtype=float), 0.0, None)
    return 1.0 / (1.0 - np.asarray(fade_per_year, dtype=float) * b)


def kwh_per_km_plug(kwh_per_km_wall, battery_age, fade_per_year):
    """Electricity at the plug per km for a battery of a given age [kWh/km]."""
    return np.asarray(kwh_per_km_wall, dtype=float) * rte_energy_factor(battery_age, fade_per_year)


def kwh_generated(kwh_plug, loss):
    """Electricity generated for a given plug demand, ``kwh_plug / (1 - loss)`` [kWh].

    Parameters
    ----------
    kwh_plug : array_like
        Electricity delivered at the plug [kWh].
    loss : array_like
        Transmission and distribution loss, fraction of generation [-], in [0, 1).

    Notes
    -----
    The grid markets of the LCA already apply this loss; use this helper only
    for reporting, never on amounts that go into those markets.
    """
    loss = np.asarray(loss, dtype=float)
    if np.any((loss < 0) | (loss >= 1)):
        raise ValueError("T&D loss must be in [0, 1)")
    return np.asarray(kwh_plug, dtype=float) / (1.0 - loss)


def fuel_litres(km, l_per_km):
    """Fuel burned [L] for a distance [km] at a constant rate [L/km] (EPA combined)."""
    return np.asarray(km, dtype=float) * np.asarray(l_per_km, dtype=float)
