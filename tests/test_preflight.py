"""Before Qt starts: no display, an X server that does not answer, a missing library, each
found and said in one line (Qt itself would abort the process)."""

from __future__ import annotations

import socket

from nnviz.preflight import NO_DISPLAY, display_problem, missing_libraries, x_server_reachable


def test_no_display_at_all():
    assert display_problem({}, "linux") == NO_DISPLAY
    assert "xvfb-run" in NO_DISPLAY and "\n" not in NO_DISPLAY


def test_platforms_without_a_desktop_and_other_systems_are_left_alone():
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ""
    assert display_problem({"QT_QPA_PLATFORM": "vnc:size=800x600"}, "linux") == ""
    assert display_problem({}, "darwin") == "" and display_problem({}, "win32") == ""
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") == ""


def test_an_x_server_is_found_by_its_socket(tmp_path):
    path = tmp_path / "X7"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)
        assert x_server_reachable(f"{path}:7")
    assert not x_server_reachable(f"{path}:7")          # nobody listens any more
    assert not x_server_reachable("nonsense")


def test_an_x_display_nobody_answers_is_named():
    text = display_problem({"DISPLAY": ":987654"}, "linux")
    assert "cannot reach the X display ':987654'" in text and "\n" not in text


def test_missing_libraries_are_found_by_the_loader():
    assert missing_libraries(["libc.so.6", "libnnviz-does-not-exist.so.1"]) == ["libnnviz-does-not-exist.so.1"]
