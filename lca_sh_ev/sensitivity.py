"""Building blocks from one factorization, Monte Carlo and Sobol indices (``lca-sh-ev sensitivity``).

:func:`building_blocks` writes the scenario's foreground (as the main job does),
computes :func:`lca_sh_ev.engine.node_scores` once, and reads the unit scores of
one pathway's building blocks (:class:`lca_sh_ev.uncertainty.Blocks`) from it:
the foreground's own activities (vehicle, battery, maintenance, end of life,
battery treatment), the grid's medium-voltage markets and low-voltage loss per
region-year, petrol and its CO2/SO2 per litre, tailpipe and non-exhaust
emissions per km (characterisation factors), and the recycling credit split into
the Ni/Co/Cu part (per unit recovery rate) and the rest.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import uncertainty as unc
from .errors import UserInputError

log = logging.getLogger(__name__)

VARIED_MATERIALS = ("Ni", "Co", "Cu")


def _pathway(scenario, pathway_id: str):
    ids = [p.id for p in scenario.pathways]
    if pathway_id not in ids:
        raise UserInputError(f"--pathway {pathway_id!r} is not in the scenario; allowed: {', '.join(ids)}")
    return scenario.pathways[ids.index(pathway_id)]


def building_blocks(pathway_id: str = "tesla_model_y/SH", config=None):
    """Unit scores of one pathway's building blocks, from one factorization (midpoint methods).

    Returns
    -------
    (Blocks, dict)
        The blocks and context: ``plan``, ``scores``, ``ids``, ``methods``, ``seconds``.
    """
    from .config import Scenario, load_scenario
    from .emissions import non_exhaust_per_km
    from .engine import node_scores
    from .foreground import FG_DB, build_plan
    from .grid import GRID_DB, grid_years, market_code, market_year
    from .inputs import fuel_exchanges, tailpipe_exchanges, vehicle_spec
    from .biosphere import flow_index
    from .models.amounts import CHEMISTRY_OF_POWERTRAIN
    from .job import _ids, selected_methods, write_foreground
    from .setup import background_db_name, setup
    from .surrogate import ADDITIONS_DB
    from .data import read_table

    t0 = time.perf_counter()
    scenario = config if isinstance(config, Scenario) else load_scenario(config)
    p = _pathway(scenario, pathway_id)
    setup(project=scenario.project, background=scenario.background)
    plan = build_plan(scenario)
    background = background_db_name(scenario.background)
    records = write_foreground(plan, background)
    ids = _ids([FG_DB, GRID_DB, ADDITIONS_DB, background, "biosphere3"])
    methods = [tuple(m.split(" | ")) for m in
               selected_methods(scenario.model_copy(update={"endpoint": False}))["method"]]
    cases = [c for c in plan.cases if c.pathway == p.id]
    scores = node_scores([ids[(FG_DB, c.code)] for c in plan.cases], methods)
    t1 = time.perf_counter()
    v = cases[0].vehicle
    vid = v.vehicle

    def y(code, db=FG_DB):
        return scores.of(ids[(db, code)])

    flows = flow_index()

    def bio_block(exchanges) -> unc.BioBlock:
        fids = np.array([ids[("biosphere3", flows[tuple(x.target)][0])] for x in exchanges], dtype=np.int64)
        cf = np.array([scores.cf_of(f) for f in fids]).reshape(len(exchanges), len(methods))
        return unc.BioBlock(np.array([x.amount for x in exchanges]), cf, fids)

    ev = v.powertrain != "ICEV"
    blocks = unc.Blocks(
        methods=methods, spec=vehicle_spec(v), market=p.market, first_year=cases[0].first_year,
        chemistry_group=CHEMISTRY_OF_POWERTRAIN.get(v.powertrain), us_route=scenario.us_recycling_route,
        vehicle=y(f"{vid}-vehicle"), maintenance=y(f"{vid}-maintenance"),
        eol_vehicle={r: y(f"{vid}-eol-vehicle-{r}") for r in ("US", "MX")},
    )
    if ev:
        blocks.battery, blocks.replacement = y(f"{vid}-battery"), y(f"{vid}-battery-replacement")
        for act_code in plan.activities:
            if act_code.startswith(f"{vid}-battery-eol-"):
                route, region = act_code[len(f"{vid}-battery-eol-"):].rsplit("-", 1)
                blocks.battery_eol[(region, route)] = y(act_code)
        rec = read_table("foreground/recovery_rates.csv", required=("route", "material"), numeric=("value",))
        for route in {r for _, r in blocks.battery_eol if r != "landfill"}:
            fixed, per_rate = _credit_split(plan.activities[f"{vid}-credit-{route}"],
                                            records[(FG_DB, f"{vid}-credit-{route}")], scores, ids, rec, route)
            blocks.credit_fixed[route], blocks.credit_per_recovery[route] = fixed, per_rate
        pyro = rec[(rec["route"] == "pyrometallurgy") & rec["material"].isin(VARIED_MATERIALS)]["value"]
        if pyro.nunique() != 1:
            raise UserInputError("foreground/recovery_rates.csv: pyrometallurgy Ni, Co, Cu must share one rate "
                                 "for the recovery_ni_co_cu uncertainty parameter")
        blocks.recovery_default = float(pyro.iloc[0])
    years = blocks.first_year + np.arange(len(cases[0].amounts.years))
    for region in ("US", "MX"):
        gys = grid_years(region)
        mv, loss = [], []
        for year in years:
            gy = market_year(region, int(year), gys)
            lv_inputs = scores.inputs_of(ids[(GRID_DB, market_code(region, gy, "low"))])
            mv_id = ids[(GRID_DB, market_code(region, gy, "medium"))]
            if set(lv_inputs) != {mv_id}:
                raise RuntimeError(f"grid {region} {gy}: the low-voltage market must buy only its medium-voltage market")
            mv.append(scores.of(mv_id))
            loss.append(1.0 - 1.0 / lv_inputs[mv_id])
        blocks.grid_mv[region], blocks.grid_loss[region] = np.array(mv), np.array(loss)
        if blocks.spec.l_per_km > 0:
            per_litre = fuel_exchanges(region, 1.0)
            blocks.petrol_factor[region], blocks.petrol[region] = _petrol(per_litre[0], plan, records, scores, ids)
            blocks.fuel_bio[region] = bio_block(per_litre[1:])
            blocks.tailpipe[region] = bio_block(tailpipe_exchanges(region, v.powertrain))
    ne = read_table("foreground/non_exhaust.csv", required=("parameter",), numeric=("value",))
    b0 = float(ne[(ne["parameter"] == "brake_wear_factor") & (ne["powertrain"] == v.powertrain)]["value"].iloc[0])
    e_pt = _keyed(non_exhaust_per_km(v.curb_mass_kg, v.powertrain))
    keys = sorted(e_pt)
    blocks.nonexhaust = bio_block(_as_exchanges({k: e_pt[k] for k in keys}))
    blocks.brake_default = b0
    if b0 < 1.0:
        e_full = _keyed(non_exhaust_per_km(v.curb_mass_kg, "ICEV"))  # brake factor 1
        if set(e_full) != set(e_pt):
            raise RuntimeError("non-exhaust flows differ between powertrains; cannot split the brake-wear part")
        blocks.nonexhaust.per_factor = np.array([(e_full[k] - e_pt[k]) / (1.0 - b0) for k in keys])
    else:
        blocks.nonexhaust.per_factor = np.zeros(len(keys))
    ctx = {"plan": plan, "cases": cases, "scores": scores, "ids": ids, "methods": methods, "scenario": scenario,
           "seconds": {"node_scores_and_setup": t1 - t0, "blocks": time.perf_counter() - t1}}
    return blocks, ctx


def _keyed(d: dict) -> dict:
    return {tuple(k): float(v) for k, v in d.items()}


def _as_exchanges(d: dict) -> list:
    from .foreground import Exchange

    return [Exchange("bio", k, amount, "kilogram") for k, amount in d.items()]


def _credit_split(activity, record, scores, ids, rec, route):
    """(score of the credit without Ni/Co/Cu, score of the Ni/Co/Cu part per unit recovery rate)."""
    fixed = np.zeros(scores.Y.shape[1])
    per_rate = np.zeros(scores.Y.shape[1])
    rates = dict(zip(rec.loc[rec["route"] == route, "material"], rec.loc[rec["route"] == route, "value"]))
    matrix = scores.inputs_of(ids[("lca-sh-ev foreground", activity.code)])  # amounts as the LCA uses them
    for x, item in zip(activity.exchanges, record["exchanges"][1:]):  # planned order = written order
        material = x.target.context.rsplit(" ", 1)[-1]
        node = ids[tuple(item["input"])]
        contribution = matrix[node] * scores.of(node)
        if route == "pyrometallurgy" and material in VARIED_MATERIALS:
            per_rate += contribution / float(rates[material])
        else:
            fixed += contribution
    return fixed, per_rate


def _petrol(petrol, plan, records, scores, ids):
    """(provider units per litre, score per provider unit) of the petrol a written use phase links to."""
    for act in plan.activities.values():
        for x, item in zip(act.exchanges, records[("lca-sh-ev foreground", act.code)]["exchanges"][1:]):
            if x.kind == "bg" and x.target == petrol.target and x.amount > 0:
                return item["amount"] / x.amount, scores.of(ids[tuple(item["input"])])
    raise RuntimeError(f"no written use phase links {petrol.target}")


def case_values(blocks, dists, case) -> dict[str, np.ndarray]:
    """Parameter values reproducing one main-job case (defaults; its export age)."""
    values = unc.defaults(dists)
    if "export_age" in values:
        values["export_age"] = np.array([case.export_age], dtype=float)
    return values


def monte_carlo(blocks, dists, n: int, seed: int, chunk: int = 20000) -> tuple[dict, np.ndarray]:
    """``n`` seeded draws: (parameter values, scores per km (n x methods))."""
    values = unc.sample(dists, n, seed)
    out = np.empty((n, len(blocks.methods)))
    for s in range(0, n, chunk):
        out[s:s + chunk] = unc.evaluate(blocks, dists, {k: v[s:s + chunk] for k, v in values.items()})
    return values, out


def sobol(blocks, dists, n: int, seed: int, chunk: int = 20000):
    """Saltelli sampling (SALib) on the unit hypercube, first-order and total Sobol indices per method."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": len(dists), "names": list(dists), "bounds": [[0.0, 1.0]] * len(dists)}
    u = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    u = np.clip(u, 0.0, np.nextafter(1.0, 0.0))
    values = unc.from_unit(dists, u)
    y = np.empty((len(u), len(blocks.methods)))
    for s in range(0, len(u), chunk):
        y[s:s + chunk] = unc.evaluate(blocks, dists, {k: v[s:s + chunk] for k, v in values.items()})
    rows = []
    for k, m in enumerate(blocks.methods):
        if np.std(y[:, k]) <= 1e-12 * max(np.abs(y[:, k]).max(), 1e-300):
            continue  # constant output (no characterised flow): no indices
        res = sobol_analyze.analyze(problem, y[:, k], calc_second_order=False, seed=seed)
        for j, name in enumerate(problem["names"]):
            rows.append({"method": " | ".join(m), "parameter": name, "S1": res["S1"][j],
                         "S1_conf": res["S1_conf"][j], "ST": res["ST"][j], "ST_conf": res["ST_conf"][j]})
    return pd.DataFrame(rows), len(u)


