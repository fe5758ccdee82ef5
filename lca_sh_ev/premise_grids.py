"""Prospective grids from premise: the grid database built from premise's electricity markets.

``lca-sh-ev setup --grids premise --iam image --pathway SSP2-Base --years 2020 2030 2040 2050``
runs premise (``NewDatabase`` on the project's ecoinvent background,
``update("electricity")``, ``write_db_to_brightway``) once per year and then
builds our grid database from premise's ``market group for electricity,
high/medium/low voltage`` at the IAM regions of the US and Mexico.

For every calendar year the foreground uses (the years of the bundled grid
tables, so the foreground's market codes are unchanged), the market is the
linear interpolation between the two premise database years around it::

    market(y) = (1 - t) * premise(y0) + t * premise(y1),  t = (y - y0) / (y1 - y0)

and is held at the nearest database year outside their range (logged).
premise's low-voltage market groups already include transmission and
distribution losses, so no loss is added.

Regions: IMAGE keeps ``USA`` and ``MEX``; REMIND puts Mexico in ``LAM`` and
MESSAGE puts the US in ``NAM`` and Mexico in ``LAM``: allowed, with a warning
that the Mexican grid is then a Latin-American average.

The decryption key comes from an environment variable (``--premise-key-env``)
or a file (``--premise-key-file``), read when premise runs and never stored;
``--iam-dir`` instead gives premise a folder of unencrypted IAM files
(premise's ``filepath`` route, no key).  Already built premise databases can
be used directly with ``--premise-db YEAR=DATABASE``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserInputError

log = logging.getLogger(__name__)

#: Region of the IAM that holds each of our regions (premise's geographies).
IAM_REGIONS: dict[str, dict[str, str]] = {
    "image": {"US": "USA", "MX": "MEX"},
    "remind": {"US": "USA", "MX": "LAM"},
    "message": {"US": "NAM", "MX": "LAM"},
}
VOLTAGES = ("high", "medium", "low")
FIRST_YEAR, LAST_YEAR = 2005, 2100  # premise's year range


def market_name(voltage: str) -> str:
    return f"market group for electricity, {voltage} voltage"


@dataclass
class PremiseGrids:
    """A request for premise grids (see the module docstring)."""

    iam: str
    pathway: str
    years: list[int] = field(default_factory=list)
    key_env: str | None = None
    key_file: str | None = None
    iam_dir: str | None = None
    databases: dict[int, str] | None = None  # already built premise databases by year


def region_warning(iam: str) -> str | None:
    """The warning for IAMs that merge Mexico (or the US) into a larger region, else None."""
    regions = IAM_REGIONS[iam]
    merged = {r: loc for r, loc in regions.items() if loc not in ("USA", "MEX")}
    if not merged:
        return None
    return (f"premise model {iam!r} has no separate region for " + " and ".join(
        f"{r} (uses {loc})" for r, loc in merged.items())
            + ": the grid of that country is the IAM region's average, not its own")


def check_request(req: PremiseGrids, background) -> None:
    """Check a premise request before anything is written (one clear error naming what is missing)."""
    import bw2data as bd

    if req.iam not in IAM_REGIONS:
        raise UserInputError(f"--iam {req.iam!r} is not supported; allowed: {', '.join(IAM_REGIONS)}")
    if not req.pathway and not req.databases:
        raise UserInputError("--grids premise needs --pathway (e.g. SSP2-Base)")
    years = sorted(req.databases) if req.databases else sorted(req.years)
    if not years:
        raise UserInputError("--grids premise needs --years (e.g. 2020 2030 2040 2050) or --premise-db YEAR=DATABASE")
    if len(set(years)) != len(years) or any(not FIRST_YEAR <= y <= LAST_YEAR for y in years):
        raise UserInputError(f"--years {years}: years must be distinct and within {FIRST_YEAR}-{LAST_YEAR}")
    warning = region_warning(req.iam)
    if warning:
        log.warning(warning)
    if req.databases:
        missing = [name for name in req.databases.values() if name not in bd.databases]
        if missing:
            raise UserInputError(f"--premise-db: databases {missing} are not in project {bd.projects.current!r}")
        return
    if background.kind == "surrogate":
        raise UserInputError("--grids premise needs an ecoinvent source database (premise links its inventories to "
                             "about 1,700 ecoinvent datasets); set up --background ecoinvent or bw:PROJECT:DATABASE "
                             "first, or give built databases with --premise-db YEAR=DATABASE")
    if background.version is None:
        raise UserInputError("--grids premise needs --ei-version (premise's source_version) for the background "
                             f"{background.spec!r}")
    if background.kind == "bw" and background.source.split(":")[0] == bd.projects.current \
            and background.database not in bd.databases:
        raise UserInputError(f"premise source database {background.database!r} is not in project "
                             f"{bd.projects.current!r}")
    if req.iam_dir is not None:
        folder = Path(req.iam_dir)
        stem = f"{req.iam}_{req.pathway}"
        if not any((folder / (stem + ext)).is_file() for ext in (".csv", ".xlsx", ".mif")):
            raise UserInputError(f"--iam-dir {str(folder)!r} has no IAM file {stem}.csv/.xlsx/.mif")
        return
    read_key(req)


def read_key(req: PremiseGrids) -> str:
    """The premise decryption key, from the environment variable or the file (never stored)."""
    if req.key_env:
        key = os.environ.get(req.key_env, "").strip()
        if not key:
            raise UserInputError(f"--premise-key-env {req.key_env}: the environment variable is not set or empty")
    elif req.key_file:
        path = Path(req.key_file)
        if not path.is_file():
            raise UserInputError(f"--premise-key-file {str(path)!r} does not exist")
        key = path.read_text().strip()
    else:
        raise UserInputError("--grids premise needs the IAM decryption key (--premise-key-env VAR or "
                             "--premise-key-file PATH) or unencrypted IAM files (--iam-dir DIR)")
    if len(key) != 44:
        raise UserInputError(f"the premise key from {req.key_env or req.key_file} is {len(key)} characters long; "
                             "premise keys are 44")
    return key


def check_existing(spec: dict) -> None:
    """The premise databases recorded in a marker are still in the project."""
    import bw2data as bd

    missing = [n for n in spec["databases"].values() if n not in bd.databases]
    if missing:
        raise UserInputError(f"premise databases {missing} of this project's grids are gone; "
                             "run lca-sh-ev setup --grids premise again (or --grids bundled)")


def premise_db_name(background, iam: str, pathway: str, year: int) -> str:
    return f"{background.database}_{iam}_{pathway}_{year}"


def _new_database(**kwargs):  # pragma: no cover - needs ecoinvent and IAM data
    from premise import NewDatabase

    return NewDatabase(**kwargs)


def build_databases(req: PremiseGrids, background) -> dict:
    """Run premise (or take the given databases); returns the grids identity stored in the marker."""
    if req.databases:
        dbs = {int(y): n for y, n in req.databases.items()}
    else:
        years = sorted(req.years)
        scenarios = []
        for y in years:
            sc = {"model": req.iam, "pathway": req.pathway, "year": int(y)}
            if req.iam_dir is not None:
                sc["filepath"] = str(req.iam_dir)
            scenarios.append(sc)
        key = None if req.iam_dir is not None else read_key(req)
        names = [premise_db_name(background, req.iam, req.pathway, y) for y in years]
        log.info("running premise (%s, %s) for %s on %s", req.iam, req.pathway, years, background.database)
        try:
            ndb = _new_database(scenarios=scenarios, source_db=background.database,
                                source_version=background.version, key=key, biosphere_name="biosphere3")
        except (ValueError, NameError, FileNotFoundError) as exc:
            # premise's own input checks (unsupported pathway or version, bad key, empty source database)
            raise UserInputError(f"premise refused the request ({req.iam}, {req.pathway}, {years}, source "
                                 f"{background.database!r}, version {background.version}): {exc}") from exc
        ndb.update("electricity")
        ndb.write_db_to_brightway(name=names)
        dbs = dict(zip(years, names))
    return {"kind": "premise", "iam": req.iam, "pathway": req.pathway, "source": background.spec,
            "databases": {str(y): n for y, n in sorted(dbs.items())}, "regions": IAM_REGIONS[req.iam]}


def interpolation_weights(year: int, db_years: list[int]) -> list[tuple[int, float]]:
    """Database years and weights for a calendar year: linear between neighbours, held outside.

    >>> interpolation_weights(2035, [2030, 2050])
    [(2030, 0.75), (2050, 0.25)]
    """
    ys = sorted(db_years)
    if year <= ys[0]:
        return [(ys[0], 1.0)]
    if year >= ys[-1]:
        return [(ys[-1], 1.0)]
    for y0, y1 in zip(ys, ys[1:]):
        if y0 <= year <= y1:
            if year == y0:
                return [(y0, 1.0)]
            if year == y1:
                return [(y1, 1.0)]
            t = (year - y0) / (y1 - y0)
            return [(y0, 1.0 - t), (y1, t)]
    raise AssertionError("unreachable")


def build_grid_records(spec: dict, db_name: str) -> dict:
    """Grid records (same codes as the bundled grid) interpolated between premise databases."""
    from .grid import REGIONS, _market, grid_years, market_code
    from .linking import ProviderIndex

    dbs = {int(y): n for y, n in spec["databases"].items()}
    indexes = {y: ProviderIndex.from_databases([n]) for y, n in dbs.items()}
    providers, missing = {}, []
    for y, idx in indexes.items():
        for region in REGIONS:
            loc = spec["regions"][region]
            for v in VOLTAGES:
                p = idx.providers.get((market_name(v), f"electricity, {v} voltage", loc))
                if p is None:
                    missing.append(f"{dbs[y]!r}: {market_name(v)!r} at {loc!r}")
                elif p.unit != "kilowatt hour":
                    missing.append(f"{dbs[y]!r}: {market_name(v)!r} at {loc!r} is in {p.unit!r}, not kilowatt hour")
                else:
                    providers[(y, region, v)] = p
    if missing:
        raise UserInputError(f"{len(missing)} premise market(s) missing: " + "; ".join(missing))
    records = {}
    for region in REGIONS:
        years = grid_years(region)
        outside = [y for y in years if y < min(dbs) or y > max(dbs)]
        if outside:
            log.warning("premise grids for %s: years %d-%d lie outside the premise years %s and are held at the "
                        "nearest one", region, outside[0], outside[-1], sorted(dbs))
        for year in years:
            weights = interpolation_weights(year, list(dbs))
            for v in VOLTAGES:
                code = market_code(region, year, v)
                exchanges = [{"input": (db_name, code), "amount": 1.0, "type": "production", "unit": "kilowatt hour"}]
                for y, w in weights:
                    p = providers[(y, region, v)]
                    exchanges.append({"input": p.key, "amount": w, "type": "technosphere", "unit": "kilowatt hour",
                                      "comment": f"weight {w:.4f} of premise {spec['iam']} {spec['pathway']} {y} "
                                                 f"({dbs[y]}) at {p.location}"})
                records[(db_name, code)] = _market(
                    f"market for electricity, {v} voltage, {year}", f"electricity, {v} voltage", region, year,
                    exchanges,
                    f"Linear interpolation between premise {market_name(v)} databases "
                    f"({', '.join(f'{y}: {w:.4f}' for y, w in weights)}); premise includes T&D losses.",
                    f"Built by lca-sh-ev from premise databases ({spec['iam']}, {spec['pathway']}, built on "
                    f"{spec.get('source', '?')}).")
    return records
