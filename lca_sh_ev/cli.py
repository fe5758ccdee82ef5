"""Command-line interface ``lca-sh-ev``.

Exit codes: 0 done; 2 the user's input is wrong (one line, nothing written);
1 a bug (traceback).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import UserInputError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Regionally expanded LCA of US, second-hand exported and Mexican cars (Brightway 2.5).")


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    # Brightway's own progress bars and structlog chatter are noise on the command line;
    # our progress bar sets ``disable`` explicitly, so it is not affected.
    os.environ.setdefault("TQDM_DISABLE", "1")
    _ensure_bw_dir()
    # bw2data/bw2io print their feedback through a structlog logger bound to sys.stdout
    # at first use; binding it to stderr (verbose) or devnull keeps stdout for results.
    sink = sys.stderr if verbose else open(os.devnull, "w")  # noqa: SIM115 - lives for the process
    with contextlib.redirect_stdout(sink):
        import bw2data  # noqa: F401
        import bw2io  # noqa: F401
    try:
        import structlog

        structlog.configure(
            wrapper_class=structlog.make_filtering_bound_logger(logging.INFO if verbose else logging.ERROR),
            logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        )
    except ImportError:  # pragma: no cover
        pass
    if not verbose:
        for noisy in ("bw2data", "bw2calc", "bw2io", "premise"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


def _guard(func, *args, **kwargs):
    """Run a command body: Brightway's own prints go to stderr; a user error is one line and exit 2."""
    _STDOUT[0] = sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr):
            return func(*args, **kwargs)
    except UserInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2)


def _say(message: str) -> None:
    """The command's result line, on the real standard output (not the redirected one)."""
    typer.echo(message, file=_STDOUT[0])


_STDOUT = [sys.stdout]


def _ensure_bw_dir() -> None:
    """bw2data needs BRIGHTWAY2_DIR to exist before import."""
    path = os.environ.get("BRIGHTWAY2_DIR")
    if path:
        Path(path).mkdir(parents=True, exist_ok=True)


