"""Energy helpers and battery end-of-life rules."""

import numpy as np
import pytest

from lca_sh_ev.models import energy as E
from lca_sh_ev.models import eol


def test_rte_factor_hand_computed():
    assert E.rte_energy_factor(0, 0.001314) == 1.0
    assert E.rte_energy_factor(10, 0.001314) == pytest.approx(1 / (1 - 0.01314))
    assert E.kwh_per_km_plug(0.176, 10, 0.001314) == pytest.approx(0.176 / 0.98686)


def test_kwh_generated_applies_loss_once():
    assert E.kwh_generated(100.0, 0.05) == pytest.approx(100 / 0.95)
    with pytest.raises(ValueError):
        E.kwh_generated(1.0, 1.0)


def test_fuel_litres():
    assert E.fuel_litres(np.array([1000.0, 0.0]), 0.0672) == pytest.approx([67.2, 0.0])


def test_eol_rules():
    # US: always recycled; SH: recycled only if it ends in the US; MX-sold: recycled inside warranty
    assert eol.p_recycled_at_end("US", True, 0.0) == 1.0
    assert eol.p_recycled_at_end("SH", True, 1.0) == 0.0
    assert eol.p_recycled_at_end("SH", False, 0.0) == 1.0
    assert eol.p_recycled_at_end("MX", True, 0.3) == pytest.approx(0.3)
    assert eol.p_recycled_replaced() == 1.0
    with pytest.raises(ValueError):
        eol.p_recycled_at_end("CA", True, 0.0)
