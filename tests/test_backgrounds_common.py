"""Helpers shared by the background-swap tests (no tests here).

The ecoinvent-shaped fixtures are written from our own open surrogate: nothing
in them is ecoinvent data.
"""

from pathlib import Path

import numpy as np

from lca_sh_ev.config import scenario_from_dict

#: A reduced scenario (3 pathways, 2 export ages, midpoint only) for swap round trips.
REDUCED = {
    "pathways": [{"vehicle": "tesla_model_y", "market": "SH"}, {"vehicle": "nissan_versa", "market": "MX"},
                 {"vehicle": "toyota_prius", "market": "US"}],
    "export_ages": [3, 12],
    "include_average_export_age": False,
    "endpoint": False,
}


def reduced(project: str, **extra):
    return scenario_from_dict({"project": project, **REDUCED, **extra})


def surrogate_ecospold(project: str, folder: Path, drop=()) -> int:
    """Write the surrogate of ``project`` as ecospold2 files, leaving out activities named in ``drop``.

    A dropped activity's consumers inside the surrogate are dropped too (an ecospold2
    release has no dangling links); returns the number of files written.
    """
    import bw2data as bd

    from lca_sh_ev.export import write_records_ecospold2
    from lca_sh_ev.surrogate import SURROGATE_DB

    bd.projects.set_current(project)
    records = bd.Database(SURROGATE_DB).load()
    gone = {k for k, ds in records.items() if ds["name"] in drop}
    changed = True
    while changed:
        changed = False
        for k, ds in records.items():
            if k not in gone and any(tuple(e["input"]) in gone for e in ds["exchanges"] if e["type"] == "technosphere"):
                gone.add(k)
                changed = True
    kept = {k: ds for k, ds in records.items() if k not in gone}
    return write_records_ecospold2(kept, folder)


def totals(results) -> np.ndarray:
    df = results.impacts
    return df[df["stage"] == "total"].sort_values(["pathway", "export_age", "method"])["value"].to_numpy()
