"""Fingerprint the plans of every bundled scenario: sha256 of plan.csv and districts.csv.

Run before and after a refactoring that must not change behaviour and diff the outputs:

    python scripts/plan_fingerprints.py > before.txt
    ... change ...
    python scripts/plan_fingerprints.py | diff before.txt -

Each scenario is solved on its own region with `consolidate run --no-charts` in a
subprocess (the CLI path a planner uses), into a temporary folder.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HASHED = ["plan.csv", "districts.csv"]


def fingerprint(scenario: str, out: Path) -> str:
    folder = out / scenario
    done = subprocess.run([sys.executable, "-c", "from consolidate.cli import main; main()", "run", scenario, "--no-charts", "--out", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:  # no plan: the message is what must not change
        message = hashlib.sha256(done.stderr.encode()).hexdigest()[:16]
        return f"{scenario}: exit {done.returncode}  message {message}"
    digests = [f"{name} {hashlib.sha256((folder / name).read_bytes()).hexdigest()[:16]}" for name in HASHED]
    return f"{scenario}: " + "  ".join(digests)


def main(scenarios: list[str]) -> None:
    names = scenarios or sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            print(fingerprint(name, Path(tmp)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
