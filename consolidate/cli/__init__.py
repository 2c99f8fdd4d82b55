"""The `consolidate` command line: one command per job, each reading like a sentence.

    consolidate validate tianjin              # check a region model and summarise it
    consolidate run baseline --out out/base   # solve a scenario into a plan folder
"""
from __future__ import annotations

import sys

import click

from .. import __version__
from .._interrupt import MESSAGE, end_startup


class _CommandLine(click.Group):
    def invoke(self, ctx):
        end_startup()
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:   # outside a command body (those clean up and exit 130 themselves)
            click.echo(MESSAGE, err=True)
            sys.exit(130)


@click.group(cls=_CommandLine, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


def _register() -> None:
    from . import allocate, campaign, check, compare, explain, plot, report, run, scenarios, score, sweep, validate

    for module in (validate, run, check, explain, allocate, score, scenarios, compare, sweep, plot, report, campaign):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
