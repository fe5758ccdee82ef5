"""``lca-sh-ev bench``: the fast sweep against the physical floor, in one run.

Three measurements on the same system (bundled surrogate, or a synthetic
background of N activities under the same foreground, :mod:`lca_sh_ev.synthetic`):

(a) **floor**: one bw2calc LCA of one functional unit (the SH Tesla Model Y at the
    average export age) with all 18 midpoint methods: matrix build, factorization,
    solve, and characterisation per method;
(b) **sweep**: every pathway x export age of the default scenario x the same 18
    methods, by stage, through the fast path (:func:`lca_sh_ev.engine.node_scores`:
    one matrix build, one factorization, one adjoint solve; then foreground amounts
    x scores), from the written foreground;
(c) **MultiLCA**: the same cases x methods through ``bw2calc.MultiLCA`` (one
    factorization, per-demand inventories), with its peak memory.

Ratios b/a and c/b; the last printed line is ``sweep/floor: X.XX``.  A cProfile of
the sweep is kept in ``bench.json`` and ``profile.txt``.
"""

from __future__ import annotations

import cProfile
import io
import json
import logging
import os
import platform
import pstats
import resource
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

#: the functional unit of the floor measurement (pathway, export age); any case works
FLOOR_CASE = ("tesla_model_y", "SH")


@dataclass
class System:
    """What the three measurements need: ids, methods, stage maps and (synthetic) datapackages."""

    label: str
    case_ids: list[int]
    case_codes: list[str]
    stage_maps: list[dict[int, str]]
    methods: list[tuple]
    floor_id: int
    data_objs: list | None = None  # None: Brightway's SQLite project
    method_data: dict | None = None
    info: dict = field(default_factory=dict)


class PeakRSS:
    """Peak resident memory [bytes] above the level at entry, sampled every ``interval`` s."""

    def __init__(self, interval: float = 0.005):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _watch(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss() - self.base)
            time.sleep(self.interval)

    def __enter__(self):
        self.base = self.rss()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss() - self.base)


def prepare(project: str | None = None, synthetic: int | None = None, seed: int = 42) -> System:
    """Set the project up, write the default foreground, and (optionally) build the synthetic background."""
    import bw2data as bd

    from .config import load_scenario
    from .foreground import FG_DB, build_plan
    from .grid import GRID_DB
    from .job import _ids, selected_methods, write_foreground
    from .setup import background_db_name, setup
    from .surrogate import ADDITIONS_DB

    scenario = load_scenario()
    if project:
        scenario = scenario.model_copy(update={"project": project})
    scenario = scenario.model_copy(update={"endpoint": False})
    info: dict = {}
    t = time.perf_counter()
    setup(project=scenario.project, background=scenario.background)
    info["setup_s"] = time.perf_counter() - t
    t = time.perf_counter()
    plan = build_plan(scenario)
    info["models_s"] = time.perf_counter() - t
    background = background_db_name(scenario.background)
    t = time.perf_counter()
    records = write_foreground(plan, background)
    info["write_foreground_s"] = time.perf_counter() - t
    ids = _ids([FG_DB, GRID_DB, ADDITIONS_DB, background, "biosphere3"])
    methods = [tuple(m.split(" | ")) for m in selected_methods(scenario)["method"]]
    case_ids = [ids[(FG_DB, c.code)] for c in plan.cases]
    stage_maps = []
    for c in plan.cases:
        exs = [x for x in records[(FG_DB, c.code)]["exchanges"] if x["type"] == "technosphere"]
        stage_maps.append({ids[tuple(x["input"])]: x["stage"] for x in exs})
    floor = next(c for c in plan.cases if (c.vehicle.vehicle, c.market) == FLOOR_CASE
                 and (c.is_average_export_age or c.market != "SH"))
    system = System("surrogate", case_ids, [c.code for c in plan.cases], stage_maps, methods,
                    ids[(FG_DB, floor.code)], info=info)
    info["cases"] = len(case_ids)
    info["methods"] = len(methods)
    if synthetic:
        _attach_synthetic(system, synthetic, seed, background, [FG_DB, GRID_DB, ADDITIONS_DB, "biosphere3"])
    else:
        info["background_activities"] = len(bd.Database(background))
    return system


