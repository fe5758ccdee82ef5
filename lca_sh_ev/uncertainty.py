"""Monte Carlo over foreground parameters without touching Brightway per draw.

A pathway's result per km is a sum of foreground amounts (functions of the
parameters, :func:`lca_sh_ev.models.amounts.pathway_amounts` vectorised over
draws) times unit scores of building blocks computed once with
:func:`lca_sh_ev.engine.node_scores` (:class:`Blocks`, built by
:func:`lca_sh_ev.sensitivity.building_blocks`)::

    per km = [ vehicle + battery + (n - 1) replacement + km maintenance
               + sum_r p_eol,r eol_r + sum_(r,route) n_(r,route) (treatment + credit)
               + sum_(r,t) kWh_(r,t) MV_(r,t) / (1 - f_loss loss_(r,t))
               + sum_r L_r petrol-per-litre_r + km_r (tailpipe_r + non-exhaust) ] / km_total

Distributions and their sources: ``inventories/uncertainty/parameters.csv``.  The
battery parameters move the centre of the eq. 2 ranges; the failure Weibull
(scale, shape) of a draw is interpolated linearly on a grid of exact fits
(:func:`weibull_grid`), exact at the grid nodes, which include the defaults.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .data import read_table
from .errors import UserInputError

log = logging.getLogger(__name__)

UNCERTAINTY_FILE = "uncertainty/parameters.csv"
DISTRIBUTIONS = ("uniform", "triangular", "discrete_uniform")
#: grid of the failure-Weibull interpolation: points per axis (Dr centre, knee centre, SOH threshold)
GRID_POINTS = (5, 3, 5)


@dataclass(frozen=True)
class Distribution:
    """One parameter's distribution (``inventories/uncertainty/parameters.csv``)."""

    name: str
    kind: str
    low: float
    mode: float
    high: float
    default: float
    unit: str

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF at probabilities ``u`` in [0, 1)."""
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        if self.kind == "uniform":
            return a + (b - a) * u
        if self.kind == "discrete_uniform":
            n = int(round(b - a)) + 1
            return a + np.minimum(np.floor(u * n), n - 1)
        # triangular
        fc = (c - a) / (b - a)
        return np.where(u < fc, a + np.sqrt(u * (b - a) * (c - a)), b - np.sqrt((1 - u) * (b - a) * (b - c)))


@lru_cache(maxsize=1)
def _table():
    return read_table(UNCERTAINTY_FILE, required=("parameter", "applies_to", "distribution"),
                      numeric=("low", "high", "default"))


def distributions(vehicle: str, powertrain: str, market: str) -> dict[str, Distribution]:
    """The distributions that apply to one pathway (e.g. no battery parameters for an ICEV)."""
    t = _table()
    out = {}
    for r in t.itertuples(index=False):
        if r.distribution not in DISTRIBUTIONS:
            raise UserInputError(f"{UNCERTAINTY_FILE}: {r.parameter} distribution {r.distribution!r}; "
                                 f"allowed: {', '.join(DISTRIBUTIONS)}")
        if r.parameter == "consumption_factor" and r.applies_to != vehicle:
            continue
        if r.applies_to == "battery" and powertrain == "ICEV":
            continue
        if r.parameter == "rte_fade_per_year" and powertrain != "BEV":
            continue
        if r.parameter == "export_age" and market != "SH":
            continue
        if r.parameter == "mx_fleet_km" and market == "US":
            continue
        if r.parameter in ("recovery_ni_co_cu", "brake_wear_factor") and powertrain == "ICEV":
            continue
        mode = float(r.mode) if str(r.mode) not in ("", "nan") else float("nan")
        d = Distribution(r.parameter, r.distribution, float(r.low), mode, float(r.high), float(r.default), r.unit)
        if not d.low <= d.default <= d.high or (d.kind == "triangular" and not d.low <= d.mode <= d.high):
            raise UserInputError(f"{UNCERTAINTY_FILE}: {r.parameter} default/mode outside [low, high]")
        out[r.parameter] = d
    return out


def sample(dists: dict[str, Distribution], n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` independent draws of every parameter (numpy default generator seeded with ``seed``)."""
    if n < 1:
        raise UserInputError(f"--samples {n}: use at least 1 draw")
    u = np.random.default_rng(seed).random((n, len(dists)))
    return from_unit(dists, u)


