"""Background databases: the bundled surrogate, an ecoinvent ecospold2 release, or a database of another project.

A background is named by a *spec* string, stored in the set-up marker and
accepted by ``lca-sh-ev setup --background`` and ``relink --background``:

* ``surrogate`` — the bundled open surrogate (always written by the set-up);
* ``ecoinvent:<version>`` (CLI: ``--background ecoinvent --ei-version 3.8``) —
  an ecoinvent cut-off release imported from ecospold2 files with bw2io's
  :class:`~bw2io.SingleOutputEcospold2Importer` into the database
  ``ecoinvent-<version>-cutoff``;
* ``bw:<PROJECT>:<DATABASE>`` — a database already imported in another
  Brightway project, *copied* into ours (Brightway has no cross-project
  references: an LCA reads the matrices of one project).  If ``PROJECT`` is our
  own project the database is used in place.

Elementary flows are always linked to ``biosphere3`` (bw2io's ecoinvent 3.9
flows) by their ecoinvent UUID; a flow that is not there stops the import with
the full list (see ``docs/backgrounds.md`` for what this means for 3.8, 3.10
and 3.11).  Nothing is ever dropped silently: exchanges that bw2io's own
strategies delete (``delete_exchanges_missing_activity``,
``delete_ghost_exchanges``) are listed in the import report.
"""

from __future__ import annotations

import csv
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserInputError

log = logging.getLogger(__name__)

EI_VERSIONS = ("3.8", "3.9", "3.10", "3.11")
KINDS = ("surrogate", "ecoinvent", "bw")
BIOSPHERE = "biosphere3"


@dataclass(frozen=True)
class Background:
    """A background database: ``kind``, the local database name, its ecoinvent version and source."""

    kind: str
    database: str
    version: str | None = None
    source: str | None = None

    @property
    def spec(self) -> str:
        if self.kind == "surrogate":
            return "surrogate"
        if self.kind == "ecoinvent":
            return f"ecoinvent:{self.version}"
        return f"bw:{self.source}"


def ecoinvent_db_name(version: str) -> str:
    """Local name of an imported ecoinvent cut-off release."""
    return f"ecoinvent-{check_version(version)}-cutoff"


def check_version(version: str | None) -> str:
    """The ecoinvent version, one of :data:`EI_VERSIONS` (one clear error otherwise)."""
    if version is None or str(version) not in EI_VERSIONS:
        raise UserInputError(
            f"--ei-version {version!r} is not supported; allowed: {', '.join(EI_VERSIONS)} (cut-off system model)"
        )
    return str(version)


def parse_background(spec: str, ei_version: str | None = None) -> Background:
    """Turn a background spec (see the module docstring) into a :class:`Background`.

    Raises
    ------
    UserInputError
        Unknown kind, missing or unsupported version, malformed ``bw:`` spec.
    """
    from .surrogate import SURROGATE_DB

    spec = (spec or "").strip()
    if spec == "surrogate":
        return Background("surrogate", SURROGATE_DB)
    if spec == "ecoinvent" and ei_version is None:
        raise UserInputError(
            f"unknown background {spec!r}; allowed: surrogate, ecoinvent:VERSION (or ecoinvent with --ei-version "
            f"{'|'.join(EI_VERSIONS)}), bw:PROJECT:DATABASE")
    if spec == "ecoinvent" or spec.startswith("ecoinvent:"):
        version = spec.split(":", 1)[1] if ":" in spec else ei_version
        if ei_version is not None and version != str(ei_version):
            raise UserInputError(f"--background {spec!r} and --ei-version {ei_version!r} disagree")
        return Background("ecoinvent", ecoinvent_db_name(version), check_version(version))
    if spec.startswith("bw:"):
        parts = spec.split(":")
        if len(parts) != 3 or not parts[1] or not parts[2]:
            raise UserInputError(f"--background {spec!r} must look like bw:PROJECT:DATABASE")
        version = check_version(ei_version) if ei_version is not None else None
        return Background("bw", parts[2], version, f"{parts[1]}:{parts[2]}")
    raise UserInputError(
        f"unknown background {spec!r}; allowed: surrogate, ecoinvent (with --ei-version {'|'.join(EI_VERSIONS)}), "
        "bw:PROJECT:DATABASE"
    )


