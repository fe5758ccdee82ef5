"""Offline, idempotent set-up of the Brightway project.

``setup()`` makes sure the current project holds, in this order:

1. ``biosphere3`` — ecoinvent 3.9 elementary flows bundled with bw2io;
2. the ReCiPe 2016 v1.03 (H) midpoint and endpoint methods (written from
   bw2io's bundled LCIA file, see :mod:`lca_sh_ev.methods`);
3. the background database (default: the bundled open surrogate; or an ecoinvent
   release imported from ecospold2, or a database copied from another project:
   :mod:`lca_sh_ev.backgrounds`);
4. the project additions (datasets no ecoinvent version has, on that background);
5. the grid database (region-year electricity markets on that background, from the
   bundled projections or from premise databases: :mod:`lca_sh_ev.premise_grids`).

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
BACKGROUNDS = ("surrogate", "ecoinvent:VERSION", "bw:PROJECT:DATABASE")
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


def check_background(background: str, ei_version: str | None = None) -> str:
    """Validate a background spec (one clear error for anything else); returns the normalised spec."""
    from .backgrounds import parse_background

    return parse_background(background, ei_version).spec


def background_db_name(background: str) -> str:
    """Local database name of a background spec."""
    from .backgrounds import parse_background

    return parse_background(background).database


def bundled_grids() -> dict:
    """Identity of the grid built from the bundled projections."""
    from . import grid

    return {"kind": "bundled", "fingerprint": grid.fingerprint()}


def _wanted_state(background: str, grids: dict | None = None) -> dict:
    from . import surrogate
    from .backgrounds import parse_background
    from .methods import recipe_method_keys

    bg = parse_background(background)
    grids = grids or bundled_grids()
    return {
        "package_version": __version__,
        "background": bg.spec,
        "background_db": bg.database,
        "background_kind": bg.kind,
        "background_version": bg.version,
        "background_source": bg.source,
        "surrogate": surrogate.fingerprint(),
        "additions": surrogate.fingerprint("additions"),
        "grid": grids["fingerprint"] if grids["kind"] == "bundled" else "premise",
        "grids": grids,
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


def write_marker(state: dict) -> None:
    _marker_path().write_text(json.dumps(state, indent=1))


def current_background(project: str = DEFAULT_PROJECT) -> str:
    """The background spec the project is set up on (``surrogate`` if it is not set up)."""
    import bw2data as bd

    if project not in bd.projects:
        return "surrogate"
    bd.projects.set_current(project)
    marker = read_marker()
    return marker.get("background", "surrogate") if marker else "surrogate"


def current_grids(marker: dict | None) -> dict:
    """The grids identity recorded in a marker (bundled if none)."""
    if marker and isinstance(marker.get("grids"), dict) and marker["grids"].get("kind") == "premise":
        return marker["grids"]
    return bundled_grids()


def is_set_up(background: str = "surrogate", grids: dict | None = None) -> bool:
    """True when the current project's marker matches the current inputs and the databases exist."""
    import bw2data as bd

    from .grid import GRID_DB
    from .surrogate import ADDITIONS_DB

    marker = read_marker()
    if marker is None:
        return False
    grids = grids or current_grids(marker)
    return (
        marker == _wanted_state(background, grids)
        and background_db_name(background) in bd.databases
        and GRID_DB in bd.databases
        and ADDITIONS_DB in bd.databases
        and "biosphere3" in bd.databases
    )


def write_db(name: str, records: dict, depends: list[str] | None = None) -> None:
    """Replace database ``name`` by ``records``."""
    import bw2data as bd

    if name in bd.databases:
        del bd.databases[name]
    db = bd.Database(name)
    db.register()
    db.write(records)
    reprocess_dependents(name)