def from_unit(dists: dict[str, Distribution], u: np.ndarray) -> dict[str, np.ndarray]:
    """Parameter values from points of the unit hypercube (columns in ``dists`` order)."""
    return {name: d.ppf(u[:, j]) for j, (name, d) in enumerate(dists.items())}


def defaults(dists: dict[str, Distribution], n: int = 1) -> dict[str, np.ndarray]:
    return {name: np.full(n, d.default) for name, d in dists.items()}


# --- battery failure Weibull on a grid of exact fits ---------------------------------------

def _axis(d: Distribution | None, points: int, default: float) -> np.ndarray:
    if d is None:
        return np.array([default])
    return np.unique(np.concatenate([np.linspace(d.low, d.high, points), [default]]))


@lru_cache(maxsize=8)
def weibull_grid(group: str, dr_axis: tuple, knee_axis: tuple, thr_axis: tuple):
    """Exact fits (scale, shape) of the failure Weibull on a grid of (Dr centre, knee centre, threshold).

    The range widths of ``inventories/models/parameters.csv`` are kept; the node at the
    defaults uses the data file's own low/high values (bit-identical to the main job).
    """
    from .models.params import load_parameters

    b0 = load_parameters().battery[group]
    half_dr = 0.5 * (b0.degradation_rate_high - b0.degradation_rate_low)
    half_k = 0.5 * (b0.knee_age_high - b0.knee_age_low)
    scale = np.empty((len(dr_axis), len(knee_axis), len(thr_axis)))
    shape = np.empty_like(scale)
    for i, dr in enumerate(dr_axis):
        for j, k in enumerate(knee_axis):
            for m, thr in enumerate(thr_axis):
                b = dataclasses.replace(
                    b0,
                    degradation_rate_low=b0.degradation_rate_low if dr == b0.degradation_rate else dr - half_dr,
                    degradation_rate_high=b0.degradation_rate_high if dr == b0.degradation_rate else dr + half_dr,
                    knee_age_low=b0.knee_age_low if k == b0.knee_age else k - half_k,
                    knee_age_high=b0.knee_age_high if k == b0.knee_age else k + half_k,
                    soh_threshold=thr,
                )
                fit = b.failure_weibull()
                scale[i, j, m], shape[i, j, m] = fit["scale"], fit["shape"]
    return scale, shape


def failure_weibull(group: str, dists: dict[str, Distribution], values: dict[str, np.ndarray]):
    """Per-draw failure Weibull (scale, shape), interpolated on :func:`weibull_grid` (exact at nodes)."""
    from scipy.interpolate import RegularGridInterpolator

    from .models.params import load_parameters

    b0 = load_parameters().battery[group]
    axes = (
        tuple(_axis(dists.get("degradation_rate_mid"), GRID_POINTS[0], b0.degradation_rate)),
        tuple(_axis(dists.get("knee_age_mid"), GRID_POINTS[1], b0.knee_age)),
        tuple(_axis(dists.get("soh_threshold"), GRID_POINTS[2], b0.soh_threshold)),
    )
    scale, shape = weibull_grid(group, *axes)
    n = len(next(iter(values.values())))
    pts = np.column_stack([
        values.get("degradation_rate_mid", np.full(n, b0.degradation_rate)),
        values.get("knee_age_mid", np.full(n, b0.knee_age)),
        values.get("soh_threshold", np.full(n, b0.soh_threshold)),
    ])
    keep = [i for i, a in enumerate(axes) if len(a) > 1]
    grid_axes = tuple(np.array(axes[i]) for i in keep)
    squeeze = tuple(0 if len(a) == 1 else slice(None) for a in axes)
    if not keep:
        return np.full(n, scale.ravel()[0]), np.full(n, shape.ravel()[0])
    out = []
    for table in (scale, shape):
        interp = RegularGridInterpolator(grid_axes, table[squeeze], method="linear")
        out.append(interp(pts[:, keep]))
    return out[0], out[1]


