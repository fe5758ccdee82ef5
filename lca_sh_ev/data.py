"""Loading the bundled data files.

Every number about the world lives in a CSV row that carries its ``unit`` and
``source`` (and a ``note`` where a choice was made).  This module finds the
data directory (in a checkout or after a non-editable install), reads the
tables, and checks that contract so a malformed row is reported with its file,
row and field.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pandas as pd

from .errors import UserInputError

#: Columns every data table must carry, non-empty on every row.
PROVENANCE_COLUMNS = ("unit", "source")

#: Environment variable that points the loaders at another data directory
#: (a copy of ``inventories/``), e.g. for a reviewer's modified data set.
DATA_DIR_ENV = "LCA_SH_EV_DATA_DIR"


def data_dir() -> Path:
    """Directory that holds the bundled ``inventories`` data."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        path = Path(override)
        if not path.is_dir():
            raise UserInputError(
                f"{DATA_DIR_ENV}={override!r} is not a directory; "
                "point it at a copy of the bundled inventories/ folder or unset it"
            )
        return path
    return Path(str(resources.files("lca_sh_ev.inventories")))


def methods_dir() -> Path:
    """Directory that holds the bundled ``methods`` data."""
    return Path(str(resources.files("lca_sh_ev.methods_data")))


def data_path(relative: str) -> Path:
    """Absolute path of a bundled data file; a clear error if it is missing."""
    path = data_dir() / relative
    if not path.is_file():
        raise UserInputError(
            f"data file {relative!r} not found in {data_dir()}; "
            "reinstall the package or restore the file"
        )
    return path


def read_table(
    relative: str | Path,
    required: tuple[str, ...] = (),
    numeric: tuple[str, ...] = (),
    provenance: bool = True,
) -> pd.DataFrame:
    """Read a bundled CSV table and check its contract.

    Parameters
    ----------
    relative : str or Path
        Path relative to the data directory (or an absolute path).
    required : tuple of str
        Columns that must exist and be non-empty on every row.
    numeric : tuple of str
        Columns that must parse as finite numbers on every row.
    provenance : bool
        Require non-empty ``unit`` and ``source`` on every row.

    Returns
    -------
    pandas.DataFrame
        The table, with ``numeric`` columns as float.

    Raises
    ------
    UserInputError
        Missing file, missing column, empty required cell, non-numeric value;
        the message names the file, the row (1-based, header = row 1) and the field.
    """
    path = Path(relative)
    if not path.is_absolute():
        path = data_path(str(relative))
    elif not path.is_file():
        raise UserInputError(f"data file {str(path)!r} not found")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    except Exception as exc:  # pandas raises several parser errors
        raise UserInputError(f"data file {path.name!r} cannot be parsed as CSV: {exc}") from exc
    must = tuple(required) + (PROVENANCE_COLUMNS if provenance else ()) + tuple(numeric)
    for column in dict.fromkeys(must):
        if column not in table.columns:
            raise UserInputError(
                f"data file {path.name!r} has no column {column!r}; "
                f"columns found: {', '.join(table.columns)}"
            )
        blank = table[column].str.strip() == ""
        if blank.any():
            row = int(blank.to_numpy().nonzero()[0][0]) + 2
            raise UserInputError(
                f"data file {path.name!r} row {row}: field {column!r} is empty; "
                f"every row needs a {column}"
            )
    for column in numeric:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() | ~values.apply(lambda v: pd.notna(v) and abs(v) != float("inf"))
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 2
            raise UserInputError(
                f"data file {path.name!r} row {row}: field {column!r} = "
                f"{table[column].iloc[row - 2]!r} is not a finite number"
            )
        table[column] = values.astype(float)
    return table


def all_data_tables() -> list[Path]:
    """Every CSV file under the data directory (used by the provenance test)."""
    return sorted(p for p in data_dir().rglob("*.csv"))
