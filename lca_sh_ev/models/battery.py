"""Traction-battery state of health, failure distribution and warranty replacement (report eq. 2).

Interpretation of eq. 2
-----------------------
The report prints::

    SOH(a) = max( 1 - Dr*a               if a <= k
                  1 - Dr*a*e^(a - lambda*k)  if a > k' )

The prime on ``k'`` is a typo for ``k`` (the two branches split the age axis),
and ``max`` only says "the branch that applies".  The printed exponent
``a - lambda*k`` makes SOH jump at the knee unless ``lambda = 1``.  We use::

    SOH(a) = 1 - Dr*a                       a <= k
    SOH(a) = 1 - Dr*a*exp(lambda*(a - k))   a >  k

which is continuous at ``k`` for every ``lambda`` (``exp(0) = 1``), makes
``lambda`` [1/year] the rate at which fade accelerates after the knee, and
equals the printed formula when ``lambda = 1`` (our default).

Failure distribution
--------------------
The report fits "a Weibull cumulative distribution curve ... to the results of
the piecewise function" and uses it for the annual failure probability.  It
gives ranges, not values: Dr = 2-3 %/yr, k = 8-10 yr, failure at 75 % SOH.  We
read those ranges as battery-to-battery variability: eq. 2 is solved for the
failure age (SOH = threshold) on a uniform grid of Dr x k over the ranges, and
a Weibull CDF ``F(a) = 1 - exp(-(a/eta)^beta)`` is least-squares fitted to the
empirical CDF of those failure ages (plotting positions (i - 0.5)/n).  The fit
error reported is the largest vertical gap between the two CDFs
(Kolmogorov-Smirnov distance) and the RMSE.  A single (Dr, k) pair would give
one deterministic failure age and nothing to fit; reading the normalised fade
(1 - SOH)/(1 - threshold) itself as a CDF was rejected because it makes half of
all batteries fail before age 5, which contradicts the report's finding that
vehicles exported younger survive longer.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.optimize import brentq, curve_fit


def battery_soh(age, degradation_rate, knee_age, decay):
    """State of health of a traction battery at a given age (report eq. 2).

    Parameters
    ----------
    age : array_like
        Battery age [year].
    degradation_rate : array_like
        Linear capacity fade before the knee, Dr [1/year].
    knee_age : array_like
        Knee age k [year] after which fade accelerates.
    decay : array_like
        Acceleration rate lambda [1/year] of the fade after the knee.

    Returns
    -------
    numpy.ndarray
        State of health [-], 1 = new; not clipped below 0.

    References
    ----------
    Kendall & Parés Olguín (2024), NCST report doi:10.7922/G23T9FKX, eq. 2
    (interpretation in the module docstring).
    """
    age = np.clip(np.asarray(age, dtype=float), 0.0, None)
    dr = np.asarray(degradation_rate, dtype=float)
    k = np.asarray(knee_age, dtype=float)
    lam = np.asarray(decay, dtype=float)
    accel = np.exp(lam * np.clip(age - k, 0.0, None))
    return 1.0 - dr * age * accel


def failure_age(degradation_rate, knee_age, decay, threshold):
    """Age [year] at which SOH falls to ``threshold`` (eq. 2 solved for a)."""
    def gap(a):
        return battery_soh(a, degradation_rate, knee_age, decay) - threshold
    hi = 1.0
    while gap(hi) > 0:
        hi *= 2.0
    return float(brentq(gap, 0.0, hi))


def damage_fraction(age, degradation_rate, knee_age, decay, threshold):
    """Fraction of the way to failure, ``min(1, (1 - SOH)/(1 - threshold))`` [-]."""
    soh = battery_soh(age, degradation_rate, knee_age, decay)
    return np.clip((1.0 - soh) / (1.0 - threshold), 0.0, 1.0)


def weibull_cdf(age, scale, shape):
    """Weibull cumulative failure probability ``1 - exp(-(a/scale)^shape)`` [-]."""
    age = np.clip(np.asarray(age, dtype=float), 0.0, None)
    return 1.0 - np.exp(-((age / scale) ** shape))


def failure_ages(rate_low, rate_high, knee_low, knee_high, decay, threshold, n_grid=21):
    """Failure ages [year] implied by eq. 2 on a uniform ``n_grid x n_grid`` grid of (Dr, k), sorted."""
    rates = np.linspace(rate_low, rate_high, n_grid)
    knees = np.linspace(knee_low, knee_high, n_grid)
    ages = [failure_age(r, k, decay, threshold) for r in rates for k in knees]
    return np.sort(np.asarray(ages))


@lru_cache(maxsize=256)
def fit_failure_weibull(rate_low, rate_high, knee_low, knee_high, decay, threshold, n_grid=21):
    """Weibull CDF fitted to the failure ages implied by eq. 2 (see module docstring).

    Parameters
    ----------
    rate_low, rate_high : float
        Range of the linear fade rate Dr [1/year] (rate_high >= rate_low > 0).
    knee_low, knee_high : float
        Range of the knee age k [year].
    decay : float
        lambda [1/year].
    threshold : float
        Failure SOH [-], strictly between 0 and 1.
    n_grid : int
        Grid points per parameter.

    Returns
    -------
    dict
        ``scale`` [year], ``shape`` [-], ``median_failure_age`` [year] of the
        grid, ``ks_error`` (max |F_weibull - F_empirical|) and ``rmse`` [-].
    """
    ages = failure_ages(rate_low, rate_high, knee_low, knee_high, decay, threshold, n_grid)
    ecdf = (np.arange(1, ages.size + 1) - 0.5) / ages.size
    if np.ptp(ages) < 1e-9:  # degenerate range: a very steep Weibull at that age
        return {"scale": float(ages[0]), "shape": 50.0, "median_failure_age": float(ages[0]), "ks_error": 0.0, "rmse": 0.0}
    (scale, shape), _ = curve_fit(
        weibull_cdf, ages, ecdf, p0=(float(np.median(ages)), 10.0), bounds=((1e-3, 0.1), (1e3, 200.0))
    )
    resid = weibull_cdf(ages, scale, shape) - ecdf
    return {
        "scale": float(scale),
        "shape": float(shape),
        "median_failure_age": float(np.median(ages)),
        "ks_error": float(np.max(np.abs(resid))),
        "rmse": float(np.sqrt(np.mean(resid**2))),
    }


def annual_failure_probability(battery_age, scale, shape):
    """Probability that a battery alive at age ``b`` fails before ``b + 1`` [-].

    ``q(b) = 1 - R(b+1)/R(b)`` with ``R = 1 - F`` the Weibull reliability.
    """
    b = np.clip(np.asarray(battery_age, dtype=float), 0.0, None)
    # log-space ratio avoids 0/0 deep in the tail
    log_r = -((b / scale) ** shape)
    log_r1 = -(((b + 1.0) / scale) ** shape)
    return 1.0 - np.exp(log_r1 - log_r)


def warranty_fraction(vehicle_age, km_at_start, km_in_year, warranty_years, warranty_km):
    """Fraction of the year starting at ``vehicle_age`` that is inside the battery warranty.

    The warranty ends at ``warranty_years`` or ``warranty_km``, whichever comes
    first; distance is assumed to accumulate evenly through the year.

    Parameters
    ----------
    vehicle_age : array_like
        Age at the start of the year [year].
    km_at_start : array_like
        Odometer at the start of the year [km] (of a vehicle still in use).
    km_in_year : array_like
        Distance driven during the year [km].
    warranty_years : float
        Warranty term [year].
    warranty_km : float
        Warranty distance [km].

    Returns
    -------
    numpy.ndarray
        Fraction in [0, 1].
    """
    t = np.asarray(vehicle_age, dtype=float)
    by_years = np.clip(warranty_years - t, 0.0, 1.0)
    km_in_year = np.asarray(km_in_year, dtype=float)
    left = np.asarray(warranty_km, dtype=float) - np.asarray(km_at_start, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_km = np.where(km_in_year > 0, np.clip(left / km_in_year, 0.0, 1.0), (left > 0) * 1.0)
    return np.minimum(by_years, by_km)


def replacement_probability(in_warranty_fraction, in_first_sale_country):
    """Probability that a battery failing during the year is replaced (expert elicitation).

    A failed battery is replaced only inside the warranty (years and distance)
    and only while the vehicle is still in its country of first sale; otherwise
    the failure retires the vehicle.

    Parameters
    ----------
    in_warranty_fraction : array_like
        Output of :func:`warranty_fraction` [-].
    in_first_sale_country : array_like of bool
        True while the vehicle has not been exported.

    Returns
    -------
    numpy.ndarray
        Probability in [0, 1].
    """
    return np.asarray(in_warranty_fraction, dtype=float) * np.asarray(in_first_sale_country, dtype=float)
