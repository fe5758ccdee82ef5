"""MFA side module: US and Mexican fleets, second-hand trade, end-of-life battery materials.

Public API (the CLI ``lca-sh-ev mfa`` calls these)::

    results = run_mfa(config_path=None, out_dir=Path("results/mfa"))
    write_outputs(results, out_dir)
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import MFAConfig, load_config
from .fleet import Fleet, run_fleet
from .inputs import load_inputs
from .results import battery_tables, flows_by_age_table, flows_table, stock_table

__all__ = ["MFAResults", "MFAConfig", "load_config", "run_mfa", "write_outputs"]
log = logging.getLogger(__name__)


@dataclass
class MFAResults:
    """Tidy tables of one MFA run (each with a ``unit`` column)."""

    config: MFAConfig
    stock: pd.DataFrame
    flows: pd.DataFrame
    flows_by_age: pd.DataFrame
    battery_eol: pd.DataFrame
    recoverable: pd.DataFrame
    coupling: pd.DataFrame
    battery_balance: pd.DataFrame
    calibration: pd.DataFrame
    fleet: Fleet | None = field(default=None, repr=False)
    seconds: float = 0.0


def run_mfa(config_path: str | None = None, out_dir: Path | None = None) -> MFAResults:
    """Run the MFA.

    Parameters
    ----------
    config_path : str or None
        MFA YAML config; ``None`` = ``lca_sh_ev/configs/mfa_default.yaml``.
    out_dir : Path or None
        Not written here (see :func:`write_outputs`); accepted so the CLI can pass it.

    Raises
    ------
    UserInputError
        Bad config value or data row (one sentence).
    """
    t0 = time.perf_counter()
    cfg = load_config(config_path)
    inp = load_inputs(cfg)
    fleet = run_fleet(cfg, inp)
    keep = (fleet.years >= cfg.first_year) & (fleet.years <= cfg.last_year)
    eol, rec, coupling, balance = battery_tables(cfg, inp, fleet, keep)
    calib = pd.DataFrame([
        ("US", "survival age stretch of the TEDB table", fleet.us_stretch, "-"),
        ("US", "constant new sales before the first data year", float(fleet.us_sales[0]), "vehicles/yr"),
        ("MX", "Weibull scale of survival", fleet.mx_scale, "yr"),
        ("MX", "Weibull shape of survival", fleet.mx_shape, "-"),
        ("MX", "constant new sales before 2005", float(fleet.mx_sales[0]), "vehicles/yr"),
    ], columns=["region", "parameter", "value", "unit"])
    res = MFAResults(config=cfg, stock=stock_table(fleet, keep), flows=flows_table(fleet, keep),
                     flows_by_age=flows_by_age_table(fleet, keep), battery_eol=eol, recoverable=rec,
                     coupling=coupling, battery_balance=balance, calibration=calib, fleet=fleet)
    res.seconds = time.perf_counter() - t0
    log.info("MFA run in %.2f s", res.seconds)
    return res


def write_outputs(results: MFAResults, out_dir: Path) -> list[Path]:
    """Write the CSV tables and figures; returns the paths written."""
    from .figures import figure4, figure5

    out_dir = Path(out_dir)
    (out_dir / "figures").mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("stock", "flows", "flows_by_age", "battery_eol", "recoverable", "coupling", "calibration"):
        p = out_dir / f"{name}.csv"
        getattr(results, name).to_csv(p, index=False)
        written.append(p)
    p4, p5 = out_dir / "figures" / "figure4_mx_fleet.png", out_dir / "figures" / "figure5_eol_battery.png"
    figure4(results.stock, results.flows, p4)
    figure5(results.battery_eol, results.recoverable, results.config.figure_route, p5)
    return written + [p4, p5]
