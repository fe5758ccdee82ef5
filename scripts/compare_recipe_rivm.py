"""Compare the bundled ReCiPe 2016 (H) midpoint factors with RIVM's ReCiPe 2016 v1.1 factors.

For every elementary flow that our inventories emit (``inventories/**/exchanges*.csv``,
``tailpipe.csv`` and ``non_exhaust.csv`` rows of type ``biosphere``) and every midpoint
category, write the factor of the bw2io-bundled ReCiPe 2016 v1.03 (H) implementation and the
RIVM ReCiPe 2016 v1.1 (20180117) hierarchist factor to ``methods/cf_comparison.csv``.

RIVM factors come from the Excel file shipped in the ``bw-recipe-2016`` package, linked to
ecoinvent 3.9 flows with that package's own strategies, plus ``methods/rivm_name_map.csv``
for metal ions and fossil resources that the package does not link on the 3.9 flow list.

The RIVM linking runs in a throw-away Brightway directory (about 1 min). Rerun whenever
inventories change::

    python scripts/compare_recipe_rivm.py            # flows of our inventories
    python scripts/compare_recipe_rivm.py --all-flows --output /tmp/all.csv
"""

from __future__ import annotations

import argparse
import copy
import logging
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("compare_recipe_rivm")

#: RIVM sheet index (in ``bw_recipe_2016.extract_recipe`` output), its hierarchist key,
#: the bw_recipe_2016 class name and our indicator label.
RIVM_SHEETS = [
    (2, "GWP100", "GlobalWarming", "GWP100"),
    (3, "ODP100", "StratosphericOzoneDepletion", "ODPinfinite"),
    (4, ("IRP", "Hierarchist"), "IonizingRadiation", "IRP"),
    (5, "HOFP", "OzoneFormationHumans", "HOFP"),
    (6, ("PMFP", "Hierarchist"), "ParticulateMatterFormation", "PMFP"),
    (7, "EOFP", "OzoneFormationEcosystems", "EOFP"),
    (8, "AP", "TerrestrialAcidification", "TAP"),
    (9, "FEP", "FreshwaterEutrophication", "FEP"),
    (10, "Marine eutrophication", "MarineEutrophication", "MEP"),
    (11, ("ETPterrestrial", "Hierarchic"), "TerrestrialEcotoxicity", "TETP"),
    (12, ("ETPfw", "H"), "FreshwaterEcotoxicity", "FETP"),
    (13, ("ETPmarine", "H"), "MarineEcotoxicity", "METP"),
    (14, ("CFhuman-mid-carc", "H"), "HumanCarcinogenicToxicity", "HTPc"),
    (15, ("CFhuman-mid-ncarc", "H"), "HumanNoncarcinogenicToxicity", "HTPnc"),
    (17, None, "LandOccupation", "LOP"),
    (18, None, "WaterConsumption", "WCP"),
    (19, ("SOP", "Hierarchist"), "MineralResourceScarcity", "SOP"),
]
#: Sheets linked only by methods/rivm_name_map.csv names, applied to every flow category
#: starting with the map's ``flow_compartment``: sheet -> (raw index, hierarchist keys, indicators).
NAMED_SHEETS = {
    "fossil": (20, ("FFP",), ("FFP",)),
    "ozone": ((5, 7), ("HOFP", "EOFP"), ("HOFP", "EOFP")),
    "pm": (6, (("PMFP", "Hierarchist"),), ("PMFP",)),
    "sop": (19, (("SOP", "Hierarchist"),), ("SOP",)),
}
#: RIVM toxicity compartments -> ecoinvent 3.9 categories (as bw_recipe_2016.strategies.toxicity).
TOX_COMPARTMENTS = {
    "agriculturalsoil": ["soil::agricultural"],
    "freshwater": ["water::surface water", "water::unspecified", "water::ground-"],
    "industrialsoil": ["soil::industrial"],
    "ruralair": ["air::unspecified", "air::low population density, long-term", "air::non-urban air or from high stacks"],
    "seawater": ["water::ocean"],
    "urbanair": ["air::urban air close to ground"],
}
#: Compartments of a road-traffic emission row that gives no flow_categories.
ROAD_AIR = ("air::urban air close to ground", "air::non-urban air or from high stacks")
PERSPECTIVES_OTHER = ("Individualist", "Egalitarian")
SOURCE = (
    "bundled: bw2io 0.9.17 lcia_39_ecoinvent.zip (LCIA_Implementation_3.9.xlsx), ReCiPe 2016 v1.03 midpoint (H); "
    "RIVM: ReCiPe2016_CFs_v1.1_20180117.xlsx (Huijbregts et al. 2017, RIVM Report 2016-0104a) as shipped in "
    "bw-recipe-2016 0.4, hierarchist, linked by that package's strategies and methods/rivm_name_map.csv"
)
COLUMNS = ["flow_name", "flow_categories", "category", "cf_bundled", "cf_rivm", "ratio", "unit", "source", "note"]