def check_ecospold_dir(path) -> Path:
    """A directory holding ``.spold`` files (one clear error otherwise)."""
    if path is None:
        raise UserInputError("--background ecoinvent needs --ecospold DIR (the 'datasets' folder of the release)")
    p = Path(path)
    if not p.is_dir():
        raise UserInputError(f"--ecospold {str(p)!r} is not a directory; give the folder of the .spold files")
    if not any(f.suffix.lower() == ".spold" for f in p.iterdir()):
        raise UserInputError(f"--ecospold {str(p)!r} holds no .spold files; give the 'datasets' folder of the release")
    return p


#: ecoinvent's own elementary-flow migrations (shipped by randonneur_data, CC BY 4.0, from
#: ecoinvent's change reports via ecoinvent_migrate) that bring a release's flow UUIDs to
#: the 3.9 flows of biosphere3.  3.8 -> 3.9: 18 flows got new UUIDs (e.g. ``Methane`` ->
#: ``Methane, fossil``, ``Chloride, ion`` -> ``Chloride``) and 7 indoor flows were deleted.
BIOSPHERE_MIGRATIONS = {"3.8": "ecoinvent-3.8-biosphere-ecoinvent-3.9-biosphere"}


def biosphere_uuid_map(version: str) -> dict[str, str]:
    """Old -> new elementary-flow UUIDs that bring ``version``'s flows to ecoinvent 3.9 (empty if none)."""
    label = BIOSPHERE_MIGRATIONS.get(version)
    if label is None:
        return {}
    from randonneur_data import Registry

    data = Registry().get_file(label)
    return {r["source"]["uuid"]: r["target"]["uuid"] for r in data["replace"]
            if r["source"].get("uuid") and r["target"].get("uuid") and r["source"]["uuid"] != r["target"]["uuid"]}


def _migrate_flows(mapping: dict[str, str], counter: list):
    """An importer strategy: rename elementary-flow UUIDs before bw2io links them by UUID."""
    def strategy(db):
        for ds in db:
            for e in ds.get("exchanges", []):
                if e.get("type") == "biosphere" and e.get("flow") in mapping:
                    e["flow"] = mapping[e["flow"]]
                    counter.append(e.get("name"))
        return db
    strategy.__name__ = "migrate_elementary_flow_uuids_to_ecoinvent_39"
    return strategy


@dataclass
class ImportReport:
    """What an ecospold2 import did."""

    database: str
    datasets: int = 0
    exchanges: int = 0
    dropped: list[tuple[str, str, float]] = field(default_factory=list)  # (dataset, exchange, amount)
    migrated_flows: int = 0  # elementary exchanges whose UUID was migrated to ecoinvent 3.9
    seconds: float = 0.0


def _technosphere_signature(data) -> dict[str, list[tuple[str, float]]]:
    out = {}
    for ds in data:
        out[ds.get("filename", ds.get("name"))] = [
            (e.get("name", ""), float(e.get("amount", 0.0)))
            for e in ds.get("exchanges", []) if e.get("type") == "technosphere" and e.get("amount")
        ]
    return out


def unlinked_lines(data) -> list[str]:
    """One line per unlinked exchange of importer data (all of them, not only unique ones)."""
    lines = []
    for ds in data:
        for e in ds.get("exchanges", []):
            if not e.get("input"):
                lines.append(f"{ds.get('name')!r} [{ds.get('location')}]: {e.get('type')} {e.get('name')!r} "
                             f"[{e.get('unit')}] flow {e.get('flow')}")
    return lines


