"""`consolidate sweep`: one scenario under a grid of key values, solved in parallel into sweep.csv."""
from __future__ import annotations

import click

from ._common import echo_table, echo_written, lang_option, loading, reports_errors


@click.command("sweep")
@click.argument("scenario", required=False, default="baseline")
@click.option("--grid", "grid", multiple=True, metavar="KEY=V1,V2,…",
              help="A scenario key and the values to try (read as YAML); repeat for a cartesian grid.")
@click.option("--variants", "variants_file", type=click.Path(dir_okay=False), metavar="FILE.csv|yaml",
              help="Explicit variants: a CSV with a column per key, or a YAML list of {key: value} "
                   "(combined with --grid, every variant × the grid).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override a key in every variant (repeatable; values read as YAML).")
@click.option("--region", metavar="NAME_OR_PATH", help="Region model (overrides the scenario's).")
@click.option("--workers", type=click.IntRange(min=1), help="Parallel processes (default: the CPU count).")
@click.option("--dask", "dask", metavar="ADDRESS|local",
              help="Run on a Dask cluster (scheduler address), or `local` for a LocalCluster of --workers processes.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for sweep.csv.")
@click.option("--resume", is_flag=True, help="Keep the variants sweep.csv in --out already has a final status for.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--no-charts", is_flag=True, help="Write sweep.csv only.")
@lang_option
@reports_errors
def sweep_command(scenario, grid, variants_file, overrides, region, workers, dask, out, resume, no_progress,
                  no_charts, lang):
    """Solve SCENARIO (default: baseline) under every combination of --grid values.

    One row per variant in OUT/sweep.csv: its id (a hash of its overrides), the parameters, status,
    proven_optimal, gap, objective and its weighted parts, hosts, members, revoked, revoked GDP,
    merges by mode, message (why a variant has no plan) and seconds (the only column that differs
    between runs). Infeasible, stopped and invalid variants are rows, not crashes. Examples:

    \b
      consolidate sweep baseline --grid rules.district_cap=2,3,4 \\
          --grid objective.weights.distance=0.5,1,4 --out out/sweep
      consolidate sweep baseline --grid allocation.gdp=territorial,host,split:0.5 --out out/sharing
      consolidate sweep baseline --variants variants.csv --dask tcp://scheduler:8786 --out out/big --resume
    """
    with loading():
        from ..sweep import parse_grid, read_variants, run_sweep
        from .. import pipeline  # noqa: F401  (the solver's modules, which the workers inherit)
    explicit = read_variants(variants_file) if variants_file else None
    result = run_sweep(scenario, parse_grid(grid), out, variants=explicit, fixed=list(overrides), region=region,
                       workers=workers, dask=dask, resume=resume, progress=not no_progress, charts=not no_charts,
                       echo=lambda text: click.echo(text, err=True), lang=lang)
    rows, words = result.rows, SUMMARY[result.lang]
    counts = rows["status"].value_counts()
    click.echo(words["line"].format(n=len(rows), statuses=words["sep"].join(f"{n} {s}" for s, n in counts.items()),
                                    solved=result.solved, seconds=result.seconds,
                                    kept=words["kept"].format(n=result.skipped) if result.skipped else ""))
    real = [c for c in ("gdp_km", "revoked_gdp") if c in rows]  # the objective in real units
    shown = rows[["variant", *result.parameters, "status", "objective", "hosts", "members", "revoked", *real]]
    title = words["title"] + (words["first"].format(n=len(shown)) if len(shown) > 30 else "")
    echo_table(shown.head(30).reset_index(drop=True), title=title)
    echo_written(result.folder / "sweep.csv", result.lang, before="\n")


SUMMARY = {
    "en": {"line": "{n} variants: {statuses}; {solved} solved now{kept}, {seconds:.1f} s wall", "sep": ", ",
           "kept": ", {n} kept from before", "title": "Sweep", "first": " (the first 30 of {n} rows)"},
    "zh": {"line": "{n} 个组合：{statuses}；本次求解 {solved} 个{kept}，用时 {seconds:.1f} 秒", "sep": "，",
           "kept": "，沿用此前 {n} 个", "title": "参数扫描", "first": "（共 {n} 行，显示前 30 行）"},
}


COMMANDS = [sweep_command]
