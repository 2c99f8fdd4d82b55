"""The `consolidate` command line: one command per job, each reading like a sentence.

    consolidate validate tianjin              # check a region model and summarise it
    consolidate run baseline --out out/base   # solve a scenario into a plan folder

Each command's module is imported only when that command runs (`LazyGroup`), so `consolidate --help`
lists every command without loading pandas, SciPy, the solver or matplotlib. A new command goes into
`COMMANDS` below with the first sentence of its help (tests/test_cli_lazy.py checks both).
"""
from __future__ import annotations

import importlib
import signal
import sys

import click

from .._interrupt import MESSAGE, end_startup
from .._version import __version__

# name -> (module under consolidate.cli, the click command in it, the first sentence of its help)
COMMANDS = {
    "validate": ("validate", "validate_command",
                 "Check the region model REGION (a bundled name or a folder) and summarise it."),
    "regions": ("validate", "regions_command", "List the bundled region models."),
    "run": ("run", "run_command", "Solve SCENARIO (a bundled name or a YAML file; default: baseline) into a plan."),
    "check": ("check", "check_command",
              "Check PLAN — a plan folder, or a bare plan.csv with --scenario — against every rule."),
    "explain": ("explain", "explain_command",
                "Why each decision of the plan in PLAN_DIR: every alternative the rules allow with the exact extra "
                "cost of forcing it (a re-solve with it pinned), in objective units and in real units, and the "
                "alternatives the rules forbid with the rule that forbids each."),
    "allocate": ("allocate", "allocate_command",
                 "Re-account the plan in PLAN_DIR under other sharing rules (属地原则分成), without re-solving."),
    "score": ("score", "score_command",
              "Evaluate the zones of REGION (a bundled name or a folder; default: tianjin, or the scenario's)."),
    "scenarios": ("scenarios", "scenarios_command",
                  "List the bundled scenarios, what each asks, and how it differs from baseline."),
    "show-scenario": ("scenarios", "show_scenario_command",
                      "Print SCENARIO (bundled name or YAML file) fully resolved: extends: and --set applied, "
                      "the region model's rules where the scenario sets none, every default filled in."),
    "compare": ("compare", "compare_command", "Solve and compare scenarios side by side."),
    "sweep": ("sweep", "sweep_command", "Solve SCENARIO (default: baseline) under every combination of --grid values."),
    "plot": ("plot", "plot_command", "Re-draw the charts of PLAN_DIR (a folder written by `consolidate run`)."),
    "report": ("report", "report_command",
               "Write one HTML report of the plan folders PLAN_DIRS (from `consolidate run`)."),
    "campaign": ("campaign", "campaign_command",
                 "Solve SCENARIO (default: tianjin-2018-campaign) and compare its plan with the published outcome "
                 "of Tianjin's 2018 园区围城治理 plan: 314 parks → keep 49, integrate 130, revoke 116, 19 long-term."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they run; its help lists them from `COMMANDS` alone."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)

    def invoke(self, ctx):
        end_startup()   # imports done: Ctrl-C is a KeyboardInterrupt again, for the command to clean up
        try:
            result = super().invoke(ctx)
        except KeyboardInterrupt:   # outside a command body (those clean up and exit 130 themselves)
            click.echo(MESSAGE, err=True)
            sys.exit(130)
        except BrokenPipeError:     # the reader stopped early (`| head -1`): not bad input. Quiet, 141 (128 +
            import os               # SIGPIPE) as Unix tools do; stdout to devnull so the flush at exit cannot
                                    # fail again ("Note on SIGPIPE", Python's signal docs). click alone exits 1.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        # The command's work is done and written: a Ctrl-C from here to the process's end changes nothing, and
        # Python would otherwise die of it mid-shutdown (status -2, or a traceback) after a complete run.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return result

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]   # whole, wrapped: not cut to "…"
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="consolidate")
def main():
    """Plan the consolidation of development zones (开发区) and test what-if policies.

    A region model (districts, zones, adjacency) and a scenario (caps, hosts, merge
    modes, sharing rules) go in; a proven-optimal plan of hosts, members and
    revocations comes out, checked independently of the model that made it.

    Start with `consolidate run` (the bundled Tianjin model, article 18 as written).
    """
    from ..io import raise_on_sigterm

    raise_on_sigterm()  # so an interrupted write cleans up after itself, like Ctrl-C
