"""Benchmark machinery: synthetic background structure, bench on the surrogate prints its ratios (no timings asserted)."""

import json

import numpy as np
import pytest

from lca_sh_ev import synthetic

PROJECT = "test-bench"


def test_synthetic_background_has_ecoinvent_like_density_and_structure():
    bg = synthetic.generate(2000, seed=3, flow_ids=np.arange(1, 1500))
    s = synthetic.structure_summary(bg)
    assert s["markets"] == 400
    assert 10.5 <= s["technosphere_inputs_per_activity"] <= 13.5
    assert 22 <= s["biosphere_entries_per_activity"] <= 28
    rows, cols = bg.tech_indices[:, 0], bg.tech_indices[:, 1]
    market = set(bg.market_ids.tolist())
    producers_cols = ~np.isin(cols, bg.market_ids)
    assert np.isin(rows[producers_cols], bg.market_ids).all()  # producers buy only from markets
    # markets buy their product from producers (plus two transport markets)
    m_cols = np.isin(cols, bg.market_ids)
    from_producers = ~np.isin(rows[m_cols], bg.market_ids)
    assert from_producers.sum() == len(bg.activity_ids) - len(market)  # every producer sells to one market
    # a few popular markets: the most-bought market row is far above the mean
    counts = np.bincount(rows - synthetic.ID_OFFSET)
    assert counts.max() > 50 * counts.mean()
    # no duplicate matrix entries
    assert len(np.unique(bg.tech_indices, axis=0)) == len(bg.tech_indices)


def test_synthetic_background_is_seeded():
    a = synthetic.generate(500, seed=1, flow_ids=np.arange(100))
    b = synthetic.generate(500, seed=1, flow_ids=np.arange(100))
    c = synthetic.generate(500, seed=2, flow_ids=np.arange(100))
    np.testing.assert_array_equal(a.tech_indices, b.tech_indices)
    np.testing.assert_array_equal(a.bio_amounts, b.bio_amounts)
    assert not np.array_equal(a.tech_amounts, c.tech_amounts) or len(a.tech_amounts) != len(c.tech_amounts)


def test_too_small_synthetic_background_is_refused():
    with pytest.raises(ValueError, match="at least 100"):
        synthetic.generate(10)


def test_synthetic_system_is_solvable_and_proxies_pass_one_unit_through():
    """A tiny system on the datapackage: a proxy's score equals its synthetic market's score."""
    import bw2calc as bc
    import bw_processing as bwp
    import scipy.sparse.linalg as sla

    bg = synthetic.generate(300, seed=5, flow_ids=np.arange(1, 40))
    proxies = synthetic.proxy_columns(bg, [7, 8], seed=5)
    dp = synthetic.datapackage(bg, proxies)
    cf = bwp.create_datapackage()
    flows = np.arange(1, 40)
    idx = np.empty(len(flows), dtype=bwp.INDICES_DTYPE)
    idx["row"], idx["col"] = flows, 0
    cf.add_persistent_vector(matrix="characterization_matrix", indices_array=idx, data_array=np.ones(len(flows)),
                             name="cf", global_index=0)
    lca = bc.LCA({7: 1.0}, data_objs=[dp, cf])
    lca.lci()
    lca.lcia()
    proxy_score = lca.score
    lca.lcia(demand={proxies[7]: 1.0})
    assert proxy_score == pytest.approx(lca.score, rel=1e-10)
    assert proxy_score > 0
    # the background converges: the technosphere matrix is an M-matrix-like system (positive supply)
    assert (lca.supply_array >= -1e-12).all()
    del sla


@pytest.fixture(scope="module")
def surrogate_bench():
    from lca_sh_ev.bench import run_bench

    return run_bench(project=PROJECT, repeat=1)


def test_bench_on_the_surrogate_reports_ratios_and_consistent_results(surrogate_bench, tmp_path):
    from lca_sh_ev.bench import summary_lines, write_bench

    r = surrogate_bench
    assert r["info"]["cases"] == 66 and r["info"]["methods"] == 18
    for key in ("floor_s", "sweep_s", "multilca_s"):
        assert r[key] > 0
    assert r["sweep_over_floor"] == pytest.approx(r["sweep_s"] / r["floor_s"])
    assert r["multilca_over_sweep"] == pytest.approx(r["multilca_s"] / r["sweep_s"])
    # the three calculations agree: floor FU = its sweep row; MultiLCA = sweep; stages sum to totals
    assert r["check_floor_vs_sweep_max_rel"] < 1e-9
    assert r["check_multilca_vs_sweep_max_rel"] < 1e-9
    assert r["check_stage_sum_max_rel"] < 1e-9
    lines = summary_lines(r)
    assert lines[-1] == f"sweep/floor: {r['sweep_over_floor']:.2f}"
    assert any(line.startswith("b/a: ") for line in lines) and any(line.startswith("c/b: ") for line in lines)
    written = write_bench(r, tmp_path)
    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["machine"]["nproc"] >= 1 and "node_scores" in data["profile"]
    assert (tmp_path / "profile.txt") in written


def test_bench_cli_prints_the_ratio_lines_last(tmp_path):
    from typer.testing import CliRunner

    from lca_sh_ev.cli import app

    result = CliRunner().invoke(app, ["bench", "--out", str(tmp_path / "b"), "--repeat", "1"])
    assert result.exit_code == 0, result.output
    lines = [x for x in result.stdout.splitlines() if x.strip()]
    assert lines[-1].startswith("sweep/floor: ")
    float(lines[-1].split(": ")[1])
    assert (tmp_path / "b" / "bench.json").exists()


def test_bench_cli_refuses_a_tiny_synthetic_background(tmp_path):
    from typer.testing import CliRunner

    from lca_sh_ev.cli import app

    result = CliRunner().invoke(app, ["bench", "--synthetic", "5", "--out", str(tmp_path / "b")])
    assert result.exit_code == 2
    assert "--synthetic 5" in result.output
    assert not (tmp_path / "b").exists()