def reprocess_dependents(name: str) -> None:
    """Re-process databases that depend on ``name``: a rewritten database gets new node ids, and
    the processed arrays of its dependents (e.g. a foreground written earlier, premise databases
    built on it) would otherwise point at the old ones."""
    import bw2data as bd

    for other in list(bd.databases):
        if other != name and name in (bd.databases[other].get("depends") or []):
            try:
                bd.Database(other).process()
            except Exception as exc:  # a dependent whose inputs are gone: leave it, say so
                log.warning("database %r depends on %r and could not be re-processed: %s", other, name, exc)


_write_db = write_db


def setup(project: str = DEFAULT_PROJECT, background: str = "surrogate", force: bool = False,
          ecospold=None, ei_version: str | None = None, grids=None, report_dir=None) -> SetupReport:
    """Build (or check) the Brightway project offline.  See the module docstring.

    Parameters
    ----------
    background : str
        Background spec (:mod:`lca_sh_ev.backgrounds`): ``surrogate``, ``ecoinvent`` (with
        ``ei_version`` and, the first time, ``ecospold``), ``ecoinvent:3.8``, ``bw:PROJECT:DATABASE``.
    grids : None, "bundled" or :class:`lca_sh_ev.premise_grids.PremiseGrids`
        None keeps the project's current grids (bundled if none).
    report_dir : path, optional
        Where the ecospold import writes its report of exchanges bw2io's strategies deleted.
    """
    from .backgrounds import check_available, check_ecospold_dir, parse_background, provision

    bg = parse_background(background, ei_version)
    if ecospold is not None:
        if bg.kind != "ecoinvent":
            raise UserInputError(f"--ecospold is only for --background ecoinvent, not {background!r}")
        check_ecospold_dir(ecospold)
    import bw2data as bd
    import bw2io

    from . import premise_grids
    from .biosphere import flow_table
    from .grid import GRID_DB, build_grid_records
    from .linking import ProviderIndex
    from .methods import methods_complete, write_recipe_methods
    from .surrogate import ADDITIONS_DB, SURROGATE_DB, build_records

    start = time.perf_counter()
    bd.projects.set_current(project)
    report = SetupReport(project=project, background=bg.spec, changed=False)
    marker_now = read_marker()
    if grids is None:
        grid_spec = current_grids(marker_now) if marker_now else bundled_grids()
    elif grids == "bundled":
        grid_spec = bundled_grids()
    else:
        grid_spec = None  # premise databases still to be built: identity known after the build
    if not force and ecospold is None and grid_spec is not None and is_set_up(bg.spec, grid_spec):
        return report
    report.changed = True
    # read and check every input before writing anything: bad data stop here with nothing touched
    from .grid import load_grid_tables
    from .surrogate import load_tables

    records = build_records(SURROGATE_DB)
    load_tables("additions")
    load_grid_tables()
    check_available(bg, project, ecospold)
    if grids not in (None, "bundled"):
        premise_grids.check_request(grids, bg)
    elif grid_spec["kind"] == "premise":
        premise_grids.check_existing(grid_spec)
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
    write_db(SURROGATE_DB, records)
    report.steps.append(f"{SURROGATE_DB} ({len(records)} activities)")
    report.steps.extend(provision(bg, project, ecospold=ecospold, force=force, report_dir=report_dir))

    index = ProviderIndex.from_databases([bg.database])
    log.info("writing the project additions")
    additions = build_records(ADDITIONS_DB, folder="additions", index=index)
    write_db(ADDITIONS_DB, additions)
    report.steps.append(f"{ADDITIONS_DB} ({len(additions)} activities)")

    if grid_spec is None:
        grid_spec = premise_grids.build_databases(grids, bg)
        report.steps.append(f"premise databases {sorted(grid_spec['databases'].values())}")
    if grid_spec["kind"] == "premise":
        grid_records = premise_grids.build_grid_records(grid_spec, GRID_DB)
    else:
        grid_records = build_grid_records(index, GRID_DB)
    write_db(GRID_DB, grid_records)
    report.steps.append(f"{GRID_DB} ({len(grid_records)} markets, {grid_spec['kind']} grids)")

    write_marker(_wanted_state(bg.spec, grid_spec))
    report.seconds = time.perf_counter() - start
    log.info(report.summary())
    return report
