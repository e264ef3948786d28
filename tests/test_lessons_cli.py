"""`python -m nnviz.lessons`: one line per lesson, no Qt, and an exit status that says whether
every claim held."""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT

from nnviz.core.learn.lessons import lesson_files


def _run(*args: str, code: str = "") -> subprocess.CompletedProcess:
    program = code or "import sys, nnviz.lessons; sys.exit(nnviz.lessons.main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", program, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_check_prints_one_line_per_lesson_without_loading_qt() -> None:
    code = ("import sys, nnviz.lessons; status = nnviz.lessons.main(['--check']); "
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]; sys.exit(status)")
    out = _run(code=code)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == len(lesson_files())
    assert all("all hold" in line for line in lines)
    assert lines[0].startswith("forward-pass")


def test_a_failing_claim_and_a_bad_file_set_the_exit_status(tmp_path) -> None:
    source = (ROOT / "resources" / "lessons" / "features.toml").read_text()
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(source.replace('claims = ["test_loss > 0.45"]', 'claims = ["test_loss < 0.45"]'))
    out = _run("--check", str(wrong))
    assert out.returncode == 1 and "FAILED" in out.stdout and "test_loss = 0.5275 < 0.45" in out.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("title = ")
    out = _run("--check", str(bad))
    assert out.returncode == 2 and "bad.toml is not valid TOML" in out.stderr


def test_listing_the_lessons() -> None:
    out = _run()
    assert out.returncode == 0 and "learning-rate" in out.stdout and "steps)" in out.stdout
