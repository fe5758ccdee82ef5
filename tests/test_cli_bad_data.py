"""Bad bundled data (a missing file, a malformed row) give one line and exit code 2, with nothing written."""

import shutil

import pytest
from typer.testing import CliRunner

from lca_sh_ev.cli import app
from lca_sh_ev.data import DATA_DIR_ENV, data_dir


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    copy = tmp_path / "inventories"
    shutil.copytree(data_dir(), copy)
    monkeypatch.setenv(DATA_DIR_ENV, str(copy))
    return copy


def _setup(project):
    return CliRunner().invoke(app, ["setup", "--project", project])


def _project_exists(name):
    import bw2data as bd

    return name in bd.projects


def test_missing_data_file_exits_2(data_copy):
    (data_copy / "grid" / "td_losses.csv").unlink()
    result = _setup("bad-data-missing")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "data file 'grid/td_losses.csv' not found" in result.output


def test_malformed_number_exits_2_naming_file_row_field(data_copy):
    path = data_copy / "grid" / "td_losses.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("value")] = "twelve percent"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    result = _setup("bad-data-number")
    assert result.exit_code == 2
    assert "'td_losses.csv' row 2: field 'value' = 'twelve percent' is not a finite number" in result.output


def test_row_without_source_exits_2_and_writes_no_database(data_copy):
    import bw2data as bd

    path = data_copy / "surrogate" / "activities_energy.csv"
    import pandas as pd

    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    t.loc[3, "source"] = ""
    t.to_csv(path, index=False)
    result = _setup("bad-data-source")
    assert result.exit_code == 2
    assert "'activities_energy.csv' row 5: field 'source' is empty" in result.output
    bd.projects.set_current("bad-data-source")
    assert "lca-sh-ev surrogate background" not in bd.databases


def test_data_dir_override_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "nope"))
    result = _setup("bad-data-dir")
    assert result.exit_code == 2
    assert "is not a directory" in result.output
