"""`consolidate run`: solve a scenario into a plan folder and say what it means."""
from __future__ import annotations

from pathlib import Path

import click

from ..io import check_folder_target
from ._common import (Later, echo_table, lang_option, language, loading, objective_parts_text, progress_bar,
                      reports_errors)


def scenario_options(command):
    """--region, --set, --solver, --time-limit: shared by every command that solves."""
    for option in reversed([
        click.option("--region", "region", metavar="NAME_OR_PATH", help="Region model (overrides the scenario's)."),
        click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                     help="Override a scenario key, e.g. --set rules.district_cap=2 (repeatable; values read as YAML)."),
        click.option("--solver", type=click.Choice(["highs", "cbc"]), help="MIP solver (default: the scenario's, highs)."),
        click.option("--time-limit", type=float, metavar="S", help="Solver time limit per component, seconds."),
    ]):
        command = option(command)
    return command


@click.command("run")
@click.argument("scenario", required=False, default="baseline")
@scenario_options
@click.option("--out", type=click.Path(file_okay=False), help="Plan folder to write (default: ./consolidate-out/SCENARIO).")
@click.option("--no-charts", is_flag=True, help="Write the tables only.")
@click.option("--svg", is_flag=True, help="Also write each chart as SVG (text as text, the font embedded).")
@click.option("--xlsx", is_flag=True, help="Also write plan.xlsx: one sheet per table, for Excel and WPS.")
@click.option("--members", is_flag=True, help="List every merge and revocation, even for large regions.")
@click.option("--lock", "locks", multiple=True, metavar="PLAN_DIR[:ZONE,...]",
              help="Keep the decisions of a (possibly hand-edited) plan for the zones named (ids or names), or for "
                   "all; re-optimise the rest.")
@click.option("--alternatives", "n_alternatives", type=click.IntRange(min=1), metavar="K",
              help="Also find up to K further distinct plans, next best first (OUT/alt-0 is the optimum).")
@click.option("--within", type=click.FloatRange(min=0), metavar="PCT",
              help="With --alternatives: only plans within PCT percent of the optimum.")
@click.option("--export-model", type=click.Path(dir_okay=False), metavar="FILE.mps|FILE.lp",
              help="Also write the exact MIP (the whole region, through PuLP) for any other solver.")
@lang_option
@reports_errors
def run_command(scenario, region, overrides, solver, time_limit, out, no_charts, svg, xlsx, members, locks,
                n_alternatives, within, export_model, lang):
    """Solve SCENARIO (a bundled name or a YAML file; default: baseline) into a plan.

    Writes plan.csv, districts.csv, flows.csv, graph.csv, summary.json and charts (PNG) to --out,
    atomically, and prints which districts had to consolidate and how. Examples:

    \b
      consolidate run                                   # article 18 on Tianjin
      consolidate run baseline --set rules.district_cap=2 --out out/cap2
      consolidate run my-scenario.yaml --region models/my-city --solver cbc
      consolidate run cap-2 --lock out/cap2-edited:天津大邱庄工业区   # keep one hand-made decision
      consolidate run cap-2 --alternatives 3 --within 5 --out out/cap2-alt  # and the next 3 best plans
      consolidate run baseline --export-model model.mps   # the MIP for Gurobi, CPLEX, SCIP
    """
    import contextlib

    with contextlib.ExitStack() as stack:
        with loading():
            from .. import plan  # noqa: F401  (what both processes need, and all the drawing child needs of ours)
            from ..charts import drawer as chart_drawer

            # the child loads matplotlib and the fonts while this process loads the graph and model code (that
            # the child does not need), reads the region and solves
            drawer = stack.enter_context(chart_drawer()) if not no_charts and not n_alternatives else None
            from .. import pipeline  # noqa: F401
        run_plan(scenario, region, overrides, solver, time_limit, out, no_charts, svg, xlsx, members, locks,
                 n_alternatives, within, export_model, lang, drawer)


def run_plan(scenario, region, overrides, solver, time_limit, out, no_charts, svg, xlsx, members, locks,
             n_alternatives, within, export_model, lang, drawer=None):
    """`consolidate run`, with `drawer` (a chart_drawer, or None) preparing to draw while the plan is solved."""
    from ..pipeline import solve
    from ..scenario import resolve_scenario

    region, scenario = resolve_scenario(scenario, region, overrides, solver, time_limit)
    before = len(scenario.pins.assign) + len(scenario.pins.revoke)
    scenario = apply_locks(scenario, locks)
    locked = len(scenario.pins.assign) + len(scenario.pins.revoke) - before
    if export_model:
        from .. import export

        export.check_path(export_model)
    out = check_folder_target(out or Path("consolidate-out") / scenario.name)  # refused now, not after the solve
    if within is not None and not n_alternatives:
        raise click.UsageError("--within needs --alternatives K")
    if n_alternatives:
        return run_alternatives(region, scenario, n_alternatives, within, out, not no_charts, language(lang, region), svg)
    with progress_bar("solving components") as advance:
        plan = solve(region, scenario, progress=advance)
    if locks:  # optimal given the locked decisions, which the checks verified as pins
        plan.summary["locked"] = {"from": [str(lock) for lock in locks], "decisions": locked}
    lang = language(lang, region)
    summary = Later()   # worked out while the charts are drawn, said once the folder is there
    folder = plan.to_dir(out, charts=not no_charts, xlsx=xlsx, lang=lang, svg=svg, drawer=drawer,
                         meanwhile=lambda: print_summary(plan, lang, members, out=summary))
    summary.say()
    if locks:
        click.echo(f"{locked} decision(s) locked from {', '.join(locks)}: the plan is the best one that keeps them")
    click.echo(f"\n{WORDS[lang]['written']} {folder}")
    if export_model:
        from .. import export

        click.echo(f"the model (whole region, one MIP) written to {export.write_model(region, scenario, export_model)}")