def inventory_flows(inventories: Path):
    """Biosphere flows named in the inventory files, with their biosphere3 code and unit."""
    import pandas as pd

    from lca_sh_ev.biosphere import flow_index

    files = sorted(
        set(inventories.rglob("exchanges*.csv")) | set(inventories.rglob("tailpipe.csv")) | set(inventories.rglob("non_exhaust.csv"))
    )
    index = flow_index()
    found: dict[str, tuple[str, str, str]] = {}
    for path in files:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        if not {"flow_name", "flow_categories"} <= set(table.columns):
            log.warning("%s has no flow_name/flow_categories columns; skipped", path.relative_to(inventories))
            continue
        if "type" in table.columns:
            table = table[table["type"].str.strip() == "biosphere"]
        for name, cats in zip(table["flow_name"], table["flow_categories"]):
            if not name.strip():
                continue
            if not cats.strip():  # a row for every road route: the road-transport air compartments
                for road_cats in ROAD_AIR:
                    hit = index.get((name, road_cats))
                    if hit:
                        found[hit[0]] = (name, road_cats, hit[1])
                continue
            hit = index.get((name, cats)) or index.get((name, cats + "::unspecified"))
            if hit is None:
                log.warning("%s: flow (%r, %r) is not an ecoinvent 3.9 elementary flow", path.name, name, cats)
                continue
            found[hit[0]] = (name, cats if hit == index.get((name, cats)) else cats + "::unspecified", hit[1])
    log.info("%d distinct biosphere flows in %d inventory files", len(found), len(files))
    return found


def all_flows():
    """Every ecoinvent 3.9 elementary flow (for ``--all-flows``)."""
    from lca_sh_ev.biosphere import flow_table

    table = flow_table()
    return {c: (n, k, u) for n, k, u, c in zip(table["name"], table["categories"], table["unit"], table["code"])}


def _select_hierarchist(data: dict, key):
    if key is None or not isinstance(data, dict) or key not in data:
        return data
    return {key: data[key]}


