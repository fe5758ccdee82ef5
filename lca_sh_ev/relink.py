"""Swap the background: relink the additions, grid and foreground databases, with a report.

``relink(background)`` verifies everything before writing anything:

1. the new background is provisioned (imported from ecospold2 or copied from
   another project, see :mod:`lca_sh_ev.backgrounds`);
2. the additions are rebuilt from ``inventories/additions`` on the new
   background, the grid from ``inventories/grid`` (with the subregion rule of
   :meth:`~lca_sh_ev.linking.ProviderIndex.find_mix`), and every foreground
   exchange into the old background or old additions is looked up again by
   (name, reference product, *wanted* location) along the fallback chain, with
   the unit check;
3. a CSV report lists each relinked exchange: database, activity, exchange,
   old provider, new provider, wanted location, location used, status;
4. only if nothing is unlinked are the three databases written and the set-up
   marker switched to the new background.  Otherwise
   :class:`RelinkError` lists every unlinked exchange and the project is left as
   it was (a background database imported by this call is removed again).
"""

from __future__ import annotations

import csv
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserInputError

log = logging.getLogger(__name__)

REPORT_COLUMNS = ("database", "activity", "exchange", "old_provider", "new_provider", "wanted_location",
                  "location_used", "factor", "status")


class RelinkError(UserInputError):
    """Some exchanges found no provider on the new background; ``unlinked`` lists every one."""

    def __init__(self, unlinked: list[str], report: Path | None):
        self.unlinked = unlinked
        where = f" (report: {report})" if report else ""
        super().__init__(f"relink stopped, project unchanged: {len(unlinked)} exchange(s) found no provider on the "
                         f"new background{where}: " + "; ".join(unlinked))


@dataclass
class RelinkResult:
    old: str
    new: str
    rows: list[dict] = field(default_factory=list)
    report: Path | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        fell_back = sum(1 for r in self.rows if r["status"] == "linked" and r["wanted_location"]
                        and r["location_used"] != r["wanted_location"])
        return (f"relinked from {self.old!r} to {self.new!r}: {len(self.rows)} exchanges, {fell_back} by location "
                f"fallback, in {self.seconds:.1f} s; report {self.report}")


def _label(p) -> str:
    return f"{p.name} | {p.product} | {p.location}" if p is not None else ""


def _node_meta(database: str) -> dict:
    from bw2data.backends import ActivityDataset as AD

    out = {}
    for r in AD.select(AD.code, AD.name, AD.product, AD.location, AD.data).where(AD.database == database):
        out[(database, r.code)] = (r.name, r.product or r.data.get("reference product", ""),
                                   r.location or "GLO", r.data.get("unit", ""))
    return out


def relink_records(db_name: str, old_dbs: list[str], index, rows: list, unlinked: list) -> dict:
    """Records of ``db_name`` with every input from ``old_dbs`` relinked through ``index``."""
    import bw2data as bd

    from .linking import fallback_chain
    from .units import conversion_factor

    meta = {}
    for d in old_dbs:
        meta.update(_node_meta(d))
    data = bd.Database(db_name).load()
    out = {}
    for key, ds in data.items():
        new = {k: v for k, v in ds.items() if k not in ("id", "database", "code")}
        excs = []
        for e in ds.get("exchanges", []):
            e = {k: v for k, v in e.items() if k != "output"}
            src = tuple(e["input"])
            if src[0] in old_dbs and e.get("type") == "technosphere":
                name, product, loc, unit = meta[src]
                wanted_loc = e.get("wanted location", loc)
                found = index.find(name, product, wanted_loc)
                old = f"{name} | {product} | {loc}"
                row = {"database": db_name, "activity": ds["name"], "exchange": f"{name} | {product}",
                       "old_provider": old, "new_provider": "", "wanted_location": wanted_loc,
                       "location_used": "", "factor": "", "status": "unlinked"}
                if found is None:
                    unlinked.append(f"{db_name}: {ds['name']!r} <- {name!r} / {product!r} / {wanted_loc!r} "
                                    f"(no provider along {' -> '.join(fallback_chain(wanted_loc))})")
                    rows.append(row)
                    continue
                provider, used = found
                wanted_unit = e.get("wanted unit", unit)
                try:
                    factor = conversion_factor(wanted_unit, provider.unit, e.get("wanted density"))
                except UserInputError:
                    unlinked.append(f"{db_name}: {ds['name']!r} <- {name!r}: unit {wanted_unit!r} cannot be "
                                    f"converted to the new provider's {provider.unit!r}")
                    rows.append(row)
                    continue
                # amount in the wanted unit (written by run.write_foreground), else in the old provider's unit
                base = e.get("wanted amount", e["amount"]) if "wanted unit" in e else e["amount"]
                e.update(input=provider.key, amount=float(base) * factor, unit=provider.unit)
                row.update(new_provider=_label(provider), location_used=used, factor=factor, status="linked")
                rows.append(row)
            excs.append(e)
        new["exchanges"] = excs
        out[key] = new
    return out