def run_alternatives(region, scenario, k: int, within: float | None, out: Path, charts: bool, lang: str,
                     svg: bool = False) -> None:
    import pandas as pd

    from ..alternatives import alternatives, write_alternatives

    result = alternatives(region, scenario, k, within)
    folder = write_alternatives(result, out, charts=charts, lang=lang, svg=svg)
    print_summary(result.plans[0], lang)
    table = result.table.copy()
    table["proven"] = table["proven"].map({True: "proven", False: "NOT proven"})
    for column, spec in (("objective", ".6f"), ("extra_cost", ".6f"), ("extra_pct", ".3f")):
        table[column] = table[column].map(lambda v: "" if pd.isna(v) else f"{v:{spec}}")
    echo_table(table.drop(columns="differs"), title=f"The optimum and {len(table) - 1} next best distinct plans")
    for _, row in table.iloc[1:].iterrows():
        click.echo(f"  {row['plan']}: {row['differs']}")
    unstable = result.fates[result.fates["stability"] != f"{len(table)}/{len(table)}"]
    if len(unstable):
        echo_table(unstable.reset_index(drop=True), title="Zones whose fate changes between the plans (stability)")
    click.echo(f"\n{WORDS[lang]['written']} {folder}")


def apply_locks(scenario, locks: tuple[str, ...]):
    """--lock PLAN_DIR[:ZONE,...]: the plan's decisions for those zones (all without a list) become pins."""
    from ..explain import lock_decisions
    from ..plan import Plan

    for lock in locks:
        folder, zones = lock, None
        if not Path(lock).is_dir() and ":" in lock:
            folder, _, listed = lock.rpartition(":")
            zones = [z.strip() for z in listed.split(",") if z.strip()]
        scenario = lock_decisions(scenario, Plan.from_dir(folder), zones)
    return scenario


MAX_ROWS = 40      # longer listings go to the files only
SMALL = 60         # regions up to this many zones list each merge; larger ones a table per district

WORDS = {
    "en": {"scenario": "scenario", "written": "written to",
           "counts": "{zones} zones → {hosts} kept, {members} merged ({modes}), {revoked} revoked, {folded} folded into "
                     "comprehensive bonded zones", "none": "none", "objective": "objective", "checks": "checks",
           "passed": "passed", "consolidated": "{n} districts had to consolidate:", "revoked": "revoked",
           "exempt": "exempt", "cap": "cap", "more": "… and {n} more (see districts.csv and plan.csv)",
           "district": "district", "before": "before", "after": "after", "merged": "merged",
           "hosts": "hosts receiving", "per_district": "Zones per district",
           "members_hint": "(each merge: --members, or plan.csv)",
           "over_cap": "cap in principle (rules.cap_mode=in_principle): {n} zone(s) above the caps:",
           "entrusted": "entrusted", "co_construction": "co-construction", "multi_park": "multi-park"},
    "zh": {"scenario": "方案", "written": "已写入",
           "counts": "{zones} 个开发区 → 保留 {hosts}，整合 {members}（{modes}），撤销 {revoked}，"
                     "合并为综合保税区 {folded}", "none": "无", "objective": "目标值", "checks": "独立校验",
           "passed": "通过", "consolidated": "{n} 个区须整合：", "revoked": "撤销", "exempt": "豁免", "cap": "上限",
           "more": "… 另有 {n} 个（见 districts.csv 和 plan.csv）", "district": "区", "before": "整合前",
           "after": "整合后", "merged": "整合", "hosts": "接收的牵头开发区", "per_district": "各区开发区数",
           "members_hint": "（逐项列出：--members，或见 plan.csv）",
           "over_cap": "上限“原则上”执行（rules.cap_mode=in_principle）：超出上限共 {n} 个开发区：",
           "entrusted": "委托代管", "co_construction": "合作共建", "multi_park": "一区多园",
           "distance": "距离", "revocation": "撤销", "host_quality": "牵头质量", "zone_count": "开发区数"},
}


