"""Pure numpy/scipy models: lifetime (eq. 1), battery (eq. 2), energy, end of life, pathway amounts.

Typical use::

    from lca_sh_ev.models import load_parameters, VehicleSpec, pathway_amounts
    amounts = pathway_amounts(spec, "SH", 2025, range(1, 21), load_parameters())
"""

from .amounts import PathwayAmounts, VehicleSpec, pathway_amounts
from .params import ModelParameters, load_parameters

__all__ = ["ModelParameters", "PathwayAmounts", "VehicleSpec", "load_parameters", "pathway_amounts"]