def _attach_synthetic(system: System, n: int, seed: int, background: str, kept: list[str]) -> None:
    """Replace the background in ``system`` by a synthetic one of ``n`` activities (in memory)."""
    import bw2data as bd
    from bw2data.backends import ActivityDataset as AD

    from . import synthetic

    t = time.perf_counter()
    flows = sorted({int(r[0]) for m in system.methods for r in bd.Method(m).load()})
    bg = synthetic.generate(n, seed, flow_ids=flows)
    surrogate_ids = [r.id for r in AD.select(AD.id).where(AD.database == background)]
    proxies = synthetic.proxy_columns(bg, surrogate_ids, seed)
    dp = synthetic.datapackage(bg, proxies)
    system.data_objs = [bd.Database(name).datapackage() for name in kept] + [dp]
    system.method_data = {m: [bd.Method(m).datapackage()] for m in system.methods}
    system.label = f"synthetic {n} (seed {seed})"
    system.info["synthetic_build_s"] = time.perf_counter() - t
    system.info["synthetic"] = synthetic.structure_summary(bg)
    system.info["background_activities"] = n
    system.info["proxied_surrogate_activities"] = len(proxies)


def floor(system: System) -> tuple[float, np.ndarray]:
    """(a) One bw2calc LCA of one functional unit with every method; returns (seconds, scores)."""
    import bw2calc as bc
    import bw2data as bd

    t = time.perf_counter()
    m0 = system.methods[0]
    if system.data_objs is None:
        fu, data_objs, _ = bd.prepare_lca_inputs(demand={system.floor_id: 1.0}, method=m0, remapping=False)
    else:
        fu, data_objs = {system.floor_id: 1.0}, system.data_objs + system.method_data[m0]
    lca = bc.LCA(demand=fu, method=m0, data_objs=data_objs)
    lca.lci()
    scores = []
    for k, m in enumerate(system.methods):
        if k:
            lca.switch_method(m if system.method_data is None else system.method_data[m])
        lca.lcia()
        scores.append(lca.score)
    return time.perf_counter() - t, np.array(scores)


def sweep(system: System):
    """(b) Every case x method by stage through the fast path; returns (seconds, totals, contributions, scores)."""
    from .engine import node_scores, stage_contributions
    from .foreground import STAGES

    t = time.perf_counter()
    scores = node_scores(system.case_ids, system.methods, system.data_objs, system.method_data)
    contrib = stage_contributions(system.case_ids, system.stage_maps, scores, STAGES)
    totals = np.stack([scores.of(i) for i in system.case_ids])
    return time.perf_counter() - t, totals, contrib, scores


def multilca(system: System) -> tuple[float, int, np.ndarray]:
    """(c) The same sweep through bw2calc.MultiLCA; returns (seconds, peak extra RSS bytes, totals)."""
    import bw2calc as bc
    import bw2data as bd

    demands = {code: {i: 1.0} for code, i in zip(system.case_codes, system.case_ids)}
    config = {"impact_categories": system.methods}
    with PeakRSS() as mem:
        t = time.perf_counter()
        if system.data_objs is None:
            data_objs = bd.get_multilca_data_objs(functional_units=demands, method_config=config)
        else:
            data_objs = system.data_objs + [p for m in system.methods for p in system.method_data[m]]
        mlca = bc.MultiLCA(demands=demands, method_config=config, data_objs=data_objs)
        mlca.lci()
        mlca.lcia()
        seconds = time.perf_counter() - t
    totals = np.array([[mlca.scores[(m, code)] for m in system.methods] for code in system.case_codes])
    return seconds, mem.peak, totals


