"""The grid database: high/medium/low-voltage electricity markets per region and year.

Built from bundled open projections (``inventories/grid/``) on top of the
background's generation datasets, linked by (name, reference product,
location) so the same grid sits on the surrogate or on ecoinvent.

Structure of one region-year (documented simplification):

* ``market for electricity, high voltage, <year>``: 1 kWh = sum over
  technologies of (generation share) kWh from that technology's generation
  dataset.  Every technology enters at high voltage, including PV (which
  ecoinvent books at low voltage).
* ``market for electricity, medium voltage, <year>``: 1 kWh of the HV market.
* ``market for electricity, low voltage, <year>``: ``1 / (1 - loss)`` kWh of
  the MV market, where ``loss`` is the region's whole T&D loss in that year
  (report: energy generated = energy at the plug / (1 - loss)).  The whole loss
  sits at low voltage because vehicles charge at low voltage.

Years after the last projected year use the last year's market (held
constant); years before the first are an error.
"""

from __future__ import annotations

import hashlib
import logging

import pandas as pd

from .data import data_dir, read_table
from .errors import UserInputError
from .linking import ProviderIndex, Wanted

log = logging.getLogger(__name__)

GRID_DB = "lca-sh-ev grid"
REGIONS = ("US", "MX")
VOLTAGES = ("high", "medium", "low")


def load_grid_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Generation (TWh), T&D losses (fraction) and the technology map, checked."""
    gen = read_table("grid/generation.csv", required=("region", "year", "technology"), numeric=("value",))
    loss = read_table("grid/td_losses.csv", required=("region", "year"), numeric=("value",))
    tech = read_table(
        "grid/technology_map.csv",
        required=("technology", "activity_name", "reference_product", "location_US", "location_MX"),
    )
    gen["year"] = gen["year"].astype(int)
    loss["year"] = loss["year"].astype(int)
    if (gen["value"] < 0).any():
        row = gen[gen["value"] < 0].iloc[0]
        raise UserInputError(
            f"grid/generation.csv: negative generation {row['value']} for {row['region']} "
            f"{row['year']} {row['technology']}; generation must be >= 0"
        )
    if ((loss["value"] < 0) | (loss["value"] >= 1)).any():
        row = loss[(loss["value"] < 0) | (loss["value"] >= 1)].iloc[0]
        raise UserInputError(
            f"grid/td_losses.csv: loss {row['value']} for {row['region']} {row['year']} "
            "is outside [0, 1)"
        )
    unknown = set(gen["technology"]) - set(tech["technology"])
    if unknown:
        raise UserInputError(
            f"grid/generation.csv: technologies {sorted(unknown)} are not in grid/technology_map.csv"
        )
    return gen, loss, tech


def generation_shares(gen: pd.DataFrame) -> pd.DataFrame:
    """Share of each technology in a region-year's generation (sums to 1)."""
    totals = gen.groupby(["region", "year"])["value"].transform("sum")
    out = gen.assign(share=gen["value"] / totals)
    return out[out["share"] > 0][["region", "year", "technology", "share"]]


def grid_years(region: str | None = None) -> list[int]:
    """Years that have both a generation mix and a loss value."""
    gen, loss, _ = load_grid_tables()
    regions = [region] if region else list(REGIONS)
    years = None
    for r in regions:
        ys = set(gen.loc[gen.region == r, "year"]) & set(loss.loc[loss.region == r, "year"])
        years = ys if years is None else years & ys
    return sorted(years or [])


def market_code(region: str, year: int, voltage: str = "low") -> str:
    """Code of a grid market in the grid database."""
    return f"{region}-{year}-{voltage}"


def market_year(region: str, year: int, years: list[int]) -> int:
    """The grid year used for a calendar year (held at the last year after the projection ends)."""
    if year < years[0]:
        raise UserInputError(
            f"calendar year {year} is before the first grid year {years[0]} for {region}; "
            f"first-sale years must be >= {years[0]}"
        )
    return min(year, years[-1])


