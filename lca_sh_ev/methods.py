"""ReCiPe 2016 v1.03 (H) impact assessment methods, written offline into a Brightway project.

``bw2io.create_default_lcia_methods()`` fails with bw2io 0.9.17 + bw2data 4.8 (the
bundled flow identifiers are lists) and leaves a half-registered method behind.
This module reads the same bundled file (``bw2io/data/lcia/lcia_39_ecoinvent.zip``,
``data.json``, converted from ``LCIA_Implementation_3.9.xlsx``) and writes only the
ReCiPe 2016 v1.03 hierarchist methods: 18 midpoint and 25 endpoint methods
(22 damage pathways and 3 area-of-protection totals; the file has no single score).

Characterisation factors are keyed by biosphere3 code; they are written with integer
node ids taken from one query on the biosphere database.

Labels: in that file the (H) climate-change indicator is called "GWP1000" but holds
GWP100 factors (CH4 fossil 36, N2O 298, SF6 26,100 kg CO2-eq/kg); the category table
(``methods/recipe_2016_h_categories.csv``) labels it ``GWP100``.

References
----------
Huijbregts, M.A.J. et al. (2017) ReCiPe2016: a harmonised life cycle impact assessment
method at midpoint and endpoint level. Int. J. LCA 22, 138-147. doi:10.1007/s11367-016-1246-y
"""

from __future__ import annotations

import json
import logging
import time
import zipfile
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .data import methods_dir, read_table
from .errors import UserInputError

log = logging.getLogger(__name__)

#: First element of the method tuples we write, by kind.
FAMILIES = {
    "midpoint": "ReCiPe 2016 v1.03, midpoint (H)",
    "endpoint": "ReCiPe 2016 v1.03, endpoint (H)",
}
#: Expected number of methods per kind in the bundled file.
EXPECTED_COUNTS = {"midpoint": 18, "endpoint": 25}
#: Name of the bundled file inside the bw2io package.
BUNDLED_ZIP = Path("data") / "lcia" / "lcia_39_ecoinvent.zip"
#: The category table (a data file; see methods/README.md).
CATEGORY_FILE = "recipe_2016_h_categories.csv"
#: Metadata flag set only after a method's CFs are written and processed.
COMPLETE_FLAG = "lca_sh_ev_complete"
#: Separator used to write a method tuple as one string.
METHOD_SEPARATOR = " | "


def bundled_zip_path() -> Path:
    """Path of the LCIA file bundled with the installed bw2io."""
    import bw2io

    return Path(bw2io.__file__).parent / BUNDLED_ZIP


@lru_cache(maxsize=1)
def _bundled_recipe_h() -> dict[tuple, dict]:
    """The ReCiPe 2016 v1.03 (H) methods of the bundled file (long-term emissions included).

    Returns
    -------
    dict
        ``method tuple -> {"unit", "filename", "kind", "cfs": [(biosphere3 code, CF), ...]}``,
        in file order. Methods marked "no LT" are left out.
    """
    path = bundled_zip_path()
    if not path.is_file():
        raise UserInputError(
            f"bundled LCIA file {str(path)!r} not found; install bw2io>=0.9.17 which ships it"
        )
    with zipfile.ZipFile(path) as archive:
        records = json.loads(archive.read("data.json"))
    found: dict[tuple, dict] = {}
    for record in records:
        name = tuple(record["name"])
        kind = next((k for k, family in FAMILIES.items() if name[0] == family), None)
        if kind is None:
            continue
        cfs = [(str(exc["input"][1]), float(exc["amount"])) for exc in record["exchanges"]]
        found[name] = {
            "unit": record.get("unit", ""),
            "filename": record.get("filename", ""),
            "kind": kind,
            "cfs": cfs,
        }
    return found


def _check_kind(kind: str) -> str:
    if kind not in FAMILIES:
        raise UserInputError(f"method kind {kind!r} is not known; use one of {', '.join(FAMILIES)}")
    return kind


