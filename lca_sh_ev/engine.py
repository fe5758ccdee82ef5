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
import warnings
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

#: Steps of iterative refinement after the adjoint solve (see :func:`node_scores`).
REFINEMENT_STEPS = 2
#: Largest residual |R - Aᵀ Y| relative to max |R| (per method) accepted without refinement.
REFINEMENT_TOLERANCE = 1e-13


def pardiso_library_hint() -> None:
    """Tell pypardiso where MKL is, so each new solver skips its file-system search.

    pypardiso 0.4 looks for ``mkl_rt`` with ``glob(sys.prefix/lib*/**)`` every time a
    ``PyPardisoSolver`` is created, and bw2calc 3.1 creates one per ``LCA`` object:
    0.2-0.5 s per LCA in a virtual environment, more than the whole calculation on the
    surrogate.  The module-level solver has already found the library; its path goes
    into ``PYPARDISO_MKL_RT``, which pypardiso reads first.  No-op without pypardiso.
    """
    import os

    if os.environ.get("PYPARDISO_MKL_RT"):
        return
    try:
        from pypardiso.scipy_aliases import pypardiso_solver
    except ImportError:  # pragma: no cover - platforms without MKL
        return
    name = getattr(getattr(pypardiso_solver, "libmkl", None), "_name", None)
    if name:
        os.environ["PYPARDISO_MKL_RT"] = name


def _solver():
    """(name, solve(A, B), release()) with a solver of its own.

    pypardiso's module-level solver keeps the last factorization and silently reuses
    it for an identical matrix; a solver per call makes every :func:`node_scores`
    factorize (honest timings) and frees MKL's memory afterwards.
    """
    try:
        import pypardiso

        pardiso_library_hint()
        solver = pypardiso.PyPardisoSolver()

        def solve(a, b):
            return pypardiso.spsolve(a, b, solver=solver)

        return "pypardiso", solve, lambda: solver.free_memory(everything=True)
    except ImportError:  # pragma: no cover - platforms without MKL
        from scipy.sparse.linalg import splu

        cache = {}

        def solve(a, b):
            if "lu" not in cache:
                cache["lu"] = splu(a.tocsc())
            return cache["lu"].solve(b)

        return "scipy-superlu", solve, cache.clear


@dataclass
class NodeScores:
    """Y: score per unit of every product row, for each method."""

    methods: list[tuple]
    product_index: dict[int, int]  # node id -> row of Y
    activity_index: dict[int, int]  # node id -> column of A
    Y: np.ndarray                   # (n_products, n_methods)
    A: object                       # technosphere matrix (CSC), as bw2calc built it
    seconds: dict[str, float]
    solver: str
    #: characterisation factor of every biosphere row, per method (n_flows, n_methods)
    cf: np.ndarray | None = None
    biosphere_index: dict[int, int] | None = None  # flow id -> row of ``cf``

    def of(self, node_id: int) -> np.ndarray:
        return self.Y[self.product_index[node_id]]

    def cf_of(self, flow_id: int) -> np.ndarray:
        """Characterisation factors of one elementary flow, per method (0 where not characterised)."""
        return self.cf[self.biosphere_index[flow_id]]

    def inputs_of(self, node_id: int) -> dict[int, float]:
        """Technosphere inputs of an activity as the matrix holds them: {input node id: amount}.

        Amounts are read from A itself (not from the database records) so that the stage
        split uses exactly the numbers the LCA uses (Brightway's processed arrays may
        round amounts).
        """
        col = self.activity_index[node_id]
        start, end = self.A.indptr[col], self.A.indptr[col + 1]
        rows, values = self.A.indices[start:end], self.A.data[start:end]
        own = self.product_index[node_id]
        product_ids = self._product_ids()
        return {int(product_ids[r]): -float(v) for r, v in zip(rows, values) if r != own}

    def _product_ids(self):
        if not hasattr(self, "_pid"):
            self._pid = np.empty(len(self.product_index), dtype=np.int64)
            for node, row in self.product_index.items():
                self._pid[row] = node
        return self._pid


def _one_per_database(node_ids: list[int]) -> list[int]:
    """One node id of each database the nodes belong to."""
    from bw2data.backends import ActivityDataset as AD

    reps = {}
    for row in AD.select(AD.id, AD.database).where(AD.id << list(node_ids)):
        reps.setdefault(row.database, row.id)
    return sorted(reps.values())


