"""Reference scores for plausibility checks against published values.

``reference_gwp()`` computes, with Brightway, the cradle-to-gate ReCiPe 2016 (H)
GWP100 of 1 kWh of low-voltage electricity (US and MX grid markets, chosen years)
and of 1 kg of each product credited by battery recycling.
"""

from __future__ import annotations

import pandas as pd

CREDITED = {
    "aluminium ingot": ("market for aluminium, primary, ingot", "aluminium, primary, ingot", "RoW"),
    "cobalt sulfate": ("market for cobalt sulfate", "cobalt sulfate", "RoW"),
    "copper cathode": ("market for copper, cathode", "copper, cathode", "GLO"),
    "lithium hydroxide": ("market for lithium hydroxide", "lithium hydroxide", "GLO"),
    "manganese sulfate": ("market for manganese sulfate", "manganese sulfate", "GLO"),
    "nickel sulfate": ("market for nickel sulfate", "nickel sulfate", "GLO"),
    "low-alloyed steel": ("market for steel, low-alloyed", "steel, low-alloyed", "GLO"),
}


def gwp100_method() -> tuple:
    from .methods import category_table

    t = category_table()
    return tuple(t[(t["indicator"] == "GWP100") & (t["kind"] == "midpoint")]["method"].iloc[0].split(" | "))


def reference_gwp(project: str = "lca-sh-ev", years=(2022, 2030, 2050)) -> pd.DataFrame:
    """GWP100 [kg CO2-eq] of 1 kWh LV electricity per region/year and of 1 kg of each credited product."""
    import bw2data as bd

    from .engine import node_scores
    from .grid import GRID_DB, market_code
    from .linking import ProviderIndex
    from .setup import background_db_name, setup

    setup(project=project)
    rows, nodes = [], []
    for region in ("US", "MX"):
        for year in years:
            node = bd.get_node(database=GRID_DB, code=market_code(region, year, "low"))
            rows.append({"item": f"electricity, low voltage, {region}, {year}", "unit": "kg CO2-eq/kWh"})
            nodes.append(node.id)
    index = ProviderIndex.from_databases([background_db_name("surrogate")])
    for label, (name, product, location) in CREDITED.items():
        provider, _ = index.find(name, product, location)
        rows.append({"item": f"{label} ({product}, {provider.location})", "unit": "kg CO2-eq/kg"})
        nodes.append(provider.id)
    scores = node_scores(nodes, [gwp100_method()])
    out = pd.DataFrame(rows)
    out["gwp100"] = [float(scores.of(n)[0]) for n in nodes]
    return out