# --- evaluation ------------------------------------------------------------------------------

@dataclass
class BioBlock:
    """Elementary flows per unit of something: amounts (flows,) and their factors (flows, methods)."""

    amounts: np.ndarray
    cf: np.ndarray
    flows: np.ndarray  # elementary-flow node ids (a flow may appear in several blocks)
    per_factor: np.ndarray | None = None  # change of ``amounts`` per unit change of a drawn factor (brake wear)


@dataclass
class Blocks:
    """Unit scores (per method) of one pathway's building blocks (see module docstring)."""

    methods: list[tuple]
    spec: object  # lca_sh_ev.models.amounts.VehicleSpec
    market: str
    first_year: int
    chemistry_group: str | None
    us_route: str
    vehicle: np.ndarray
    maintenance: np.ndarray
    eol_vehicle: dict[str, np.ndarray]
    battery: np.ndarray | None = None
    replacement: np.ndarray | None = None
    battery_eol: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    credit_fixed: dict[str, np.ndarray] = field(default_factory=dict)
    credit_per_recovery: dict[str, np.ndarray] = field(default_factory=dict)  # per unit Ni/Co/Cu recovery
    grid_mv: dict[str, np.ndarray] = field(default_factory=dict)  # region -> (years, K) MV score per kWh
    grid_loss: dict[str, np.ndarray] = field(default_factory=dict)  # region -> (years,) T&D loss fraction
    petrol_factor: dict[str, float] = field(default_factory=dict)  # linked provider units per litre
    petrol: dict[str, np.ndarray] = field(default_factory=dict)  # score per provider unit
    fuel_bio: dict[str, BioBlock] = field(default_factory=dict)  # CO2, SO2 per litre burned
    tailpipe: dict[str, BioBlock] = field(default_factory=dict)  # per km
    nonexhaust: BioBlock | None = None  # per km: amounts + brake factor x per_factor
    recovery_default: float = 0.0  # Ni/Co/Cu pyrometallurgical recovery of the main job
    brake_default: float = 1.0  # brake-wear factor of the main job for this powertrain


def _as_written(x):
    """Amounts as Brightway 2.5 stores them (float32 in processed datapackages), back in float64."""
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def draws_for(blocks: Blocks, dists: dict[str, Distribution], values: dict[str, np.ndarray]):
    """:class:`~lca_sh_ev.models.amounts.Draws` of the model parameters for ``values``."""
    from .models.amounts import Draws
    from .models.params import load_parameters

    params = load_parameters()
    n = len(next(iter(values.values())))
    scale = shape = None
    if blocks.chemistry_group is not None:
        scale, shape = failure_weibull(blocks.chemistry_group, dists, values)
    consumption = values.get("consumption_factor", np.ones(n))
    return Draws(
        failure_scale=scale, failure_shape=shape,
        rte_fade_per_year=values.get("rte_fade_per_year", np.full(n, params.rte_fade_per_year)),
        mx_km_factor=values.get("mx_fleet_km", np.full(n, params.mx_fleet_km)) / params.mx_fleet_km,
        us_km_factor=np.ones(n),
        kwh_factor=consumption, fuel_factor=consumption,
    )


