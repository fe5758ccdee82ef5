"""A seeded synthetic background of ecoinvent-like size, density and structure, for benchmarks only.

Why a synthetic background: the bundled surrogate has a few hundred activities, so
its factorization costs nothing and says little about an ecoinvent-sized
background (about 20,000 activities, no licence here).  Factorization cost depends
on the *structure* of the technosphere matrix, not only on its size: a random
"anything buys from anything" matrix of the same density factorizes 10-100x slower
than ecoinvent does.  The generator therefore copies ecoinvent's two-layer shape:

* **markets** (``market_share`` of the activities) buy their product from a few
  producers (shares summing to 1) and transport from two popular markets;
* **producers** buy about ``inputs_per_producer`` inputs from markets, three of them
  from a small set of *popular* markets (electricity, heat, transport in
  ecoinvent) and the rest from all markets with a Zipf-like popularity;
* producers emit about ``flows_per_producer`` elementary flows, markets a couple.

With the defaults the matrix has about 12 technosphere and 25 biosphere entries per
activity (checked in :func:`structure_summary`), as ecoinvent 3.x cut-off does.
Amounts are random and meaningless: the results on this background are for timing
only and are never reported as impacts.

The background is an in-memory ``bw_processing`` datapackage built from numpy
arrays (well under a second for 20,000 activities), not a Brightway database:
``Database.write`` of 20,000 activities takes about 30 s (SQLite + processing) and
nobody browses a benchmark background.  :func:`proxy_columns` replaces the
surrogate background in the same calculation: every surrogate activity becomes a
pass-through column that buys one unit of a (seeded) synthetic market, so the
foreground, grid and additions databases sit unchanged on the synthetic background.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

#: Synthetic node ids start here (Brightway's SQLite ids are far below).
ID_OFFSET = 2**40


@dataclass
class SyntheticBackground:
    """Arrays of one synthetic background (ids, matrix entries) and its datapackage."""

    n: int
    seed: int
    activity_ids: np.ndarray  # (n,) node id of each activity (= its product)
    is_market: np.ndarray  # (n,) bool
    tech_indices: np.ndarray  # (m, 2) (row product id, column activity id), inputs only
    tech_amounts: np.ndarray  # (m,) positive input amounts
    bio_indices: np.ndarray  # (k, 2) (flow id, activity id)
    bio_amounts: np.ndarray  # (k,)

    @property
    def market_ids(self) -> np.ndarray:
        return self.activity_ids[self.is_market]


def _zipf_weights(n: int, offset: float = 10.0) -> np.ndarray:
    w = 1.0 / (np.arange(n) + offset)
    return w / w.sum()


def generate(n: int = 20000, seed: int = 42, flow_ids=None, market_share: float = 0.2, n_popular: int = 20,
             inputs_per_producer: int = 14, flows_per_producer: int = 32, flows_per_market: int = 2
             ) -> SyntheticBackground:
    """Generate the matrix entries of a synthetic background (see module docstring).

    Parameters
    ----------
    n : int
        Number of activities (>= 100).
    seed : int
        Seed of numpy's default generator; the same seed gives the same background.
    flow_ids : array_like of int
        Elementary-flow ids to emit (e.g. every flow the methods characterise).
    market_share, n_popular, inputs_per_producer, flows_per_producer, flows_per_market
        Structure (defaults give ~12 technosphere and ~25 biosphere entries per activity).
    """
    if n < 100:
        raise ValueError(f"n = {n}: a synthetic background needs at least 100 activities")
    rng = np.random.default_rng(seed)
    flow_ids = np.asarray(flow_ids if flow_ids is not None else np.arange(1000), dtype=np.int64)
    ids = ID_OFFSET + np.arange(n, dtype=np.int64)
    n_m = max(int(round(market_share * n)), n_popular + 1)
    is_market = np.zeros(n, dtype=bool)
    is_market[:n_m] = True
    markets, producers = ids[:n_m], ids[n_m:]
    rows, cols, amounts = [], [], []

    # each producer's product is sold by one market; every market has at least one producer
    owner = np.concatenate([np.arange(n_m), rng.integers(0, n_m, size=producers.size - n_m)])
    rng.shuffle(owner)
    order = np.argsort(owner, kind="stable")
    starts = np.searchsorted(owner[order], np.arange(n_m + 1))
    transport = markets[:2]  # the two most popular markets
    for m in range(n_m):
        sellers = producers[order[starts[m]:starts[m + 1]]]
        shares = rng.dirichlet(np.ones(sellers.size)) if sellers.size > 1 else np.ones(1)
        rows.append(sellers)
        cols.append(np.full(sellers.size, markets[m]))
        amounts.append(shares)
        rows.append(transport)
        cols.append(np.full(2, markets[m]))
        amounts.append(rng.uniform(0.01, 0.05, size=2))

    # producers buy from popular markets and from a Zipf-weighted choice of all markets
    popularity = _zipf_weights(n_m)
    k_other = max(inputs_per_producer - 3, 1)
    other = rng.choice(n_m, size=(producers.size, k_other), p=popularity)
    popular = rng.integers(0, n_popular, size=(producers.size, 3))
    picks = np.concatenate([popular, other], axis=1)
    picks.sort(axis=1)
    keep = np.ones_like(picks, dtype=bool)
    keep[:, 1:] = picks[:, 1:] != picks[:, :-1]  # one exchange per input
    col_of = np.repeat(producers, picks.shape[1]).reshape(picks.shape)
    weights = rng.dirichlet(np.ones(picks.shape[1]), size=producers.size) * 0.6  # column sums 0.6
    rows.append(markets[picks[keep]])
    cols.append(col_of[keep])
    amounts.append(weights[keep])

    tech_indices = np.column_stack([np.concatenate(rows), np.concatenate(cols)]).astype(np.int64)
    tech_amounts = np.concatenate(amounts)

    # elementary flows: a few common flows are emitted by many activities (CO2-like)
    flow_popularity = _zipf_weights(flow_ids.size, offset=5.0)
    n_flows = np.where(is_market, flows_per_market, flows_per_producer)
    bio_cols = np.repeat(ids, n_flows)
    bio_rows = flow_ids[rng.choice(flow_ids.size, size=int(n_flows.sum()), p=flow_popularity)]
    pairs = np.unique(np.column_stack([bio_rows, bio_cols]), axis=0)  # one entry per flow and activity
    bio_indices = pairs.astype(np.int64)
    bio_rows = bio_indices[:, 0]
    bio_amounts = rng.lognormal(mean=-6.0, sigma=2.0, size=bio_rows.size)
    return SyntheticBackground(n, seed, ids, is_market, tech_indices, tech_amounts, bio_indices, bio_amounts)


def structure_summary(bg: SyntheticBackground) -> dict:
    """Entries per activity and the market/producer split of a synthetic background."""
    n = bg.n
    return {
        "activities": n,
        "markets": int(bg.is_market.sum()),
        "technosphere_inputs_per_activity": round(len(bg.tech_amounts) / n, 2),
        "biosphere_entries_per_activity": round(len(bg.bio_amounts) / n, 2),
        "largest_row_entries": int(np.bincount(bg.tech_indices[:, 0] - ID_OFFSET, minlength=n).max()),
    }


def proxy_columns(bg: SyntheticBackground, node_ids, seed: int) -> dict[int, int]:
    """Seeded map of each node id (e.g. every surrogate activity) to the synthetic market it buys."""
    rng = np.random.default_rng(seed + 1)
    nodes = np.sort(np.asarray(list(node_ids), dtype=np.int64))
    picks = rng.choice(bg.market_ids, size=nodes.size)
    return {int(a): int(b) for a, b in zip(nodes, picks)}


def datapackage(bg: SyntheticBackground, proxies: dict[int, int] | None = None):
    """In-memory ``bw_processing`` datapackage: synthetic technosphere and biosphere, plus proxies.

    ``proxies`` ({node id: synthetic market id}) adds, for each node, a column producing
    one unit of that node and buying one unit of the synthetic market.
    """
    import bw_processing as bwp

    proxies = proxies or {}
    p_nodes = np.fromiter(proxies.keys(), dtype=np.int64, count=len(proxies))
    p_markets = np.fromiter(proxies.values(), dtype=np.int64, count=len(proxies))
    diag = np.concatenate([bg.activity_ids, p_nodes])
    t_idx = np.concatenate([
        np.column_stack([diag, diag]),
        bg.tech_indices,
        np.column_stack([p_markets, p_nodes]),
    ])
    t_data = np.concatenate([np.ones(diag.size), bg.tech_amounts, np.ones(p_nodes.size)])
    t_flip = np.concatenate([np.zeros(diag.size, bool), np.ones(bg.tech_amounts.size + p_nodes.size, bool)])
    dp = bwp.create_datapackage(name=f"synthetic-{bg.n}-{bg.seed}", sum_intra_duplicates=True)
    dp.add_persistent_vector(matrix="technosphere_matrix", name="synthetic-technosphere",
                             indices_array=_indices(t_idx), data_array=t_data, flip_array=t_flip)
    dp.add_persistent_vector(matrix="biosphere_matrix", name="synthetic-biosphere",
                             indices_array=_indices(bg.bio_indices), data_array=bg.bio_amounts)
    return dp


def _indices(pairs: np.ndarray) -> np.ndarray:
    import bw_processing as bwp

    out = np.empty(len(pairs), dtype=bwp.INDICES_DTYPE)
    out["row"], out["col"] = pairs[:, 0], pairs[:, 1]
    return out
