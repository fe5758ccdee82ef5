"""Every bundled data row carries a unit and a source; malformed files give one clear error."""

import pandas as pd
import pytest

from lca_sh_ev.data import all_data_tables, read_table
from lca_sh_ev.errors import UserInputError


def test_there_are_data_tables():
    names = {p.name for p in all_data_tables()}
    assert {"generation.csv", "td_losses.csv", "vehicles.csv"} <= names


@pytest.mark.parametrize("path", all_data_tables(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_row_has_unit_and_source(path):
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("unit", "source"):
        assert column in table.columns, f"{path.name} has no {column!r} column"
        empty = table.index[table[column].str.strip() == ""].tolist()
        assert not empty, f"{path.name}: rows {[i + 2 for i in empty]} have no {column}"


def test_missing_source_names_file_row_and_field(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("parameter,value,unit,source\nx,1,kg,somewhere\ny,2,kg,\n")
    with pytest.raises(UserInputError, match=r"'bad.csv' row 3: field 'source' is empty"):
        read_table(f)


def test_non_numeric_value_is_reported(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("parameter,value,unit,source\nx,abc,kg,s\n")
    with pytest.raises(UserInputError, match=r"row 2: field 'value' = 'abc' is not a finite number"):
        read_table(f, numeric=("value",))


def test_missing_column_and_missing_file(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("parameter,value,source\nx,1,s\n")
    with pytest.raises(UserInputError, match="has no column 'unit'"):
        read_table(f)
    with pytest.raises(UserInputError, match="not found"):
        read_table("grid/does_not_exist.csv")