def recipe_method_keys(kind: str = "midpoint") -> list[tuple]:
    """Brightway method tuples of the ReCiPe 2016 v1.03 (H) methods in the bundled file.

    Parameters
    ----------
    kind : {"midpoint", "endpoint"}

    Returns
    -------
    list of tuple
        Method names, in the order of the bundled file; needs no Brightway project.
    """
    _check_kind(kind)
    return [name for name, rec in _bundled_recipe_h().items() if rec["kind"] == kind]


def bundled_factors(method: tuple) -> pd.DataFrame:
    """Characterisation factors of one bundled method.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (biosphere3 code) and ``cf`` (method unit per flow unit).
    """
    method = tuple(method)
    if method not in _bundled_recipe_h():
        raise UserInputError(f"method {METHOD_SEPARATOR.join(method)!r} is not a bundled ReCiPe 2016 (H) method")
    return pd.DataFrame(_bundled_recipe_h()[method]["cfs"], columns=["code", "cf"])


def _description(method: tuple, unit: str) -> str:
    import bw2io

    text = (
        f"ReCiPe 2016 v1.03, hierarchist perspective ({method[0].split(',')[1].split('(')[0].strip()}), "
        f"{': '.join(method[1:])}; unit {unit}. Characterisation factors from the LCIA implementation "
        f"file bundled with bw2io {bw2io.__version__} (lcia_39_ecoinvent.zip, LCIA_Implementation_3.9.xlsx), "
        "keyed to ecoinvent 3.9 elementary flows; method: Huijbregts et al. (2017), "
        "doi:10.1007/s11367-016-1246-y. Written by lca_sh_ev.methods."
    )
    if "GWP1000" in method[-1]:
        text += " The indicator is labelled GWP1000 in the source file but holds GWP100 factors."
    return text


def _biosphere_ids(biosphere: str) -> dict[str, int]:
    """``code -> node id`` for every node of ``biosphere`` (one query)."""
    import bw2data as bd
    from bw2data.backends import ActivityDataset as AD

    if biosphere not in bd.databases:
        raise UserInputError(
            f"biosphere database {biosphere!r} is not in Brightway project {bd.projects.current!r}; "
            "create it first with bw2io.create_default_biosphere3()"
        )
    query = AD.select(AD.code, AD.id).where(AD.database == biosphere).tuples()
    return {code: node_id for code, node_id in query}


def _method_rows(method: tuple, ids: dict[str, int]) -> list[tuple[int, float]]:
    """CFs of ``method`` as ``(node id, CF)``; flows absent from the biosphere are dropped."""
    rows = [(ids[code], cf) for code, cf in _bundled_recipe_h()[method]["cfs"] if code in ids]
    missing = len(_bundled_recipe_h()[method]["cfs"]) - len(rows)
    if missing:
        log.warning("%s: %d CFs refer to flows not in the biosphere database; dropped", method, missing)
    return rows


def _is_complete(method: tuple, expected: int) -> bool:
    """True if ``method`` is registered, flagged complete, processed and holds ``expected`` CFs."""
    import bw2data as bd

    if method not in bd.methods:
        return False
    meta = bd.methods[method]
    if not meta.get(COMPLETE_FLAG) or meta.get("num_cfs") != expected:
        return False
    obj = bd.Method(method)
    try:
        n_loaded = len(obj.load())
    except Exception:  # missing or unreadable intermediate file: not complete
        return False
    return n_loaded == expected and obj.filepath_processed().is_file()


def _all_keys() -> list[tuple]:
    return recipe_method_keys("midpoint") + recipe_method_keys("endpoint")


def methods_complete(biosphere: str = "biosphere3") -> bool:
    """True if every ReCiPe 2016 (H) method is written completely in the current project.

    A method counts as complete only if its metadata flag (set after the CFs were
    written and processed), its ``num_cfs`` and the number of CFs actually stored all
    match the bundled file; an interrupted write therefore reads as incomplete.
    """
    import bw2data as bd

    if biosphere not in bd.databases:
        return False
    ids = _biosphere_ids(biosphere)
    return all(_is_complete(m, len(_method_rows(m, ids))) for m in _all_keys())


