"""Tables and figures of the main job, written atomically.

Everything is first written into a temporary folder beside ``out`` and moved
into place only when all of it succeeded, so a failure leaves ``out`` as it was.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

#: Colour-scale limit of the relative-change heatmaps [%] (cells print their exact value).
HEATMAP_LIMIT_PERCENT = 100.0


def relative_change(impacts: pd.DataFrame, reference: str, alternative: str, kind: str = "midpoint") -> pd.DataFrame:
    """Per cent change of the alternative's total vs the reference's (categories × export ages).

    The reference is its pathway's single case (US or MX) or, for an SH reference,
    its average-export-age case.
    """
    tot = impacts[(impacts["stage"] == "total") & (impacts["kind"] == kind)]
    ref = tot[tot["pathway"] == reference]
    if ref["export_age"].notna().any():
        ref = ref[ref["average_export_age"]]
    ref = ref.set_index("indicator")["value"]
    alt = tot[tot["pathway"] == alternative]
    alt = alt.assign(col=alt["export_age"].astype("object").where(alt["export_age"].notna(), "-"))
    table = alt.pivot_table(index="indicator", columns="col", values="value", aggfunc="first", sort=False)
    return (table.div(ref, axis=0) - 1.0) * 100.0


def figure_heatmap(change: pd.DataFrame, title: str, path: Path, average_age: int | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = change.to_numpy(dtype=float)
    lim = HEATMAP_LIMIT_PERCENT  # one colour scale for every comparison; larger changes saturate
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * values.shape[1] + 3), 0.35 * values.shape[0] + 2))
    im = ax.imshow(values, cmap="RdYlGn_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in change.columns], fontsize=8)
    labels = [f"{i} (no flows)" if not np.isfinite(values[k]).any() else i for k, i in enumerate(change.index)]
    ax.set_yticks(range(values.shape[0]), labels, fontsize=8)
    ax.set_xlabel("age at export [years]")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.isfinite(values[i, j]) and values.shape[1] <= 25:
                ax.text(j, i, f"{values[i, j]:.0f}", ha="center", va="center", fontsize=6)
    if average_age is not None and average_age in list(change.columns):
        j = list(change.columns).index(average_age)
        ax.add_patch(plt.Rectangle((j - 0.5, -0.5), 1, values.shape[0], fill=False, lw=1.5, ec="k"))
    fig.colorbar(im, ax=ax, label="change vs reference [%] (scale clipped at ±100)", extend="both")
    if average_age is not None and average_age in list(change.columns):
        ax.text(1.0, -0.08, f"framed: average export age ({average_age} years)", transform=ax.transAxes,
                ha="right", va="top", fontsize=7)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def figure_stages(impacts: pd.DataFrame, indicator: str, path: Path) -> None:
    """Stacked stage contributions per pathway (SH at the average export age)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = impacts[(impacts["indicator"] == indicator) & (impacts["stage"] != "total")]
    d = d[d["export_age"].isna() | d["average_export_age"]]
    table = d.pivot_table(index="pathway", columns="stage", values="value", aggfunc="sum", sort=False)
    unit = d["unit"].iloc[0] if len(d) else ""
    fig, ax = plt.subplots(figsize=(11, 4.8))
    bottom_pos = np.zeros(len(table))
    bottom_neg = np.zeros(len(table))
    colors = plt.get_cmap("tab10")
    for i, stage in enumerate(table.columns):
        v = table[stage].to_numpy()
        base = np.where(v >= 0, bottom_pos, bottom_neg)
        ax.bar(table.index, v, bottom=base, label=stage, color=colors(i % 10))
        bottom_pos += np.where(v >= 0, v, 0)
        bottom_neg += np.where(v < 0, v, 0)
    totals = table.sum(axis=1).to_numpy()
    ax.scatter(table.index, totals, color="k", marker="D", s=14, zorder=3, label="total")
    top = max(float(bottom_pos.max()), float(np.max(totals)), 0.0)
    low = min(float(bottom_neg.min()), float(np.min(totals)), 0.0)
    span = (top - low) or 1.0
    ax.set_ylim(low - 0.06 * span, top + 0.08 * span)
    labels = (d.drop_duplicates("pathway").set_index("pathway")[["vehicle", "market"]]
              .apply(lambda r: f"{r['vehicle']}, {r['market']}", axis=1))
    ax.set_xticks(range(len(table.index)), [labels.get(p, p) for p in table.index])
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylabel(f"{indicator} [{unit}]")
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(f"{indicator} by life-cycle stage (SH at the average export age)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def write_outputs(results, out: str | Path, figures: bool = True) -> Path:
    """Write impacts.csv/.xlsx, lifetime.csv, run.json and figures/ into ``out`` (atomically)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        results.impacts.to_csv(tmp / "impacts.csv", index=False)
        with pd.ExcelWriter(tmp / "impacts.xlsx") as xl:
            mid = results.impacts[results.impacts["kind"] == "midpoint"]
            mid.to_excel(xl, sheet_name="midpoint", index=False)
            end = results.impacts[results.impacts["kind"] == "endpoint"]
            if len(end):
                end.to_excel(xl, sheet_name="endpoint", index=False)
            results.lifetime.to_excel(xl, sheet_name="lifetime", index=False)
        results.lifetime.to_csv(tmp / "lifetime.csv", index=False)
        if figures:
            fig_dir = tmp / "figures"
            fig_dir.mkdir()
            avg = _average_age(results)
            for i, comp in enumerate(results.scenario.comparisons if results.scenario else []):
                change = relative_change(results.impacts, comp.reference, comp.alternative)
                stem = f"relative_change_{i + 1}_{_slug(comp.alternative)}_vs_{_slug(comp.reference)}"
                table = change.reset_index().melt(id_vars="indicator", var_name="export_age",
                                                  value_name="change_percent")
                table.insert(0, "comparison", comp.name)
                table.insert(1, "reference", comp.reference)
                table.insert(2, "alternative", comp.alternative)
                table["unit"] = "% change of the total per km vs the reference"
                table.to_csv(fig_dir / f"{stem}.csv", index=False)
                figure_heatmap(change, comp.name, fig_dir / f"{stem}.png", avg)
            figure_stages(results.impacts, "GWP100", fig_dir / "stages_GWP100.png")
            for ind in ("HTPnc", "TETP"):
                if (results.impacts["indicator"] == ind).any():
                    figure_stages(results.impacts, ind, fig_dir / f"stages_{ind}.png")
        (tmp / "run.json").write_text(json.dumps(results.info, indent=1, default=str))
        out.mkdir(exist_ok=True)
        if not figures and (out / "figures").is_dir():
            shutil.rmtree(out / "figures")  # never leave figures of an earlier run beside new tables
        for item in tmp.iterdir():
            target = out / item.name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            shutil.move(str(item), target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _slug(pathway: str) -> str:
    return pathway.replace("/", "_")


def _average_age(results) -> int | None:
    lt = results.lifetime
    hit = lt[lt["average_export_age"] & lt["export_age"].notna()]
    return int(hit["export_age"].iloc[0]) if len(hit) else None
