"""Linking rule: (name, product, location), fallback chains, unit checks, all failures listed."""

import pytest

from lca_sh_ev.errors import UserInputError
from lca_sh_ev.linking import Provider, ProviderIndex, UnlinkedExchangesError, Wanted, fallback_chain
from lca_sh_ev.units import conversion_factor


def _index():
    return ProviderIndex.from_providers([
        Provider("bg", "a", "market for steel, low-alloyed", "steel, low-alloyed", "GLO", "kilogram"),
        Provider("bg", "b", "market for petrol, low-sulfur", "petrol, low-sulfur", "RoW", "kilogram"),
        Provider("bg", "c", "market for copper, cathode", "copper, cathode", "RNA", "kilogram"),
        Provider("bg", "d", "market for copper, cathode", "copper, cathode", "RoW", "kilogram"),
        Provider("bg", "e", "heat production", "heat", "MX", "megajoule"),
    ])


def test_fallback_chains_are_documented_order():
    assert fallback_chain("MX") == ("MX", "RoW", "GLO")
    assert fallback_chain("US") == ("US", "RNA", "RoW", "GLO")
    assert fallback_chain("BR") == ("BR", "RoW", "GLO")


def test_mexico_falls_back_to_row_and_us_prefers_rna():
    index = _index()
    mx, us = index.link_all([
        Wanted("market for copper, cathode", "copper, cathode", "MX", "kg"),
        Wanted("market for copper, cathode", "copper, cathode", "US", "kg"),
    ])
    assert (mx.provider.code, mx.location_used) == ("d", "RoW")
    assert (us.provider.code, us.location_used) == ("c", "RNA")


def test_exact_location_wins_over_fallback():
    link, = _index().link_all([Wanted("heat production", "heat", "MX", "MJ")])
    assert link.location_used == "MX" and link.factor == 1.0


def test_litres_of_petrol_are_converted_to_kg_with_the_density():
    link, = _index().link_all([Wanted("market for petrol, low-sulfur", "petrol, low-sulfur", "US", "L",
                                      density_kg_per_l=0.745)])
    assert link.factor == pytest.approx(0.745)
    assert link.location_used == "RoW"


def test_energy_conversion_uses_exact_factor():
    assert conversion_factor("kWh", "MJ") == pytest.approx(3.6)
    assert conversion_factor("MJ", "kilowatt hour") == pytest.approx(1 / 3.6)
    assert conversion_factor("g", "kg") == pytest.approx(1e-3)
    assert conversion_factor("kilogram", "L", density_kg_per_l=0.8) == pytest.approx(1.25)


def test_unconvertible_unit_is_an_error_not_a_silent_link():
    with pytest.raises(UnlinkedExchangesError) as err:
        _index().link_all([Wanted("heat production", "heat", "MX", "kilogram", context="boiler")])
    assert "cannot be converted" in str(err.value) and "boiler" in str(err.value)
    with pytest.raises(UserInputError):
        conversion_factor("litre", "kilogram")  # no density given


def test_every_unlinked_exchange_is_listed_together():
    wanted = [
        Wanted("market for steel, low-alloyed", "steel, low-alloyed", "MX", "kg"),  # links (GLO)
        Wanted("market for unobtainium", "unobtainium", "MX", "kg", context="glider"),
        Wanted("market for steel, low-alloyed", "steel, low alloyed", "MX", "kg", context="typo in product"),
        Wanted("heat production", "heat", "MX", "kWh", context="unit ok via conversion"),
    ]
    with pytest.raises(UnlinkedExchangesError) as err:
        _index().link_all(wanted)
    assert len(err.value.unlinked) == 2
    message = str(err.value)
    assert message.startswith("2 exchange(s) found no provider")
    assert "unobtainium" in message and "typo in product" in message
    assert "MX -> RoW -> GLO" in message
