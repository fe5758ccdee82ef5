"""lca-sh-ev: regionally expanded LCA of US, second-hand exported and Mexican cars (Brightway 2.5).

The Python API mirrors the CLI::

    import lca_sh_ev
    results = lca_sh_ev.run()              # or lca_sh_ev.run("my_scenario.yaml")
    results.impacts, results.lifetime      # pandas DataFrames
    lca_sh_ev.write_outputs(results, "results")
"""

__version__ = "0.1.0"


def run(config=None, progress: bool = True):
    """Run the main job and return :class:`lca_sh_ev.job.Results` (see :func:`lca_sh_ev.job.run`)."""
    from .job import run as _run

    return _run(config, progress=progress)


def write_outputs(results, out="results", figures: bool = True):
    """Write a run's tables and figures like ``lca-sh-ev run`` does (see :func:`lca_sh_ev.report.write_outputs`)."""
    from .report import write_outputs as _write

    return _write(results, out, figures=figures)
