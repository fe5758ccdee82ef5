"""The fast path: characterised cradle-to-gate scores of every node with one factorization.

bw2calc builds the technosphere matrix A, the biosphere matrix B and each
method's characterisation matrix C_k for the whole system (background, grid
and foreground).  With r_k = 1ᵀ C_k B (one row per method), one solve of

    Aᵀ Y = Rᵀ

(one factorization of A, K right-hand sides) gives Y[i, k]: the score of one
unit of product i under method k.  A case activity's stage contributions are
then its exchange amounts × Y of their inputs, vectorised over cases and
methods.  :func:`full_lca_scores` is the independent cross-check (a plain
bw2calc LCA per demand).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


def _solver():
    try:
        import pypardiso

        return "pypardiso", pypardiso.spsolve
    except ImportError:  # pragma: no cover - platforms without MKL
        from scipy.sparse.linalg import splu

        def solve(a, b):
            return splu(a.tocsc()).solve(b)

        return "scipy-superlu", solve


@dataclass
class NodeScores:
    """Y: score per unit of every product row, for each method."""

    methods: list[tuple]
    product_index: dict[int, int]  # node id -> row of Y
    Y: np.ndarray                   # (n_products, n_methods)
    seconds: dict[str, float]
    solver: str

    def of(self, node_id: int) -> np.ndarray:
        return self.Y[self.product_index[node_id]]


def node_scores(demand_ids: list[int], methods: list[tuple]) -> NodeScores:
    """Scores per unit of every node reachable from ``demand_ids``, for every method, with one factorization."""
    import bw2calc as bc
    import bw2data as bd

    t0 = time.perf_counter()
    fu, data_objs, _ = bd.prepare_lca_inputs(demand={i: 1.0 for i in demand_ids}, method=methods[0],
                                             remapping=False)
    lca = bc.LCA(demand=fu, method=methods[0], data_objs=data_objs)
    lca.load_lci_data()
    A = lca.technosphere_matrix.tocsr()
    B = lca.biosphere_matrix.tocsr()
    t1 = time.perf_counter()
    rows = []
    for m in methods:
        if m != methods[0]:
            lca.switch_method(m)
        else:
            lca.load_lcia_data()
        cf = np.asarray(lca.characterization_matrix.diagonal()).ravel()
        rows.append(B.T @ cf)
    R = np.column_stack(rows)  # (n_activities, K)
    t2 = time.perf_counter()
    name, solve = _solver()
    At = A.T.tocsr()
    Y = solve(At, R) if R.shape[1] > 1 else solve(At, R[:, 0])[:, None]
    Y = np.asarray(Y).reshape(A.shape[0], len(methods))
    t3 = time.perf_counter()
    seconds = {"matrices": t1 - t0, "characterisation": t2 - t1, "factorize_and_solve": t3 - t2}
    log.info("node scores: %d nodes x %d methods in %.2f s (%s)", A.shape[0], len(methods), t3 - t0, name)
    return NodeScores(methods, dict(lca.dicts.product), Y, seconds, name)


def stage_contributions(case_exchanges: list[list[tuple[int, float, str]]], scores: NodeScores,
                        stages: tuple[str, ...]) -> np.ndarray:
    """Contributions (cases × stages × methods) from each case's (input id, amount, stage) exchanges."""
    out = np.zeros((len(case_exchanges), len(stages), len(scores.methods)))
    stage_pos = {s: i for i, s in enumerate(stages)}
    for c, exchanges in enumerate(case_exchanges):
        for node_id, amount, stage in exchanges:
            out[c, stage_pos[stage]] += amount * scores.of(node_id)
    return out


def full_lca_scores(demand_ids: list[int], methods: list[tuple]) -> np.ndarray:
    """Independent cross-check: one plain bw2calc LCA per demand (demands × methods)."""
    import bw2calc as bc
    import bw2data as bd

    out = np.zeros((len(demand_ids), len(methods)))
    for i, node in enumerate(demand_ids):
        fu, data_objs, _ = bd.prepare_lca_inputs(demand={node: 1.0}, method=methods[0], remapping=False)
        lca = bc.LCA(demand=fu, method=methods[0], data_objs=data_objs)
        lca.lci()
        for k, m in enumerate(methods):
            if k:
                lca.switch_method(m)
            lca.lcia()
            out[i, k] = lca.score
    return out
