"""Expected use-phase and end-of-life amounts per vehicle sold, for every export age at once.

The cohort is followed year by year (year ``t`` = vehicle age ``t`` to
``t + 1`` = calendar year ``first_year + t``) as a distribution over battery
age.  In each year:

1. the vehicle is retired for non-battery reasons with the hazard of its
   survival curve (US: ``Sus``; MX: ``Smx``; SH: eq. 1, see
   :mod:`.lifetime`);
2. otherwise its battery fails with the annual probability of the fitted
   Weibull (:mod:`.battery`) at the battery's age;
3. a failed battery is replaced (battery age restarts at 0) with the
   probability that the failure falls inside the warranty *and* the vehicle is
   still in its country of first sale; otherwise the failure retires the vehicle.

Distance in a year is the mid-year number in use times the annual distance of
a vehicle of that age in the country it is in (US: TEDB Table 3.14; MX:
:func:`.lifetime.vkt_mx` at mid-year age).  Electricity at the plug is
distance times wall-to-wheel kWh/km times the round-trip-efficiency factor
averaged over the battery ages in use.  Vehicles still in use at
``max_vehicle_age`` retire then.  The warranty odometer is that of a vehicle
still in use (the expected annual distances accumulated).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import UserInputError
from . import battery as bat
from . import energy, eol, lifetime
from .params import ModelParameters

POWERTRAINS = ("ICEV", "HEV", "BEV")
CHEMISTRY_OF_POWERTRAIN = {"BEV": "li_ion", "HEV": "nimh"}


@dataclass(frozen=True)
class VehicleSpec:
    """The vehicle data the amounts need (from ``inventories/vehicles``)."""

    vehicle: str
    powertrain: str  # 'ICEV' | 'HEV' | 'BEV'
    vehicle_class: str  # 'car' | 'light_truck'
    battery_kwh: float  # traction battery capacity [kWh]; 0 for ICEV
    battery_mass_kg: float  # traction battery mass [kg]; 0 for ICEV
    kwh_per_km_wall: float  # EPA wall-to-wheel [kWh/km]; 0 for ICEV/HEV
    l_per_km: float  # EPA combined fuel [L/km]; 0 for BEV
    warranty_years: float  # traction-battery warranty [year]
    warranty_km: float  # traction-battery warranty [km]


@dataclass(frozen=True)
class PathwayAmounts:
    """Expected amounts per vehicle sold; first axis = export-age case (length 1 for US/MX)."""

    market: str
    export_ages: np.ndarray  # [e] (0 for US/MX)
    years: np.ndarray  # [t] calendar years
    in_use: np.ndarray  # [e,t] mid-year probability in use [-]
    km_us: np.ndarray  # [e,t] km
    km_mx: np.ndarray
    kwh_plug_us: np.ndarray  # [e,t] kWh at the plug
    kwh_plug_mx: np.ndarray
    fuel_l_us: np.ndarray  # [e,t] litres
    fuel_l_mx: np.ndarray
    batteries_produced: np.ndarray  # [e] incl. the original
    batteries_recycled_us: np.ndarray  # [e]
    batteries_recycled_mx: np.ndarray
    batteries_landfilled_us: np.ndarray
    batteries_landfilled_mx: np.ndarray
    vehicle_eol_us: np.ndarray  # [e] probability the vehicle ends in the US
    vehicle_eol_mx: np.ndarray
    lifetime_years: np.ndarray  # [e] expected years in use
    km_total: np.ndarray  # [e]
    p_battery_recycled: np.ndarray  # [e] recycled / produced


@dataclass(frozen=True)
class Draws:
    """Per-case parameter values for Monte Carlo: every field is ``None`` (use ``params``) or an array ``(n,)``.

    With draws, the case axis of :class:`PathwayAmounts` is the draw axis (``n`` rows;
    for 'SH' the export ages must then have ``n`` entries too, one per draw).
    """

    failure_scale: np.ndarray | None = None  # Weibull scale of battery failure [year]
    failure_shape: np.ndarray | None = None  # Weibull shape [-]
    rte_fade_per_year: np.ndarray | None = None  # [1/year]
    us_km_factor: np.ndarray | None = None  # multiplier on the US annual distance by age [-]
    mx_km_factor: np.ndarray | None = None  # multiplier on the Mexico annual distance by age [-]
    kwh_factor: np.ndarray | None = None  # multiplier on wall-to-wheel kWh/km [-]
    fuel_factor: np.ndarray | None = None  # multiplier on L/km [-]

    def size(self) -> int | None:
        sizes = {np.size(v) for v in vars(self).values() if v is not None}
        if len(sizes) > 1:
            raise UserInputError(f"Monte Carlo draws have different lengths {sorted(sizes)}; they must be equal")
        return sizes.pop() if sizes else None

    def column(self, name: str, default):
        """Field ``name`` as an (n, 1) column, or ``default`` when not drawn."""
        v = getattr(self, name)
        return default if v is None else np.asarray(v, dtype=float)[:, None]


def _check_inputs(spec: VehicleSpec, market: str, export_ages, params: ModelParameters) -> np.ndarray:
    if market not in eol.MARKETS:
        raise UserInputError(f"market {market!r} is not allowed; use one of {', '.join(eol.MARKETS)}")
    if spec.powertrain not in POWERTRAINS:
        raise UserInputError(f"vehicle {spec.vehicle!r}: powertrain {spec.powertrain!r} is not allowed; use one of {', '.join(POWERTRAINS)}")
    if spec.vehicle_class not in lifetime.VEHICLE_CLASSES:
        raise UserInputError(f"vehicle {spec.vehicle!r}: vehicle_class {spec.vehicle_class!r} is not allowed; use one of {', '.join(lifetime.VEHICLE_CLASSES)}")
    for name in ("battery_kwh", "battery_mass_kg", "kwh_per_km_wall", "l_per_km", "warranty_years", "warranty_km"):
        if getattr(spec, name) < 0:
            raise UserInputError(f"vehicle {spec.vehicle!r}: {name} = {getattr(spec, name)} is negative; it must be >= 0")
    if market != "SH":
        return np.zeros(1, dtype=int)
    ages = np.atleast_1d(np.asarray(export_ages))
    if ages.size == 0 or ages.ndim != 1:
        raise UserInputError("export_ages must be a non-empty 1-D list of whole years for the SH pathway")
    last = min(params.survival_table_end(spec.vehicle_class), params.max_age) - 1
    bad = (ages != np.round(ages)) | (ages < 1) | (ages > last)
    if np.any(bad):
        raise UserInputError(
            f"export age {ages[bad][0]!r} is outside the survival table; "
            f"use whole years from 1 to {int(last)} for a {spec.vehicle_class}"
        )
    return ages.astype(int)


def _annual_failure(spec: VehicleSpec, params: ModelParameters, n_ages: int, draws: Draws | None = None) -> np.ndarray:
    """Annual failure probability by battery age 0..n_ages-1 (0 for ICEV); (n_draws, n_ages) with draws."""
    if spec.powertrain == "ICEV":
        return np.zeros(n_ages)
    if draws is not None and draws.failure_scale is not None:
        return bat.annual_failure_probability(np.arange(n_ages)[None, :], draws.column("failure_scale", None),
                                              draws.column("failure_shape", None))
    fit = params.battery[CHEMISTRY_OF_POWERTRAIN[spec.powertrain]].failure_weibull()
    return bat.annual_failure_probability(np.arange(n_ages), fit["scale"], fit["shape"])


def pathway_amounts(spec: VehicleSpec, market: str, first_year: int, export_ages, params: ModelParameters,
                    draws: Draws | None = None) -> PathwayAmounts:
    """Expected amounts per vehicle sold for a pathway (see module docstring).

    Parameters
    ----------
    spec : VehicleSpec
    market : {'US', 'SH', 'MX'}
    first_year : int
        Calendar year of first sale.
    export_ages : array_like of int
        Export ages [year] for 'SH' (ignored for 'US' and 'MX').
    params : ModelParameters
    draws : Draws, optional
        Per-draw parameter values (Monte Carlo); the case axis is then the draw axis.

    Returns
    -------
    PathwayAmounts
    """
    ax = _check_inputs(spec, market, export_ages, params)
    n_draws = draws.size() if draws is not None else None
    if n_draws is not None:
        if market == "SH" and ax.size != n_draws:
            raise UserInputError(f"{n_draws} draws but {ax.size} export ages; give one export age per draw")
        ax = np.broadcast_to(ax, (n_draws,)).copy()
    draws = draws if n_draws is not None else Draws()
    n_case, n_year = ax.size, params.max_age + 1
    t = np.arange(n_year)
    t_edges = np.arange(n_year + 1)[None, :]

    # vehicle (non-battery) survival at year edges, [e, t+1]
    if market == "US":
        surv = lifetime.survival_us(t_edges, spec.vehicle_class, params)
        in_mx = np.zeros((1, n_year), dtype=bool)
    elif market == "MX":
        surv = lifetime.survival_mx(t_edges, params)
        in_mx = np.ones((1, n_year), dtype=bool)
    else:
        surv = lifetime.integrated_survival(t_edges, ax[:, None], spec.vehicle_class, params)
        in_mx = t[None, :] >= ax[:, None]
    surv = np.broadcast_to(surv, (n_case, n_year + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(surv[:, :-1] > 0, surv[:, 1:] / surv[:, :-1], 0.0)
    first_sale = ~in_mx if market != "MX" else np.ones_like(in_mx)
    in_mx = np.broadcast_to(in_mx, (n_case, n_year))
    first_sale = np.broadcast_to(first_sale, (n_case, n_year))

    # annual distance of a vehicle in use, by country, and its odometer
    km_year = np.where(
        in_mx,
        lifetime.vkt_mx(t + 0.5, params)[None, :] * draws.column("mx_km_factor", 1.0),
        lifetime.vmt_us(t, spec.vehicle_class, params)[None, :] * draws.column("us_km_factor", 1.0),
    )
    odometer = np.concatenate([np.zeros((n_case, 1)), np.cumsum(km_year, axis=1)[:, :-1]], axis=1)
    warranty = bat.warranty_fraction(t[None, :], odometer, km_year, spec.warranty_years, spec.warranty_km)
    p_replace = bat.replacement_probability(warranty, first_sale)

    has_battery = spec.powertrain != "ICEV"
    q = np.atleast_2d(_annual_failure(spec, params, n_year + 1, draws))  # [1 or e, battery age]
    rte = np.atleast_2d(energy.rte_energy_factor(np.arange(n_year + 1)[None, :] + 0.5,
                                                 draws.column("rte_fade_per_year", params.rte_fade_per_year)))

    dist = np.zeros((n_case, n_year + 1))  # probability in use, by battery age
    dist[:, 0] = 1.0
    in_use = np.zeros((n_case, n_year))
    rte_mean = np.ones((n_case, n_year))
    replaced = np.zeros(n_case)
    end = {k: np.zeros(n_case) for k in ("veh_us", "veh_mx", "rec_us", "rec_mx", "land_us", "land_mx")}
    for i in range(n_year):
        alive = dist.sum(axis=1)
        k = keep[:, i][:, None]
        retire_other = (dist * (1.0 - k)).sum(axis=1)
        failed = (dist * k * q).sum(axis=1)
        ok = dist * k * (1.0 - q)
        repl = failed * p_replace[:, i]
        retire_battery = failed - repl
        with np.errstate(divide="ignore", invalid="ignore"):
            rte_mean[:, i] = np.where(alive > 0, (dist * rte).sum(axis=1) / alive, 1.0)
        new = np.zeros_like(dist)
        new[:, 1:] = ok[:, :-1]
        new[:, -1] += ok[:, -1]
        new[:, 0] += repl
        in_use[:, i] = 0.5 * (alive + new.sum(axis=1))
        if i == n_year - 1:  # horizon: everything still in use retires
            retire_other = retire_other + new.sum(axis=1)
            new[:] = 0.0
        mx = in_mx[:, i]
        retired = retire_other + retire_battery
        end["veh_mx"] += np.where(mx, retired, 0.0)
        end["veh_us"] += np.where(mx, 0.0, retired)
        if has_battery:
            p_rec = eol.p_recycled_at_end(market, mx, warranty[:, i]) * retire_other + eol.p_recycled_at_end(
                market, mx, 0.0
            ) * retire_battery
            p_land = retired - p_rec
            rep_rec = repl * eol.p_recycled_replaced()
            rep_mx = np.full(n_case, market == "MX")
            end["rec_mx"] += np.where(mx, p_rec, 0.0) + np.where(rep_mx, rep_rec, 0.0)
            end["rec_us"] += np.where(mx, 0.0, p_rec) + np.where(rep_mx, 0.0, rep_rec)
            end["land_mx"] += np.where(mx, p_land, 0.0)
            end["land_us"] += np.where(mx, 0.0, p_land)
            replaced += repl
        dist = new

    km = in_use * km_year
    km_us, km_mx = np.where(in_mx, 0.0, km), np.where(in_mx, km, 0.0)
    kwh = km * spec.kwh_per_km_wall * rte_mean * draws.column("kwh_factor", 1.0)
    fuel = energy.fuel_litres(km, spec.l_per_km) * draws.column("fuel_factor", 1.0)
    produced = (1.0 + replaced) if has_battery else np.zeros(n_case)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_rec = np.where(produced > 0, (end["rec_us"] + end["rec_mx"]) / produced, 0.0)
    return PathwayAmounts(
        market=market,
        export_ages=ax,
        years=first_year + t,
        in_use=in_use,
        km_us=km_us,
        km_mx=km_mx,
        kwh_plug_us=np.where(in_mx, 0.0, kwh),
        kwh_plug_mx=np.where(in_mx, kwh, 0.0),
        fuel_l_us=np.where(in_mx, 0.0, fuel),
        fuel_l_mx=np.where(in_mx, fuel, 0.0),
        batteries_produced=produced,
        batteries_recycled_us=end["rec_us"],
        batteries_recycled_mx=end["rec_mx"],
        batteries_landfilled_us=end["land_us"],
        batteries_landfilled_mx=end["land_mx"],
        vehicle_eol_us=end["veh_us"],
        vehicle_eol_mx=end["veh_mx"],
        lifetime_years=in_use.sum(axis=1),
        km_total=km.sum(axis=1),
        p_battery_recycled=p_rec,
    )
