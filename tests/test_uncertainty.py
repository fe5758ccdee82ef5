"""Monte Carlo over foreground parameters: distributions, seeding, and the default = main job equality."""

import numpy as np
import pytest

from lca_sh_ev import uncertainty as unc
from lca_sh_ev.errors import UserInputError

PROJECT = "test-uncertainty"


def test_distributions_inverse_cdf_hand_values():
    u = np.array([0.0, 0.25, 0.5, 0.999999])
    uni = unc.Distribution("x", "uniform", 2.0, np.nan, 4.0, 3.0, "-")
    np.testing.assert_allclose(uni.ppf(u), [2.0, 2.5, 3.0, 3.999998])
    disc = unc.Distribution("age", "discrete_uniform", 8, np.nan, 10, 9, "year")
    np.testing.assert_array_equal(disc.ppf(np.array([0.0, 0.33, 0.34, 0.66, 0.67, 0.999])), [8, 8, 9, 9, 10, 10])
    # triangular(0, 1, 2): F(x) = x^2/2 below the mode -> x = sqrt(2u); symmetric above
    tri = unc.Distribution("t", "triangular", 0.0, 1.0, 2.0, 1.0, "-")
    np.testing.assert_allclose(tri.ppf(np.array([0.125, 0.5, 0.875])), [0.5, 1.0, 1.5])


def test_distributions_per_pathway_follow_the_powertrain_and_market():
    bev_sh = unc.distributions("tesla_model_y", "BEV", "SH")
    assert set(bev_sh) == {"degradation_rate_mid", "knee_age_mid", "soh_threshold", "rte_fade_per_year",
                           "mx_fleet_km", "td_loss_factor", "consumption_factor", "export_age",
                           "recovery_ni_co_cu", "brake_wear_factor"}
    assert bev_sh["consumption_factor"].high == pytest.approx(121 / 112, rel=1e-5)  # EPA combined / highway
    icev_mx = unc.distributions("nissan_versa", "ICEV", "MX")
    assert set(icev_mx) == {"mx_fleet_km", "td_loss_factor", "consumption_factor"}
    hev_us = unc.distributions("toyota_prius", "HEV", "US")
    assert "mx_fleet_km" not in hev_us and "export_age" not in hev_us and "rte_fade_per_year" not in hev_us


def test_every_default_lies_in_its_range_and_matches_the_main_job_inputs():
    from lca_sh_ev.inputs import average_export_age
    from lca_sh_ev.models.params import load_parameters

    p = load_parameters()
    d = unc.distributions("tesla_model_y", "BEV", "SH")
    assert d["degradation_rate_mid"].default == pytest.approx(p.battery["li_ion"].degradation_rate)
    assert d["knee_age_mid"].default == pytest.approx(p.battery["li_ion"].knee_age)
    assert d["soh_threshold"].default == p.battery["li_ion"].soh_threshold
    assert d["rte_fade_per_year"].default == p.rte_fade_per_year
    assert d["mx_fleet_km"].default == p.mx_fleet_km
    assert d["export_age"].default == average_export_age()


def test_same_seed_same_draws_other_seed_other_draws():
    d = unc.distributions("tesla_model_y", "BEV", "SH")
    a, b, c = unc.sample(d, 500, 7), unc.sample(d, 500, 7), unc.sample(d, 500, 8)
    for k in d:
        np.testing.assert_array_equal(a[k], b[k])
        assert d[k].low <= a[k].min() and a[k].max() <= d[k].high
    assert not np.array_equal(a["td_loss_factor"], c["td_loss_factor"])
    assert set(np.unique(a["export_age"])) == {8.0, 9.0, 10.0}


def test_zero_draws_is_a_user_error():
    with pytest.raises(UserInputError, match="at least 1 draw"):
        unc.sample(unc.distributions("tesla_model_y", "BEV", "SH"), 0, 1)


def test_weibull_grid_is_exact_at_the_defaults_and_close_between_nodes():
    from lca_sh_ev.models.params import load_parameters

    d = unc.distributions("tesla_model_y", "BEV", "SH")
    fit = load_parameters().battery["li_ion"].failure_weibull()
    scale, shape = unc.failure_weibull("li_ion", d, unc.defaults(d))
    assert scale[0] == fit["scale"] and shape[0] == fit["shape"]
    # an off-grid point: interpolation vs the exact fit of the shifted ranges
    import dataclasses

    b0 = load_parameters().battery["li_ion"]
    b = dataclasses.replace(b0, degradation_rate_low=0.0175, degradation_rate_high=0.0275, knee_age_low=8.3,
                            knee_age_high=10.3, soh_threshold=0.73)
    exact = b.failure_weibull()
    values = {"degradation_rate_mid": np.array([0.0225]), "knee_age_mid": np.array([9.3]),
              "soh_threshold": np.array([0.73])}
    s, k = unc.failure_weibull("li_ion", d, values)
    # measured over random points: scale within 0.7 %, shape within 6 % (the fitted shape is itself noisy)
    assert s[0] == pytest.approx(exact["scale"], rel=0.01)
    assert k[0] == pytest.approx(exact["shape"], rel=0.07)