def import_ecospold(dirpath, db_name: str, report_csv: Path | None = None, version: str | None = None) -> ImportReport:
    """Import an ecospold2 directory with bw2io's importer and strategies, linked to ``biosphere3``.

    Parameters
    ----------
    dirpath : path
        Folder of ``.spold`` files (``../MasterData`` is read if present).
    db_name : str
        Name of the database to write (replaced if it exists).
    report_csv : Path, optional
        Where to list exchanges bw2io's strategies deleted (none: only logged).
    version : str, optional
        ecoinvent version; 3.8 elementary-flow UUIDs are migrated to 3.9 first
        (:data:`BIOSPHERE_MIGRATIONS`).

    Raises
    ------
    UserInputError
        Any exchange left unlinked after the strategies (all listed; nothing written).
    """
    import bw2data as bd
    from bw2io import SingleOutputEcospold2Importer

    start = time.perf_counter()
    path = check_ecospold_dir(dirpath)
    n_files = sum(1 for f in path.iterdir() if f.suffix.lower() == ".spold")
    importer = SingleOutputEcospold2Importer(str(path), db_name, biosphere_database_name=BIOSPHERE,
                                             use_mp=n_files > 2000)
    before = _technosphere_signature(importer.data)
    migrated: list = []
    mapping = biosphere_uuid_map(version) if version else {}
    if mapping:
        at = next(i for i, f in enumerate(importer.strategies)
                  if getattr(f, "func", f).__name__ == "link_biosphere_by_flow_uuid")
        importer.strategies.insert(at, _migrate_flows(mapping, migrated))
    importer.apply_strategies(verbose=False)
    after = _technosphere_signature(importer.data)
    report = ImportReport(db_name, migrated_flows=len(migrated))
    if migrated:
        log.info("%d elementary exchanges migrated to ecoinvent 3.9 flow UUIDs (%s)", len(migrated),
                 BIOSPHERE_MIGRATIONS[version])
    for key, excs in before.items():
        remaining = list(after.get(key, []))
        for exc in excs:
            if exc in remaining:
                remaining.remove(exc)
            else:
                report.dropped.append((str(key), exc[0], exc[1]))
    if report.dropped:
        log.warning("bw2io's strategies deleted %d technosphere exchange(s) with no provider in the release "
                    "(ecoinvent known data issues); listed in the import report", len(report.dropped))
    unlinked = unlinked_lines(importer.data)
    if unlinked:
        raise UserInputError(
            f"{len(unlinked)} exchange(s) of {str(path)!r} stay unlinked after bw2io's strategies "
            f"(elementary flows are matched to {BIOSPHERE}, bw2io's ecoinvent 3.9 flows, by UUID): "
            + "; ".join(unlinked)
        )
    report.datasets, report.exchanges = len(importer.data), sum(len(d["exchanges"]) for d in importer.data)
    if db_name in bd.databases:
        del bd.databases[db_name]
    importer.write_database()
    if report_csv is not None and report.dropped:
        write_dropped_csv(report, report_csv)
    report.seconds = time.perf_counter() - start
    log.info("imported %s: %d datasets, %d exchanges in %.1f s", db_name, report.datasets, report.exchanges,
             report.seconds)
    return report


def write_dropped_csv(report: ImportReport, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["database", "dataset_file", "exchange", "amount", "why"])
        for ds, name, amount in report.dropped:
            w.writerow([report.database, ds, name, amount, "deleted by bw2io strategy (no provider in the release)"])


def copy_from_project(project: str, database: str, target_project: str) -> int:
    """Copy ``database`` of Brightway project ``project`` into ``target_project``.

    Biosphere inputs are re-keyed to our ``biosphere3`` by flow code (the
    ecoinvent UUID, whatever the source project called its biosphere
    database).  Technosphere inputs must stay inside the copied database.

    Returns
    -------
    int
        Number of activities copied.

    Raises
    ------
    UserInputError
        Unknown project or database, or exchanges that cannot be re-keyed (all listed; nothing written).
    """
    import bw2data as bd

    _require_source(project, database, target_project, f"bw:{project}:{database}")
    bd.projects.set_current(project)
    try:
        data = bd.Database(database).load()
        bio_dbs = {k[0] for ds in data.values() for e in ds.get("exchanges", [])
                   if e.get("type") == "biosphere" for k in [tuple(e["input"])]}
    finally:
        bd.projects.set_current(target_project)
    ours = {code for (code,) in _codes(BIOSPHERE)}
    problems, records = [], {}
    for key, ds in data.items():
        new = {k: v for k, v in ds.items() if k not in ("id",)}
        new["database"] = database
        excs = []
        for e in ds.get("exchanges", []):
            e = dict(e)
            db, code = tuple(e["input"])
            if e.get("type") == "biosphere":
                if code not in ours:
                    problems.append(f"{ds.get('name')!r} [{ds.get('location')}]: biosphere flow {code} of {db!r}")
                    continue
                e["input"] = (BIOSPHERE, code)
            elif db != database:
                problems.append(f"{ds.get('name')!r}: input from another database {db!r}")
                continue
            e.pop("output", None)
            excs.append(e)
        new["exchanges"] = excs
        records[(database, key[1])] = new
    if problems:
        raise UserInputError(f"{len(problems)} exchange(s) of bw:{project}:{database} cannot be linked in our "
                             f"project (biosphere databases {sorted(bio_dbs)} -> {BIOSPHERE}): " + "; ".join(problems))
    if database in bd.databases:
        del bd.databases[database]
    db = bd.Database(database)
    db.register(description=f"copied from Brightway project {project!r}")
    db.write(records)
    return len(records)


