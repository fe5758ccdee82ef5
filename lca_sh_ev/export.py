"""Exports: the foreground to Excel (and back), a database to ecospold2 files.

* :func:`export_excel` writes the foreground with bw2io's Excel exporter;
  :func:`import_excel` re-imports such a file with bw2io's ``ExcelImporter``.
  bw2io's exported exchanges carry no reference product, so inputs are
  matched by (name, unit, location) in the databases named; any exchange left
  unlinked stops the import with the full list.
* :func:`write_ecospold2` writes Brightway records as ecospold2 ``.spold``
  files, one per single-output activity, shaped like an ecoinvent release
  (bw2io has no ecospold2 exporter).  It exists so the real ecoinvent import
  path (:func:`lca_sh_ev.backgrounds.import_ecospold`) can be tested on our own
  open surrogate; it writes nothing of ecoinvent's.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .errors import UserInputError

log = logging.getLogger(__name__)

NS = uuid.UUID("6f1c7f2e-5d4b-4c43-9a55-1ad1c3e0b2a7")  # namespace of our deterministic ecospold ids


def export_excel(path, database: str | None = None) -> Path:
    """Write ``database`` (default: the foreground) to the Excel file ``path`` with bw2io's exporter."""
    import bw2data as bd
    from bw2io.export.excel import write_lci_excel

    from .foreground import FG_DB

    database = database or FG_DB
    if database not in bd.databases:
        raise UserInputError(f"database {database!r} is not in project {bd.projects.current!r}; "
                             "run lca-sh-ev foreground (or run) first")
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserInputError(f"--excel {str(path)!r} must end in .xlsx")
    if path.parent and not path.parent.exists():
        raise UserInputError(f"--excel {str(path)!r}: folder {str(path.parent)!r} does not exist")
    with tempfile.TemporaryDirectory() as tmp:
        written = write_lci_excel(database, dirpath=tmp)
        shutil.move(written, path)
    return path


def import_excel(path, link_to: list[str], db_name: str | None = None) -> int:
    """Import an Excel file written by :func:`export_excel`; returns the number of activities written.

    Inputs are matched within the file, then in ``link_to`` (in order), by
    (name, unit, location); biosphere flows by bw2io's default strategies.

    Raises
    ------
    UserInputError
        The file is missing or exchanges stay unlinked (all listed; nothing written).
    """
    from bw2data.errors import InvalidExchange
    from bw2io import ExcelImporter

    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"Excel file {str(path)!r} does not exist")
    imp = ExcelImporter(str(path))
    if db_name:
        imp.db_name = db_name
        for ds in imp.data:
            ds["database"] = db_name
    imp.apply_strategies(verbose=False)
    imp.match_database(fields=("name", "unit", "location"))
    for other in link_to:
        imp.match_database(other, fields=("name", "unit", "location"))
    unlinked = [f"{ds.get('name')!r}: {e.get('type')} {e.get('name')!r} [{e.get('unit')}] at {e.get('location')!r}"
                for ds in imp.data for e in ds.get("exchanges", []) if not e.get("input")]
    if unlinked:
        raise UserInputError(f"{len(unlinked)} exchange(s) of {str(path)!r} found no provider in "
                             f"{['(the file)'] + list(link_to)}: " + "; ".join(unlinked))
    try:
        imp.write_database()
    except InvalidExchange as exc:  # pragma: no cover - guarded by the check above
        raise UserInputError(f"{str(path)!r}: an exchange is invalid ({exc}); unlinked: {list(imp.unlinked)}")
    return len(imp.data)


def project_problems(databases: list[str] | None = None) -> list[str]:
    """What would stop the project from opening cleanly (e.g. in Activity Browser).

    Lists activities without a name, unit or location and exchanges whose input
    node does not exist (dangling), in ``databases`` (default: all).
    """
    import bw2data as bd
    from bw2data.backends import ActivityDataset as AD
    from bw2data.backends import ExchangeDataset as ED

    dbs = list(databases or bd.databases)
    nodes = {(r.database, r.code) for r in AD.select(AD.database, AD.code)}
    problems = []
    processes = ["process", "processwithreferenceproduct"]  # elementary flows have no location
    for r in AD.select(AD.database, AD.code, AD.name, AD.location, AD.data).where(
            (AD.database << dbs) & (AD.type << processes)):
        missing = [f for f, v in (("name", r.name), ("unit", r.data.get("unit")), ("location", r.location)) if not v]
        if missing:
            problems.append(f"{r.database}/{r.code}: no {', '.join(missing)}")
    for e in ED.select(ED.input_database, ED.input_code, ED.output_database, ED.output_code).where(
            ED.output_database << dbs):
        if (e.input_database, e.input_code) not in nodes:
            problems.append(f"{e.output_database}/{e.output_code}: input {e.input_database}/{e.input_code} "
                            "does not exist")
    return problems


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NS, "|".join(parts)))


def _exchange_xml(tag: str, attrs: dict, children: list[str]) -> str:
    a = " ".join(f"{k}={quoteattr(str(v))}" for k, v in attrs.items())
    return f"<{tag} {a}>" + "".join(children) + f"</{tag}>"


