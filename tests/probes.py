"""Run a few lines in a fresh Python, to see which modules a command loads where its work is forked."""
import subprocess
import sys

import pytest


def forked_probe(body: str) -> str:
    """The output of `body` run in a fresh Python (it may print what it finds in sys.modules); skips the test
    where this machine cannot fork a child to draw in (no fork, or one core)."""
    probe = f"import sys\nfrom consolidate._alongside import can_fork\nprint('forks', can_fork())\n{body}"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    if "forks True" not in out:
        pytest.skip("this machine draws the charts in-process (no fork, or one core)")
    return out