@app.command()
def setup(
    background: Optional[str] = typer.Option(None, help="surrogate | ecoinvent (with --ei-version; --ecospold DIR "
                                              "to import) | bw:PROJECT:DATABASE (copy from another Brightway "
                                              "project); default: the project's current background (surrogate "
                                              "for a new project)"),
    project: str = typer.Option("lca-sh-ev", help="Brightway project name"),
    force: bool = typer.Option(False, help="rebuild even if the project is up to date"),
    ecospold: Optional[Path] = typer.Option(None, help="folder of ecoinvent .spold files (the release's 'datasets')"),
    ei_version: Optional[str] = typer.Option(None, help="ecoinvent version: 3.8 | 3.9 | 3.10 | 3.11 (cut-off)"),
    grids: Optional[str] = typer.Option(None, help="bundled | premise (default: keep the project's grids)"),
    iam: str = typer.Option("image", help="premise IAM: image | remind | message"),
    pathway: Optional[str] = typer.Option(None, help="premise pathway, e.g. SSP2-Base"),
    years: Optional[list[int]] = typer.Option(None, "--years", help="premise database years (repeat --years)"),
    premise_key_env: Optional[str] = typer.Option(None, help="environment variable holding the premise key"),
    premise_key_file: Optional[Path] = typer.Option(None, help="file holding the premise key (never stored)"),
    iam_dir: Optional[Path] = typer.Option(None, help="folder of unencrypted IAM files (premise filepath, no key)"),
    premise_db: Optional[list[str]] = typer.Option(None, "--premise-db",
                                                   help="use a built premise database: YEAR=DATABASE (repeat)"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """Build (or check) the Brightway project offline; idempotent."""
    _logging(verbose)

    def go():
        from .setup import check_background, current_background
        from .setup import setup as do_setup

        _ensure_bw_dir()
        spec = background or current_background(project)
        check_background(spec, ei_version)
        report = do_setup(project=project, background=spec, force=force, ecospold=ecospold, report_dir=Path.cwd(),
                          ei_version=ei_version, grids=_grids_request(grids, iam, pathway, years, premise_key_env,
                                                                      premise_key_file, iam_dir, premise_db))
        _say(report.summary())

    _guard(go)


def _grids_request(grids, iam, pathway, years, key_env, key_file, iam_dir, premise_db):
    """The ``grids`` argument of :func:`lca_sh_ev.setup.setup` from the CLI options."""
    if grids is None:
        if premise_db or pathway:
            raise UserInputError("--premise-db/--pathway need --grids premise")
        return None
    if grids == "bundled":
        return "bundled"
    if grids != "premise":
        raise UserInputError(f"--grids {grids!r} is not supported; allowed: bundled, premise")
    from .premise_grids import PremiseGrids

    dbs = {}
    for item in premise_db or []:
        year, _, name = item.partition("=")
        if not year.strip().isdigit() or not name:
            raise UserInputError(f"--premise-db {item!r} must look like YEAR=DATABASE")
        dbs[int(year)] = name
    return PremiseGrids(iam=iam, pathway=pathway or "", years=list(years or []), key_env=key_env,
                        key_file=str(key_file) if key_file else None, iam_dir=str(iam_dir) if iam_dir else None,
                        databases=dbs or None)


@app.command()
def relink(
    background: str = typer.Option(..., help="new background: surrogate | ecoinvent | bw:PROJECT:DATABASE"),
    project: str = typer.Option("lca-sh-ev", help="Brightway project name"),
    ecospold: Optional[Path] = typer.Option(None, help="folder of .spold files to import first"),
    ei_version: Optional[str] = typer.Option(None, help="ecoinvent version: 3.8 | 3.9 | 3.10 | 3.11"),
    report: Path = typer.Option(Path("relink_report.csv"), help="CSV report of every relinked exchange"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """Swap the background: relink additions, grid and foreground; any unlinked exchange stops it (exit 2)."""
    _logging(verbose)

    def go():
        from .relink import relink as do_relink

        _ensure_bw_dir()
        result = do_relink(background, project=project, ecospold=ecospold, ei_version=ei_version, report=report)
        _say(result.summary())

    _guard(go)


@app.command()
def export(
    excel: Optional[Path] = typer.Option(None, help="Excel file (.xlsx) to write the foreground to"),
    ecospold: Optional[Path] = typer.Option(None, help="folder to write the surrogate background to as ecospold2"),
    project: str = typer.Option("lca-sh-ev", help="Brightway project name"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """Write the foreground with bw2io's Excel exporter (re-importable), or the surrogate as ecospold2 files."""
    _logging(verbose)

    def go():
        import bw2data as bd

        from .export import export_excel, write_database_ecospold2
        from .surrogate import SURROGATE_DB

        _ensure_bw_dir()
        if excel is None and ecospold is None:
            raise UserInputError("export needs --excel FILE.xlsx and/or --ecospold DIR")
        if project not in bd.projects:
            raise UserInputError(f"--project {project!r} does not exist; run lca-sh-ev setup and foreground first")
        bd.projects.set_current(project)
        if excel is not None:
            _say(f"wrote {export_excel(excel)}")
        if ecospold is not None:
            if ecospold.exists() and any(ecospold.iterdir()):
                raise UserInputError(f"--ecospold {str(ecospold)!r} is not empty; give a new folder")
            _say(f"wrote {write_database_ecospold2(SURROGATE_DB, ecospold)} ecospold2 files to {ecospold}")

    _guard(go)


@app.command()
def run(
    config: Optional[Path] = typer.Option(None, help="scenario YAML (default: the bundled Table 1 scenario)"),
    out: Path = typer.Option(Path("results"), help="output folder"),
    no_figures: bool = typer.Option(False, "--no-figures", help="skip the figures"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """The main job: ReCiPe 2016 (H) per km by stage for every pathway and export age."""
    _logging(verbose)

    def go():
        from .config import load_scenario
        from .report import write_outputs
        from .job import check_out_dir
        from .job import run as do_run

        scenario = load_scenario(config)
        check_out_dir(out)
        _ensure_bw_dir()
        results = do_run(scenario, progress=sys.stderr.isatty() or verbose)
        write_outputs(results, out, figures=not no_figures)
        n = results.impacts[["pathway", "export_age"]].drop_duplicates().shape[0]
        _say(f"wrote {out}/impacts.csv ({len(results.impacts)} rows, {n} pathway cases), "
                   f"lifetime.csv, run.json" + ("" if no_figures else ", figures/"))

    _guard(go)


@app.command()
def foreground(
    config: Optional[Path] = typer.Option(None, help="scenario YAML (default: the bundled Table 1 scenario)"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """Write the foreground database only (for Activity Browser)."""
    _logging(verbose)

    def go():
        from .config import load_scenario
        from .foreground import FG_DB, build_plan
        from .job import write_foreground
        from .job import scenario_background
        from .setup import background_db_name
        from .setup import setup as do_setup

        scenario = load_scenario(config)
        _ensure_bw_dir()
        spec = scenario_background(scenario)
        do_setup(project=scenario.project, background=spec)
        records = write_foreground(build_plan(scenario), background_db_name(spec))
        _say(f"wrote database {FG_DB!r} ({len(records)} activities) in project {scenario.project!r}")

    _guard(go)


@app.command()
def mfa(
    config: Optional[Path] = typer.Option(None, help="MFA YAML (default: lca_sh_ev/configs/mfa_default.yaml)"),
    out: Path = typer.Option(Path("results/mfa"), help="output folder"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """The MFA side module: US and MX fleets, second-hand flows, end-of-life battery materials."""
    _logging(verbose)

    def go():
        from .mfa import run_mfa, write_outputs
        from .job import check_out_dir

        check_out_dir(out)
        results = run_mfa(str(config) if config else None, out)
        written = write_outputs(results, out)
        _say(f"wrote {len(written)} files to {out} ({results.seconds:.1f} s)")

    _guard(go)


@app.command()
def bench(
    synthetic: Optional[int] = typer.Option(None, "--synthetic", metavar="N",
                                            help="run on a seeded synthetic background of N activities instead "
                                                 "of the surrogate (ecoinvent size: --synthetic 20000)"),
    seed: int = typer.Option(42, help="seed of the synthetic background"),
    out: Path = typer.Option(Path("results/bench"), help="output folder (bench.json, profile.txt)"),
    repeat: int = typer.Option(3, help="repetitions of (a) and (b); the fastest counts"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """Time the fast sweep against one bw2calc LCA (the floor) and MultiLCA; last line 'sweep/floor: X.XX'."""
    _logging(verbose)

    def go():
        from .bench import run_bench, summary_lines, write_bench
        from .job import check_out_dir

        if synthetic is not None and synthetic < 100:
            raise UserInputError(f"--synthetic {synthetic}: use at least 100 activities")
        if repeat < 1:
            raise UserInputError(f"--repeat {repeat}: use at least 1")
        check_out_dir(out)
        _ensure_bw_dir()
        result = run_bench(synthetic=synthetic, seed=seed, repeat=repeat)
        write_bench(result, out)
        for line in summary_lines(result):
            _say(line)

    _guard(go)


@app.command()
def sensitivity(
    samples: int = typer.Option(1024, help="Saltelli base samples N (N x (parameters + 2) model runs)"),
    pathway: str = typer.Option("tesla_model_y/SH", help="pathway id vehicle/market"),
    draws: int = typer.Option(10000, help="Monte Carlo draws for the summary table"),
    seed: int = typer.Option(42, help="seed of the Monte Carlo and Sobol samples"),
    config: Optional[Path] = typer.Option(None, help="scenario YAML (default: the bundled Table 1 scenario)"),
    out: Path = typer.Option(Path("results/sensitivity"), help="output folder"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
):
    """Monte Carlo and Sobol indices of one pathway over the foreground parameters (inventories/uncertainty)."""
    _logging(verbose)

    def go():
        from .config import load_scenario
        from .job import check_out_dir
        from .sensitivity import run_sensitivity, write_sensitivity

        if samples < 2 or draws < 1:
            raise UserInputError(f"--samples {samples} / --draws {draws}: use samples >= 2 and draws >= 1")
        scenario = load_scenario(config)
        check_out_dir(out)
        _ensure_bw_dir()
        res = run_sensitivity(pathway, samples, seed, draws, scenario)
        written = write_sensitivity(res, out)
        t = res["timings"]
        _say(f"{pathway}: {draws} Monte Carlo draws in {t['monte_carlo_s']:.2f} s "
             f"({res['mc_draws_per_s']:,.0f} draws/s); Sobol {res['sobol_evaluations']} runs in {t['sobol_s']:.2f} s; "
             f"wrote {len(written)} files to {out}")

    _guard(go)


def main():  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
