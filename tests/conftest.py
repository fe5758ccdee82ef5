"""Test set-up: every test session runs in a fresh temporary Brightway directory, offline."""

import os
import tempfile

# bw2data reads BRIGHTWAY2_DIR at import time, so this must run before any test imports it.
_BW_DIR = tempfile.mkdtemp(prefix="lca-sh-ev-bw-")
os.environ["BRIGHTWAY2_DIR"] = _BW_DIR
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def bw_dir():
    """The temporary Brightway data directory of this test session."""
    return _BW_DIR