def node_scores(demand_ids: list[int], methods: list[tuple], data_objs: list | None = None,
                method_data: dict | None = None) -> NodeScores:
    """Scores per unit of every node reachable from ``demand_ids``, for every method, with one factorization.

    Parameters
    ----------
    demand_ids : list of int
        Node ids whose supply chains must be in the matrices.
    methods : list of tuple
        LCIA methods (Brightway names).
    data_objs, method_data : optional
        Datapackages of the technosphere and biosphere (``data_objs``) and one list of
        datapackages per method (``method_data``), instead of Brightway's SQLite project
        (used by the synthetic benchmark background, :mod:`lca_sh_ev.synthetic`).
    """
    import bw2calc as bc
    import bw2data as bd

    t0 = time.perf_counter()
    if data_objs is None:
        # the datapackages depend only on the demands' databases: one representative node per
        # database (one SQL query) instead of a node look-up per demand
        _, data_objs, _ = bd.prepare_lca_inputs(demand={i: 1.0 for i in _one_per_database(demand_ids)},
                                                method=methods[0], remapping=False)
        fu = {i: 1.0 for i in demand_ids}
        method_data = None
    else:
        fu = {i: 1.0 for i in demand_ids}
        data_objs = list(data_objs) + list(method_data[methods[0]])
    lca = bc.LCA(demand=fu, method=methods[0], data_objs=data_objs)
    lca.load_lci_data()
    A = lca.technosphere_matrix.tocsr()
    B = lca.biosphere_matrix.tocsr()
    t1 = time.perf_counter()
    rows, cfs = [], []
    with warnings.catch_warnings():
        # a category none of our flows is characterised in (e.g. ionising radiation on the
        # surrogate) is a zero row, not a problem: logged below instead of warned
        warnings.filterwarnings("ignore", message="All values in characterization matrix are zero")
        for m in methods:
            if m != methods[0]:
                lca.switch_method(m if method_data is None else method_data[m])
            else:
                lca.load_lcia_data()
            cf = np.asarray(lca.characterization_matrix.diagonal()).ravel()
            cfs.append(cf)
            rows.append(B.T @ cf)
    zero = [m[-1] for m, r in zip(methods, rows) if not np.any(r)]
    if zero:
        log.info("no characterised flow in the system for: %s", "; ".join(zero))
    R = np.column_stack(rows)  # (n_activities, K)
    t2 = time.perf_counter()
    name, solve, release = _solver()
    At = A.T.tocsr()

    def _solve(rhs):
        return np.asarray(solve(At, rhs) if rhs.shape[1] > 1 else solve(At, rhs[:, 0])[:, None]).reshape(rhs.shape)

    Y = _solve(R)
    # Iterative refinement: the factorization is reused, so each step costs one solve.
    # It takes the residual from ~1e-8 (PARDISO, many right-hand sides) to round-off;
    # a step is skipped when every column's residual is already at round-off.
    scale = np.maximum(np.abs(R).max(axis=0), 1e-300)
    for _ in range(REFINEMENT_STEPS):
        residual = R - At @ Y
        if np.all(np.abs(residual).max(axis=0) <= REFINEMENT_TOLERANCE * scale):
            break
        Y = Y + _solve(residual)
    release()
    t3 = time.perf_counter()
    seconds = {"matrices": t1 - t0, "characterisation": t2 - t1, "factorize_and_solve": t3 - t2}
    log.info("node scores: %d nodes x %d methods in %.2f s (%s)", A.shape[0], len(methods), t3 - t0, name)
    return NodeScores(methods, dict(lca.dicts.product), dict(lca.dicts.activity), Y, A.tocsc(), seconds, name,
                      np.column_stack(cfs), dict(lca.dicts.biosphere))


def stage_contributions(case_ids: list[int], stage_of_input: list[dict[int, str]], scores: NodeScores,
                        stages: tuple[str, ...]) -> np.ndarray:
    """Contributions (cases × stages × methods): each input's matrix amount × its per-unit score.

    ``stage_of_input[c]`` maps every technosphere input of case ``c`` to its stage; an
    input the matrix holds but the map does not know is an error (nothing is dropped).
    """
    out = np.zeros((len(case_ids), len(stages), len(scores.methods)))
    stage_pos = {s: i for i, s in enumerate(stages)}
    for c, (case, stage_map) in enumerate(zip(case_ids, stage_of_input)):
        for node_id, amount in scores.inputs_of(case).items():
            out[c, stage_pos[stage_map[node_id]]] += amount * scores.of(node_id)
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