def fingerprint() -> str:
    h = hashlib.sha256()
    for f in sorted((data_dir() / "grid").glob("*.csv")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def build_grid_records(index: ProviderIndex, db_name: str = GRID_DB, link_report: list | None = None) -> dict:
    """Brightway records of every region-year market, linked to the background in ``index``.

    ``link_report``, if given, receives one ``(Wanted, Link, weight)`` per technology link.
    """
    gen, loss, tech = load_grid_tables()
    shares = generation_shares(gen)
    tech = tech.set_index("technology")
    wanted = []
    for region in REGIONS:
        for t in sorted(set(shares.loc[shares.region == region, "technology"])):
            row = tech.loc[t]
            wanted.append(
                Wanted(row["activity_name"], row["reference_product"], row[f"location_{region}"],
                       row["unit"], context=f"grid {region} technology {t!r}")
            )
    # a technology may be a production-volume-weighted mix of subregion datasets (e.g. ecoinvent's
    # US NERC regions): see ProviderIndex.find_mix
    links = {w.context: mix for w, mix in zip(wanted, index.link_all_mix(wanted))}
    if link_report is not None:
        for w in wanted:
            for link, weight in links[w.context]:
                link_report.append((w, link, weight))
    records: dict = {}
    for region in REGIONS:
        years = sorted(set(shares.loc[shares.region == region, "year"]) & set(loss.loc[loss.region == region, "year"]))
        for year in years:
            mix = shares[(shares.region == region) & (shares.year == year)]
            loss_value = float(loss[(loss.region == region) & (loss.year == year)]["value"].iloc[0])
            hv = market_code(region, year, "high")
            exchanges = [{"input": (db_name, hv), "amount": 1.0, "type": "production", "unit": "kilowatt hour"}]
            for t, share in zip(mix["technology"], mix["share"]):
                for link, weight in links[f"grid {region} technology {t!r}"]:
                    exchanges.append(
                        {"input": link.provider.key, "amount": float(share) * weight * link.factor,
                         "type": "technosphere", "unit": link.provider.unit,
                         "comment": f"{t}: share of {region} generation in {year} (inventories/grid/generation.csv)"
                                    + (f" x weight {weight:.4f}" if weight != 1.0 else "")
                                    + f"; provider location {link.location_used}"}
                    )
            records[(db_name, hv)] = _market(f"market for electricity, high voltage, {year}", "electricity, high voltage",
                                             region, year, exchanges,
                                             "Generation mix by technology; every technology enters at high voltage.")
            mv = market_code(region, year, "medium")
            records[(db_name, mv)] = _market(
                f"market for electricity, medium voltage, {year}", "electricity, medium voltage", region, year,
                [{"input": (db_name, mv), "amount": 1.0, "type": "production", "unit": "kilowatt hour"},
                 {"input": (db_name, hv), "amount": 1.0, "type": "technosphere", "unit": "kilowatt hour"}],
                "Transformation only; the whole T&D loss is booked in the low-voltage market.")
            lv = market_code(region, year, "low")
            records[(db_name, lv)] = _market(
                f"market for electricity, low voltage, {year}", "electricity, low voltage", region, year,
                [{"input": (db_name, lv), "amount": 1.0, "type": "production", "unit": "kilowatt hour"},
                 {"input": (db_name, mv), "amount": 1.0 / (1.0 - loss_value), "type": "technosphere",
                  "unit": "kilowatt hour",
                  "comment": f"1 / (1 - {loss_value:.4f}) kWh: T&D loss of {region} in {year} "
                             "(inventories/grid/td_losses.csv)"}],
                f"Low-voltage electricity at the plug; T&D loss {loss_value:.2%} of generation.")
    log.info("grid database: %d markets", len(records))
    return records


def _market(name, product, region, year, exchanges, comment,
            source="Built by lca-sh-ev from inventories/grid (see its README for sources)."):
    return {
        "name": name,
        "reference product": product,
        "location": region,
        "unit": "kilowatt hour",
        "year": int(year),
        "comment": comment + " " + source,
        "type": "process",
        "exchanges": exchanges,
    }
