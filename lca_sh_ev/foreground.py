"""The foreground plan: every pathway case as Brightway-ready activities.

One plan serves two purposes: it is written as the foreground database (for
Activity Browser, Excel and the full-LCA cross-check) and its case activities'
exchanges are the stage split of the fast path in :mod:`lca_sh_ev.engine`.

Structure (per vehicle, shared by its pathways):

* ``<V>, vehicle production`` [unit]: glider + powertrain components by mass;
* ``<V>, battery production`` [unit]: the traction battery (per kWh or per kg);
* ``<V>, battery replacement`` [unit]: one battery production;
* ``<V>, maintenance`` [kilometer];
* ``<V>, end of life, vehicle, <US|MX>`` [unit]: dismantling/shredding of the
  vehicle without its traction battery (negative waste input, ecoinvent's convention);
* ``<V>, battery end of life, <route>, <US|MX>`` [unit]: one battery treated;
* ``<V>, recycling credit, <route>`` [unit]: avoided primary materials of one
  recycled battery (negative inputs);

and per case (pathway x export age):

* ``<V>, use phase, <US|MX>, <case>`` [kilometer]: one km in that country,
  averaged over the calendar years driven there (grid electricity of each year,
  petrol, tailpipe and non-exhaust emissions);
* ``<V>, <market>, <case>, per km`` [kilometer]: the functional unit, whose
  inputs are the life-cycle stages divided by lifetime km.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from . import inputs as fi
from .config import Scenario
from .errors import UserInputError
from .grid import GRID_DB, grid_years, market_code, market_year
from .linking import ProviderIndex, Wanted
from .vehicles import Vehicle, get_vehicle

log = logging.getLogger(__name__)

FG_DB = "lca-sh-ev foreground"

STAGES = (
    "vehicle production",
    "battery production",
    "battery replacement",
    "use, US",
    "use, MX",
    "maintenance",
    "end of life, vehicle",
    "end of life, battery",
    "recycling credit",
)


@dataclass
class Exchange:
    """An input of a planned activity.

    ``kind`` is ``fg`` (another planned activity, ``target`` = code), ``bg``
    (a background product, ``target`` = :class:`Wanted`), ``node`` (a known
    node, ``target`` = (database, code)) or ``bio`` (``target`` = (flow name,
    categories)).
    """

    kind: str
    target: object
    amount: float
    unit: str
    comment: str = ""
    stage: str | None = None


@dataclass
class Activity:
    code: str
    name: str
    product: str
    unit: str
    location: str
    comment: str
    exchanges: list[Exchange] = field(default_factory=list)


@dataclass
class Case:
    """One pathway x export age."""

    pathway: str
    vehicle: Vehicle
    market: str
    first_year: int
    export_age: int | None
    is_average_export_age: bool
    code: str
    amounts: object  # lca_sh_ev.models.amounts.PathwayAmounts
    index: int       # export-age index into ``amounts``
    us_route: str = "pyrometallurgy"


@dataclass
class ForegroundPlan:
    activities: dict[str, Activity]
    cases: list[Case]


def _vehicle_activities(v: Vehicle, us_route: str) -> dict[str, Activity]:
    """Activities shared by every pathway of one vehicle."""
    acts: dict[str, Activity] = {}
    vid = v.vehicle

    def add(code, name, product, unit, location, comment, exchanges):
        acts[code] = Activity(code, name, product, unit, location, comment, exchanges)

    comp_glider = fi.component_exchanges("glider", v.glider_mass_kg, f"{v.display_name} glider")
    comp_pt = fi.component_exchanges(f"powertrain, {v.powertrain}", v.powertrain_mass_kg,
                                     f"{v.display_name} powertrain")
    add(f"{vid}-vehicle", f"{v.display_name}, vehicle production", f"{v.display_name}, without traction battery",
        "unit", "GLO",
        f"Glider ({v.glider_mass_kg:.0f} kg) and {v.powertrain} powertrain ({v.powertrain_mass_kg:.0f} kg) "
        "from inventories/foreground bills of materials; masses from inventories/vehicles/vehicles.csv.",
        comp_glider + comp_pt)
    if v.powertrain != "ICEV":
        add(f"{vid}-battery", f"{v.display_name}, battery production", f"{v.display_name}, traction battery",
            "unit", "GLO",
            f"{v.battery_chemistry} traction battery, {v.battery_kwh:g} kWh, {v.battery_mass_kg:.0f} kg.",
            fi.battery_exchanges(v))
        add(f"{vid}-battery-replacement", f"{v.display_name}, battery replacement", f"{v.display_name}, battery replacement",
            "unit", "GLO", "One replacement battery (warranty replacement, report expert elicitation).",
            [Exchange("fg", f"{vid}-battery", 1.0, "unit")])
    add(f"{vid}-maintenance", f"{v.display_name}, maintenance", f"{v.display_name}, maintenance", "kilometer", "GLO",
        f"Maintenance per km of a {v.powertrain}.", fi.component_exchanges(f"maintenance, {v.powertrain}", 1.0,
                                                                         f"{v.display_name} maintenance per km"))
    for region in ("US", "MX"):
        add(f"{vid}-eol-vehicle-{region}", f"{v.display_name}, end of life, vehicle, {region}",
            f"{v.display_name}, end of life, vehicle", "unit", region,
            f"Dismantling and shredding of the glider ({v.glider_mass_kg:.0f} kg) and the {v.powertrain} powertrain "
            f"({v.powertrain_mass_kg:.0f} kg); the traction battery is treated separately.",
            fi.component_exchanges("end of life, vehicle", v.glider_mass_kg, f"{v.display_name} end of life",
                                   location=region)
            + fi.component_exchanges(f"end of life, powertrain, {v.powertrain}", v.powertrain_mass_kg,
                                     f"{v.display_name} end of life", location=region))
    if v.powertrain != "ICEV":
        for region, route in fi.battery_routes(us_route):
            add(f"{vid}-battery-eol-{route}-{region}", f"{v.display_name}, battery end of life, {route}, {region}",
                f"{v.display_name}, used traction battery, {route}", "unit", region,
                f"Treatment of one used {v.battery_chemistry} battery ({v.battery_mass_kg:.0f} kg) by {route}; "
                "the waste is a negative input (ecoinvent convention).",
                fi.battery_treatment_exchanges(v, route, region))
            if route != "landfill" and f"{vid}-credit-{route}" not in acts:
                add(f"{vid}-credit-{route}", f"{v.display_name}, recycling credit, {route}",
                    f"{v.display_name}, recycling credit, {route}", "unit", "GLO",
                    "Avoided primary materials of one recycled battery: material content x recovery rate "
                    "x product per element (negative inputs).",
                    fi.credit_exchanges(v, route))
    return acts


def _use_activity(case: Case, region: str, years_grid: list[int]) -> Activity | None:
    """One km in ``region`` for ``case``, averaged over the calendar years driven there."""
    a, e, v = case.amounts, case.index, case.vehicle
    km = getattr(a, f"km_{region.lower()}")[e]
    km_total = float(km.sum())
    if km_total <= 0:
        return None
    kwh = getattr(a, f"kwh_plug_{region.lower()}")[e]
    fuel = getattr(a, f"fuel_l_{region.lower()}")[e]
    exchanges: list[Exchange] = []
    for year, kwh_t in zip(a.years, kwh):
        if kwh_t <= 0:
            continue
        gy = market_year(region, int(year), years_grid)
        exchanges.append(Exchange("node", (GRID_DB, market_code(region, gy, "low")), float(kwh_t) / km_total,
                                  "kilowatt hour",
                                  f"{year}: {kwh_t:.1f} kWh at the plug of {km_total:.0f} km driven in {region}"
                                  + ("" if gy == year else f" (grid of {gy}, held constant)")))
    fuel_l_per_km = float(fuel.sum()) / km_total
    if fuel_l_per_km > 0:
        exchanges.extend(fi.fuel_exchanges(region, fuel_l_per_km))
        exchanges.extend(fi.tailpipe_exchanges(region, v.powertrain))
    exchanges.extend(fi.non_exhaust_exchanges(v))
    label = case_label(case)
    return Activity(
        f"{case.code}-use-{region}", f"{v.display_name}, use phase, {region}, {label}",
        f"{v.display_name}, transport, {region}", "kilometer", region,
        f"One km driven in {region}, averaged over the {int((km > 0).sum())} calendar years driven there "
        f"({km_total:.0f} km expected per vehicle sold); electricity at the plug from the {region} grid market "
        "of each year (T&D losses inside the market).",
        exchanges)


def case_label(case: Case) -> str:
    if case.market == "SH":
        return f"export age {case.export_age}, first sold {case.first_year}"
    return f"first sold {case.first_year}"


def _case_activity(case: Case, vehicle_acts: dict[str, Activity], use: dict[str, Activity | None]) -> Activity:
    a, e, v = case.amounts, case.index, case.vehicle
    km_total = float(a.km_total[e])
    vid = v.vehicle
    per_km = 1.0 / km_total
    ex = [Exchange("fg", f"{vid}-vehicle", per_km, "unit", "1 vehicle / lifetime km", "vehicle production")]
    if v.powertrain != "ICEV":
        n = float(a.batteries_produced[e])
        ex.append(Exchange("fg", f"{vid}-battery", per_km, "unit", "1 original battery / lifetime km",
                           "battery production"))
        ex.append(Exchange("fg", f"{vid}-battery-replacement", (n - 1.0) * per_km, "unit",
                           f"{n - 1:.4f} expected replacements / lifetime km", "battery replacement"))
    for region, stage in (("US", "use, US"), ("MX", "use, MX")):
        act = use.get(region)
        if act is not None:
            km_r = float(getattr(a, f"km_{region.lower()}")[e].sum())
            ex.append(Exchange("fg", act.code, km_r * per_km, "kilometer",
                               f"{km_r:.0f} km in {region} / {km_total:.0f} lifetime km", stage))
    ex.append(Exchange("fg", f"{vid}-maintenance", 1.0, "kilometer", "per km", "maintenance"))
    for region in ("US", "MX"):
        p = float(getattr(a, f"vehicle_eol_{region.lower()}")[e])
        if p > 0:
            ex.append(Exchange("fg", f"{vid}-eol-vehicle-{region}", p * per_km, "unit",
                               f"probability {p:.4f} that the vehicle ends its life in {region}",
                               "end of life, vehicle"))
    if v.powertrain != "ICEV":
        for (region, route), n_batt in fi.battery_fates(a, e, case.us_route).items():
            if n_batt <= 0:
                continue
            ex.append(Exchange("fg", f"{vid}-battery-eol-{route}-{region}", n_batt * per_km, "unit",
                               f"{n_batt:.4f} batteries per vehicle end in {region} by {route}",
                               "end of life, battery"))
            if route != "landfill":
                ex.append(Exchange("fg", f"{vid}-credit-{route}", n_batt * per_km, "unit",
                                   f"{n_batt:.4f} batteries recycled by {route}", "recycling credit"))
    return Activity(case.code, f"{v.display_name}, {case.market}, {case_label(case)}, per km",
                    f"{v.display_name}, transport, {case.market}", "kilometer",
                    "MX" if case.market != "US" else "US",
                    f"Functional unit: 1 km over the life of a {v.display_name} ({case.market}); "
                    f"expected lifetime {float(a.lifetime_years[e]):.1f} years, {km_total:.0f} km. "
                    "Inputs are the life-cycle stages (each exchange's 'stage' field).",
                    ex)


def build_plan(scenario: Scenario) -> ForegroundPlan:
    """All planned activities and cases for a scenario (no Brightway access)."""
    from .models.amounts import pathway_amounts
    from .models.params import load_parameters

    params = load_parameters()
    average_age = fi.average_export_age()
    years_us, years_mx = grid_years("US"), grid_years("MX")
    acts: dict[str, Activity] = {}
    cases: list[Case] = []
    for p in scenario.pathways:
        v = get_vehicle(p.vehicle)
        first_year = p.first_year or v.first_sale_year
        for act in _vehicle_activities(v, scenario.us_recycling_route).values():
            acts.setdefault(act.code, act)
        if p.market == "SH":
            ages = list(scenario.export_ages)
            if scenario.include_average_export_age and average_age not in ages:
                ages = sorted(ages + [average_age])
        else:
            ages = [None]
        try:
            amounts = pathway_amounts(fi.vehicle_spec(v), p.market, first_year,
                                      np.array([a or 0 for a in ages], dtype=int), params)
        except UserInputError as exc:
            raise UserInputError(f"config pathway {p.id!r} (field 'export_ages'): {exc}") from None
        for e, age in enumerate(ages):
            code = f"{p.vehicle}-{p.market}-{first_year}" + (f"-age{age:02d}" if age is not None else "")
            case = Case(p.id, v, p.market, first_year, age, age == average_age and p.market == "SH",
                        code, amounts, e, scenario.us_recycling_route)
            use = {"US": _use_activity(case, "US", years_us), "MX": _use_activity(case, "MX", years_mx)}
            for u in use.values():
                if u is not None:
                    acts[u.code] = u
            acts[code] = _case_activity(case, acts, use)
            cases.append(case)
    log.info("foreground plan: %d activities, %d cases", len(acts), len(cases))
    return ForegroundPlan(acts, cases)


def to_records(plan: ForegroundPlan, index: ProviderIndex, db_name: str = FG_DB) -> dict:
    """Brightway records of the plan; every background exchange linked (all failures listed at once)."""
    from .biosphere import flow_index
    from .errors import UserInputError

    wanted = [x.target for a in plan.activities.values() for x in a.exchanges if x.kind == "bg"]
    links = {w: link for w, link in zip(wanted, index.link_all(wanted))}
    flows = flow_index()
    records: dict = {}
    missing = []
    for a in plan.activities.values():
        exchanges = [{"input": (db_name, a.code), "amount": 1.0, "type": "production", "unit": a.unit}]
        for x in a.exchanges:
            item = {"amount": float(x.amount), "unit": x.unit, "comment": x.comment}
            if x.stage:
                item["stage"] = x.stage
            if x.kind == "fg":
                if x.target not in plan.activities:
                    missing.append(f"{a.name}: foreground input {x.target!r}")
                    continue
                item.update(input=(db_name, x.target), type="technosphere")
            elif x.kind == "node":
                item.update(input=tuple(x.target), type="technosphere")
            elif x.kind == "bg":
                link = links[x.target]
                item.update(input=link.provider.key, type="technosphere", amount=float(x.amount) * link.factor,
                            unit=link.provider.unit)
                if link.factor != 1.0:
                    item["comment"] += f" (converted from {x.amount:g} {x.unit} x {link.factor:g})"
            elif x.kind == "bio":
                hit = flows.get(tuple(x.target))
                if hit is None:
                    missing.append(f"{a.name}: biosphere flow {x.target!r}")
                    continue
                item.update(input=("biosphere3", hit[0]), type="biosphere")
            exchanges.append(item)
        records[(db_name, a.code)] = {
            "name": a.name, "reference product": a.product, "unit": a.unit, "location": a.location,
            "comment": a.comment, "type": "process", "exchanges": exchanges,
        }
    if missing:
        raise UserInputError(f"{len(missing)} foreground exchange(s) cannot be resolved: " + "; ".join(missing))
    return records