def _names(plan, lang: str, what: str) -> dict[str, str]:
    """Zone (what='zones') or district names in the language asked, English where the region has it."""
    if what == "zones":
        names = plan.table["name"].astype(str).to_dict()
        frame = plan.region.zones if plan.region is not None else None
    else:
        names = plan.districts["name"].astype(str).to_dict()
        frame = plan.region.districts if plan.region is not None else None
    if lang == "en" and frame is not None and "name_en" in frame:
        names.update({k: str(v) for k, v in frame["name_en"].items() if isinstance(v, str) and v.strip()})
    return names


def print_summary(plan, lang: str = "en", members: bool = False, out=click) -> None:
    """What the plan means, printed with `out.echo` / `out.secho` (click's, or a `Later`'s)."""
    w = WORDS[lang]
    s = plan.stats
    table = plan.table
    zone, district = _names(plan, lang, "zones"), _names(plan, lang, "districts")
    out.secho(f"{plan.region_title(lang)} — {w['scenario']} '{s.label or s.scenario_name}'", bold=True)
    verdict = click.style(s.verdict.text(lang, detail=True), fg="green" if s.verdict.proven_optimal else "yellow")
    counts = s.counts
    modes = ", ".join(f"{n} {w.get(m, m)}" for m, n in counts.by_mode.items()) or w["none"]
    out.echo(w["counts"].format(zones=counts.zones, hosts=counts.hosts, members=counts.members, modes=modes,
                                  revoked=counts.revoked, folded=counts.customs_folded))
    out.echo(f"{w['objective']} {s.objective:.4f} ({verdict}): "
               + objective_parts_text(plan.summary["objective_parts"], w, lang)
               + f"; {s.seconds.total:.2f} s, {s.solver.version} via {s.solver.backend}")
    out.echo(f"{w['checks']}: {sum(c.passed for c in s.checks)}/{len(s.checks)} {w['passed']}")
    excess = s.cap_excess
    if excess and excess["districts"]:
        out.secho(w["over_cap"].format(n=excess["total"]), fg="yellow")
        for d in excess["districts"]:
            out.echo(f"  {d['name']}: {d['kept']} > {w['cap']} {d['cap']} (+{d['over']}): {d['reason']}")
    d = plan.districts
    changed = d[(d["zones_before"] != d["zones_after"])]
    if not len(changed):
        return
    counted_in = _counted(table, s.count_by)
    cap_text = lambda row: w["exempt"] if row["exempt"] else f"{w['cap']} {row['cap']}"   # noqa: E731
    if len(table) > SMALL and not members:
        rows = []
        for district_id, row in changed.iterrows():
            counted = table[counted_in == district_id]
            joined = counted[counted["status"] == "member"]
            rows.append((district.get(district_id, row["name"]), int(row["zones_before"]), int(row["zones_after"]),
                         w["exempt"] if row["exempt"] else int(row["cap"]), len(joined), int((counted["status"] == "revoked").sum()),
                         joined["host_id"].nunique()))
        import pandas as pd

        frame = pd.DataFrame(rows, columns=[w["district"], w["before"], w["after"], w["cap"], w["merged"],
                                            w["revoked"], w["hosts"]])
        echo_table(frame.head(MAX_ROWS), title=w["consolidated"].format(n=len(changed)) + " " + w["members_hint"],
                   out=out)
        if len(changed) > MAX_ROWS:
            out.echo(w["more"].format(n=len(changed) - MAX_ROWS))
        return
    out.secho("\n" + w["consolidated"].format(n=len(changed)), bold=True)
    for district_id, row in changed.head(MAX_ROWS if not members else len(changed)).iterrows():
        counted = table[counted_in == district_id]
        moves = [f"{zone[z]} → {zone[r['host_id']]} ({w.get(r['mode'], r['mode'])}, {r['distance_to_host_km']:.1f} km)"
                 for z, r in counted[counted["status"] == "member"].iterrows()]
        moves += [f"{zone[z]} {w['revoked']}" for z in counted[counted["status"] == "revoked"].index]
        out.echo(f"  {district.get(district_id, row['name'])}: {row['zones_before']} → {row['zones_after']} "
                   f"({cap_text(row)}): " + "; ".join(moves))
    if len(changed) > MAX_ROWS and not members:
        out.echo("  " + w["more"].format(n=len(changed) - MAX_ROWS))
    if len(d) <= MAX_ROWS:
        show = d[["zones_before", "zones_after", "cap", "exempt"]].copy()
        show.insert(0, w["district"], [district.get(i, n) for i, n in d["name"].items()])
        show["cap"] = show["cap"].astype(object).where(~show["exempt"], w["exempt"])
        show = show.drop(columns="exempt").rename(columns={"zones_before": w["before"], "zones_after": w["after"],
                                                           "cap": w["cap"]})
        echo_table(show.reset_index(drop=True), title=w["per_district"], out=out)


def _counted(table: "pd.DataFrame", count_by: str | None) -> "pd.Series":
    column = "managing_district_id" if count_by == "managing_district" else "district_id"
    return table[column]


COMMANDS = [run_command]
