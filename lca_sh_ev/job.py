"""The main job: every pathway x export age, ReCiPe 2016 (H) per km by life-cycle stage.

``run(config)`` validates the config, sets the project up if needed, writes the
foreground database, computes node scores with one factorization
(:mod:`lca_sh_ev.engine`) and returns tidy tables.  ``write_outputs`` writes
them (and the figures) atomically: a failure leaves the output folder as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from .config import Scenario, load_scenario
from .errors import UserInputError

log = logging.getLogger(__name__)

ID_COLUMNS = ["pathway", "vehicle", "segment", "powertrain", "market", "first_year", "export_age"]


@dataclass
class Results:
    """What the main job returns: tidy DataFrames and run metadata."""

    impacts: pd.DataFrame
    lifetime: pd.DataFrame
    info: dict = field(default_factory=dict)
    scenario: Scenario | None = None


def _ids(database_names) -> dict[tuple[str, str], int]:
    from bw2data.backends import ActivityDataset as AD

    q = AD.select(AD.id, AD.database, AD.code).where(AD.database << list(database_names))
    return {(r.database, r.code): r.id for r in q}


def write_foreground(plan, background_db: str) -> dict:
    """Write the foreground database for ``plan``; returns its records."""
    import bw2data as bd

    from .foreground import FG_DB, to_records
    from .grid import GRID_DB
    from .linking import ProviderIndex
    from .surrogate import ADDITIONS_DB

    # the additions come first: their datasets exist in no background
    index = ProviderIndex.from_databases([ADDITIONS_DB, background_db])
    records = to_records(plan, index, FG_DB)
    _annotate_wanted(plan, records, FG_DB)
    if FG_DB in bd.databases:
        del bd.databases[FG_DB]
    db = bd.Database(FG_DB)
    db.register(description="lca-sh-ev foreground: vehicles, use phases and pathway cases (per km)",
                depends=[ADDITIONS_DB, background_db, GRID_DB, "biosphere3"])
    db.write(records)
    return records


def _annotate_wanted(plan, records: dict, db_name: str) -> None:
    """Keep, on each background exchange, what was wanted (location, unit, amount) so a relink can redo the link.

    ``to_records`` writes an activity's exchanges in plan order (production first); an
    exchange it could not resolve raises, so the two lists align.
    """
    for act in plan.activities.values():
        written = records[(db_name, act.code)]["exchanges"][1:]
        for x, item in zip(act.exchanges, written):
            if x.kind == "bg":
                item["wanted location"] = x.target.location
                item["wanted unit"] = x.target.unit
                item["wanted amount"] = float(x.amount)
                if x.target.density_kg_per_l is not None:
                    item["wanted density"] = float(x.target.density_kg_per_l)


def scenario_background(scenario: Scenario) -> str:
    """The background of a run.

    A config naming ``surrogate`` (the default) runs on the project's current background:
    after ``lca-sh-ev setup --background ecoinvent ...`` or ``relink`` that is the new one
    (``relink --background surrogate`` goes back).  Any other spec is set up if needed.
    """
    from .setup import current_background

    if scenario.background != "surrogate":
        return scenario.background
    current = current_background(scenario.project)
    if current != "surrogate":
        log.warning("project %r is set up on background %r: the run uses it", scenario.project, current)
    return current


def selected_methods(scenario: Scenario) -> pd.DataFrame:
    """Rows of the category table for the midpoint categories asked for (+ endpoint if enabled)."""
    from .methods import category_table, resolve_categories

    table = category_table()
    if scenario.categories is None:
        mids = table[table["kind"] == "midpoint"]
    else:
        keys = {" | ".join(m) for m in resolve_categories(scenario.categories)}
        mids = table[table["method"].isin(keys)]
    parts = [mids]
    if scenario.endpoint:
        parts.append(table[table["kind"] == "endpoint"])
    return pd.concat(parts, ignore_index=True)


def run(config: str | Path | Scenario | None = None, progress: bool = True) -> Results:
    """Run the main job and return its tables (see :class:`Results`)."""
    import bw2data as bd

    from .foreground import FG_DB, STAGES, build_plan
    from .grid import GRID_DB
    from .setup import background_db_name, setup

    timings: dict[str, float] = {}
    t = time.perf_counter()
    scenario = config if isinstance(config, Scenario) else load_scenario(config)
    bar = tqdm(total=5, desc="lca-sh-ev run", disable=not progress, unit="step")
    background_spec = scenario_background(scenario)
    report = setup(project=scenario.project, background=background_spec)
    timings["setup"] = time.perf_counter() - t
    bar.update()

    t = time.perf_counter()
    plan = build_plan(scenario)
    timings["models"] = time.perf_counter() - t
    bar.update()

    t = time.perf_counter()
    background = background_db_name(background_spec)
    records = write_foreground(plan, background)
    timings["foreground"] = time.perf_counter() - t
    bar.update()

    t = time.perf_counter()
    from .engine import node_scores, stage_contributions

    from .surrogate import ADDITIONS_DB

    ids = _ids([FG_DB, GRID_DB, ADDITIONS_DB, background, "biosphere3"])
    methods_table = selected_methods(scenario)
    methods = [tuple(m.split(" | ")) for m in methods_table["method"]]
    case_ids = [ids[(FG_DB, c.code)] for c in plan.cases]
    scores = node_scores(case_ids, methods)
    stage_maps = []
    for c in plan.cases:
        exs = [x for x in records[(FG_DB, c.code)]["exchanges"] if x["type"] == "technosphere"]
        stage_map = {ids[tuple(x["input"])]: x["stage"] for x in exs}
        if len(stage_map) != len(exs):
            raise RuntimeError(f"case {c.code}: two exchanges share an input; stages would be ambiguous")
        stage_maps.append(stage_map)
    contrib = stage_contributions(case_ids, stage_maps, scores, STAGES)
    totals = np.stack([scores.of(i) for i in case_ids])
    timings["lca"] = time.perf_counter() - t
    timings.update({f"lca_{k}": v for k, v in scores.seconds.items()})
    bar.update()

    impacts = _impacts_table(plan, methods_table, contrib, totals, STAGES)
    lifetime = _lifetime_table(plan)
    bar.update()
    bar.close()
    info = {
        "config": scenario.model_dump(),
        "config_sha256": hashlib.sha256(json.dumps(scenario.model_dump(), sort_keys=True).encode()).hexdigest(),
        "inputs_fingerprint": _input_fingerprint(),
        "project": scenario.project,
        "brightway_dir": str(bd.projects.dir),
        "background": background,
        "background_spec": background_spec,
        "grids": _grids_identity(),
        "setup": report.summary(),
        "solver": scores.solver,
        "n_cases": len(plan.cases),
        "n_foreground_activities": len(records),
        "timings_s": timings,
        "versions": _versions(),
        "python": platform.python_version(),
        "max_stage_sum_error": float(np.max(np.abs(contrib.sum(axis=1) - totals) / np.maximum(np.abs(totals), 1e-300))),
    }
    return Results(impacts, lifetime, info, scenario)


def _grids_identity() -> dict:
    """The grids the run used (bundled projections or premise databases), from the set-up marker."""
    from .setup import current_grids, read_marker

    return current_grids(read_marker())


def _case_ids(c) -> dict:
    v = c.vehicle
    return {"pathway": c.pathway, "vehicle": v.display_name, "segment": v.segment, "powertrain": v.powertrain,
            "market": c.market, "first_year": c.first_year,
            "export_age": c.export_age if c.export_age is not None else pd.NA}


def _impacts_table(plan, methods_table, contrib, totals, stages) -> pd.DataFrame:
    n_cases, n_stages, n_methods = contrib.shape
    rows = []
    for ci, c in enumerate(plan.cases):
        base = _case_ids(c)
        base["average_export_age"] = c.is_average_export_age
        for k, m in enumerate(methods_table.itertuples(index=False)):
            meta = {"method": m.method, "kind": m.kind, "category": m.category, "indicator": m.indicator,
                    "unit": m.unit + "/km"}
            for s, stage in enumerate(stages):
                rows.append({**base, **meta, "stage": stage, "value": contrib[ci, s, k]})
            rows.append({**base, **meta, "stage": "total", "value": totals[ci, k]})
    df = pd.DataFrame(rows)
    df["export_age"] = df["export_age"].astype("Int64")
    # a method none of the system's flows is characterised in gives exact zeros everywhere:
    # flag it so a reader does not take it for a real zero
    nonzero = df.groupby("method")["value"].transform(lambda v: bool(np.any(v != 0)))
    df["characterised"] = nonzero.astype(bool)
    return df


def _lifetime_table(plan) -> pd.DataFrame:
    from .inputs import battery_fates

    rows = []
    for c in plan.cases:
        a, e = c.amounts, c.index
        fates = battery_fates(a, e, c.us_route)
        recycled_routes = sorted({f"{r} {route}" for (r, route), n in fates.items() if route != "landfill" and n > 0})
        rows.append({
            **_case_ids(c),
            "average_export_age": c.is_average_export_age,
            "lifetime_years": float(a.lifetime_years[e]),
            "km_us": float(a.km_us[e].sum()),
            "km_mx": float(a.km_mx[e].sum()),
            "km_total": float(a.km_total[e]),
            "battery_replacements": float(a.batteries_produced[e]) - 1.0 if c.vehicle.powertrain != "ICEV" else 0.0,
            "p_battery_recycled": float(a.p_battery_recycled[e]) if c.vehicle.powertrain != "ICEV" else np.nan,
            "recycling_route": "; ".join(recycled_routes),
            "electricity_kwh": float(a.kwh_plug_us[e].sum() + a.kwh_plug_mx[e].sum()),
            "fuel_l": float(a.fuel_l_us[e].sum() + a.fuel_l_mx[e].sum()),
        })
    df = pd.DataFrame(rows)
    df["export_age"] = df["export_age"].astype("Int64")
    return df


def _input_fingerprint() -> str:
    from .data import all_data_tables

    h = hashlib.sha256()
    for f in all_data_tables():
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _versions() -> dict:
    out = {}
    for pkg in ("lca-sh-ev", "bw2data", "bw2calc", "bw2io", "numpy", "scipy", "pandas", "pypardiso", "premise"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def check_out_dir(out: Path) -> Path:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserInputError(f"--out {str(out)!r} exists and is not a directory")
    return out
