"""Scenario configuration: YAML validated by pydantic.

A broken config (unknown vehicle or market, negative or non-integer export
age, unknown category, malformed YAML) raises :class:`UserInputError` with one
line naming the field, the value and what is allowed.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from .errors import UserInputError

MARKETS = ("US", "SH", "MX")
ROUTES = ("pyrometallurgy", "hydrometallurgy")


class PathwaySpec(BaseModel):
    """A vehicle and where it lives: US (sold and used in the US), SH (exported), MX (sold in Mexico)."""

    model_config = ConfigDict(extra="forbid")
    vehicle: str
    market: Literal["US", "SH", "MX"]
    first_year: StrictInt | None = Field(default=None, description="cohort first-sale year; default from vehicles.csv")

    @property
    def id(self) -> str:
        return f"{self.vehicle}/{self.market}"


class Comparison(BaseModel):
    """A relative-change figure: alternative vs reference (pathway ids ``vehicle/market``)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    reference: str
    alternative: str


class Scenario(BaseModel):
    """The main job's configuration."""

    model_config = ConfigDict(extra="forbid")
    project: str = "lca-sh-ev"
    background: str = "surrogate"
    pathways: list[PathwaySpec]
    export_ages: list[StrictInt] = Field(default_factory=lambda: list(range(1, 21)))
    include_average_export_age: bool = True
    us_recycling_route: Literal["pyrometallurgy", "hydrometallurgy"] = "pyrometallurgy"
    categories: list[str] | None = None
    endpoint: bool = True
    comparisons: list[Comparison] = Field(default_factory=list)

    @field_validator("export_ages")
    @classmethod
    def _ages_positive(cls, ages):
        for a in ages:
            if a < 1:
                raise ValueError(f"export age {a} must be a whole number of years >= 1")
        if len(set(ages)) != len(ages):
            raise ValueError("export ages must not repeat")
        return sorted(ages)

    @field_validator("pathways")
    @classmethod
    def _pathways_unique(cls, pathways):
        ids = [p.id for p in pathways]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"pathways repeat: {sorted(dup)}")
        if not pathways:
            raise ValueError("at least one pathway is needed")
        return pathways


def _one_line(exc: ValidationError, source: str) -> str:
    errors = exc.errors()
    # a misspelt key shows up as "missing" plus "extra": the extra one says what to fix
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    value = err.get("input")
    msg = err["msg"].replace("Value error, ", "")
    if err["type"] == "missing":
        return f"{source}: field {where!r} is missing (list entries count from 0)"
    if err["type"] == "literal_error":
        msg = f"not allowed ({msg})"
    if err["type"] == "extra_forbidden":
        msg = "unknown field (allowed: " + ", ".join(_allowed_fields(err["loc"])) + ")"
    return f"{source}: field {where!r} = {value!r}: {msg}"


def _allowed_fields(loc) -> list[str]:
    model = Scenario
    if loc and loc[0] == "pathways":
        model = PathwaySpec
    elif loc and loc[0] == "comparisons":
        model = Comparison
    return list(model.model_fields)


def default_config_path() -> Path:
    return Path(str(resources.files("lca_sh_ev") / "configs" / "default.yaml"))


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read and validate a scenario YAML (the bundled default when ``path`` is None)."""
    source = Path(path) if path else default_config_path()
    if source.is_dir():
        raise UserInputError(f"config {str(source)!r} is a directory; give the path of a YAML file")
    if not source.is_file():
        raise UserInputError(f"config file {str(source)!r} not found")
    try:
        raw = yaml.safe_load(source.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UserInputError(f"{source.name}: malformed YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise UserInputError(f"{source.name}: the config must be a YAML mapping with a 'pathways' list")
    return scenario_from_dict(raw, source.name)


def scenario_from_dict(raw: dict, source: str = "config") -> Scenario:
    """Validate a config mapping, including references to the bundled data."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise UserInputError(_one_line(exc, source)) from None
    check_references(scenario, source)
    return scenario


def check_references(scenario: Scenario, source: str = "config") -> None:
    """Vehicles, comparisons, categories and export ages must exist in the bundled data."""
    from .methods import resolve_categories
    from .vehicles import load_vehicles

    vehicles = load_vehicles()
    for i, p in enumerate(scenario.pathways):
        if p.vehicle not in vehicles:
            raise UserInputError(
                f"{source}: field 'pathways.{i}.vehicle' = {p.vehicle!r}: unknown vehicle "
                f"(allowed: {', '.join(vehicles)})"
            )
    ids = {p.id for p in scenario.pathways}
    for i, c in enumerate(scenario.comparisons):
        for field in ("reference", "alternative"):
            value = getattr(c, field)
            if value not in ids:
                raise UserInputError(
                    f"{source}: field 'comparisons.{i}.{field}' = {value!r}: not one of the pathways "
                    f"(allowed: {', '.join(sorted(ids))})"
                )
    from .grid import grid_years
    from .setup import check_background

    try:
        check_background(scenario.background)
    except UserInputError as exc:
        raise UserInputError(f"{source}: field 'background' = {scenario.background!r}: {exc}") from None
    first_grid_year = min(grid_years("US")[0], grid_years("MX")[0])
    for i, p in enumerate(scenario.pathways):
        if p.first_year is not None and p.first_year < first_grid_year:
            raise UserInputError(
                f"{source}: field 'pathways.{i}.first_year' = {p.first_year}: before the first grid year; "
                f"use a year >= {first_grid_year}"
            )
    if scenario.categories is not None:
        for i, name in enumerate(scenario.categories):
            try:
                resolve_categories([name])
            except UserInputError:
                raise UserInputError(
                    f"{source}: field 'categories.{i}' = {name!r}: unknown impact category; use an indicator "
                    "such as GWP100, HTPnc, TETP, PMFP or a category name (list: methods/README.md)"
                ) from None
