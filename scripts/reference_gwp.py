"""Print the cradle-to-gate ReCiPe 2016 (H) GWP100 of 1 kWh low-voltage electricity
(US and MX; 2022, 2030, 2050) and of 1 kg of each material credited by battery recycling.

Usage: python scripts/reference_gwp.py [PROJECT]
"""

import sys

from lca_sh_ev.checks import reference_gwp

if __name__ == "__main__":
    table = reference_gwp(sys.argv[1] if len(sys.argv) > 1 else "lca-sh-ev")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
