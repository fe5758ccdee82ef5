"""The elementary flows our inventories may use: ecoinvent 3.9 biosphere as bundled by bw2io.

Reading the flow list needs no Brightway project, so data files can be checked
(and helpers can look up exact names) without touching ``BRIGHTWAY2_DIR``.
Categories are written ``compartment::subcompartment`` in our CSV files, e.g.
``air::urban air close to ground`` or ``natural resource::in ground``.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import pandas as pd

log = logging.getLogger(__name__)

CATEGORY_SEPARATOR = "::"


@lru_cache(maxsize=1)
def flow_table() -> pd.DataFrame:
    """All ecoinvent 3.9 elementary flows bundled with bw2io.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``categories`` (``compartment::subcompartment``),
        ``unit``, ``code`` (the biosphere3 code).
    """
    from bw2io.importers.ecospold2_biosphere import Ecospold2BiosphereImporter

    importer = Ecospold2BiosphereImporter.__new__(Ecospold2BiosphereImporter)
    importer.db_name = "biosphere3"
    rows = importer.extract(version="3.9")
    table = pd.DataFrame(
        {
            "name": [r["name"] for r in rows],
            "categories": [CATEGORY_SEPARATOR.join(c for c in r["categories"] if c) for r in rows],
            "unit": [r["unit"] for r in rows],
            "code": [r["code"] for r in rows],
        }
    )
    return table


@lru_cache(maxsize=1)
def flow_index() -> dict[tuple[str, str], tuple[str, str]]:
    """Map ``(name, categories)`` to ``(code, unit)``."""
    table = flow_table()
    return {
        (n, c): (code, unit)
        for n, c, code, unit in zip(table["name"], table["categories"], table["code"], table["unit"])
    }


def split_categories(categories: str) -> tuple[str, ...]:
    """``"air::urban air close to ground"`` -> ``("air", "urban air close to ground")``."""
    return tuple(p for p in categories.split(CATEGORY_SEPARATOR) if p)


def search(text: str) -> pd.DataFrame:
    """Flows whose name contains ``text`` (case-insensitive); for looking up exact names."""
    table = flow_table()
    return table[table["name"].str.contains(text, case=False, regex=False)]


if __name__ == "__main__":  # pragma: no cover - a look-up aid for data authors
    import sys

    with pd.option_context("display.max_rows", 500, "display.width", 200, "display.max_colwidth", 80):
        print(search(" ".join(sys.argv[1:])).drop(columns="code").to_string())
