"""Surrogate activity names are real ecoinvent 3.8 cut-off names (catches typos)."""

from pathlib import Path

import pandas as pd
import pytest

from lca_sh_ev.surrogate import load_tables

NAMES = Path(__file__).parent / "data" / "ecoinvent_38_cutoff_names.tsv.gz"


@pytest.fixture(scope="module")
def ecoinvent_38():
    t = pd.read_csv(NAMES, sep="\t", dtype=str, keep_default_na=False)
    return t


def test_reference_list_is_the_full_38_cutoff(ecoinvent_38):
    assert len(ecoinvent_38) > 19000
    hit = ecoinvent_38[(ecoinvent_38["name"] == "market for lithium hydroxide")]
    assert hit["reference product"].tolist() == ["lithium hydroxide"]


def test_every_surrogate_activity_has_an_ecoinvent_38_name_and_product(ecoinvent_38):
    acts, _ = load_tables()
    known = set(zip(ecoinvent_38["name"], ecoinvent_38["reference product"]))
    bad = [(a.file, a.name, a.reference_product) for a in acts.itertuples() if (a.name, a.reference_product) not in known]
    assert not bad, f"not ecoinvent 3.8 cut-off (name, product) pairs: {bad}"


def test_every_surrogate_location_is_an_ecoinvent_location(ecoinvent_38):
    acts, _ = load_tables()
    locations = set(ecoinvent_38["location"])
    bad = sorted({(a.name, a.location) for a in acts.itertuples() if a.location not in locations})
    assert not bad, f"locations unknown to ecoinvent 3.8: {bad}"


def test_project_additions_never_share_a_name_with_ecoinvent(ecoinvent_38):
    """Additions live beside every background; a name clash could capture links meant for it."""
    acts, _ = load_tables("additions")
    known = set(zip(ecoinvent_38["name"], ecoinvent_38["reference product"]))
    assert len(acts) >= 3
    assert not [a.name for a in acts.itertuples() if (a.name, a.reference_product) in known]
