"""Figures like the report's Figure 4 (Mexico's fleet) and Figure 5 (EOL battery mass)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

GROUPS = [("new", "ICEV"), ("new", "EV"), ("SH", "ICEV"), ("SH", "EV")]
COLORS = {("new", "ICEV"): "#7f7f7f", ("new", "EV"): "#1f77b4", ("SH", "ICEV"): "#ff7f0e", ("SH", "EV"): "#2ca02c"}


def _group(df: pd.DataFrame, value: str) -> pd.DataFrame:
    df = df.assign(kind=df["powertrain"].where(df["powertrain"] == "ICEV", "EV"))
    return df.pivot_table(index="year", columns=["origin", "kind"], values=value, aggfunc="sum").fillna(0.0)


def _stack(ax, table, title, ylabel):
    cols = [g for g in GROUPS if g in table.columns]
    ax.stackplot(table.index, *[table[c] / 1e6 for c in cols],
                 labels=[f"{o} {k}" for o, k in cols], colors=[COLORS[c] for c in cols])
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(ylabel)


def figure4(stock: pd.DataFrame, flows: pd.DataFrame, path: Path) -> None:
    """Mexico: registrations, deregistrations, in-use stock, cumulative deregistered stock."""
    mx = flows[flows.region == "MX"]
    reg = _group(mx[mx.flow.isin(["sales", "SH imports"])], "vehicles")
    dereg = _group(mx[mx.flow == "deregistrations"], "vehicles")
    st = _group(stock[stock.region == "MX"], "vehicles")
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    _stack(axes[0, 0], reg, "(a) registrations (sales + legal SH imports)", "million vehicles/yr")
    _stack(axes[0, 1], dereg, "(b) deregistrations", "million vehicles/yr")
    _stack(axes[1, 0], st, "(c) in-use stock", "million vehicles")
    _stack(axes[1, 1], dereg.cumsum(), "(d) cumulative deregistered stock", "million vehicles")
    axes[0, 0].legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def figure5(eol: pd.DataFrame, rec: pd.DataFrame, route: str, path: Path, start=2035, end=2050) -> None:
    """Cumulative EOL battery mass in Mexico by origin and recoverable materials, start..end."""
    mx = eol[(eol.region == "MX") & eol.year.between(start, end)]
    by_origin = mx.groupby(["year", "origin"])["mass_t"].sum().unstack().fillna(0).cumsum() / 1e3
    r = rec[(rec.region == "MX") & rec.year.between(start, end) & (rec.route == f"{route} (all EOL mass)")]
    by_mat = r.groupby("material")["mass_t"].sum().sort_values(ascending=False) / 1e3
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    by_origin = by_origin[[c for c in ("new", "SH") if c in by_origin.columns]]
    by_origin.plot(kind="bar", stacked=True, ax=axes[0],
                   color=[COLORS[(o, "EV")] for o in by_origin.columns])
    axes[0].set_title(f"Cumulative EOL EV battery mass in Mexico from {start}", fontsize=9)
    axes[0].set_ylabel("thousand t")
    by_mat.plot(kind="bar", ax=axes[1], color="#8c564b")
    axes[1].set_title(f"Recoverable material {start}-{end} ({route}, all EOL packs)", fontsize=9)
    axes[1].set_ylabel("thousand t")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