def profile_sweep(system: System, top: int = 25) -> str:
    """cProfile of :func:`sweep`: the ``top`` entries by cumulative and by own time (text)."""
    prof = cProfile.Profile()
    prof.enable()
    sweep(system)
    prof.disable()
    out = io.StringIO()
    out.write("== by cumulative time ==\n")
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    out.write("== by own time ==\n")
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def machine() -> dict:
    """nproc, CPU model, RAM and versions of the machine the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        ram = int(Path("/proc/meminfo").read_text().split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        ram = 0
    from importlib import metadata

    versions = {}
    for pkg in ("bw2calc", "bw2data", "bw_processing", "numpy", "scipy", "pypardiso"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(ram / 2**30, 1),
            "python": platform.python_version(), "versions": versions}


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    scale = np.maximum(np.abs(b), 1e-30)
    mask = np.abs(b) > 1e-12 * np.abs(b).max()
    return float(np.max(np.abs(a - b)[mask] / scale[mask])) if mask.any() else 0.0


def run_bench(synthetic: int | None = None, seed: int = 42, project: str | None = None,
              repeat: int = 3, with_multilca: bool = True, profile: bool = True) -> dict:
    """Measure (a), (b), (c) on one system; returns the bench.json content.

    Each of (a) and (b) is repeated ``repeat`` times (alternating) and the fastest run
    is kept, which takes first-call costs (imports, file caches) out of the ratio.
    """
    from .engine import pardiso_library_hint

    pardiso_library_hint()  # bw2calc's per-LCA solver would otherwise search the disk for MKL each time
    with warnings.catch_warnings():
        # categories without any characterised flow on the surrogate warn in bw2calc; not news here
        warnings.filterwarnings("ignore", message="All values in characterization matrix")
        return _run_bench(synthetic, seed, project, repeat, with_multilca, profile)


def _run_bench(synthetic, seed, project, repeat, with_multilca, profile) -> dict:
    system = prepare(project, synthetic, seed)
    t_floor, t_sweep = [], []
    parts = []
    for _ in range(repeat):
        s, floor_scores = floor(system)
        t_floor.append(s)
        s, totals, contrib, scores = sweep(system)
        t_sweep.append(s)
        parts.append(dict(scores.seconds))
    a, b = min(t_floor), min(t_sweep)
    k = system.case_ids.index(system.floor_id)
    result = {
        "system": system.label,
        "machine": machine(),
        "solver": scores.solver,
        "info": system.info,
        "floor_s": a,
        "sweep_s": b,
        "floor_runs_s": t_floor,
        "sweep_runs_s": t_sweep,
        "sweep_parts_s": parts[int(np.argmin(t_sweep))],  # of the fastest sweep
        "sweep_over_floor": b / a,
        "check_floor_vs_sweep_max_rel": _rel(totals[k], floor_scores),
        "check_stage_sum_max_rel": _rel(contrib.sum(axis=1), totals),
    }
    if with_multilca:
        c, peak, ml_totals = multilca(system)
        result.update({"multilca_s": c, "multilca_peak_rss_mb": peak / 2**20, "multilca_over_sweep": c / b,
                       "check_multilca_vs_sweep_max_rel": _rel(ml_totals, totals)})
    if profile:
        result["profile"] = profile_sweep(system)
    result["peak_rss_process_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["load_average"] = os.getloadavg()
    return result


def summary_lines(r: dict) -> list[str]:
    """The lines ``lca-sh-ev bench`` prints; the last is ``sweep/floor: X.XX``."""
    lines = [
        f"system: {r['system']} ({r['info'].get('background_activities')} background activities; "
        f"{r['info']['cases']} cases x {r['info']['methods']} methods; solver {r['solver']})",
        f"(a) floor, one LCA of one functional unit, {r['info']['methods']} methods: {r['floor_s']:.3f} s",
        f"(b) sweep, fast path, all cases x methods by stage: {r['sweep_s']:.3f} s "
        f"(matrices {r['sweep_parts_s']['matrices']:.3f}, characterisation "
        f"{r['sweep_parts_s']['characterisation']:.3f}, factorize+solve {r['sweep_parts_s']['factorize_and_solve']:.3f})",
    ]
    if "multilca_s" in r:
        lines.append(f"(c) MultiLCA, same cases x methods: {r['multilca_s']:.3f} s, "
                     f"peak extra memory {r['multilca_peak_rss_mb']:.0f} MB")
        lines.append(f"c/b: {r['multilca_over_sweep']:.2f}")
    lines.append(f"b/a: {r['sweep_over_floor']:.2f}")
    lines.append(f"sweep/floor: {r['sweep_over_floor']:.2f}")
    return lines


def write_bench(r: dict, out: Path) -> list[Path]:
    """Write ``bench.json`` (and ``profile.txt``) to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "bench.json"]
    (out / "bench.json").write_text(json.dumps(r, indent=1, default=float))
    if "profile" in r:
        (out / "profile.txt").write_text(r["profile"])
        written.append(out / "profile.txt")
    return written
