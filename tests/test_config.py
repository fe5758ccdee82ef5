"""Broken configs give one clear line (exit 2 from the CLI) and write nothing."""

import pytest
import yaml
from typer.testing import CliRunner

from lca_sh_ev.cli import app
from lca_sh_ev.config import load_scenario, scenario_from_dict
from lca_sh_ev.errors import UserInputError

BASE = {"pathways": [{"vehicle": "tesla_model_y", "market": "SH"}], "export_ages": [1, 5]}


def _with(**changes):
    d = {**BASE, **changes}
    return d


def test_default_config_is_valid_and_covers_table_1():
    s = load_scenario()
    assert {p.id for p in s.pathways} == {
        "nissan_versa/MX", "toyota_prius/US", "toyota_prius/SH", "chevrolet_bolt/US", "chevrolet_bolt/SH",
        "jac_e10x/MX", "tesla_model_y/US", "tesla_model_y/SH", "tesla_model_y/MX"}
    assert s.export_ages == list(range(1, 21))
    assert s.include_average_export_age and s.us_recycling_route == "pyrometallurgy"


@pytest.mark.parametrize("raw, message", [
    (_with(pathways=[{"vehicle": "ford_t", "market": "US"}]), "pathways.0.vehicle' = 'ford_t': unknown vehicle"),
    (_with(pathways=[{"vehicle": "tesla_model_y", "market": "CA"}]), "pathways.0.market' = 'CA'"),
    (_with(export_ages=[-1]), "export age -1 must be a whole number of years >= 1"),
    (_with(export_ages=[2.5]), "export_ages.0' = 2.5"),
    (_with(export_ages=["3"]), "export_ages.0' = '3'"),
    (_with(categories=["climate change", "happiness"]), "happiness"),
    (_with(us_recycling_route="composting"), "us_recycling_route' = 'composting'"),
    (_with(colour="red"), "colour' = 'red': unknown field"),
    (_with(comparisons=[{"name": "x", "reference": "nissan_versa/MX", "alternative": "tesla_model_y/SH"}]),
     "comparisons.0.reference' = 'nissan_versa/MX': not one of the pathways"),
])
def test_bad_config_values_name_field_value_and_allowed(raw, message):
    with pytest.raises(UserInputError) as err:
        scenario_from_dict(raw, "cfg.yaml")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_malformed_yaml_and_missing_file(tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text("pathways: [vehicle: tesla_model_y\n  market: : US")
    with pytest.raises(UserInputError, match="broken.yaml: malformed YAML"):
        load_scenario(f)
    with pytest.raises(UserInputError, match="not found"):
        load_scenario(tmp_path / "nope.yaml")


@pytest.mark.parametrize("raw", [
    _with(export_ages=[0]),
    _with(pathways=[{"vehicle": "ford_t", "market": "US"}]),
    "pathways: [[[",
])
def test_cli_run_with_broken_config_exits_2_and_writes_nothing(tmp_path, raw):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--config", str(cfg), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")
    assert not out.exists()


def test_cli_setup_with_unknown_background_exits_2():
    result = CliRunner().invoke(app, ["setup", "--background", "ecoinvent-4.2"])
    assert result.exit_code == 2
    assert "unknown background 'ecoinvent-4.2'; allowed: surrogate" in result.output


def test_cli_mfa_with_broken_config_exits_2_and_writes_nothing(tmp_path):
    cfg = tmp_path / "m.yaml"
    cfg.write_text("scenario: Scn7\n")
    out = tmp_path / "mfa"
    result = CliRunner().invoke(app, ["mfa", "--config", str(cfg), "--out", str(out)])
    assert result.exit_code == 2
    assert "'scenario' = 'Scn7'" in result.output and "Scn1" in result.output
    assert not out.exists()