def _text(tag: str, value: str) -> str:
    return f'<{tag} xml:lang="en">{escape(str(value))}</{tag}>'


def write_ecospold2(records: dict, biosphere: dict, folder) -> int:
    """Write single-output ``records`` as ecospold2 files in ``folder``; returns the number of files.

    Parameters
    ----------
    records : dict
        ``{(db, code): dataset}`` as Brightway writes them; technosphere inputs
        must point inside ``records``.
    biosphere : dict
        ``{code: (name, (compartment, subcompartment), unit)}`` of the flows used
        (the code is the ecoinvent elementary-flow UUID, as in ``biosphere3``).
    folder : path
        Created if needed.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    act_id = {key: _id("activity", *key) for key in records}
    prod_id = {key: _id("product", ds["reference product"]) for key, ds in records.items()}
    n = 0
    for key, ds in records.items():
        flows = []
        prod = [e for e in ds["exchanges"] if e["type"] == "production"]
        if len(prod) != 1:
            raise ValueError(f"{ds['name']!r}: ecospold2 export needs exactly one production exchange")
        flows.append(_exchange_xml("intermediateExchange", {
            "id": _id("exchange", *key, "production"), "amount": repr(float(prod[0]["amount"])),
            "intermediateExchangeId": prod_id[key],
            "productionVolumeAmount": repr(float(prod[0].get("production volume", 0.0)))},
            [_text("name", ds["reference product"]), _text("unitName", ds["unit"]), "<outputGroup>0</outputGroup>"]))
        for i, e in enumerate(ds["exchanges"]):
            if e["type"] == "technosphere":
                src = tuple(e["input"])
                if src not in records:
                    raise ValueError(f"{ds['name']!r}: input {src} is outside the exported records")
                flows.append(_exchange_xml("intermediateExchange", {
                    "id": _id("exchange", *key, str(i)), "amount": repr(float(e["amount"])),
                    "intermediateExchangeId": prod_id[src], "activityLinkId": act_id[src]},
                    [_text("name", records[src]["reference product"]), _text("unitName", records[src]["unit"]),
                     "<inputGroup>5</inputGroup>"]))
            elif e["type"] == "biosphere":
                name, cats, unit = biosphere[e["input"][1]]
                group = "<inputGroup>4</inputGroup>" if cats[0] == "natural resource" else "<outputGroup>4</outputGroup>"
                sub = cats[1] if len(cats) > 1 else "unspecified"
                flows.append(_exchange_xml("elementaryExchange", {
                    "id": _id("exchange", *key, str(i)), "amount": repr(float(e["amount"])),
                    "elementaryExchangeId": e["input"][1]},
                    [_text("name", name), _text("unitName", unit),
                     f"<compartment subcompartmentId={quoteattr(_id('sub', *cats))}>"
                     f"{_text('compartment', cats[0])}{_text('subcompartment', sub)}</compartment>", group]))
        comment = ds.get("comment", "")
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ecoSpold xmlns="http://www.EcoInvent.org/EcoSpold02"><activityDataset><activityDescription>'
            f'<activity id="{act_id[key]}" activityNameId="{_id("name", ds["name"])}" specialActivityType="0">'
            f'{_text("activityName", ds["name"])}'
            f'<generalComment><text xml:lang="en" index="0">{escape(comment)}</text></generalComment></activity>'
            f'<geography geographyId="{_id("geo", ds["location"])}">{_text("shortname", ds["location"])}</geography>'
            '<technology technologyLevel="3"/>'
            '<timePeriod startDate="2022-01-01" endDate="2022-12-31" isDataValidForEntirePeriod="true"/>'
            '</activityDescription><flowData>' + "".join(flows) + '</flowData>'
            '<administrativeInformation><dataEntryBy personId="00000000-0000-0000-0000-000000000000" '
            'personName="lca-sh-ev" personEmail="none"/><dataGeneratorAndPublication '
            'personId="00000000-0000-0000-0000-000000000000" personName="lca-sh-ev" personEmail="none"/>'
            '</administrativeInformation></activityDataset></ecoSpold>\n')
        (folder / f"{act_id[key]}_{prod_id[key]}.spold").write_text(xml, encoding="utf-8")
        n += 1
    return n


def write_records_ecospold2(records: dict, folder) -> int:
    """Write Brightway records as ecospold2 files, looking their biosphere flows up in the current project."""
    import bw2data as bd

    codes = {e["input"][1] for ds in records.values() for e in ds["exchanges"] if e["type"] == "biosphere"}
    bio = {}
    for code in codes:
        f = bd.get_node(database="biosphere3", code=code)
        bio[code] = (f["name"], tuple(f["categories"]), f["unit"])
    return write_ecospold2(records, bio, folder)


def write_database_ecospold2(database: str, folder) -> int:
    """Write a Brightway database of the current project as ecospold2 files."""
    import bw2data as bd

    return write_records_ecospold2(bd.Database(database).load(), folder)
