"""premise grids without what they need: one clear line, exit 2, nothing written; the premise call wiring."""

import json

import bw2data as bd
import pytest
from test_premise_grids import write_premise_fixture
from typer.testing import CliRunner

from lca_sh_ev.cli import app
from lca_sh_ev.errors import UserInputError
from lca_sh_ev.premise_grids import PremiseGrids, region_warning

PROJECT = "test-premise-guards"
SURR = "lca-sh-ev surrogate background"
# a background of kind "bw" in our own project, so the checks get as far as the key without ecoinvent
BW_SELF = ["--background", f"bw:{PROJECT}:{SURR}", "--ei-version", "3.8"]
PREMISE = ["--grids", "premise", "--iam", "image", "--pathway", "SSP2-Base", "--years", "2030", "--years", "2050"]


@pytest.fixture(scope="module")
def project():
    from lca_sh_ev.setup import setup

    setup(project=PROJECT)
    bd.projects.set_current(PROJECT)
    return (bd.projects.dir / "lca_sh_ev_setup.json").read_text()


def _setup(args, env=None):
    return CliRunner().invoke(app, ["setup", "--project", PROJECT] + args, env=env)


@pytest.mark.parametrize("args, env, message", [
    (PREMISE, None, "--grids premise needs an ecoinvent source database"),
    (["--background", "ecoinvent", "--ei-version", "3.10"] + PREMISE, None, "ecoinvent 3.10 is not imported in project"),
    (["--background", f"bw:{PROJECT}:no-such-db", "--ei-version", "3.8"] + PREMISE, None,
     "project 'test-premise-guards' has no database 'no-such-db'"),
    (BW_SELF + PREMISE, None, "--grids premise needs the IAM decryption key (--premise-key-env VAR or "
                              "--premise-key-file PATH) or unencrypted IAM files (--iam-dir DIR)"),
    (BW_SELF + PREMISE + ["--premise-key-env", "LCA_TEST_NO_SUCH_VAR"], None,
     "--premise-key-env LCA_TEST_NO_SUCH_VAR: the environment variable is not set or empty"),
    (BW_SELF + PREMISE + ["--premise-key-env", "LCA_TEST_KEY"], {"LCA_TEST_KEY": "short"},
     "is 5 characters long; premise keys are 44"),
    (BW_SELF + PREMISE + ["--premise-key-file", "/nonexistent/key"], None,
     "--premise-key-file '/nonexistent/key' does not exist"),
    (BW_SELF + PREMISE + ["--iam-dir", "/tmp"], None, "has no IAM file image_SSP2-Base.csv/.xlsx/.mif"),
    (BW_SELF + ["--grids", "premise", "--iam", "gcam", "--pathway", "SSP2-Base", "--years", "2030"], None,
     "--iam 'gcam' is not supported; allowed: image, remind, message"),
    (BW_SELF + ["--grids", "premise", "--pathway", "SSP2-Base"], None, "--grids premise needs --years"),
    (["--grids", "premise", "--premise-db", "2030=nope"], None, "--premise-db: databases ['nope'] are not in project"),
    (["--grids", "premise", "--premise-db", "twenty=nope"], None, "must look like YEAR=DATABASE"),
    (["--grids", "solar"], None, "--grids 'solar' is not supported; allowed: bundled, premise"),
    (["--pathway", "SSP2-Base"], None, "--premise-db/--pathway need --grids premise"),
])
def test_missing_premise_inputs_exit_2_one_line(project, args, env, message):
    result = _setup(args, env)
    assert result.exit_code == 2, result.output
    assert result.output.strip().count("\n") == 0, result.output
    assert message in result.output
    bd.projects.set_current(PROJECT)
    assert (bd.projects.dir / "lca_sh_ev_setup.json").read_text() == project  # nothing changed


def test_region_warning():
    assert region_warning("image") is None
    assert "MX (uses LAM)" in region_warning("remind") and "US" not in region_warning("remind").split("for ")[1]
    assert "US (uses NAM) and MX (uses LAM)" in region_warning("message")