@pytest.fixture(scope="module")
def model_y_sh():
    from lca_sh_ev.config import load_scenario
    from lca_sh_ev.sensitivity import building_blocks

    scenario = load_scenario().model_copy(update={"project": PROJECT})
    return building_blocks("tesla_model_y/SH", scenario)


def _main_job_totals(ctx, cases):
    from lca_sh_ev.foreground import FG_DB

    return np.stack([ctx["scores"].of(ctx["ids"][(FG_DB, c.code)]) for c in cases])


@pytest.mark.parametrize("pathway", ["tesla_model_y/SH", "toyota_prius/SH", "nissan_versa/MX",
                                     "chevrolet_bolt/US", "jac_e10x/MX"])
def test_defaults_reproduce_the_main_job_for_every_case_and_category(pathway, model_y_sh):
    """Blocks x amounts at the default parameters = the main job's per-km totals (1e-9), all export ages."""
    from lca_sh_ev.sensitivity import building_blocks

    blocks, ctx = model_y_sh if pathway == "tesla_model_y/SH" else building_blocks(pathway, ctx_scenario(model_y_sh))
    v = ctx["cases"][0].vehicle
    dists = unc.distributions(v.vehicle, v.powertrain, blocks.market)
    values = unc.defaults(dists, len(ctx["cases"]))
    if "export_age" in values:
        values["export_age"] = np.array([c.export_age for c in ctx["cases"]], dtype=float)
    main = _main_job_totals(ctx, ctx["cases"])
    assert len(main) == (20 if blocks.market == "SH" else 1)
    written = unc.evaluate(blocks, dists, values, as_written=True)
    np.testing.assert_allclose(written, main, rtol=1e-9, atol=1e-12 * np.abs(main).max())
    # in float64 (no float32 storage rounding) the difference is Brightway's storage precision only
    exact = unc.evaluate(blocks, dists, values)
    np.testing.assert_allclose(exact, main, rtol=2e-7, atol=1e-12 * np.abs(main).max())
    assert np.any(np.abs(exact - main) > 0)  # the float32 rounding is real and is what as_written removes


def ctx_scenario(model_y_sh):
    return model_y_sh[1]["scenario"]


def test_monte_carlo_is_identical_for_the_same_seed(model_y_sh):
    from lca_sh_ev.sensitivity import monte_carlo

    blocks, ctx = model_y_sh
    v = ctx["cases"][0].vehicle
    dists = unc.distributions(v.vehicle, v.powertrain, blocks.market)
    v1, y1 = monte_carlo(blocks, dists, 2000, seed=11)
    v2, y2 = monte_carlo(blocks, dists, 2000, seed=11)
    _, y3 = monte_carlo(blocks, dists, 2000, seed=12)
    _, y4 = monte_carlo(blocks, dists, 2000, seed=11, chunk=700)
    np.testing.assert_array_equal(y1, y2)
    for k in v1:
        np.testing.assert_array_equal(v1[k], v2[k])
    assert not np.array_equal(y1, y3)
    np.testing.assert_allclose(y4, y1, rtol=1e-12, atol=1e-18)  # chunking changes only the last bits
    assert np.all(np.isfinite(y1))


def test_parameters_move_results_in_the_expected_direction(model_y_sh):
    """Higher consumption and higher T&D losses raise GWP100 per km; better Ni/Co/Cu recovery lowers it."""
    blocks, ctx = model_y_sh
    v = ctx["cases"][0].vehicle
    dists = unc.distributions(v.vehicle, v.powertrain, blocks.market)
    k = [i for i, m in enumerate(blocks.methods) if "climate change" in m[1]][0]
    base = unc.evaluate(blocks, dists, unc.defaults(dists))[0, k]
    for name, value, sign in (("consumption_factor", 1.08, +1), ("td_loss_factor", 1.2, +1),
                              ("recovery_ni_co_cu", 0.98, -1)):
        vals = unc.defaults(dists)
        vals[name] = np.array([value])
        assert np.sign(unc.evaluate(blocks, dists, vals)[0, k] - base) == sign, name


@pytest.mark.parametrize("args, message", [
    (["--pathway", "tesla_model_y/XX"], "--pathway 'tesla_model_y/XX' is not in the scenario"),
    (["--samples", "1"], "--samples 1"),
])
def test_sensitivity_cli_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    from typer.testing import CliRunner

    from lca_sh_ev.cli import app

    result = CliRunner().invoke(app, ["sensitivity", "--out", str(tmp_path / "s"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "s").exists()
