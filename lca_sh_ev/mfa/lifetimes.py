"""Survival curves and the flodym lifetime model that uses them.

flodym ships parametric lifetime models (Weibull, normal, ...).  The US survival
is a published table (TEDB Ed. 40 Table 3.15), and second-hand vehicles enter
Mexico's stock already aged, so their remaining life is the survival curve
conditional on the import age.  :class:`SurvivalCurveLifetime` plugs both into
flodym's dynamic stock models.
"""

from __future__ import annotations

from typing import Callable, ClassVar

import numpy as np
from flodym.lifetime_models import LifetimeArrayType, LifetimeModel
from scipy.optimize import least_squares

SurvivalFn = Callable[[np.ndarray], np.ndarray]


def tabulated_survival(ages: np.ndarray, values: np.ndarray) -> SurvivalFn:
    """Survival S(a) from a table: log-linear interpolation, 0 beyond the last age.

    Parameters
    ----------
    ages, values : array
        Ages (yr, increasing, first 0) and survival fractions (-).
    """
    ages = np.asarray(ages, float)
    logv = np.log(np.clip(np.asarray(values, float), 1e-12, None))

    def survival(a: np.ndarray) -> np.ndarray:
        a = np.asarray(a, float)
        out = np.exp(np.interp(np.clip(a, 0, None), ages, logv))
        return np.where(a > ages[-1], 0.0, out)

    return survival


def weibull_survival(scale: float, shape: float) -> SurvivalFn:
    """Weibull survival S(a) = exp(-(a/scale)^shape), a in years."""

    def survival(a: np.ndarray) -> np.ndarray:
        a = np.clip(np.asarray(a, float), 0, None)
        return np.exp(-((a / scale) ** shape))

    return survival


def fit_weibull(ages: np.ndarray, values: np.ndarray) -> tuple[float, float]:
    """Least-squares Weibull (scale, shape) to a survival table (yr, -)."""
    ages, values = np.asarray(ages, float), np.asarray(values, float)

    def resid(p):
        return np.exp(-((ages / p[0]) ** p[1])) - values

    fit = least_squares(resid, x0=[17.0, 4.0], bounds=([1.0, 0.5], [60.0, 15.0]))
    return float(fit.x[0]), float(fit.x[1])


class SurvivalCurveLifetime(LifetimeModel):
    """flodym lifetime model from a survival function and an age at entry.

    The share of an inflow still in stock ``tau`` years after entry is
    ``S(entry_age + tau) / S(entry_age)``: for new vehicles ``entry_age`` = 0;
    for second-hand imports it is the import age.
    """

    survival: Callable
    entry_age: LifetimeArrayType | None = None

    _prm_names: ClassVar[list[str]] = ["entry_age"]
    _prm_names_to_scale: ClassVar[list[str]] = []

    def _survival_by_cohort(self, ages: np.ndarray, i_c: int | slice) -> np.ndarray:
        a0 = self._scaled_prms["entry_age"][i_c, ...]
        s0 = self.survival(a0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(s0 > 0, self.survival(a0 + ages) / np.where(s0 > 0, s0, 1), 0.0)
        return out