def write_recipe_methods(biosphere: str = "biosphere3") -> list[tuple]:
    """Write the ReCiPe 2016 v1.03 (H) midpoint and endpoint methods into the current project.

    Idempotent: a method already complete with the same number of CFs is left alone;
    an incomplete one (interrupted write, wrong CF count) is rewritten.

    Parameters
    ----------
    biosphere : str
        Name of the biosphere database (ecoinvent 3.9 flows, e.g. made by
        ``bw2io.create_default_biosphere3()``).

    Returns
    -------
    list of tuple
        All method tuples (midpoint first, then endpoint), written or already present.
    """
    import bw2data as bd

    start = time.perf_counter()
    ids = _biosphere_ids(biosphere)
    keys = _all_keys()
    written = 0
    for method in keys:
        rows = _method_rows(method, ids)
        if _is_complete(method, len(rows)):
            continue
        record = _bundled_recipe_h()[method]
        obj = bd.Method(method)
        metadata = {
            "unit": record["unit"],
            "description": _description(method, record["unit"]),
            "filename": record["filename"],
            "source": "bw2io bundled lcia_39_ecoinvent.zip",
            COMPLETE_FLAG: False,
        }
        if obj.registered:  # register() keeps old metadata of a registered method
            bd.methods[method].update(metadata)
            bd.methods.flush()
        else:
            obj.register(**metadata)
        obj.write(rows)  # writes the CFs and processes the datapackage
        bd.methods[method][COMPLETE_FLAG] = True
        bd.methods.flush()
        written += 1
    log.info(
        "ReCiPe 2016 (H): %d of %d methods written in %.1f s", written, len(keys), time.perf_counter() - start
    )
    return keys


@lru_cache(maxsize=1)
def _category_table_cached() -> pd.DataFrame:
    return read_table(
        methods_dir() / CATEGORY_FILE,
        required=("method", "kind", "category", "indicator"),
    )


def category_table() -> pd.DataFrame:
    """The category table: ``method, kind, category, indicator, unit, source, note``.

    ``method`` is the Brightway method tuple joined with ``' | '``; ``indicator`` is our
    label (``GWP100`` for climate change, where the bundled file says GWP1000).
    """
    return _category_table_cached().copy()


def method_tuple(method: str) -> tuple:
    """``"a | b | c"`` -> ``("a", "b", "c")``."""
    return tuple(method.split(METHOD_SEPARATOR))


def resolve_categories(names: list[str], kind: str | None = None) -> list[tuple]:
    """Map user-given category names or indicators to Brightway method tuples.

    Parameters
    ----------
    names : list of str
        Category names (``"climate change"``), indicators (``"GWP100"``, ``"HH_PMFP"``) or
        full method strings joined with ``' | '``; case-insensitive.
    kind : {"midpoint", "endpoint"}, optional
        Where a category name exists at both levels (e.g. ``"land use"``) it is taken
        from this kind; midpoint if not given.

    Raises
    ------
    UserInputError
        For a name that matches nothing; the message lists the allowed names.
    """
    if isinstance(names, str):
        names = [names]
    table = category_table()
    preferred = _check_kind(kind) if kind is not None else "midpoint"
    table = pd.concat([table[table["kind"] == preferred], table[table["kind"] != preferred]])
    lookup: dict[str, str] = {}
    for column in ("method", "indicator", "category"):
        for key, method in zip(table[column], table["method"]):
            lookup.setdefault(key.strip().lower(), method)
    resolved = []
    for name in names:
        method = lookup.get(str(name).strip().lower())
        if method is None:
            allowed = ", ".join(dict.fromkeys(list(table["indicator"]) + list(table["category"])))
            raise UserInputError(
                f"impact category {name!r} is not known; use an indicator or category of "
                f"{CATEGORY_FILE}: {allowed}"
            )
        resolved.append(method_tuple(method))
    return resolved
