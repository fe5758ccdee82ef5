"""Unit names and the only unit conversions the linker may apply.

Brightway converts nothing when it links an exchange to a provider: an
exchange in MJ linked to a provider in kWh is silently read as kWh.  The
linker therefore compares units and converts only through this table (or a
density, for volume -> mass) and otherwise stops naming the exchange.
"""

from __future__ import annotations

from .errors import UserInputError

#: Short spellings used in our data files -> ecoinvent spelling.
CANONICAL = {
    "kg": "kilogram",
    "kilogram": "kilogram",
    "kWh": "kilowatt hour",
    "kilowatt hour": "kilowatt hour",
    "MJ": "megajoule",
    "megajoule": "megajoule",
    "km": "kilometer",
    "kilometer": "kilometer",
    "unit": "unit",
    "L": "litre",
    "l": "litre",
    "litre": "litre",
    "liter": "litre",
    "m3": "cubic meter",
    "cubic meter": "cubic meter",
    "t": "ton",
    "ton": "ton",
    "g": "gram",
    "gram": "gram",
    "m2": "square meter",
    "square meter": "square meter",
    "tkm": "ton kilometer",
    "ton kilometer": "ton kilometer",
}

#: Exact factors: 1 <from> = factor <to>.  Physics, not data.
_FACTORS = {
    ("megajoule", "kilowatt hour"): 1 / 3.6,
    ("kilowatt hour", "megajoule"): 3.6,
    ("gram", "kilogram"): 1e-3,
    ("kilogram", "gram"): 1e3,
    ("ton", "kilogram"): 1e3,
    ("kilogram", "ton"): 1e-3,
    ("litre", "cubic meter"): 1e-3,
    ("cubic meter", "litre"): 1e3,
}


def canonical(unit: str) -> str:
    """Ecoinvent spelling of a unit; unknown units are returned unchanged."""
    return CANONICAL.get(unit.strip(), unit.strip())


def conversion_factor(from_unit: str, to_unit: str, density_kg_per_l: float | None = None) -> float:
    """Factor that turns an amount in ``from_unit`` into ``to_unit``.

    Parameters
    ----------
    from_unit, to_unit : str
        Unit names (either spelling).
    density_kg_per_l : float, optional
        Density [kg/L], needed only for volume <-> mass.

    Raises
    ------
    UserInputError
        When no exact conversion exists (the caller names the exchange).
    """
    a, b = canonical(from_unit), canonical(to_unit)
    if a == b:
        return 1.0
    if (a, b) in _FACTORS:
        return _FACTORS[(a, b)]
    volume = {"litre": 1.0, "cubic meter": 1e3}
    mass = {"kilogram": 1.0, "gram": 1e-3, "ton": 1e3}
    if density_kg_per_l is not None and density_kg_per_l > 0:
        if a in volume and b in mass:
            return volume[a] * density_kg_per_l / mass[b]
        if a in mass and b in volume:
            return mass[a] / density_kg_per_l / volume[b]
    raise UserInputError(f"no conversion from {from_unit!r} to {to_unit!r}")
