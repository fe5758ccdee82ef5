"""Vehicle data (``inventories/vehicles/vehicles.csv``), checked and typed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .data import read_table
from .errors import UserInputError

TEXT = ("display_name", "segment", "powertrain", "vehicle_class", "battery_chemistry")
NUMBERS = {
    "model_year": "year",
    "first_sale_year": "year",
    "curb_mass": "kg",
    "glider_mass": "kg",
    "powertrain_mass": "kg",
    "battery_mass": "kg",
    "battery_capacity": "kWh",
    "battery_warranty_years": "year",
    "battery_warranty_distance": "km",
}
POWERTRAINS = ("ICEV", "HEV", "BEV")


@dataclass(frozen=True)
class Vehicle:
    """One vehicle of report Table 1, with the values the models and inventory need."""

    vehicle: str
    display_name: str
    segment: str
    powertrain: str
    vehicle_class: str
    model_year: int
    first_sale_year: int
    curb_mass_kg: float
    glider_mass_kg: float
    powertrain_mass_kg: float
    battery_mass_kg: float
    battery_kwh: float
    battery_chemistry: str
    kwh_per_km_wall: float
    l_per_km_us: float
    l_per_km_mx: float
    warranty_years: float
    warranty_km: float


@lru_cache(maxsize=1)
def load_vehicles() -> dict[str, Vehicle]:
    """All vehicles in the data file, keyed by id."""
    table = read_table("vehicles/vehicles.csv", required=("vehicle", "parameter", "value"))
    out = {}
    for vid, rows in table.groupby("vehicle", sort=False):
        values = dict(zip(rows["parameter"], rows["value"]))
        units = dict(zip(rows["parameter"], rows["unit"]))

        def num(p, unit, default=None):
            if p not in values:
                if default is not None:
                    return default
                raise UserInputError(f"vehicles/vehicles.csv: vehicle {vid!r} has no {p!r} row")
            try:
                v = float(values[p])
            except ValueError:
                raise UserInputError(
                    f"vehicles/vehicles.csv: vehicle {vid!r} {p!r} = {values[p]!r} is not a number"
                ) from None
            if v < 0:
                raise UserInputError(f"vehicles/vehicles.csv: vehicle {vid!r} {p!r} = {v} is negative")
            return v

        for p in TEXT:
            if p not in values:
                raise UserInputError(f"vehicles/vehicles.csv: vehicle {vid!r} has no {p!r} row")
        powertrain = values["powertrain"]
        if powertrain not in POWERTRAINS:
            raise UserInputError(
                f"vehicles/vehicles.csv: vehicle {vid!r} powertrain {powertrain!r}; allowed: {POWERTRAINS}"
            )
        kwh_per_100km = num("electricity_consumption", "kWh/100 km", 0.0 if powertrain != "BEV" else None)
        l_per_100km = num("fuel_consumption", "L/100 km", 0.0 if powertrain == "BEV" else None)
        l_per_100km_mx = num("fuel_consumption_mx", "L/100 km", l_per_100km)
        out[vid] = Vehicle(
            vehicle=vid,
            display_name=values["display_name"],
            segment=values["segment"],
            powertrain=powertrain,
            vehicle_class=values["vehicle_class"],
            model_year=int(num("model_year", "year")),
            first_sale_year=int(num("first_sale_year", "year")),
            curb_mass_kg=num("curb_mass", "kg"),
            glider_mass_kg=num("glider_mass", "kg"),
            powertrain_mass_kg=num("powertrain_mass", "kg"),
            battery_mass_kg=num("battery_mass", "kg", 0.0 if powertrain == "ICEV" else None),
            battery_kwh=num("battery_capacity", "kWh", 0.0 if powertrain == "ICEV" else None),
            battery_chemistry=values["battery_chemistry"],
            kwh_per_km_wall=kwh_per_100km / 100.0,
            l_per_km_us=l_per_100km / 100.0,
            l_per_km_mx=l_per_100km_mx / 100.0,
            warranty_years=num("battery_warranty_years", "year", 0.0 if powertrain == "ICEV" else None),
            warranty_km=num("battery_warranty_distance", "km", 0.0 if powertrain == "ICEV" else None),
        )
        del units
    return out


def get_vehicle(vehicle: str) -> Vehicle:
    vehicles = load_vehicles()
    if vehicle not in vehicles:
        raise UserInputError(f"unknown vehicle {vehicle!r}; allowed: {', '.join(vehicles)}")
    return vehicles[vehicle]
