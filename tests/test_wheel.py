"""The built wheel carries the program and its resources, and runs from a normal install.

Builds the wheel as pip does (an isolated build with setuptools from the package index),
then installs it without dependencies into a fresh virtual environment that sees this
environment's packages, and runs its `nnviz` command from outside the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import site
import zipfile
from pathlib import Path

import pytest

from helpers import ROOT

tomllib = pytest.importorskip("tomllib")   # Python 3.11 and newer


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
                   check=True, capture_output=True, timeout=600)
    (path,) = out.glob("nnviz-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_holds_every_package_and_the_resources(wheel) -> None:
    names = set(wheel.namelist())
    for res in ("icons/nnviz.svg", "nnviz.desktop", "nnviz-mime.xml", "presets.toml", "lessons/forward-pass.toml"):
        assert f"nnviz/resources/{res}" in names
    packages = {str(p.parent.relative_to(ROOT)) for p in (ROOT / "nnviz").rglob("__init__.py")}
    assert {p for p in packages if f"{p}/__init__.py" not in names} == set()
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {"nnviz.resources", *("nnviz.resources." + p.name for p in (ROOT / "resources").iterdir()
                                     if p.is_dir())}
    assert {p.replace("/", ".") for p in packages} | folders == listed
    meta = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in meta


def test_list_presets_works_from_a_non_editable_install(wheel, tmp_path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}   # the checkout is not installed
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--ignore-installed", "-q", wheel.filename],
                   check=True, capture_output=True, timeout=300, env=env)
    # numpy and the rest from this environment, which may itself be a virtual environment
    # (the README's test command makes one), where --system-site-packages would not reach it;
    # a plain path line does not run this environment's .pth files, so an nnviz installed
    # here (editable or not) cannot shadow the wheel's, and pip has already installed it
    inner = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                           check=True, capture_output=True, text=True, env=env).stdout.strip()
    Path(inner, "outer.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run = subprocess.run([str(venv / "bin" / "nnviz"), "--list-presets"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "spiral-deep" in run.stdout and "Six layers of 8" in run.stdout
    where = subprocess.run([str(py), "-c", "import nnviz.core.paths as p; print(p.resource_dir())"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert where.strip().startswith(str(venv)), where   # the installed copy, not the checkout
