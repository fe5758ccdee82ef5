"""Vehicle survival and annual travel by age in the US and Mexico (report eq. 1).

All functions are pure: arrays in, arrays out.  Ages are in years since first
sale; ``S(a)`` is the fraction of a cohort still in use ``a`` years after sale
(``S(0) = 1``).  Everything broadcasts with numpy rules, so one call can
evaluate all export ages (e.g. ``age[None, :]`` against ``export_age[:, None]``).

Age origin of Mexico survival in eq. 1
--------------------------------------
The report writes ``ISC(a) = Sus(aX) * Smx(a)`` for ``a > aX`` without saying
where ``Smx``'s age starts.  Read literally (``Smx`` from age 0) the curve
jumps down at ``aX`` by ``Smx(aX)`` (e.g. 0.48 at aX = 20), which would retire
half of the exported cohort the day it crosses the border.  Restarting the
Mexican curve at the border (``Smx(a - aX)``) would give a 15-year-old import
the hazard of a new car, contradicting the report's finding that imports have
*shorter* lives on Mexico's roads.  We therefore use the Mexican survival
*conditional on having reached aX*::

    ISC(a) = Sus(a)                        a <= aX
    ISC(a) = Sus(aX) * Smx(a) / Smx(aX)    a >  aX

which is continuous at ``aX`` and applies Mexico's age-specific scrappage
hazard to a vehicle of the vehicle's real age.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq, curve_fit

#: vehicle classes with a US survival and travel schedule
VEHICLE_CLASSES = ("car", "light_truck")


def weibull_survival(age, scale, shape):
    """Weibull survival ``exp(-(a/scale)^shape)``.

    Parameters
    ----------
    age : array_like
        Age [year]; negative ages give 1.
    scale, shape : array_like
        Weibull scale [year] and shape [-].

    Returns
    -------
    numpy.ndarray
        Fraction still in use [-].
    """
    age = np.clip(np.asarray(age, dtype=float), 0.0, None)
    return np.exp(-((age / np.asarray(scale, dtype=float)) ** np.asarray(shape, dtype=float)))


def weibull_through_two_points(age_1, s_1, age_2, s_2):
    """Weibull (scale, shape) passing exactly through two survival points.

    ``ln(-ln S) = shape * (ln a - ln scale)`` is a straight line in ``ln a``.

    Returns
    -------
    tuple of float
        (scale [year], shape [-]).
    """
    y1, y2 = np.log(-np.log(s_1)), np.log(-np.log(s_2))
    shape = (y2 - y1) / np.log(age_2 / age_1)
    scale = age_1 / np.exp(y1 / shape)
    return float(scale), float(shape)


def fit_weibull_survival(ages, survival):
    """Least-squares Weibull (scale, shape) fit to a tabulated survival curve.

    Returns
    -------
    tuple of float
        (scale [year], shape [-], max absolute error [-]).
    """
    ages = np.asarray(ages, dtype=float)
    survival = np.asarray(survival, dtype=float)
    (scale, shape), _ = curve_fit(weibull_survival, ages, survival, p0=(15.0, 3.0))
    err = float(np.max(np.abs(weibull_survival(ages, scale, shape) - survival)))
    return float(scale), float(shape), err


def fleet_mean_age(scale, shape, growth_rate=0.0, max_age=100):
    """Mean age of a fleet with Weibull survival and entries growing at ``growth_rate``.

    The number in use at age ``a`` is ``N(a) ~ S(a) * exp(-g a)`` (entries grew
    by ``g`` per year); ages are taken at mid-year (``a + 0.5``).

    Returns
    -------
    float
        Mean age [year].
    """
    a = np.arange(max_age) + 0.5
    w = weibull_survival(a, scale, shape) * np.exp(-growth_rate * a)
    return float(np.sum(a * w) / np.sum(w))


def calibrate_scale_to_mean_age(mean_age, shape, growth_rate=0.0):
    """Weibull scale that gives a fleet of mean age ``mean_age`` [year]."""
    return float(brentq(lambda s: fleet_mean_age(s, shape, growth_rate) - mean_age, 1.0, 200.0))


def survival_us(age, vehicle_class, params):
    """US survival by age (TEDB Ed. 40 Table 3.15 / NHTSA 2006).

    Cars: the tabulated schedule, linearly interpolated, 0 beyond its last age.
    Light trucks: Weibull through TEDB's 15- and 20-year values.

    Parameters
    ----------
    age : array_like
        Vehicle age [year].
    vehicle_class : {'car', 'light_truck'}
    params : ModelParameters

    Returns
    -------
    numpy.ndarray
        Fraction of the cohort still in use [-].
    """
    age = np.asarray(age, dtype=float)
    if vehicle_class == "car":
        table_age, table_s = params.us_car_survival_age, params.us_car_survival
        s = np.interp(age, table_age, table_s)
        return np.where(age > table_age[-1], 0.0, np.where(age < 0, 1.0, s))
    if vehicle_class == "light_truck":
        return weibull_survival(age, params.us_light_truck_scale, params.us_light_truck_shape)
    raise ValueError(f"vehicle_class must be one of {VEHICLE_CLASSES}, got {vehicle_class!r}")


def survival_mx(age, params):
    """Mexico survival by age from new (derived Weibull, see README)."""
    return weibull_survival(age, params.mx_scale, params.mx_shape)


def integrated_survival(age, export_age, vehicle_class, params):
    """Integrated survival curve of an exported vehicle, report eq. 1.

    ``Sus(a)`` up to the export age, then ``Sus(aX) * Smx(a) / Smx(aX)``
    (Mexico survival conditional on having reached ``aX``; see module doc).

    Parameters
    ----------
    age : array_like
        Vehicle age [year].
    export_age : array_like
        Export age aX [year]; broadcasts against ``age``.
    vehicle_class : {'car', 'light_truck'}
    params : ModelParameters

    Returns
    -------
    numpy.ndarray
        Fraction of the cohort sold new in the US still in use [-].
    """
    age = np.asarray(age, dtype=float)
    export_age = np.asarray(export_age, dtype=float)
    s_us = survival_us(age, vehicle_class, params)
    s_us_x = survival_us(export_age, vehicle_class, params)
    conditional_mx = survival_mx(age, params) / survival_mx(export_age, params)
    return np.where(age <= export_age, s_us, s_us_x * conditional_mx)


def vmt_us(age, vehicle_class, params):
    """US annual distance of a vehicle still in use, by age (TEDB Table 3.14).

    Returns
    -------
    numpy.ndarray
        Distance [km/year]; ages beyond the table keep its last value.
    """
    if vehicle_class not in params.us_vmt_km:
        raise ValueError(f"vehicle_class must be one of {VEHICLE_CLASSES}, got {vehicle_class!r}")
    return np.interp(np.asarray(age, dtype=float), params.us_vmt_age, params.us_vmt_km[vehicle_class])


def vkt_mx(age, params):
    """Mexico annual distance of a vehicle still in use, by age.

    The report assumes the distance is proportional to Mexico survival by age,
    scaled to the fleet-average annual distance ``K``: ``vkt(a) = c * Smx(a)``
    with ``c = K * sum N(a) / sum N(a) Smx(a)`` over the fleet's age
    distribution ``N(a) ~ Smx(a) exp(-g a)`` (mid-year ages, as in the
    mean-age calibration).

    Returns
    -------
    numpy.ndarray
        Distance [km/year].
    """
    a = np.arange(200) + 0.5
    s = survival_mx(a, params)
    n = s * np.exp(-params.mx_fleet_growth * a)
    c = params.mx_fleet_km * np.sum(n) / np.sum(n * s)
    return c * survival_mx(age, params)
