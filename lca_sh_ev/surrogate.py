"""The bundled open surrogate background database.

Read from ``inventories/surrogate/activities*.csv`` and ``exchanges*.csv``
(format: ``docs/architecture.md``), checked, and turned into Brightway records.
Activities carry ecoinvent 3.8 cut-off names, so the foreground links to the
surrogate with the same rule as to ecoinvent.
"""

from __future__ import annotations

import hashlib
import logging

import pandas as pd

from .biosphere import flow_index
from .data import data_dir, read_table
from .errors import UserInputError
from .units import canonical

log = logging.getLogger(__name__)

SURROGATE_DB = "lca-sh-ev surrogate background"
#: Project datasets that no ecoinvent version has (e.g. battery landfill with leaching,
#: Li-ion pack assembly per kWh).  They live in their own database, built from
#: ``inventories/additions`` on top of whichever background is in use, so a background
#: swap keeps them.
ADDITIONS_DB = "lca-sh-ev additions"
ACTIVITY_COLUMNS = ("code", "name", "reference_product", "location", "unit", "production_amount", "comment")
EXCHANGE_COLUMNS = ("activity_code", "type", "flow_name", "amount")


def _files(pattern: str, folder_name: str = "surrogate") -> list:
    folder = data_dir() / folder_name
    files = sorted(folder.glob(pattern))
    if not files:
        raise UserInputError(f"no surrogate data files {pattern!r} in {folder}; reinstall the package")
    return files


def load_tables(folder: str = "surrogate") -> tuple[pd.DataFrame, pd.DataFrame]:
    """All activities and exchanges of a folder (``surrogate`` or ``additions``), checked for provenance."""
    acts = []
    for f in _files("activities*.csv", folder):
        t = read_table(f, required=ACTIVITY_COLUMNS[:-1], numeric=("production_amount",))
        t["file"] = f.name
        acts.append(t)
    excs = []
    for f in _files("exchanges*.csv", folder):
        t = read_table(f, required=EXCHANGE_COLUMNS, numeric=("amount",))
        for col in ("flow_product", "flow_location", "flow_categories", "note"):
            if col not in t.columns:
                t[col] = ""
        t["file"] = f.name
        t["row"] = range(2, len(t) + 2)
        excs.append(t)
    return pd.concat(acts, ignore_index=True), pd.concat(excs, ignore_index=True)


def fingerprint(folder: str = "surrogate") -> str:
    """Hash of a folder's data files (changes when any value changes)."""
    h = hashlib.sha256()
    for pattern in ("activities*.csv", "exchanges*.csv"):
        for f in _files(pattern, folder):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def build_records(db_name: str = SURROGATE_DB, biosphere: str = "biosphere3", folder: str = "surrogate",
                  index=None) -> dict:
    """Brightway records ``{(db, code): dataset}`` of the surrogate (or of the additions).

    Technosphere inputs are looked up among the folder's own activities first, then
    (for the additions) in ``index``, a :class:`~lca_sh_ev.linking.ProviderIndex` of the
    background, with its location fallback chain and unit check.

    Raises
    ------
    UserInputError
        Duplicate codes or (name, product, location), an unknown activity code,
        an unknown biosphere flow or unit mismatch, an unresolved technosphere
        input.  All problems are listed together.
    """
    acts, excs = load_tables(folder)
    problems: list[str] = []
    dup = acts["code"][acts["code"].duplicated()]
    if len(dup):
        problems.append(f"duplicate activity codes: {sorted(set(dup))}")
    triples = acts[["name", "reference_product", "location"]].apply(tuple, axis=1)
    if triples.duplicated().any():
        problems.append(f"duplicate (name, product, location): {sorted(set(triples[triples.duplicated()]))}")
    by_triple = dict(zip(triples, acts["code"]))
    records: dict = {}
    for a in acts.itertuples(index=False):
        if a.production_amount not in (1.0, -1.0):
            problems.append(f"{a.file}: activity {a.code!r} production_amount must be 1 or -1")
        records[(db_name, a.code)] = {
            "name": a.name,
            "reference product": a.reference_product,
            "location": a.location,
            "unit": canonical(a.unit),
            "comment": f"{a.comment} Source: {a.source}",
            "type": "process",
            "exchanges": [
                {
                    "input": (db_name, a.code),
                    "amount": float(a.production_amount),
                    "type": "production",
                    "unit": canonical(a.unit),
                }
            ],
        }
    flows = flow_index()
    for e in excs.itertuples(index=False):
        where = f"{e.file} row {e.row}"
        ds = records.get((db_name, e.activity_code))
        if ds is None:
            problems.append(f"{where}: unknown activity_code {e.activity_code!r}")
            continue
        if e.type == "biosphere":
            hit = flows.get((e.flow_name, e.flow_categories))
            if hit is None:
                problems.append(f"{where}: no biosphere flow {e.flow_name!r} in {e.flow_categories!r}")
                continue
            code, unit = hit
            if canonical(e.unit) != canonical(unit):
                problems.append(f"{where}: unit {e.unit!r} but flow {e.flow_name!r} is in {unit!r}")
                continue
            ds["exchanges"].append(
                {"input": (biosphere, code), "amount": float(e.amount), "type": "biosphere",
                 "unit": canonical(unit), "comment": f"{e.note} Source: {e.source}".strip()}
            )
        elif e.type == "technosphere":
            code = by_triple.get((e.flow_name, e.flow_product, e.flow_location))
            if code is None and index is not None:
                found = index.find(e.flow_name, e.flow_product, e.flow_location)
                if found is not None:
                    provider = found[0]
                    if canonical(e.unit) != canonical(provider.unit):
                        problems.append(f"{where}: unit {e.unit!r} but provider is in {provider.unit!r}")
                        continue
                    ds["exchanges"].append(
                        {"input": provider.key, "amount": float(e.amount), "type": "technosphere",
                         "unit": provider.unit, "comment": f"{e.note} Source: {e.source}".strip()}
                    )
                    continue
            if code is None:
                problems.append(
                    f"{where}: no provider for {e.flow_name!r} / {e.flow_product!r} / {e.flow_location!r}"
                )
                continue
            provider_unit = records[(db_name, code)]["unit"]
            if canonical(e.unit) != provider_unit:
                problems.append(f"{where}: unit {e.unit!r} but provider is in {provider_unit!r}")
                continue
            ds["exchanges"].append(
                {"input": (db_name, code), "amount": float(e.amount), "type": "technosphere",
                 "unit": provider_unit, "comment": f"{e.note} Source: {e.source}".strip()}
            )
        else:
            problems.append(f"{where}: type {e.type!r} is not 'biosphere' or 'technosphere'")
    if problems:
        raise UserInputError(f"{folder} data have {len(problems)} problem(s): " + "; ".join(problems))
    return records
