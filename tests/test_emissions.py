"""Non-exhaust emissions: hand-computed Beddows & Harrison factors."""

import pytest

from lca_sh_ev.emissions import PM10_25, PM25, non_exhaust_per_km, wear_factor_mg_per_km

URBAN = "air::urban air close to ground"
RURAL = "air::non-urban air or from high stacks"


def test_wear_factor_formula():
    assert wear_factor_mg_per_km(5.8, 2.3, 1.0) == pytest.approx(5.8)
    assert wear_factor_mg_per_km(5.8, 2.3, 2.0) == pytest.approx(5.8 * 2 ** (1 / 2.3))


def test_versa_tyre_and_brake_pm25_by_hand():
    # Versa: W = (1215.6 + 136.078) / 1000 t; urban share 0.55, rural 0.45 (non_exhaust.csv)
    w = (1215.6 + 136.078) / 1000
    tyre_urban = 0.55 * 5.8 * w ** (1 / 2.3)
    brake_urban = 0.55 * 4.2 * w ** (1 / 1.9)  # ICEV brake factor 1.0
    road_urban = 0.55 * 2.8 * w ** (1 / 1.5)
    got = non_exhaust_per_km(1215.6, "ICEV")
    assert got[(PM25, URBAN)] == pytest.approx((tyre_urban + brake_urban + road_urban) * 1e-6, rel=1e-9)


def test_regenerative_braking_halves_brake_copper():
    ice = non_exhaust_per_km(1500.0, "ICEV")
    bev = non_exhaust_per_km(1500.0, "BEV")
    w = (1500.0 + 136.078) / 1000
    # copper: tyre + road identical; brake part scaled by 0.5
    brake_cu_urban = 0.55 * 11 * w ** (1 / 1.9) / 0.98 * 0.0510667 * 1e-6
    assert ice[("Copper ion", URBAN)] - bev[("Copper ion", URBAN)] == pytest.approx(0.5 * brake_cu_urban, rel=1e-6)
    assert bev[(PM10_25, RURAL)] < ice[(PM10_25, RURAL)]


def test_heavier_vehicle_emits_more():
    light, heavy = non_exhaust_per_km(1200, "BEV"), non_exhaust_per_km(2100, "BEV")
    assert all(heavy[k] > light[k] for k in light)
