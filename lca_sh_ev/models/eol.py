"""Where each traction battery ends and whether it is recycled (report, Expert Elicitation).

Rules (report "Battery recycling" and elicitation points 7-8):

* a battery that ends in the US is recycled (both pathways: US vehicles, and
  SH vehicles retired or re-batteried before export);
* the battery of a second-hand export that ends in Mexico is not recycled
  (landfill: Mexican recyclers do not take EV batteries);
* a battery of a vehicle sold new in Mexico is recycled only if it ends
  inside the warranty (years and distance; the OEM takes it back), else
  landfill;
* a battery replaced under warranty (which happens only in the country of first
  sale) is recycled in that country.

The recycling route (pyro/hydro) is decided in the LCA layer, not here.
"""

from __future__ import annotations

import numpy as np

MARKETS = ("US", "SH", "MX")


def p_recycled_at_end(market, ends_in_mx, in_warranty_fraction):
    """Probability that a battery ending with its vehicle is recycled [-].

    Parameters
    ----------
    market : {'US', 'SH', 'MX'}
        Pathway of the vehicle (first sale in US and kept there; exported SH;
        first sale in Mexico).
    ends_in_mx : array_like of bool
        True where the battery ends in Mexico.
    in_warranty_fraction : array_like
        Probability [0-1] that the end falls inside the warranty.

    Returns
    -------
    numpy.ndarray
        Probability of recycling.
    """
    ends_in_mx = np.asarray(ends_in_mx, dtype=bool)
    w = np.asarray(in_warranty_fraction, dtype=float)
    if market == "US":
        return np.ones(np.broadcast(ends_in_mx, w).shape)
    if market == "SH":
        return np.broadcast_to(np.where(ends_in_mx, 0.0, 1.0), np.broadcast(ends_in_mx, w).shape).copy()
    if market == "MX":
        return np.broadcast_to(np.where(ends_in_mx, w, 1.0), np.broadcast(ends_in_mx, w).shape).copy()
    raise ValueError(f"market must be one of {MARKETS}, got {market!r}")


def p_recycled_replaced():
    """Probability that a battery replaced under warranty is recycled (always, first-sale country) [-]."""
    return 1.0
