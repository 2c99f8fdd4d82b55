"""Ctrl-C at any moment — while the command is still importing, or solving — is one line and exit 130."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

COMMAND = Path(sys.executable).with_name("consolidate")


@pytest.mark.skipif(not COMMAND.exists() or sys.platform == "win32", reason="needs the installed command")
@pytest.mark.parametrize("after_s", [0.4, 1.5, 3.0])
def test_ctrl_c_is_one_line_and_exit_130(tmp_path, after_s):
    process = subprocess.Popen([str(COMMAND), "run", "--no-charts", "--out", str(tmp_path / "out")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                               env={**os.environ, "PYTHONWARNINGS": "ignore"})
    time.sleep(after_s)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    if process.returncode == 0:   # finished before the signal came (or it came after the plan was written)
        assert (tmp_path / "out" / "summary.json").exists()
        return
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith("interrupted"), err
    # nothing half-written: no folder, or (the signal came just after it was moved into place) the whole one
    out = tmp_path / "out"
    assert not out.exists() or (out / "summary.json").exists()