def _indicators(methods) -> list[str]:
    from .methods import category_table

    table = category_table().set_index("method")
    return [table.loc[" | ".join(m), "indicator"] if " | ".join(m) in table.index else m[-1] for m in methods]


def run_sensitivity(pathway_id: str = "tesla_model_y/SH", samples: int = 1024, seed: int = 42,
                    mc_draws: int = 10000, config=None) -> dict:
    """Monte Carlo summary and Sobol indices of one pathway (per km, midpoint methods)."""
    timings = {}
    t = time.perf_counter()
    blocks, ctx = building_blocks(pathway_id, config)
    timings["building_blocks_s"] = time.perf_counter() - t
    v = ctx["cases"][0].vehicle
    dists = unc.distributions(v.vehicle, v.powertrain, blocks.market)
    t = time.perf_counter()
    unc.evaluate(blocks, dists, unc.defaults(dists))  # builds the Weibull grid once
    timings["weibull_grid_s"] = time.perf_counter() - t
    t = time.perf_counter()
    values, y = monte_carlo(blocks, dists, mc_draws, seed)
    timings["monte_carlo_s"] = time.perf_counter() - t
    t = time.perf_counter()
    table, n_evals = sobol(blocks, dists, samples, seed)
    timings["sobol_s"] = time.perf_counter() - t
    labels = dict(zip([" | ".join(m) for m in blocks.methods], _indicators(blocks.methods)))
    table.insert(1, "indicator", table["method"].map(labels))
    default = unc.evaluate(blocks, dists, unc.defaults(dists))[0]
    summary = pd.DataFrame({
        "method": [" | ".join(m) for m in blocks.methods], "indicator": _indicators(blocks.methods),
        "default": default, "mean": y.mean(axis=0), "sd": y.std(axis=0, ddof=1),
        "p05": np.percentile(y, 5, axis=0), "p50": np.percentile(y, 50, axis=0), "p95": np.percentile(y, 95, axis=0),
    })
    params = pd.DataFrame([{"parameter": d.name, "distribution": d.kind, "low": d.low, "mode": d.mode,
                            "high": d.high, "default": d.default, "unit": d.unit} for d in dists.values()])
    return {"pathway": pathway_id, "seed": seed, "samples": samples, "sobol_evaluations": n_evals,
            "mc_draws": mc_draws, "mc_draws_per_s": mc_draws / timings["monte_carlo_s"],
            "timings": timings, "sobol": table, "summary": summary, "parameters": params}


