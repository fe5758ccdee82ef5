"""Parameters of the lifetime, battery and energy models, read from ``inventories/models/``.

:func:`load_parameters` reads the three tables, checks units and ranges, and
returns a frozen :class:`ModelParameters`.  The equations never read files;
they take a ``ModelParameters`` (or plain numbers).  For Monte Carlo, build
variants with :func:`dataclasses.replace` and call :func:`validate` on them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..data import read_table
from ..errors import UserInputError
from . import battery as battery_model
from . import lifetime

PARAMETERS_FILE = "models/parameters.csv"
CAR_SURVIVAL_FILE = "models/us_car_survival.csv"
VMT_FILE = "models/us_vmt_by_age.csv"

#: expected unit of each (group, parameter) row of parameters.csv
EXPECTED_UNITS = {
    ("survival_us", "light_truck_survival_age15"): "-",
    ("survival_us", "light_truck_survival_age20"): "-",
    ("survival_mx", "mean_fleet_age"): "year",
    ("survival_mx", "fleet_growth_rate"): "1/year",
    ("vkt_mx", "fleet_average_km_per_year"): "km/year",
    ("horizon", "max_vehicle_age"): "year",
    ("energy", "rte_fade_per_year"): "1/year",
}
BATTERY_UNITS = {
    "degradation_rate_low": "1/year",
    "degradation_rate_high": "1/year",
    "knee_age_low": "year",
    "knee_age_high": "year",
    "decay": "1/year",
    "soh_threshold": "-",
}
#: battery chemistry groups; the powertrain picks one (BEV -> li_ion, HEV -> nimh)
CHEMISTRY_GROUPS = ("li_ion", "nimh")


@dataclass(frozen=True)
class BatteryParameters:
    """Eq. 2 parameters of one battery chemistry group."""

    degradation_rate_low: float  # Dr range [1/year]
    degradation_rate_high: float
    knee_age_low: float  # k range [year]
    knee_age_high: float
    decay: float  # lambda [1/year]
    soh_threshold: float  # failure SOH [-]

    @property
    def degradation_rate(self) -> float:
        """Mid-range Dr [1/year] (for a single SOH curve)."""
        return 0.5 * (self.degradation_rate_low + self.degradation_rate_high)

    @property
    def knee_age(self) -> float:
        """Mid-range k [year]."""
        return 0.5 * (self.knee_age_low + self.knee_age_high)

    def failure_weibull(self) -> dict:
        """Weibull fitted to the failure ages implied by eq. 2 over the ranges (cached)."""
        return battery_model.fit_failure_weibull(
            self.degradation_rate_low, self.degradation_rate_high, self.knee_age_low,
            self.knee_age_high, self.decay, self.soh_threshold,
        )


@dataclass(frozen=True)
class ModelParameters:
    """Everything the model equations need, checked (see :func:`validate`)."""

    us_car_survival_age: np.ndarray  # [year]
    us_car_survival: np.ndarray  # [-]
    us_light_truck_scale: float  # Weibull scale [year]
    us_light_truck_shape: float  # Weibull shape [-]
    us_vmt_age: np.ndarray  # [year]
    us_vmt_km: dict  # vehicle_class -> [km/year] at us_vmt_age
    mx_mean_age: float  # [year]
    mx_fleet_growth: float  # [1/year]
    mx_fleet_km: float  # [km/year]
    mx_shape: float  # Weibull shape [-]
    mx_scale: float  # Weibull scale [year]
    max_age: int  # horizon [year]
    battery: dict = field(default_factory=dict)  # chemistry group -> BatteryParameters
    rte_fade_per_year: float = 0.0  # [1/year]

    def survival_table_end(self, vehicle_class: str) -> float:
        """Last age [year] at which the US survival of ``vehicle_class`` is defined."""
        if vehicle_class == "car":
            return float(self.us_car_survival_age[-1])
        return float(self.max_age)


def _fail(what: str, value, allowed: str, file: str = PARAMETERS_FILE):
    raise UserInputError(f"{file}: {what} = {value!r} is not allowed; {allowed}")


def validate(p: ModelParameters) -> ModelParameters:
    """Check ranges; raise :class:`UserInputError` naming the bad value."""
    s = np.asarray(p.us_car_survival, dtype=float)
    if s[0] != 1.0 or np.any(np.diff(s) > 0) or np.any(s < 0) or np.any(s > 1):
        _fail("us car survival", s.tolist()[:3], "it must start at 1 at age 0 and be non-increasing in [0, 1]", CAR_SURVIVAL_FILE)
    if not np.all(np.diff(p.us_car_survival_age) == 1) or p.us_car_survival_age[0] != 0:
        _fail("us car survival ages", p.us_car_survival_age.tolist()[:3], "ages must be 0, 1, 2, ... without gaps", CAR_SURVIVAL_FILE)
    for cls, km in p.us_vmt_km.items():
        if np.any(np.asarray(km) < 0):
            _fail(f"{cls} annual distance", float(np.min(km)), "distances must be >= 0", VMT_FILE)
    for name in ("us_light_truck_scale", "us_light_truck_shape", "mx_scale", "mx_shape", "mx_mean_age", "mx_fleet_km"):
        if not getattr(p, name) > 0:
            _fail(name, getattr(p, name), "it must be > 0")
    if p.mx_fleet_growth < -0.5 or p.mx_fleet_growth > 0.5:
        _fail("survival_mx fleet_growth_rate", p.mx_fleet_growth, "use a rate between -0.5 and 0.5 per year")
    if p.rte_fade_per_year < 0 or p.rte_fade_per_year * p.max_age >= 1:
        _fail("energy rte_fade_per_year", p.rte_fade_per_year, "it must be >= 0 and below 1/max_vehicle_age")
    if not 1 <= p.max_age <= 100:
        _fail("horizon max_vehicle_age", p.max_age, "use an integer between 1 and 100 years")
    for group, b in p.battery.items():
        if not 0 < b.degradation_rate_low <= b.degradation_rate_high:
            _fail(f"battery_{group} degradation_rate_low/high", (b.degradation_rate_low, b.degradation_rate_high),
                  "degradation rates must be > 0 with low <= high")
        if b.decay < 0:
            _fail(f"battery_{group} decay", b.decay, "the decay rate lambda must be >= 0")
        if not 0 <= b.knee_age_low <= b.knee_age_high:
            _fail(f"battery_{group} knee_age_low/high", (b.knee_age_low, b.knee_age_high),
                  "knee ages must be >= 0 years with low <= high")
        if not 0.0 < b.soh_threshold < 1.0:
            _fail(f"battery_{group} soh_threshold", b.soh_threshold, "the failure SOH threshold must lie strictly between 0 and 1")
    return p


def _row(table, group, parameter):
    sel = table[(table["group"] == group) & (table["parameter"] == parameter)]
    if len(sel) != 1:
        raise UserInputError(f"{PARAMETERS_FILE}: expected exactly one row group={group!r}, parameter={parameter!r}, found {len(sel)}")
    unit = sel["unit"].iloc[0].strip()
    expected = EXPECTED_UNITS.get((group, parameter)) or BATTERY_UNITS.get(parameter)
    if expected is not None and unit != expected:
        raise UserInputError(f"{PARAMETERS_FILE}: {group}/{parameter} has unit {unit!r}; expected {expected!r}")
    return float(sel["value"].iloc[0])


def parameters_from_tables(table, car, vmt) -> ModelParameters:
    """Build and validate :class:`ModelParameters` from the three data tables."""
    car = car.sort_values("age")
    if set(car["unit"].str.strip()) != {"-"}:
        raise UserInputError(f"{CAR_SURVIVAL_FILE}: unit must be '-' (fraction) on every row")
    if set(vmt["unit"].str.strip()) != {"km/year"}:
        raise UserInputError(f"{VMT_FILE}: unit must be 'km/year' on every row")
    car_age = car["age"].to_numpy(float)
    car_s = car["value"].to_numpy(float)
    vmt_km, vmt_age = {}, None
    for cls in lifetime.VEHICLE_CLASSES:
        sub = vmt[vmt["vehicle_class"] == cls].sort_values("age")
        if sub.empty:
            raise UserInputError(f"{VMT_FILE}: no rows for vehicle_class {cls!r}")
        vmt_age = sub["age"].to_numpy(float)
        vmt_km[cls] = sub["value"].to_numpy(float)
    s15 = _row(table, "survival_us", "light_truck_survival_age15")
    s20 = _row(table, "survival_us", "light_truck_survival_age20")
    if not 0 < s20 < s15 < 1:
        _fail("light-truck survival at 15 and 20 yr", (s15, s20), "need 1 > S(15) > S(20) > 0")
    lt_scale, lt_shape = lifetime.weibull_through_two_points(15.0, s15, 20.0, s20)
    mean_age = _row(table, "survival_mx", "mean_fleet_age")
    growth = _row(table, "survival_mx", "fleet_growth_rate")
    if not 1.0 <= mean_age <= 40.0:
        _fail("survival_mx mean_fleet_age", mean_age, "use a mean fleet age between 1 and 40 years")
    validate_car = ModelParameters(car_age, car_s, 1, 1, vmt_age, vmt_km, 1, 0, 1, 1, 1, 40)
    validate(validate_car)  # survival table checks before fitting it
    mx_shape = lifetime.fit_weibull_survival(car_age, car_s)[1]
    mx_scale = lifetime.calibrate_scale_to_mean_age(mean_age, mx_shape, growth)
    battery = {}
    for group in CHEMISTRY_GROUPS:
        battery[group] = BatteryParameters(
            **{name: _row(table, f"battery_{group}", name) for name in BATTERY_UNITS}
        )
    max_age = _row(table, "horizon", "max_vehicle_age")
    if max_age != int(max_age):
        _fail("horizon max_vehicle_age", max_age, "it must be a whole number of years")
    params = ModelParameters(
        us_car_survival_age=car_age,
        us_car_survival=car_s,
        us_light_truck_scale=lt_scale,
        us_light_truck_shape=lt_shape,
        us_vmt_age=vmt_age,
        us_vmt_km=vmt_km,
        mx_mean_age=mean_age,
        mx_fleet_growth=growth,
        mx_fleet_km=_row(table, "vkt_mx", "fleet_average_km_per_year"),
        mx_shape=mx_shape,
        mx_scale=mx_scale,
        max_age=int(max_age),
        battery=battery,
        rte_fade_per_year=_row(table, "energy", "rte_fade_per_year"),
    )
    return validate(params)


def read_parameter_tables():
    """The three raw tables (pandas), contract-checked by :func:`lca_sh_ev.data.read_table`."""
    table = read_table(PARAMETERS_FILE, required=("group", "parameter"), numeric=("value",))
    car = read_table(CAR_SURVIVAL_FILE, numeric=("age", "value"))
    vmt = read_table(VMT_FILE, required=("vehicle_class",), numeric=("age", "value"))
    return table, car, vmt


@lru_cache(maxsize=1)
def load_parameters() -> ModelParameters:
    """Default parameters from the bundled ``inventories/models`` tables (cached)."""
    return parameters_from_tables(*read_parameter_tables())


def with_battery(params: ModelParameters, group: str, **changes) -> ModelParameters:
    """Copy of ``params`` with some eq. 2 parameters of one chemistry group changed (validated)."""
    battery = dict(params.battery)
    battery[group] = dataclasses.replace(battery[group], **changes)
    return validate(dataclasses.replace(params, battery=battery))