def evaluate(blocks: Blocks, dists: dict[str, Distribution], values: dict[str, np.ndarray],
             as_written: bool = False) -> np.ndarray:
    """Scores per km (draws x methods) for parameter ``values`` (one array per parameter).

    The amounts are those of the written foreground (case activity per km, use phase per
    km in each country); ``as_written`` rounds each to float32 as Brightway's processed
    datapackages do, which reproduces the main job to round-off (for the equality test).
    """
    from .models.amounts import pathway_amounts
    from .models.params import load_parameters

    r = _as_written if as_written else (lambda x: x)
    n = len(next(iter(values.values())))
    ages = values.get("export_age", np.zeros(n)).astype(int)
    a = pathway_amounts(blocks.spec, blocks.market, blocks.first_year, ages, load_parameters(),
                        draws_for(blocks, dists, values))
    per_km = 1.0 / a.km_total

    def col(x):
        return r(x)[:, None]

    total = col(per_km) * blocks.vehicle + blocks.maintenance
    for region in ("US", "MX"):
        total += col(getattr(a, f"vehicle_eol_{region.lower()}") * per_km) * blocks.eol_vehicle[region]
    if blocks.battery is not None:
        total += col(per_km) * blocks.battery + col((a.batteries_produced - 1.0) * per_km) * blocks.replacement
        recovery = values.get("recovery_ni_co_cu")
        fates = {("US", blocks.us_route): a.batteries_recycled_us, ("US", "landfill"): a.batteries_landfilled_us,
                 ("MX", "pyrometallurgy"): a.batteries_recycled_mx, ("MX", "landfill"): a.batteries_landfilled_mx}
        for (region, route), nb in fates.items():
            if not np.any(nb > 0):
                continue
            amount = col(nb * per_km)
            total += amount * blocks.battery_eol[(region, route)]
            if route != "landfill":
                rate = recovery[:, None] if recovery is not None and route == "pyrometallurgy" else blocks.recovery_default
                total += amount * (blocks.credit_fixed[route] + rate * blocks.credit_per_recovery[route])
    loss_factor = values.get("td_loss_factor", np.ones(n))[:, None]
    brake = values.get("brake_wear_factor", np.full(n, blocks.brake_default))[:, None]
    for region in ("US", "MX"):
        km = getattr(a, f"km_{region.lower()}").sum(axis=1)
        if not np.any(km > 0):
            continue
        safe_km = np.where(km > 0, km, 1.0)
        use = np.zeros_like(total)
        kwh = getattr(a, f"kwh_plug_{region.lower()}")
        if np.any(kwh > 0):
            lv_per_mv = 1.0 / (1.0 - blocks.grid_loss[region][None, :] * loss_factor)  # (draws, years)
            use += (r(kwh / safe_km[:, None]) * lv_per_mv) @ blocks.grid_mv[region]
        fuel = getattr(a, f"fuel_l_{region.lower()}").sum(axis=1) / safe_km  # L/km
        bio = []  # (amounts per km (draws, flows), block) in the written order: fuel, tailpipe, non-exhaust
        if region in blocks.fuel_bio:
            use += col(fuel * blocks.petrol_factor[region]) * blocks.petrol[region]
            bio.append((fuel[:, None] * blocks.fuel_bio[region].amounts[None, :], blocks.fuel_bio[region]))
            tail = blocks.tailpipe[region]
            bio.append(((fuel > 0)[:, None] * tail.amounts[None, :], tail))
        ne = blocks.nonexhaust
        bio.append((ne.amounts[None, :] + (brake - blocks.brake_default) * ne.per_factor[None, :], ne))
        use += _bio_score(bio, as_written)
        total += col(km * per_km) * use
    return total


def _bio_score(parts, as_written: bool) -> np.ndarray:
    """Sum of amounts x factors; ``as_written`` rounds to float32 and adds a flow's duplicates in float32,
    as Brightway does when one activity lists the same elementary flow twice."""
    if not as_written:
        return sum(amounts @ block.cf for amounts, block in parts)
    amounts = np.concatenate([a for a, _ in parts], axis=1).astype(np.float32)
    flows = np.concatenate([b.flows for _, b in parts])
    cf = np.concatenate([b.cf for _, b in parts])
    unique, first = np.unique(flows, return_index=True)
    summed = amounts[:, first].copy()
    for j, f in enumerate(unique):
        for extra in np.flatnonzero(flows == f)[1:]:
            summed[:, j] = summed[:, j] + amounts[:, extra]  # float32 addition
    return summed.astype(np.float64) @ cf[first]
