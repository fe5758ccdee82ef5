"""Linking foreground exchanges to providers by (name, reference product, location).

One rule serves every background (the bundled surrogate, ecoinvent 3.8+,
premise databases): a wanted product is looked up by its exact activity name,
reference product and location; if that location has no provider, the
location fallback chain is walked (e.g. ``MX -> RoW -> GLO``;
``US -> RNA -> RoW -> GLO``).  Units are compared and converted only through
:mod:`lca_sh_ev.units`.  Any exchange that finds no provider is collected and
reported together with every other unlinked exchange; nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import UserInputError
from .units import canonical, conversion_factor

#: Location fallback chains.  A location not listed falls back to RoW, then GLO.
#: RNA (North America) comes before RoW for the US because ecoinvent has
#: North-American datasets for some products; Mexico is not part of RNA in
#: ecoinvent, so MX goes straight to RoW.
FALLBACK_CHAINS: dict[str, tuple[str, ...]] = {
    "US": ("US", "RNA", "RoW", "GLO"),
    "MX": ("MX", "RoW", "GLO"),
    "GLO": ("GLO", "RoW"),
    "RoW": ("RoW", "GLO"),
    "RER": ("RER", "Europe without Switzerland", "RoW", "GLO"),
}


#: Locations that ecoinvent splits into subregions named ``<prefix><subregion>``.  On a
#: background with no dataset at the country itself, a grid technology wanted there is
#: the production-volume-weighted mix of the subregion datasets (see :meth:`ProviderIndex.find_mix`).
#: ecoinvent 3.8 has US electricity producers only per NERC region (US-ASCC, US-HICC, US-MRO,
#: US-NPCC, US-RFC, US-SERC, US-TRE, US-WECC) and Puerto Rico (US-PR); Puerto Rico is left
#: out because the US projection we weight by (EIA AEO) covers the 50 states only.
SUBREGIONS: dict[str, tuple[str, tuple[str, ...]]] = {"US": ("US-", ("US-PR",))}


def fallback_chain(location: str) -> tuple[str, ...]:
    """Locations tried, in order, for a wanted ``location``."""
    return FALLBACK_CHAINS.get(location, (location, "RoW", "GLO"))


@dataclass(frozen=True)
class Provider:
    """A node that can supply a product."""

    database: str
    code: str
    name: str
    product: str
    location: str
    unit: str
    id: int | None = None
    production_volume: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.database, self.code)


@dataclass(frozen=True)
class Wanted:
    """An exchange that needs a provider; ``context`` says who wants it (for error messages)."""

    name: str
    product: str
    location: str
    unit: str
    context: str = ""
    density_kg_per_l: float | None = None


@dataclass(frozen=True)
class Link:
    """The result of linking one :class:`Wanted` exchange."""

    wanted: Wanted
    provider: Provider
    factor: float  # multiply the wanted amount by this to get provider units
    location_used: str


class UnlinkedExchangesError(UserInputError):
    """Some exchanges found no provider; ``unlinked`` lists every one."""

    def __init__(self, unlinked: list[tuple[Wanted, str]]):
        self.unlinked = unlinked
        lines = [
            f"{w.context + ': ' if w.context else ''}{w.name!r} / {w.product!r} / {w.location!r} "
            f"[{w.unit}] ({why})"
            for w, why in unlinked
        ]
        super().__init__(f"{len(unlinked)} exchange(s) found no provider: " + "; ".join(lines))


@dataclass
class ProviderIndex:
    """Providers keyed by (name, reference product, location)."""

    providers: dict[tuple[str, str, str], Provider] = field(default_factory=dict)

    @classmethod
    def from_providers(cls, providers) -> "ProviderIndex":
        index = cls()
        for p in providers:
            index.providers.setdefault((p.name, p.product, p.location), p)
        return index

    @classmethod
    def from_databases(cls, database_names) -> "ProviderIndex":
        """Index the activities of Brightway databases (the first one wins on duplicates)."""
        from bw2data.backends import ActivityDataset as AD

        providers = []
        for db in database_names:
            query = AD.select(AD.id, AD.code, AD.name, AD.product, AD.location, AD.data).where(
                (AD.database == db) & (AD.type << ["process", "processwithreferenceproduct"])
            )
            for row in query:
                providers.append(
                    Provider(
                        database=db,
                        code=row.code,
                        name=row.name,
                        product=row.product or row.data.get("reference product", ""),
                        location=row.location or "GLO",
                        unit=row.data.get("unit", ""),
                        id=row.id,
                    )
                )
        return cls.from_providers(providers)

    def find(self, name: str, product: str, location: str) -> tuple[Provider, str] | None:
        """The provider along the fallback chain, with the location used."""
        for loc in fallback_chain(location):
            provider = self.providers.get((name, product, loc))
            if provider is not None:
                return provider, loc
        return None

    def subregion_providers(self, name: str, product: str, location: str) -> list[Provider]:
        """Providers of (name, product) at the subregions of ``location`` (see :data:`SUBREGIONS`)."""
        if location not in SUBREGIONS:
            return []
        prefix, excluded = SUBREGIONS[location]
        return sorted(
            (p for (n, pr, loc), p in self.providers.items()
             if n == name and pr == product and loc.startswith(prefix) and loc not in excluded),
            key=lambda p: p.location,
        )

    def find_mix(self, name: str, product: str, location: str) -> tuple[list[tuple[Provider, float]], str] | None:
        """Providers and weights for a grid technology wanted at ``location``, with a label of the rule used.

        Rule: the exact location if it exists; else, for a location with subregions
        (:data:`SUBREGIONS`), every subregion dataset weighted by its production volume
        (the background's own annual production of that technology in that subregion);
        else the plain fallback chain.  A subregion without a positive production volume
        is an error (no silent equal weights).
        """
        exact = self.providers.get((name, product, location))
        if exact is not None:
            return [(exact, 1.0)], location
        subs = self.subregion_providers(name, product, location)
        if subs:
            volumes = production_volumes(subs)
            bad = [p.location for p in subs if not volumes.get(p.key, 0.0) > 0]
            if bad:
                raise UserInputError(
                    f"{name!r} / {product!r}: subregion datasets {bad} of {location} have no positive production "
                    "volume; the subregion mix cannot be weighted"
                )
            total = sum(volumes[p.key] for p in subs)
            label = f"{location} subregion mix: " + ", ".join(
                f"{p.location} {volumes[p.key] / total:.4f}" for p in subs)
            return [(p, volumes[p.key] / total) for p in subs], label
        found = self.find(name, product, location)
        if found is None:
            return None
        return [(found[0], 1.0)], found[1]

    def link_all_mix(self, wanted: list[Wanted]) -> list[list[tuple[Link, float]]]:
        """Like :meth:`link_all` but each exchange may be a weighted subregion mix (grid technologies)."""
        out, unlinked = [], []
        for w in wanted:
            try:
                found = self.find_mix(w.name, w.product, w.location)
            except UserInputError as exc:
                unlinked.append((w, str(exc)))
                continue
            if found is None:
                unlinked.append((w, f"no provider at {w.location}, its subregions or along "
                                    f"{' -> '.join(fallback_chain(w.location))}"))
                continue
            mix, label = found
            links = []
            for provider, weight in mix:
                try:
                    factor = conversion_factor(w.unit, provider.unit, w.density_kg_per_l)
                except UserInputError:
                    unlinked.append((w, f"unit {canonical(w.unit)!r} cannot be converted to {provider.unit!r}"))
                    break
                links.append((Link(wanted=w, provider=provider, factor=factor, location_used=label), weight))
            else:
                out.append(links)
        if unlinked:
            raise UnlinkedExchangesError(unlinked)
        return out

    def link_all(self, wanted: list[Wanted]) -> list[Link]:
        """Link every wanted exchange or raise :class:`UnlinkedExchangesError` listing all failures."""
        links, unlinked = [], []
        for w in wanted:
            found = self.find(w.name, w.product, w.location)
            if found is None:
                unlinked.append((w, f"no provider along {' -> '.join(fallback_chain(w.location))}"))
                continue
            provider, loc = found
            try:
                factor = conversion_factor(w.unit, provider.unit, w.density_kg_per_l)
            except UserInputError:
                unlinked.append(
                    (w, f"unit {canonical(w.unit)!r} cannot be converted to the provider's {provider.unit!r}")
                )
                continue
            links.append(Link(wanted=w, provider=provider, factor=factor, location_used=loc))
        if unlinked:
            raise UnlinkedExchangesError(unlinked)
        return links


def production_volumes(providers: list[Provider]) -> dict[tuple[str, str], float]:
    """Production volume of each provider: its own field, else its production exchange in the database."""
    out = {p.key: p.production_volume for p in providers if p.production_volume is not None}
    todo = [p for p in providers if p.production_volume is None and p.id is not None]
    if todo:
        from bw2data.backends import ExchangeDataset as ED

        for p in todo:
            q = ED.select(ED.data).where((ED.output_database == p.database) & (ED.output_code == p.code)
                                         & (ED.type == "production"))
            vols = [float(r.data.get("production volume") or 0.0) for r in q]
            out[p.key] = max(vols) if vols else 0.0
    return out
