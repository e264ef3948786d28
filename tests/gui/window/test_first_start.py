"""The first five minutes, each in a process of its own (what they test is fixed when a
process starts: the screens Qt finds, numba's cache folder, the command line).

The window on four screen sizes and a cold-cache start are pytest-qt tests in
child_screens.py and child_cold_start.py, run here in a child pytest; closing during the
compile and the command line's answers run the program itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import ROOT

HERE = Path(__file__).parent
SCREENS = [(1280, 800), (1366, 768), (1920, 1080), (2560, 1440)]


def child_pytest(module: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(HERE / module)],
                          cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout)


def nnviz(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nnviz", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def test_the_window_opens_inside_four_screens(tmp_path):
    x, screens = 0, []
    for w, h in SCREENS:
        screens.append({"name": f"{w}x{h}", "x": x, "y": 0, "width": w, "height": h,
                        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1})
        x += w
    config = tmp_path / "screens.json"
    config.write_text(json.dumps({"windowFrameMargins": True, "screens": screens}))
    run = child_pytest("child_screens.py", {"QT_QPA_PLATFORM": f"offscreen:configfile={config}"}, 600)
    assert run.returncode == 0 and "5 passed" in run.stdout, run.stdout[-4000:] + run.stderr[-2000:]


def test_a_cold_cache_start_trains_within_three_seconds(tmp_path):
    run = child_pytest("child_cold_start.py", {"NUMBA_CACHE_DIR": str(tmp_path / "numba")}, 900)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout[-4000:] + run.stderr[-2000:]


def _children_with(marker: str) -> list[int]:
    """Processes whose environment holds `marker` (Linux's /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="looks for the compiling child in /proc")
def test_closing_during_the_compile_exits_cleanly(tmp_path):
    cache = tmp_path / "numba-cold"
    env = {"NUMBA_CACHE_DIR": str(cache), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.perf_counter()
    # --screenshot closes the window after --seconds: here well inside the compile (10-35 s)
    run = nnviz("--play", "--screenshot", str(tmp_path / "shot.png"), "--seconds", "2.5", env=env)
    elapsed = time.perf_counter() - t0
    assert run.returncode == 0, run.stderr
    assert "QThread" not in run.stderr and "QObject" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert (tmp_path / "shot.png").stat().st_size > 0
    # the picture kernel is the last one warm_up compiles: its index means the compile had ended
    assert not list(cache.rglob("grid_kernel.grid_forward-*.nbi")), "the window did not close during the compile"
    assert elapsed < 30, elapsed
    assert _children_with(str(cache)) == []      # the compiling child was ended, not left behind


def test_the_command_line_answers_before_starting_anything():
    run = nnviz("--version")
    assert run.returncode == 0 and run.stdout.strip().startswith("nnviz ")
    bad = nnviz("--dataset", "nope")
    assert bad.returncode == 2 and "circle" in bad.stderr and "spiral" in bad.stderr and not bad.stdout
    bad = nnviz("--preset", "nope")
    assert bad.returncode == 2 and "spiral-deep" in bad.stderr and not bad.stdout
    bad = nnviz("no-such-file.nnviz")
    assert bad.returncode == 2 and "no such file" in bad.stderr


def test_no_display_is_one_line_and_exit_2():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    run = subprocess.run([sys.executable, "-m", "nnviz"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "xvfb-run" in lines[0], run.stderr
