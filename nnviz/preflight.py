"""Before Qt starts: is there a display to open a window on, and can Qt load its libraries?

When Qt cannot open a display or load its platform plugin it aborts the whole process
(SIGABRT) with a message that often blames the wrong library. These checks find the
common causes first and say in one line what to do. Standard library only, Linux only:
other systems bring their own display and libraries.
"""

from __future__ import annotations

import ctypes
import os
import socket
import sys
from collections.abc import Mapping

# What the xcb platform plugin loads directly (its other needs come with these), and the
# Debian/Ubuntu package that brings each one.
XCB_LIBRARIES = {
    "libglib-2.0.so.0": "libglib2.0-0", "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1", "libdbus-1.so.3": "libdbus-1-3",
    "libxkbcommon.so.0": "libxkbcommon0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}
NO_DISPLAY = ("no display to open a window on (DISPLAY and WAYLAND_DISPLAY are not set): start nnviz "
              "from a desktop session, over `ssh -X`, or without a screen as `xvfb-run nnviz`")


def missing_libraries(names=XCB_LIBRARIES) -> list[str]:
    """The shared libraries among `names` that the dynamic loader cannot find."""
    missing = []
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            missing.append(name)
    return missing


def x_server_reachable(display: str, timeout: float = 2.0) -> bool:
    """True if an X server answers at DISPLAY ("[host]:N[.screen]"), by its socket."""
    host, _, rest = display.rpartition(":")
    try:
        number = int(rest.split(".")[0])
    except ValueError:
        return False
    if host in ("", "unix") or host.startswith("/"):
        paths = [host] if host.startswith("/") else [f"/tmp/.X11-unix/X{number}"]
        for path in paths + ["\0" + p for p in paths]:   # the file, then Linux's abstract name
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(timeout)
                try:
                    s.connect(path)
                    return True
                except OSError:
                    continue
        return False
    try:
        socket.create_connection((host, 6000 + number), timeout=timeout).close()
        return True
    except OSError:
        return False


def display_problem(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str:
    """One line saying why no window can open, with the fix; '' when nothing is wrong."""
    if not platform.startswith("linux"):
        return ""
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0]
    if qpa not in ("", "xcb", "wayland", "wayland-egl"):
        return ""   # offscreen, vnc, eglfs...: the user chose a platform without a desktop
    display, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if not display and not wayland:
        return NO_DISPLAY
    if qpa.startswith("wayland") or (wayland and not qpa):
        return ""   # Qt talks to the compositor itself (and falls back to X when it cannot)
    if not display:
        return "QT_QPA_PLATFORM=xcb but DISPLAY is not set: set DISPLAY, or start nnviz as `xvfb-run nnviz`"
    if not x_server_reachable(display):
        return (f"cannot reach the X display {display!r} (no X server answers there): start nnviz from "
                "a desktop session, check DISPLAY, or start it as `xvfb-run nnviz`")
    missing = missing_libraries()
    if missing:
        packages = " ".join(dict.fromkeys(XCB_LIBRARIES[m] for m in missing))
        return (f"Qt needs system libraries that are missing ({', '.join(missing)}): "
                f"on Debian or Ubuntu, `sudo apt-get install -y {packages}`")
    return ""
