"""`consolidate campaign`: the 2018 Tianjin campaign — a model plan against the published 49 / 130 / 116."""
from __future__ import annotations

import os
from pathlib import Path

import click

from ._common import echo_table, reports_errors
from .run import scenario_options


@click.command("campaign")
@click.argument("scenario", required=False, default="tianjin-2018-campaign")
@scenario_options
@click.option("--out", type=click.Path(file_okay=False),
              help="Folder to write (default: ./consolidate-out/campaign-SCENARIO).")
@click.option("--sweep", "do_sweep", is_flag=True,
              help="Also solve a grid over the main knobs and report which settings come closest.")
@click.option("--grid", multiple=True, metavar="KEY=V1,V2,…",
              help="A sweep knob and its values (repeatable; replaces the default grid).")
@click.option("--processes", type=int, metavar="N", help="Sweep processes (default: CPU count).")
@click.option("--no-charts", is_flag=True, help="Write the tables only.")
@reports_errors
def campaign_command(scenario, region, overrides, solver, time_limit, out, do_sweep, grid, processes, no_charts):
    """Solve SCENARIO (default: tianjin-2018-campaign) and compare its plan with the published outcome
    of Tianjin's 2018 园区围城治理 plan: 314 parks → keep 49, integrate 130, revoke 116, 19 long-term.

    Prints the comparison (overall and by level) and writes comparison.csv, by_level.csv,
    campaign.json, comparison.png/.svg and the plan's tables (plan/) to --out. The distance is the
    L1 distance of (kept, integrated, revoked) to the published outcome with the 19 long-term cases
    counted as kept or revoked, whichever is nearer. With --sweep, also solves every combination of
    the grid (default: objective.weights.zone_count, objective.weights.revocation,
    merging.max_distance_km) in parallel and writes sweep.csv, sensitivity.csv, sweep.txt and sweep.png.

    \b
      consolidate campaign                                      # the cap alone
      consolidate campaign tianjin-2018-campaign-push           # plus a cost per surviving park
      consolidate campaign --set objective.weights.zone_count=0.1 --out out/campaign
      consolidate campaign --sweep --grid objective.weights.zone_count=0,0.1,0.2 --processes 4
    """
    from ..campaign import (DEFAULT_GRID, run_campaign, sensitivity, sensitivity_text, sweep, write_campaign,
                            write_sweep)
    from ..sweep import parse_grid

    result = run_campaign(scenario, overrides, region, solver, time_limit)
    folder = Path(out or Path("consolidate-out") / f"campaign-{result.summary['scenario']}")
    folder = write_campaign(result, folder, charts=not no_charts)
    print_result(result)

    if do_sweep:
        knobs = dict(parse_grid(grid)) if grid else DEFAULT_GRID
        extra = list(overrides) + ([f"solver.name={solver}"] if solver else []) \
            + ([f"solver.time_limit_s={time_limit}"] if time_limit is not None else [])
        n = 1
        for values in knobs.values():
            n *= len(values)
        workers = processes or os.cpu_count() or 1
        click.echo(f"\nsweep: {n} settings in {min(n, workers)} processes …")
        frame = sweep(scenario, knobs, extra, region, workers)
        sens = sensitivity(frame, knobs)
        write_sweep(frame, sens, knobs, folder)
        shown = frame.head(10).drop(columns=["variant", "message"]).astype({k: str for k in knobs})  # 0.075, not 0.07
        echo_table(_printable(shown), title="Closest settings (distance to 49 / 130 / 116, long-term either way)")
        for line in sensitivity_text(frame, sens, knobs):
            click.echo(line)
    click.echo(f"\nwritten to {folder}")


def print_result(result) -> None:
    s = result.summary
    stated = result.plan.stats.verdict
    verdict = click.style(stated.text("en"), fg="green" if stated.proven_optimal else "yellow")
    click.secho(f"{s['region']} — scenario '{s['scenario']}': {verdict}, {s['seconds']['total']:.2f} s, "
                f"checks {'passed' if s['checks_passed'] else click.style('FAILED', fg='red')}", bold=True)
    echo_table(_printable(result.table), title="Published plan (2018) vs model")
    echo_table(_printable(result.levels), title="By level (published levels exist only for the parks before)")
    closest = result.closest
    click.echo(f"distance {result.distance} (nearest published split of the 19 long-term cases: kept "
               f"{closest['kept']}, integrated {closest['integrated']}, revoked {closest['revoked']}); "
               f"plain L1 to 49/130/116: {s['plain_l1']}")
    for row in result.uncounted.itertuples(index=False):
        fate = row.status if row.status != "member" else f"member of {row.host_id}"
        click.echo(f"not counted (inside {row.counted_in}): {row.zone_id} {row.name} → {fate}")


def _printable(frame):
    """Nullable integer columns (pd.NA) as plain objects, which echo_table prints as blanks."""
    return frame.astype(object).where(frame.notna(), None)


COMMANDS = [campaign_command]
