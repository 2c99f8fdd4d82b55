"""The README's Python example runs as written."""
from __future__ import annotations

import os
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_example_runs(tmp_path):
    block = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    plan = namespace["plan"]
    assert plan.summary["proven_optimal"]
    assert (tmp_path / "out/cap2/plan.csv").is_file() and (tmp_path / "out/cap2-charts/plan_map.png").is_file()


def test_readme_names_exactly_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    setup = text.split("## Set up and run", 1)[1].split("## Usage", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", setup, re.S)
    assert len(commands) == 2
    ci = (README.parent / ".ci/run").read_text(encoding="utf-8")
    for command in commands:   # CI runs what the README says
        assert command.strip().split("&&")[-1].strip() in ci