def write_sensitivity(res: dict, out: Path, figure_indicators=("GWP100", "HTPnc", "TETP", "FETP")) -> list[Path]:
    """Write sobol.csv, monte_carlo.csv, parameters.csv, sensitivity.json and figures/sobol.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("sobol", "summary", "parameters"):
        path = out / {"summary": "monte_carlo.csv"}.get(name, f"{name}.csv")
        res[name].to_csv(path, index=False)
        written.append(path)
    meta = {k: v for k, v in res.items() if not isinstance(v, pd.DataFrame)}
    (out / "sensitivity.json").write_text(json.dumps(meta, indent=1, default=float))
    written.append(out / "sensitivity.json")
    tab = res["sobol"]
    shown = [i for i in figure_indicators if i in set(tab["indicator"])] or list(tab["indicator"].unique()[:4])
    fig, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 4), sharey=True, squeeze=False)
    for ax, ind in zip(axes[0], shown):
        sub = tab[tab["indicator"] == ind]
        pos = np.arange(len(sub))
        ax.barh(pos + 0.2, sub["ST"], height=0.4, xerr=sub["ST_conf"], label="total (ST)")
        ax.barh(pos - 0.2, sub["S1"], height=0.4, xerr=sub["S1_conf"], label="first order (S1)")
        ax.set_yticks(pos, sub["parameter"])
        ax.set_title(ind)
        ax.set_xlim(0, 1)
    axes[0][0].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"Sobol indices, {res['pathway']} per km ({res['sobol_evaluations']} model runs, seed {res['seed']})")
    fig.tight_layout()
    fig.savefig(out / "figures" / "sobol.png", dpi=120)
    plt.close(fig)
    written.append(out / "figures" / "sobol.png")
    return written
