"""Offline, idempotent set-up of the Brightway project.

``setup()`` makes sure the current project holds, in this order:

1. ``biosphere3`` — ecoinvent 3.9 elementary flows bundled with bw2io;
2. the ReCiPe 2016 v1.03 (H) midpoint and endpoint methods (written from
   bw2io's bundled LCIA file, see :mod:`lca_sh_ev.methods`);
3. the background database (default: the bundled open surrogate);
4. the project additions (datasets no ecoinvent version has, on that background);
5. the grid database (region-year electricity markets on that background).

A completion marker with the fingerprints of the inputs is written last.
A set-up that is interrupted leaves no marker, so the next one rebuilds what
it finds; a set-up whose inputs are unchanged does nothing and says so.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

from . import __version__
from .errors import UserInputError

log = logging.getLogger(__name__)

DEFAULT_PROJECT = "lca-sh-ev"
BACKGROUNDS = ("surrogate",)
MARKER = "lca_sh_ev_setup.json"


@dataclass
class SetupReport:
    """What a set-up did."""

    project: str
    background: str
    changed: bool
    steps: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        if not self.changed:
            return f"project {self.project!r} is already set up (background {self.background!r}); nothing to do"
        return f"project {self.project!r} set up in {self.seconds:.1f} s: " + "; ".join(self.steps)


def check_background(background: str) -> str:
    """Validate a background name (one clear error for anything else)."""
    if background not in BACKGROUNDS:
        raise UserInputError(f"unknown background {background!r}; allowed: {', '.join(BACKGROUNDS)}")
    return background


def background_db_name(background: str) -> str:
    from .surrogate import SURROGATE_DB

    return {"surrogate": SURROGATE_DB}[check_background(background)]


def _wanted_state(background: str) -> dict:
    from . import grid, surrogate
    from .methods import recipe_method_keys

    return {
        "package_version": __version__,
        "background": background,
        "surrogate": surrogate.fingerprint(),
        "additions": surrogate.fingerprint("additions"),
        "grid": grid.fingerprint(),
        "methods": len(recipe_method_keys("midpoint")) + len(recipe_method_keys("endpoint")),
    }


def _marker_path():
    import bw2data as bd

    return bd.projects.dir / MARKER


def read_marker() -> dict | None:
    path = _marker_path()
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def is_set_up(background: str = "surrogate") -> bool:
    """True when the current project's marker matches the current inputs and the databases exist."""
    import bw2data as bd

    from .grid import GRID_DB
    from .surrogate import ADDITIONS_DB

    marker = read_marker()
    return (
        marker is not None
        and marker == _wanted_state(background)
        and background_db_name(background) in bd.databases
        and GRID_DB in bd.databases
        and ADDITIONS_DB in bd.databases
        and "biosphere3" in bd.databases
    )


def _write_db(name: str, records: dict) -> None:
    import bw2data as bd

    if name in bd.databases:
        del bd.databases[name]
    db = bd.Database(name)
    db.register()
    db.write(records)


def setup(project: str = DEFAULT_PROJECT, background: str = "surrogate", force: bool = False) -> SetupReport:
    """Build (or check) the Brightway project offline.  See the module docstring."""
    check_background(background)
    import bw2data as bd
    import bw2io

    from .biosphere import flow_table
    from .grid import GRID_DB, build_grid_records
    from .linking import ProviderIndex
    from .methods import methods_complete, write_recipe_methods
    from .surrogate import ADDITIONS_DB, SURROGATE_DB, build_records

    start = time.perf_counter()
    bd.projects.set_current(project)
    report = SetupReport(project=project, background=background, changed=False)
    if not force and is_set_up(background):
        return report
    report.changed = True
    wanted = _wanted_state(background)
    # read and check every input before writing anything: bad data stop here with nothing touched
    from .grid import load_grid_tables
    from .surrogate import load_tables

    records = build_records(SURROGATE_DB)
    load_tables("additions")
    load_grid_tables()
    marker = _marker_path()
    if marker.exists():
        marker.unlink()

    n_flows = len(flow_table())
    if "biosphere3" not in bd.databases or len(bd.Database("biosphere3")) != n_flows:
        if "biosphere3" in bd.databases:
            del bd.databases["biosphere3"]
        log.info("writing biosphere3 (%d flows)", n_flows)
        bw2io.create_default_biosphere3()
        report.steps.append(f"biosphere3 ({n_flows} flows)")
    if not methods_complete():
        written = write_recipe_methods()
        report.steps.append(f"ReCiPe 2016 (H) methods ({len(written)})")

    log.info("writing the surrogate background")
    _write_db(SURROGATE_DB, records)
    report.steps.append(f"{SURROGATE_DB} ({len(records)} activities)")

    index = ProviderIndex.from_databases([background_db_name(background)])
    log.info("writing the project additions")
    additions = build_records(ADDITIONS_DB, folder="additions", index=index)
    _write_db(ADDITIONS_DB, additions)
    report.steps.append(f"{ADDITIONS_DB} ({len(additions)} activities)")

    log.info("writing the grid database")
    grid_records = build_grid_records(index, GRID_DB)
    _write_db(GRID_DB, grid_records)
    report.steps.append(f"{GRID_DB} ({len(grid_records)} markets)")

    marker.write_text(json.dumps(wanted, indent=1))
    report.seconds = time.perf_counter() - start
    log.info(report.summary())
    return report