def rivm_factors() -> dict[str, dict[str, float]]:
    """RIVM v1.1 hierarchist midpoint factors: ``indicator -> {biosphere3 code: CF}``.

    Runs the bw_recipe_2016 importers in a throw-away Brightway project.
    """
    import warnings

    import bw2data as bd
    import bw2io

    bd.projects.set_current("rivm-comparison")
    if "biosphere3" not in bd.databases:
        bw2io.create_default_biosphere3()
    real_version = bw2io.__version__
    bw2io.__version__ = tuple(int(p) for p in str(real_version).split(".")[:3])  # bw_recipe_2016 0.4 compares tuples
    try:
        import bw_recipe_2016 as br
    finally:
        bw2io.__version__ = real_version
    raw = br.extract_recipe(2)
    biosphere = br.get_biosphere_database()
    factors: dict[str, dict[str, float]] = {}
    for index, key, class_name, indicator in RIVM_SHEETS:
        importer = getattr(br, class_name)(copy.deepcopy(_select_hierarchist(raw[index], key)), biosphere, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importer.apply_strategies(verbose=False)
            try:
                importer.drop_unlinked(verbose=False)
            except TypeError:  # older bw2io signature
                importer.drop_unlinked()
        sets = [ds for ds in importer.data if not any(p in ds["name"] for p in PERSPECTIVES_OTHER)]
        if len(sets) != 1:
            raise RuntimeError(f"{class_name}: expected one hierarchist data set, found {[ds['name'] for ds in sets]}")
        factors[indicator] = {exc["input"][1]: float(exc["amount"]) for exc in sets[0]["exchanges"] if exc.get("input")}
        log.info("RIVM %s: %d factors linked by bw_recipe_2016", indicator, len(factors[indicator]))
    _add_mapped_names(raw, factors)
    return factors


def _add_mapped_names(raw, factors) -> None:
    """Add RIVM factors that bw_recipe_2016 does not link, by the names in methods/rivm_name_map.csv.

    Factors linked by the package are kept (``setdefault``).
    """
    from lca_sh_ev.biosphere import flow_index
    from lca_sh_ev.data import methods_dir, read_table

    mapping = read_table(
        methods_dir() / "rivm_name_map.csv", required=("rivm_sheet", "rivm_name", "flow_name", "flow_compartment")
    )
    index = flow_index()
    tox = {"TETP": 11, "FETP": 12, "METP": 13, "HTPc": 14, "HTPnc": 15}
    tox_keys = {ind: key for i, key, _, ind in RIVM_SHEETS if ind in tox}
    ions = mapping[mapping["rivm_sheet"] == "toxicity"].set_index("rivm_name")["flow_name"].to_dict()
    for indicator, sheet in tox.items():
        for row in raw[sheet][tox_keys[indicator]]["cfs"]:
            flow = ions.get(str(row["name"]).strip())
            compartment = str(row.get("compartment") or "").replace(" ", "").lower()
            if flow is None or compartment not in TOX_COMPARTMENTS:
                continue
            for cats in TOX_COMPARTMENTS[compartment]:
                hit = index.get((flow, cats))
                if hit:
                    factors[indicator].setdefault(hit[0], float(row["amount"]))
    index_by_name: dict[str, list[tuple[str, str]]] = {}
    for (name, cats), (code, _unit) in index.items():
        index_by_name.setdefault(name, []).append((cats, code))
    for sheet, (raw_index, raw_key, indicators) in NAMED_SHEETS.items():
        rows = mapping[mapping["rivm_sheet"] == sheet]
        names = dict(zip(rows["rivm_name"], zip(rows["flow_name"], rows["flow_compartment"])))
        for indicator, key in zip(indicators, raw_key):
            factors.setdefault(indicator, {})
            for row in raw[raw_index if not isinstance(raw_index, tuple) else raw_index[indicators.index(indicator)]][key]["cfs"]:
                hit = names.get(str(row["name"]).strip())
                if hit is None:
                    continue
                flow, prefix = hit
                for cats, code in index_by_name.get(flow, []):
                    if cats.startswith(prefix):
                        factors[indicator].setdefault(code, float(row["amount"]))


def _note(indicator: str, name: str, cats: str, bundled, rivm, ratio) -> str:
    if bundled is None:
        return "no factor in the bundled method: this flow adds nothing to our results in this category"
    if rivm is None:
        return (
            "no RIVM v1.1 factor for this flow and compartment after name mapping "
            "(bw-recipe-2016 0.4 strategies + methods/rivm_name_map.csv)"
        )
    parts = []
    if ratio is None:
        parts.append("bundled factor is 0")
    elif abs(ratio - 1) <= 0.01:
        parts.append("agree within 1%")
    else:
        parts.append(f"differ: RIVM/bundled = {ratio:.3g}")
    if ratio is not None and abs(ratio - 1) > 0.01 and cats == "air::unspecified":
        parts.append(
            "convention: the bundled file gives unspecified air RIVM's urban-air factor, bw-recipe-2016 "
            "gives it the rural-air factor"
        )
    if ratio is not None and abs(ratio - 1) > 0.01 and name == "Antimony ion":
        parts.append("valence: the bundled file uses RIVM's Sb(V) factors, rivm_name_map.csv maps Sb(III)")
    if indicator == "TETP" and cats.startswith("soil") and max(abs(bundled), abs(rivm)) < 1e-6:
        parts.append(
            "metal-to-soil TETP is ~0 in both files (RIVM's Excel itself) although the same metal to air has "
            "TETP 1e3-1e7: implausible, inherited from RIVM v1.1; see methods/README.md"
        )
    if indicator == "ODPinfinite":
        parts.append("bundled (H) is labelled ODPinfinite; RIVM's hierarchist set is ODP100")
    return "; ".join(parts)


def build_rows(flows, bundled, rivm, units):
    """Rows of the comparison table (list of dicts, columns COLUMNS)."""
    rows = []
    for indicator, category, method_unit in units:
        b_cfs, r_cfs = bundled[indicator], rivm.get(indicator, {})
        for code, (name, cats, flow_unit) in sorted(flows.items(), key=lambda kv: (kv[1][0], kv[1][1])):
            b, r = b_cfs.get(code), r_cfs.get(code)
            if (b is None or b == 0) and (r is None or r == 0):
                continue
            ratio = r / b if (b not in (None, 0) and r is not None) else None
            rows.append(
                {
                    "flow_name": name,
                    "flow_categories": cats,
                    "category": category,
                    "cf_bundled": "" if b is None else f"{b:.6g}",
                    "cf_rivm": "" if r is None else f"{r:.6g}",
                    "ratio": "" if ratio is None else f"{ratio:.6g}",
                    "unit": f"{method_unit}/{flow_unit}",
                    "source": SOURCE,
                    "note": _note(indicator, name, cats, b, r, ratio),
                }
            )
    return rows


def tailpipe_gap(inventories: Path, bundled, rivm, indicators=("HOFP", "EOFP")) -> list[str]:
    """Effect of filling the bundled gaps with RIVM factors on tailpipe scores (for the README).

    Returns one line per region x powertrain x indicator: score with bundled factors and with
    RIVM factors added where the bundled file has none (same unit as tailpipe.csv values x CF).
    """
    import pandas as pd

    from lca_sh_ev.biosphere import flow_index

    path = next(iter(sorted(inventories.rglob("tailpipe.csv"))), None)
    if path is None:
        return []
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    index = flow_index()
    lines = []
    for (region, powertrain), group in table.groupby(["region", "powertrain"]):
        for indicator in indicators:
            plain = filled = 0.0
            for name, cats, value in zip(group["flow_name"], group["flow_categories"], group["value"]):
                code = (index.get((name, cats)) or (None,))[0]
                b = bundled[indicator].get(code)
                plain += float(value) * (b or 0.0)
                filled += float(value) * (b if b is not None else rivm.get(indicator, {}).get(code, 0.0))
            if plain:
                lines.append(f"{region} {powertrain} {indicator}: {plain:.4g} bundled, {filled:.4g} gap-filled (+{100 * (filled / plain - 1):.2f}%)")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "methods" / "cf_comparison.csv")
    parser.add_argument("--inventories", type=Path, default=ROOT / "inventories")
    parser.add_argument("--all-flows", action="store_true", help="compare every ecoinvent 3.9 flow, not only ours")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    # A throw-away Brightway directory: must be set before bw2data is imported.
    os.environ["BRIGHTWAY2_DIR"] = tempfile.mkdtemp(prefix="rivm-comparison-")

    import pandas as pd

    from lca_sh_ev import methods as M

    table = M.category_table()
    mid = table[table["kind"] == "midpoint"]
    units = list(zip(mid["indicator"], mid["category"], mid["unit"]))
    bundled = {
        ind: dict(zip(frame["code"], frame["cf"]))
        for ind, frame in ((i, M.bundled_factors(M.method_tuple(m))) for i, m in zip(mid["indicator"], mid["method"]))
    }
    flows = all_flows() if args.all_flows else inventory_flows(args.inventories)
    rivm = rivm_factors()
    rows = build_rows(flows, bundled, rivm, units)
    out = pd.DataFrame(rows, columns=COLUMNS)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(args.output, index=False)
    for line in tailpipe_gap(args.inventories, bundled, rivm):
        log.info("tailpipe, RIVM factors where the bundled file has none: %s", line)
    ratio = pd.to_numeric(out["ratio"], errors="coerce")
    log.info(
        "%d rows for %d flows -> %s; %d agree within 1%%, %d differ, %d without RIVM factor",
        len(out), len(flows), args.output, int((abs(ratio - 1) <= 0.01).sum()),
        int((abs(ratio - 1) > 0.01).sum()), int((out["cf_rivm"] == "").sum()),
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
