"""Print the MFA headline numbers next to the report's statements.

Usage: python scripts/mfa_headlines.py [config.yaml]
"""

from __future__ import annotations

import sys

from lca_sh_ev.mfa import run_mfa


def main(config: str | None = None) -> None:
    r = run_mfa(config, None)
    st = r.stock[r.stock.region == "MX"].groupby(["year", "origin"]).vehicles.sum().unstack()
    share = st["SH"] / st.sum(axis=1)
    print(f"scenario {r.config.scenario}; run time {r.seconds:.2f} s")
    print(f"SH share of MX in-use stock: peak {share.max():.1%} in {share.idxmax()} (report: 26 % in 2014); "
          f"2050 {share[2050]:.1%} (report: 7 %)")
    d = r.flows[(r.flows.region == "MX") & (r.flows.flow == "deregistrations")]
    cum = d.groupby(["year", "origin"]).vehicles.sum().unstack().cumsum()
    cshare = cum["SH"] / cum.sum(axis=1)
    print(f"SH share of cumulative deregistrations: peak {cshare.max():.1%} in {cshare.idxmax()}; "
          f"2035 {cshare[2035]:.1%} (report: peak 22 % around 2035)")
    e = r.battery_eol[r.battery_eol.region == "MX"]
    m = e.groupby(["year", "origin"]).mass_t.sum().unstack()
    sh_major = m[m["SH"] > m["new"]].index
    print(f"SH packs > new packs in MX EOL battery mass up to {sh_major.max()} (report: until 2042)")
    c = e[e.year.between(2035, 2050)].groupby("origin").mass_t.sum() / 1e3
    print("cumulative MX EOL battery mass 2035-2050 (kt): " + ", ".join(f"{k} {v:.0f}" for k, v in c.items()))
    rec = r.recoverable[(r.recoverable.region == "MX") & r.recoverable.year.between(2035, 2050)]
    for route, g in rec.groupby("route"):
        print(f"  recoverable 2035-2050, {route}: {g.mass_t.sum() / 1e3:.0f} kt")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