def _mix_label(index, w) -> str:
    try:
        found = index.find_mix(w.name, w.product, w.location)
    except UserInputError as exc:
        return f"(none: {exc})"
    if found is None:
        return ""
    mix, label = found
    return " + ".join(f"{_label(p)}" + (f" x {weight:.4f}" if weight != 1.0 else "") for p, weight in mix)


def additions_rows(old_index, new_index) -> list[dict]:
    """Report rows for the additions' background inputs (from ``inventories/additions``)."""
    from .surrogate import ADDITIONS_DB, load_tables

    acts, excs = load_tables("additions")
    own = set(zip(acts["name"], acts["reference_product"], acts["location"]))
    names = dict(zip(acts["code"], acts["name"]))
    rows = []
    for e in excs[excs["type"] == "technosphere"].itertuples(index=False):
        triple = (e.flow_name, e.flow_product, e.flow_location)
        if triple in own:
            continue
        old, new = old_index.find(*triple), new_index.find(*triple)
        rows.append({"database": ADDITIONS_DB, "activity": names.get(e.activity_code, e.activity_code),
                     "exchange": f"{e.flow_name} | {e.flow_product}", "old_provider": _label(old[0]) if old else "",
                     "new_provider": _label(new[0]) if new else "", "wanted_location": e.flow_location,
                     "location_used": new[1] if new else "", "factor": 1.0 if new else "",
                     "status": "linked" if new else "unlinked"})
    return rows


def write_report(rows: list[dict], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=REPORT_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return path


def relink(background: str, project: str = "lca-sh-ev", ecospold=None, ei_version: str | None = None,
           report: str | Path = "relink_report.csv") -> RelinkResult:
    """Swap the project's background (see the module docstring).

    Raises
    ------
    UserInputError
        The project is not set up, its grids come from premise, or the new background cannot be provisioned.
    RelinkError
        Any exchange without a provider on the new background (all listed; nothing written).
    """
    import bw2data as bd

    from .backgrounds import check_available, check_ecospold_dir, parse_background, provision
    from .foreground import FG_DB
    from .grid import GRID_DB, build_grid_records
    from .linking import ProviderIndex
    from .setup import _wanted_state, current_grids, read_marker, write_db, write_marker
    from .surrogate import ADDITIONS_DB, build_records

    start = time.perf_counter()
    new = parse_background(background, ei_version)
    if ecospold is not None:
        check_ecospold_dir(ecospold)
    bd.projects.set_current(project)
    marker = read_marker()
    if marker is None:
        raise UserInputError(f"project {project!r} is not set up; run lca-sh-ev setup first")
    old = parse_background(marker["background"])
    grids = current_grids(marker)
    if grids["kind"] == "premise":
        raise UserInputError("this project's grids come from premise databases built on "
                             f"{grids['source']!r}; run lca-sh-ev setup --background ... --grids premise (or "
                             "--grids bundled) instead of relink")
    check_available(new, project, ecospold)
    existed = new.database in bd.databases
    report_path = Path(report)
    provision(new, project, ecospold=ecospold, report_dir=report_path.parent)
    try:
        index = ProviderIndex.from_databases([new.database])
        rows: list[dict] = []
        unlinked: list[str] = []
        try:
            additions = build_records(ADDITIONS_DB, folder="additions", index=index)
        except UserInputError as exc:
            additions = None
            unlinked.append(f"{ADDITIONS_DB}: {exc}")
        link_report: list = []
        try:
            grid_records = build_grid_records(index, GRID_DB, link_report=link_report)
        except UserInputError as exc:
            grid_records = None
            unlinked.append(f"{GRID_DB}: {exc}")
        old_index = ProviderIndex.from_databases([old.database])
        rows.extend(additions_rows(old_index, index))
        for w, link, weight in link_report:
            rows.append({"database": GRID_DB, "activity": w.context, "exchange": f"{w.name} | {w.product}",
                         "old_provider": _mix_label(old_index, w), "new_provider": _label(link.provider)
                         + (f" x {weight:.4f}" if weight != 1.0 else ""), "wanted_location": w.location,
                         "location_used": link.location_used, "factor": link.factor * weight, "status": "linked"})
        fg_records = None
        if FG_DB in bd.databases:
            new_index = ProviderIndex.from_providers(
                list(ProviderIndex.from_databases([ADDITIONS_DB]).providers.values())
                + list(index.providers.values()))
            fg_records = relink_records(FG_DB, [old.database], new_index, rows, unlinked)
        path = write_report(rows, report_path)
        if unlinked:
            raise RelinkError(unlinked, path)
    except UserInputError:
        if not existed and new.database in bd.databases and new.kind != "surrogate":
            del bd.databases[new.database]
        raise
    write_db(ADDITIONS_DB, additions)
    write_db(GRID_DB, grid_records)
    if fg_records is not None:
        write_db(FG_DB, fg_records)
    write_marker(_wanted_state(new.spec, grids))
    result = RelinkResult(old.spec, new.spec, rows, path, time.perf_counter() - start)
    log.info(result.summary())
    return result
