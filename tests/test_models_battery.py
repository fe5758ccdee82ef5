"""Battery state of health (eq. 2), failure Weibull, warranty replacement rule."""

import numpy as np
import pytest

from lca_sh_ev.models import battery as B
from lca_sh_ev.models.params import load_parameters

P = load_parameters()


def test_soh_is_one_when_new_and_non_increasing():
    a = np.linspace(0, 15, 301)
    soh = B.battery_soh(a, 0.025, 9.0, 1.0)
    assert soh[0] == 1.0
    assert np.all(np.diff(soh) <= 0)


def test_soh_hand_computed_before_and_after_knee():
    assert B.battery_soh(9.0, 0.025, 9.0, 1.0) == pytest.approx(1 - 0.025 * 9)  # 0.775
    # 1 - 0.025 * 10 * e^(1*(10-9)) = 0.320429
    assert B.battery_soh(10.0, 0.025, 9.0, 1.0) == pytest.approx(1 - 0.25 * np.e)


@pytest.mark.parametrize("decay", [0.1, 0.5, 1.0, 2.0])
def test_soh_is_continuous_at_the_knee(decay):
    left = B.battery_soh(9.0, 0.025, 9.0, decay)
    right = B.battery_soh(9.0 + 1e-9, 0.025, 9.0, decay)
    assert right == pytest.approx(left, abs=1e-9)


def test_soh_broadcasts_over_parameter_draws():
    rates = np.array([0.02, 0.025, 0.03])[:, None]
    soh = B.battery_soh(np.arange(5)[None, :], rates, 9.0, 1.0)
    assert soh.shape == (3, 5)
    assert soh[2, 4] == pytest.approx(1 - 0.12)


def test_failure_age_hand_computed_linear_branch():
    # knee beyond failure: 1 - 0.02 a = 0.75 -> a = 12.5
    assert B.failure_age(0.02, 20.0, 1.0, 0.75) == pytest.approx(12.5)


def test_weibull_fit_error_below_bound():
    fit = P.battery["li_ion"].failure_weibull()
    # failure ages over Dr in [2, 3] %/yr, k in [8, 10] yr span 8.04-10.20 yr
    ages = B.failure_ages(0.02, 0.03, 8, 10, 1.0, 0.75)
    assert ages.min() == pytest.approx(8.036, abs=1e-3) and ages.max() == pytest.approx(10.203, abs=1e-3)
    assert fit["ks_error"] < 0.12  # measured 0.109
    assert fit["rmse"] < 0.05  # measured 0.048
    assert fit["scale"] == pytest.approx(9.17, abs=0.01)


def test_weibull_fit_of_a_single_failure_age_is_a_step_at_that_age():
    fit = B.fit_failure_weibull(0.02, 0.02, 20.0, 20.0, 1.0, 0.75)
    assert fit["scale"] == pytest.approx(12.5)


def test_annual_failure_probability_hand_computed_exponential():
    # shape 1 -> constant hazard: q = 1 - exp(-1/scale)
    q = B.annual_failure_probability(np.arange(5), 10.0, 1.0)
    assert q == pytest.approx(np.full(5, 1 - np.exp(-0.1)))


def test_warranty_fraction_years_and_distance_whichever_first():
    # 7th year of an 8-year warranty, far from the km limit: fully inside
    assert B.warranty_fraction(7, 50_000, 20_000, 8, 160_934) == 1.0
    # km limit crossed during the year: (160934 - 150000) / 20000
    assert B.warranty_fraction(5, 150_000, 20_000, 8, 160_934) == pytest.approx(0.5467)
    # after the term, nothing
    assert B.warranty_fraction(8, 0, 10_000, 8, 160_934) == 0.0
    assert B.warranty_fraction(3, 170_000, 10_000, 8, 160_934) == 0.0


def test_no_replacement_after_export_or_after_warranty():
    assert B.replacement_probability(1.0, False) == 0.0
    assert B.replacement_probability(0.0, True) == 0.0
    assert B.replacement_probability(0.4, True) == pytest.approx(0.4)
