"""Survival (eq. 1), travel by age, and the Mexico calibration."""

import numpy as np
import pytest

from lca_sh_ev.models import lifetime as L
from lca_sh_ev.models.params import load_parameters

P = load_parameters()
AGES = np.arange(0, 41)


@pytest.mark.parametrize("cls", ["car", "light_truck"])
def test_us_survival_starts_at_one_and_is_non_increasing_in_unit_interval(cls):
    s = L.survival_us(AGES, cls, P)
    assert s[0] == 1.0
    assert np.all(np.diff(s) <= 0)
    assert np.all((s >= 0) & (s <= 1))


def test_us_car_survival_reproduces_tedb_values():
    # TEDB Ed. 40 Table 3.15 cars: age 10 = 0.862, 20 = 0.157, 25 = 0.040; 0 beyond age 30
    assert L.survival_us([10, 20, 25, 31], "car", P) == pytest.approx([0.862, 0.157, 0.040, 0.0])
    # age 21 comes from NHTSA Table 3 at NHTSA age 20 (0.1200): TEDB age = NHTSA age + 1
    assert L.survival_us(21, "car", P) == pytest.approx(0.1200)


def test_light_truck_weibull_passes_through_both_tedb_points():
    assert L.survival_us([15, 20], "light_truck", P) == pytest.approx([0.553, 0.324], abs=1e-12)
    # median = scale * ln2^(1/shape) ~ 16.1 yr, vs 16.0 yr quoted with TEDB 3.15
    median = P.us_light_truck_scale * np.log(2) ** (1 / P.us_light_truck_shape)
    assert median == pytest.approx(16.09, abs=0.01)


def test_mexico_survival_is_non_increasing_and_calibrated_to_mean_fleet_age():
    s = L.survival_mx(AGES, P)
    assert s[0] == 1.0 and np.all(np.diff(s) <= 0) and np.all(s >= 0)
    assert L.fleet_mean_age(P.mx_scale, P.mx_shape, P.mx_fleet_growth) == pytest.approx(10.69, abs=1e-6)
    # the Mexican shape is that of the US car table
    assert P.mx_shape == pytest.approx(L.fit_weibull_survival(P.us_car_survival_age, P.us_car_survival)[1])


def test_fleet_mean_age_hand_computed_for_exponential_survival():
    # shape 1, scale 10, no growth, mid-year ages: mean = 0.5 + 1/(e^0.1 - 1) = 10.00833
    assert L.fleet_mean_age(10.0, 1.0, 0.0, max_age=2000) == pytest.approx(0.5 + 1 / (np.exp(0.1) - 1), rel=1e-9)


@pytest.mark.parametrize("cls", ["car", "light_truck"])
@pytest.mark.parametrize("ax", [1, 5, 10, 15, 20])
def test_isc_equals_us_survival_up_to_export_age_and_is_continuous(cls, ax):
    isc = L.integrated_survival(AGES, ax, cls, P)
    sus = L.survival_us(AGES, cls, P)
    assert np.array_equal(isc[: ax + 1], sus[: ax + 1])
    # right limit at aX equals Sus(aX): Smx conditional on reaching aX
    right = L.integrated_survival(ax + 1e-9, ax, cls, P)
    assert right == pytest.approx(sus[ax], rel=1e-8)
    assert np.all(np.diff(isc) <= 1e-15) and np.all((isc >= 0) & (isc <= 1))


def test_isc_after_export_is_us_survival_times_conditional_mexico_survival():
    ax, a = 10, 14
    expected = 0.862 * L.survival_mx(a, P) / L.survival_mx(ax, P)
    assert L.integrated_survival(a, ax, "car", P) == pytest.approx(expected)


def test_isc_is_vectorised_over_export_ages():
    ax = np.arange(1, 21)
    isc = L.integrated_survival(AGES[None, :], ax[:, None], "car", P)
    assert isc.shape == (20, 41)
    assert np.allclose(isc[4], L.integrated_survival(AGES, 5, "car", P))


def test_us_vmt_is_tedb_table_in_km():
    assert L.vmt_us(0, "car", P) == pytest.approx(13843 * 1.609344, abs=0.1)
    assert L.vmt_us(10, "light_truck", P) == pytest.approx(11595 * 1.609344, abs=0.1)
    assert L.vmt_us(35, "car", P) == pytest.approx(5358 * 1.609344, abs=0.1)  # flat beyond age 30


def test_mexico_vkt_is_proportional_to_survival_and_averages_to_fleet_value():
    a = np.arange(200) + 0.5
    v = L.vkt_mx(a, P)
    s = L.survival_mx(a, P)
    ratio = v / np.where(s > 0, s, np.nan)
    assert np.nanmax(ratio) == pytest.approx(np.nanmin(ratio))
    n = s * np.exp(-P.mx_fleet_growth * a)
    assert np.sum(n * v) / np.sum(n) == pytest.approx(13500.0)


def test_weibull_through_two_points_hand_computed():
    # S = exp(-(a/10)^2): S(5) = exp(-0.25), S(10) = exp(-1)
    scale, shape = L.weibull_through_two_points(5, np.exp(-0.25), 10, np.exp(-1.0))
    assert scale == pytest.approx(10.0) and shape == pytest.approx(2.0)