def test_remind_is_allowed_with_a_warning(project, caplog):
    from lca_sh_ev.premise_grids import check_request

    bd.projects.set_current(PROJECT)
    names = write_premise_fixture({2030: "guard-2030", 2050: "guard-2050"})
    with caplog.at_level("WARNING"):
        check_request(PremiseGrids("remind", "SSP2-PkBudg1150", databases=names), None)
    assert "MX (uses LAM)" in caplog.text


class FakeNewDatabase:
    """Stands in for premise.NewDatabase: records the call, writes premise-shaped databases."""

    calls = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        FakeNewDatabase.calls.append(("init", kwargs))

    def update(self, sector):
        FakeNewDatabase.calls.append(("update", sector))

    def write_db_to_brightway(self, name):
        FakeNewDatabase.calls.append(("write", name))
        write_premise_fixture(dict(zip([s["year"] for s in self.kwargs["scenarios"]], name)))


@pytest.mark.parametrize("route", ["key", "iam_dir"])
def test_premise_call_wiring(monkeypatch, tmp_path, route):
    from lca_sh_ev import premise_grids
    from lca_sh_ev.setup import setup

    key = "k" * 44
    monkeypatch.setattr(premise_grids, "_new_database", FakeNewDatabase)
    FakeNewDatabase.calls = []
    if route == "key":
        monkeypatch.setenv("LCA_TEST_PREMISE_KEY", key)
        req = PremiseGrids("image", "SSP2-Base", [2050, 2030], key_env="LCA_TEST_PREMISE_KEY")
    else:
        (tmp_path / "image_SSP2-Base.csv").write_text("stand-in\n")
        req = PremiseGrids("image", "SSP2-Base", [2030, 2050], iam_dir=str(tmp_path))
    project = f"test-premise-wiring-{route}"
    setup(project=project)
    setup(project=project, background=f"bw:{project}:{SURR}", ei_version="3.8", grids=req)
    (kind, init), (_, sector), (_, names) = FakeNewDatabase.calls
    assert sector == "electricity"
    assert init["source_db"] == SURR and init["source_version"] == "3.8" and init["biosphere_name"] == "biosphere3"
    assert [s["year"] for s in init["scenarios"]] == [2030, 2050]
    assert all(s["model"] == "image" and s["pathway"] == "SSP2-Base" for s in init["scenarios"])
    if route == "key":
        assert init["key"] == key and all("filepath" not in s for s in init["scenarios"])
    else:
        assert init["key"] is None and all(s["filepath"] == str(tmp_path) for s in init["scenarios"])
    assert names == [f"{SURR}_image_SSP2-Base_2030", f"{SURR}_image_SSP2-Base_2050"]
    marker_text = (bd.projects.dir / "lca_sh_ev_setup.json").read_text()
    assert key not in marker_text  # the key is never stored
    marker = json.loads(marker_text)
    assert marker["grids"]["databases"] == {"2030": names[0], "2050": names[1]}
    # a second set-up keeps the premise grids without running premise again
    FakeNewDatabase.calls = []
    assert not setup(project=project, background=f"bw:{project}:{SURR}").changed
    assert FakeNewDatabase.calls == []


@pytest.mark.parametrize("iam", ["image", "remind", "message"])
def test_iam_regions_agree_with_premise_geomap(iam):
    """Our region table is premise's own mapping of ecoinvent's US and MX."""
    from premise.geomap import Geomap

    from lca_sh_ev.premise_grids import IAM_REGIONS

    geo = Geomap(iam)
    assert IAM_REGIONS[iam] == {r: geo.ecoinvent_to_iam_location(r) for r in ("US", "MX")}


def test_premise_input_errors_become_one_line(monkeypatch):
    from lca_sh_ev import premise_grids
    from lca_sh_ev.backgrounds import parse_background

    def refuse(**kwargs):
        raise ValueError("Only ['SSP2-Base'] are currently supported, not SSP9.")

    monkeypatch.setattr(premise_grids, "_new_database", refuse)
    monkeypatch.setenv("LCA_TEST_PREMISE_KEY", "k" * 44)
    bg = parse_background(f"bw:{PROJECT}:{SURR}", "3.8")
    with pytest.raises(UserInputError, match=r"premise refused the request \(image, SSP9, \[2030\].*not SSP9"):
        premise_grids.build_databases(PremiseGrids("image", "SSP9", [2030], key_env="LCA_TEST_PREMISE_KEY"), bg)
