"""Survival curves and the flodym lifetime model that uses them.

flodym ships parametric lifetime models (Weibull, normal, ...).  The US survival
is a published table (TEDB Ed. 40 Table 3.15, via ``lca_sh_ev.models.lifetime.survival_us``),
and second-hand vehicles enter Mexico's stock already aged, so their remaining
life is the survival curve conditional on the import age.  :class:`SurvivalCurveLifetime` plugs both into
flodym's dynamic stock models.
"""

from __future__ import annotations

from typing import Callable, ClassVar

import numpy as np
from flodym.lifetime_models import LifetimeArrayType, LifetimeModel

SurvivalFn = Callable[[np.ndarray], np.ndarray]


def weibull_survival(scale: float, shape: float) -> SurvivalFn:
    """Weibull survival S(a) = exp(-(a/scale)^shape), a in years."""

    def survival(a: np.ndarray) -> np.ndarray:
        a = np.clip(np.asarray(a, float), 0, None)
        return np.exp(-((a / scale) ** shape))

    return survival


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
