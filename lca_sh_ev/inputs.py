"""Foreground input data (``inventories/foreground``) turned into planned exchanges.

Each function reads one data file (cached) and returns :class:`~lca_sh_ev.foreground.Exchange`
objects with amounts per one unit of the activity that uses them.  Formulas
are written in each exchange's comment so the Brightway database explains itself.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .data import read_table
from .errors import UserInputError
from .linking import Wanted

#: Molar masses [g/mol], IUPAC 2021 standard atomic weights (physics, not data).
M_CO2_PER_C = 44.009 / 12.011
M_SO2_PER_S = 64.064 / 32.06

COMPONENT_FILES = ("foreground/components_vehicle.csv", "foreground/components_battery.csv")


def _exchange(*args, **kwargs):
    from .foreground import Exchange

    return Exchange(*args, **kwargs)


@lru_cache(maxsize=1)
def components() -> pd.DataFrame:
    tables = [
        read_table(f, required=("component", "component_unit", "flow_name", "flow_product", "flow_location"),
                   numeric=("amount",))
        for f in COMPONENT_FILES
    ]
    return pd.concat(tables, ignore_index=True)


def component_exchanges(component: str, scale: float, context: str, location: str | None = None) -> list:
    """Background inputs of ``scale`` units of a component (bill of materials in components_*.csv).

    ``location`` replaces the data file's location (e.g. the end-of-life region), the
    linker's fallback chain then finds the provider.
    """
    table = components()
    rows = table[table["component"] == component]
    if rows.empty:
        raise UserInputError(
            f"no component {component!r} in {', '.join(COMPONENT_FILES)}; "
            f"components found: {', '.join(sorted(set(table['component'])))}"
        )
    out = []
    for r in rows.itertuples(index=False):
        loc = location if location and r.flow_location in ("GLO", "RoW") and location else r.flow_location
        out.append(_exchange(
            "bg", Wanted(r.flow_name, r.flow_product, loc, r.unit, context=context),
            float(r.amount) * scale, r.unit,
            f"{r.amount:g} {r.unit} per {r.component_unit} of {component} x {scale:g}. Source: {r.source}",
        ))
    return out


def battery_exchanges(v) -> list:
    """Bill of materials of one traction battery of vehicle ``v``."""
    if v.battery_chemistry == "NiMH":
        return component_exchanges("battery, NiMH", v.battery_mass_kg, f"{v.display_name} battery")
    return component_exchanges(f"battery, Li-ion, {v.battery_chemistry}", v.battery_kwh, f"{v.display_name} battery")


def battery_family(v) -> str:
    return "NiMH" if v.battery_chemistry == "NiMH" else "Li-ion"


def battery_routes(us_route: str) -> list[tuple[str, str]]:
    """(region, route) pairs a battery may end in: US recycles by ``us_route``; Mexico has pyrometallurgy only."""
    return [("US", us_route), ("US", "landfill"), ("MX", "pyrometallurgy"), ("MX", "landfill")]


def battery_fates(amounts, e: int, us_route: str) -> dict[tuple[str, str], float]:
    """Expected batteries per vehicle sold by (region, route); they sum to batteries produced."""
    return {
        ("US", us_route): float(amounts.batteries_recycled_us[e]),
        ("US", "landfill"): float(amounts.batteries_landfilled_us[e]),
        ("MX", "pyrometallurgy"): float(amounts.batteries_recycled_mx[e]),
        ("MX", "landfill"): float(amounts.batteries_landfilled_mx[e]),
    }


@lru_cache(maxsize=1)
def eol_routes() -> pd.DataFrame:
    return read_table("foreground/battery_eol_routes.csv",
                      required=("family", "route", "flow_name", "flow_product", "flow_location"))


def battery_treatment_exchanges(v, route: str, region: str) -> list:
    """One used battery to ``route``: a negative input of the waste (ecoinvent waste convention)."""
    table = eol_routes()
    rows = table[(table["family"] == battery_family(v)) & (table["route"] == route)]
    if rows.empty:
        raise UserInputError(f"foreground/battery_eol_routes.csv has no row for {battery_family(v)} / {route}")
    r = rows.iloc[0]
    loc = region if r["flow_location"] in ("GLO", "RoW") else r["flow_location"]
    return [_exchange(
        "bg", Wanted(r["flow_name"], r["flow_product"], loc, r["unit"], context=f"{v.display_name} battery {route}"),
        -v.battery_mass_kg, r["unit"],
        f"-{v.battery_mass_kg:g} kg used battery (waste input is negative). Source: {r['source']}",
    )]


@lru_cache(maxsize=1)
def _materials() -> pd.DataFrame:
    return read_table("foreground/battery_materials.csv", required=("chemistry", "material"), numeric=("value",))


@lru_cache(maxsize=1)
def _recovery() -> pd.DataFrame:
    return read_table("foreground/recovery_rates.csv", required=("route", "material"), numeric=("value",))


@lru_cache(maxsize=1)
def _credits() -> pd.DataFrame:
    return read_table("foreground/credits.csv", required=("material", "flow_name", "flow_product", "flow_location"),
                      numeric=("kg_product_per_kg_material",))


def material_content_kg(v) -> dict[str, float]:
    """Mass of each credited material in one battery of vehicle ``v`` [kg]."""
    table = _materials()
    rows = table[table["chemistry"] == v.battery_chemistry]
    out = {}
    for r in rows.itertuples(index=False):
        if r.unit in ("kg/kWh", "kg per kWh"):
            out[r.material] = float(r.value) * v.battery_kwh
        elif r.unit in ("kg/kg", "kg per kg", "kg/kg pack", "-"):
            out[r.material] = float(r.value) * v.battery_mass_kg
    return out


def credit_exchanges(v, route: str) -> list:
    """Avoided products of one battery recycled by ``route`` (negative inputs)."""
    content = material_content_kg(v)
    rec = _recovery()
    rec = dict(zip(rec.loc[rec["route"] == route, "material"], rec.loc[rec["route"] == route, "value"]))
    out = []
    for r in _credits().itertuples(index=False):
        kg = content.get(r.material, 0.0)
        rate = float(rec.get(r.material, 0.0))
        if kg <= 0 or rate <= 0:
            continue
        amount = -kg * rate * float(r.kg_product_per_kg_material)
        out.append(_exchange(
            "bg", Wanted(r.flow_name, r.flow_product, r.flow_location, "kilogram",
                         context=f"{v.display_name} credit {r.material}"),
            amount, "kilogram",
            f"-{kg:.3f} kg {r.material} x recovery {rate:g} ({route}) x {r.kg_product_per_kg_material:g} "
            f"kg product per kg {r.material}. Source: {r.source}",
        ))
    return out


@lru_cache(maxsize=1)
def fuel_properties() -> pd.DataFrame:
    return read_table("foreground/fuel_properties.csv", required=("fuel", "property"), numeric=("value",))


def fuel_property(fuel: str, prop: str) -> float:
    t = fuel_properties()
    rows = t[(t["fuel"] == fuel) & (t["property"] == prop)]
    if rows.empty:
        raise UserInputError(f"foreground/fuel_properties.csv has no {prop!r} for fuel {fuel!r}")
    return float(rows["value"].iloc[0])


def fuel_name(region: str) -> str:
    t = fuel_properties()
    names = sorted(set(t["fuel"]))
    for n in names:
        if region.lower() in n.lower().split("_") or n.lower().startswith(region.lower()):
            return n
    raise UserInputError(f"foreground/fuel_properties.csv has no fuel for region {region!r}; fuels: {names}")


def fuel_exchanges(region: str, l_per_km: float) -> list:
    """Petrol (litres, linked in kg through the density) and the fossil CO2 of burning it."""
    fuel = fuel_name(region)
    density = fuel_property(fuel, "density")
    carbon = fuel_property(fuel, "fossil_carbon_fraction")
    sulfur = fuel_property(fuel, "sulfur_mass_fraction")
    kg = l_per_km * density
    return [
        _exchange("bg", Wanted("market for petrol, low-sulfur", "petrol, low-sulfur", region, "litre",
                               context=f"petrol {region}", density_kg_per_l=density),
                  l_per_km, "litre", f"{l_per_km:.5f} L/km x {density} kg/L (fuel_properties.csv)"),
        _exchange("bio", ("Carbon dioxide, fossil", "air::urban air close to ground"),
                  kg * carbon * M_CO2_PER_C, "kilogram",
                  f"{kg:.5f} kg fuel/km x fossil carbon fraction {carbon} x 44.009/12.011"),
        _exchange("bio", ("Sulfur dioxide", "air::urban air close to ground"),
                  kg * sulfur * M_SO2_PER_S, "kilogram",
                  f"{kg:.5f} kg fuel/km x sulfur mass fraction {sulfur:g} x 64.064/32.06 (all fuel sulfur to SO2)"),
    ]


@lru_cache(maxsize=1)
def _tailpipe() -> pd.DataFrame:
    return read_table("foreground/tailpipe.csv",
                      required=("region", "powertrain", "pollutant", "flow_name", "flow_categories"),
                      numeric=("value",))


_MASS_PER_KM = {"g/km": 1e-3, "mg/km": 1e-6, "kg/km": 1.0}


def tailpipe_exchanges(region: str, powertrain: str) -> list:
    """Per-km tailpipe emissions other than CO2 (inventories/foreground/tailpipe.csv)."""
    t = _tailpipe()
    rows = t[(t["region"] == region) & (t["powertrain"] == powertrain)]
    out = []
    for r in rows.itertuples(index=False):
        if r.unit not in _MASS_PER_KM:
            raise UserInputError(f"foreground/tailpipe.csv: unit {r.unit!r}; allowed {list(_MASS_PER_KM)}")
        out.append(_exchange("bio", (r.flow_name, r.flow_categories), float(r.value) * _MASS_PER_KM[r.unit],
                             "kilogram", f"{r.value:g} {r.unit} ({r.pollutant}). Source: {r.source}"))
    return out


def average_export_age() -> int:
    t = read_table("foreground/export_age.csv", required=("parameter",), numeric=("value",))
    rows = t[t["parameter"] == "average_export_age"]
    if rows.empty:
        raise UserInputError("foreground/export_age.csv has no 'average_export_age' row")
    return int(round(float(rows["value"].iloc[0])))


def vehicle_spec(v):
    """The models' view of a vehicle."""
    from .models.amounts import VehicleSpec

    return VehicleSpec(
        vehicle=v.vehicle, powertrain=v.powertrain, vehicle_class=v.vehicle_class,
        battery_kwh=v.battery_kwh, battery_mass_kg=v.battery_mass_kg, kwh_per_km_wall=v.kwh_per_km_wall,
        l_per_km=v.l_per_km_us, warranty_years=v.warranty_years, warranty_km=v.warranty_km,
    )


def non_exhaust_exchanges(v) -> list:
    """Tyre, brake and road wear particles and metals per km (see :mod:`lca_sh_ev.emissions`)."""
    from .emissions import non_exhaust_per_km

    return [
        _exchange("bio", key, kg, "kilogram",
                  f"non-exhaust wear, {v.curb_mass_kg:.0f} kg {v.powertrain} (Beddows & Harrison 2021; EMEP/EEA "
                  "metal fractions; inventories/foreground/non_exhaust.csv)")
        for key, kg in sorted(non_exhaust_per_km(v.curb_mass_kg, v.powertrain).items())
    ]
