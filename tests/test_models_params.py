"""Model parameter tables: provenance and range checks."""

import pytest

from lca_sh_ev.data import read_table
from lca_sh_ev.errors import UserInputError
from lca_sh_ev.models import params as M


@pytest.mark.parametrize("name", [M.PARAMETERS_FILE, M.CAR_SURVIVAL_FILE, M.VMT_FILE])
def test_every_parameter_row_has_unit_and_source(name):
    table = read_table(name)  # raises on an empty unit or source
    assert (table["unit"].str.strip() != "").all() and (table["source"].str.strip() != "").all()
    assert len(table) > 0


def test_defaults_load():
    p = M.load_parameters()
    assert p.max_age == 40 and set(p.battery) == {"li_ion", "nimh"}
    assert p.battery["li_ion"].soh_threshold == 0.75


def _tables_with(group, parameter, value):
    table, car, vmt = M.read_parameter_tables()
    sel = (table["group"] == group) & (table["parameter"] == parameter)
    assert sel.sum() == 1
    table.loc[sel, "value"] = value
    return table, car, vmt


@pytest.mark.parametrize(
    "group, parameter, value",
    [
        ("battery_li_ion", "degradation_rate_low", -0.01),
        ("battery_li_ion", "degradation_rate_high", 0.01),  # below low
        ("battery_nimh", "decay", -1.0),
        ("battery_li_ion", "soh_threshold", 1.2),
        ("battery_li_ion", "soh_threshold", 0.0),
        ("battery_li_ion", "knee_age_low", -1.0),
        ("energy", "rte_fade_per_year", -0.001),
        ("survival_mx", "mean_fleet_age", -3.0),
        ("vkt_mx", "fleet_average_km_per_year", -10.0),
        ("survival_us", "light_truck_survival_age20", 0.9),
        ("horizon", "max_vehicle_age", 40.5),
    ],
)
def test_bad_parameter_values_raise_user_input_error(group, parameter, value):
    with pytest.raises(UserInputError):
        M.parameters_from_tables(*_tables_with(group, parameter, value))


def test_wrong_unit_raises_user_input_error():
    table, car, vmt = M.read_parameter_tables()
    table.loc[table["parameter"] == "fleet_average_km_per_year", "unit"] = "mi/year"
    with pytest.raises(UserInputError, match="unit"):
        M.parameters_from_tables(table, car, vmt)


def test_increasing_survival_table_raises_user_input_error():
    table, car, vmt = M.read_parameter_tables()
    car.loc[car["age"] == 5, "value"] = 0.999
    with pytest.raises(UserInputError):
        M.parameters_from_tables(table, car, vmt)


def test_with_battery_validates():
    p = M.load_parameters()
    with pytest.raises(UserInputError):
        M.with_battery(p, "li_ion", soh_threshold=1.0)
    with pytest.raises(UserInputError):
        M.with_battery(p, "li_ion", degradation_rate_low=-0.02)
