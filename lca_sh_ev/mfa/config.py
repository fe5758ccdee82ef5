"""Configuration of the MFA side module (YAML validated with pydantic)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from ..errors import UserInputError

#: Years for which the bundled data can drive the model.
MIN_YEAR, MAX_YEAR = 2005, 2050
ROUTES = ("hydrometallurgy", "pyrometallurgy")


class MFAConfig(BaseModel):
    """Scenario choices of the MFA (see ``lca_sh_ev/configs/mfa_default.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    scenario: Literal["Scn1", "Scn2"] = "Scn1"
    first_year: int = 2005
    last_year: int = 2050
    spinup_start: int = 1960
    mx_sales_growth_years: tuple[int, int] = (2005, 2024)
    sh_ratio_years: tuple[int, int] = (2015, 2022)
    sh_ratio_override: float | None = None
    mx_survival_shape: float | None = None
    us_recycling_route: Literal["hydrometallurgy", "pyrometallurgy"] = "pyrometallurgy"
    mx_recycling_route: Literal["hydrometallurgy", "pyrometallurgy"] = "pyrometallurgy"
    warranty_years: int = 8
    figure_route: Literal["hydrometallurgy", "pyrometallurgy"] = "hydrometallurgy"
    export_share_reference: float = 0.15

    @field_validator("first_year", "last_year")
    @classmethod
    def _in_range(cls, v: int) -> int:
        if not MIN_YEAR <= v <= MAX_YEAR:
            raise ValueError(f"must be between {MIN_YEAR} and {MAX_YEAR}")
        return v

    @field_validator("spinup_start")
    @classmethod
    def _spinup(cls, v: int) -> int:
        if not 1900 <= v <= 1980:
            raise ValueError("must be between 1900 and 1980 so that pre-data cohorts have retired")
        return v

    @field_validator("export_share_reference")
    @classmethod
    def _share(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError("must be a share between 0 and 1")
        return v

    @field_validator("sh_ratio_override")
    @classmethod
    def _ratio(cls, v: float | None) -> float | None:
        if v is not None and not 0.0 <= v <= 2.0:
            raise ValueError("must be a ratio of SH imports to new sales between 0 and 2")
        return v

    @field_validator("mx_survival_shape")
    @classmethod
    def _shape(cls, v: float | None) -> float | None:
        if v is not None and not 0.5 <= v <= 10.0:
            raise ValueError("must be a Weibull shape between 0.5 and 10")
        return v

    @field_validator("warranty_years")
    @classmethod
    def _warranty(cls, v: int) -> int:
        if not 0 <= v <= 20:
            raise ValueError("must be between 0 and 20 years")
        return v

    @model_validator(mode="after")
    def _order(self):
        if self.first_year > self.last_year:
            raise ValueError(f"first_year {self.first_year} is after last_year {self.last_year}")
        for name in ("mx_sales_growth_years", "sh_ratio_years"):
            a, b = getattr(self, name)
            if not MIN_YEAR <= a < b <= 2024:
                raise ValueError(f"{name} must be two increasing years within the data ({MIN_YEAR}-2024), got {[a, b]}")
        return self


def default_config_path() -> Path:
    """Path of the bundled default MFA configuration."""
    return Path(str(resources.files("lca_sh_ev") / "configs" / "mfa_default.yaml"))


def load_config(path: str | Path | None) -> MFAConfig:
    """Read and validate an MFA configuration.

    Parameters
    ----------
    path : str, Path or None
        YAML file; ``None`` uses the bundled default.  Keys left out take the defaults.

    Raises
    ------
    UserInputError
        Unreadable file or a value outside what is allowed (one sentence naming it).
    """
    path = Path(path) if path is not None else default_config_path()
    if not path.is_file():
        raise UserInputError(f"MFA config file {str(path)!r} not found")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise UserInputError(f"MFA config file {path.name!r} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise UserInputError(f"MFA config file {path.name!r} must hold a mapping of settings")
    try:
        return MFAConfig(**raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(config)"
        value = raw.get(err["loc"][0]) if err["loc"] else None
        raise UserInputError(
            f"MFA config {path.name!r}: field {field!r} = {value!r} is not allowed: {err['msg']}"
        ) from exc