def _codes(database: str):
    from bw2data.backends import ActivityDataset as AD

    return AD.select(AD.code).where(AD.database == database).tuples()


def check_available(background: Background, project: str, ecospold=None) -> None:
    """Check, before anything is written, that ``background`` can be provisioned in ``project``."""
    import bw2data as bd

    if background.kind == "ecoinvent" and ecospold is None and background.database not in bd.databases:
        raise UserInputError(
            f"ecoinvent {background.version} is not imported in project {project!r}; run "
            f"lca-sh-ev setup --background ecoinvent --ei-version {background.version} --ecospold DIR")
    if background.kind == "bw":
        src_project, src_db = background.source.split(":", 1)
        if src_project == project:
            if src_db not in bd.databases:
                raise UserInputError(f"--background {background.spec!r}: project {project!r} has no database "
                                     f"{src_db!r}")
            return
        _require_source(src_project, src_db, project, background.spec)


def _require_source(src_project: str, src_db: str, back_to: str, spec: str) -> None:
    """One clear error unless Brightway project ``src_project`` holds ``src_db``; returns to ``back_to``."""
    import bw2data as bd

    if src_project not in bd.projects:
        raise UserInputError(f"--background {spec}: no Brightway project {src_project!r} "
                             f"in {bd.projects.dir.parent}")
    bd.projects.set_current(src_project)
    try:
        if src_db not in bd.databases:
            raise UserInputError(f"--background {spec}: project {src_project!r} has no database "
                                 f"{src_db!r}; it has {sorted(bd.databases)}")
    finally:
        bd.projects.set_current(back_to)


def provision(background: Background, project: str, ecospold=None, force: bool = False,
              report_dir: Path | None = None) -> list[str]:
    """Make sure ``background``'s database exists in the current project; returns the steps taken.

    The surrogate is written by the set-up itself; an ecoinvent release is
    imported from ``ecospold`` (or found already imported); a ``bw:`` database
    is copied (or used in place when it lives in our own project).
    """
    import bw2data as bd

    steps: list[str] = []
    if background.kind == "ecoinvent":
        if ecospold is None:
            if background.database not in bd.databases:
                raise UserInputError(
                    f"ecoinvent {background.version} is not imported in project {project!r}; run "
                    f"lca-sh-ev setup --background ecoinvent --ei-version {background.version} --ecospold DIR")
            return steps
        if background.database in bd.databases and not force:
            steps.append(f"{background.database} already imported (use --force to re-import)")
            return steps
        rep = import_ecospold(ecospold, background.database,
                              report_csv=(report_dir / f"import_{background.database}.csv") if report_dir else None,
                              version=background.version)
        steps.append(f"{background.database} imported ({rep.datasets} datasets, {rep.exchanges} exchanges, "
                     f"{len(rep.dropped)} dropped by bw2io strategies, {rep.migrated_flows} elementary exchanges "
                     f"migrated to 3.9 flows, {rep.seconds:.1f} s)")
    elif background.kind == "bw":
        src_project, src_db = background.source.split(":", 1)
        if src_project == project:
            if src_db not in bd.databases:
                raise UserInputError(f"--background {background.spec!r}: project {project!r} has no database "
                                     f"{src_db!r}")
            return steps
        if background.database in bd.databases and not force:
            return steps
        n = copy_from_project(src_project, src_db, project)
        steps.append(f"{src_db} copied from project {src_project!r} ({n} activities)")
    return steps
