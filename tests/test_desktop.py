"""Desktop integration: the launcher and the .nnviz file type, installed as a user would
(packaging/install_desktop.sh), keep working after the build folder is gone, and a
session file opens the program the way a double click does (gio open)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import ROOT

MIME = "application/x-nnviz-session"
NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}


def test_the_desktop_file_declares_the_type_the_mime_file_defines():
    entry = (ROOT / "resources" / "nnviz.desktop").read_text()
    assert f"MimeType={MIME};" in entry.splitlines()
    assert "Exec=nnviz %f" in entry.splitlines()      # the path of the double-clicked file
    types = ET.parse(ROOT / "resources" / "nnviz-mime.xml").getroot().findall("m:mime-type", NS)
    assert [t.get("type") for t in types] == [MIME]
    assert [g.get("pattern") for g in types[0].findall("m:glob", NS)] == ["*.nnviz"]


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="needs desktop-file-utils")
def test_desktop_file_validate_is_clean():
    run = subprocess.run(["desktop-file-validate", str(ROOT / "resources" / "nnviz.desktop")],
                         capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout == "" and run.stderr == "", run.stdout + run.stderr


@pytest.fixture
def installed(tmp_path) -> dict[str, Path]:
    """A stand-in bundle (a script that records its arguments) installed for a user whose
    home is tmp_path/home; the build folder is deleted afterwards."""
    home, dist = tmp_path / "home", tmp_path / "dist" / "nnviz"
    dist.mkdir(parents=True)
    record = tmp_path / "opened.txt"
    exe = dist / "nnviz"
    exe.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    exe.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env["HOME"] = str(home)
    subprocess.run(["bash", str(ROOT / "packaging" / "install_desktop.sh"), str(dist)], check=True,
                   capture_output=True, env=env, timeout=120)
    shutil.rmtree(tmp_path / "dist")                  # the clone's build folder moves away
    return {"home": home, "record": record, "env": env}


def test_the_launcher_points_at_the_installed_copy(installed):
    home = installed["home"]
    entry = (home / ".local/share/applications/nnviz.desktop").read_text()
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    target = exec_line.split('"')[1]
    assert target == str(home / ".local/lib/nnviz/nnviz") and os.access(target, os.X_OK)
    assert (home / ".local/bin/nnviz").resolve() == Path(target).resolve()
    assert (home / ".local/share/mime/packages/nnviz.xml").is_file()
    assert (home / ".local/share/icons/hicolor/scalable/apps/nnviz.svg").is_file()
    if shutil.which("desktop-file-validate"):
        run = subprocess.run(["desktop-file-validate", str(home / ".local/share/applications/nnviz.desktop")],
                             capture_output=True, text=True)
        assert run.returncode == 0 and not run.stdout, run.stdout


@pytest.mark.skipif(shutil.which("gio") is None or shutil.which("update-mime-database") is None,
                    reason="needs gio and shared-mime-info, as a desktop has")
def test_a_session_file_opens_nnviz(installed, tmp_path):
    session = tmp_path / "lesson.nnviz"
    session.write_bytes(b"PK\x03\x04" + bytes(60))   # the type comes from the name
    env = installed["env"]
    info = subprocess.run(["gio", "info", "-a", "standard::content-type", str(session)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert f"standard::content-type: {MIME}" in info.stdout, info.stdout + info.stderr
    default = subprocess.run(["gio", "mime", MIME], env=env, capture_output=True, text=True, timeout=60)
    assert "nnviz.desktop" in default.stdout.splitlines()[0], default.stdout
    subprocess.run(["gio", "open", str(session)], env=env, check=True, timeout=60)   # a double click
    record = installed["record"]
    deadline = time.monotonic() + 20
    while not (record.exists() and record.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert record.read_text().split("\n")[0] == str(session)
