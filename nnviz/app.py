"""Start the application: command-line options, QApplication, the main window.

Every option is checked before anything starts (a bad name lists the valid ones), and
so is the display: Qt would abort the process without a useful word. Exit codes: 0 after
a normal close, 2 for a usage problem or no display.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

from nnviz import __version__

BUILD_FLAG = "--build-kernels"   # the bundle compiles its kernels by running itself with this


def parse_args(argv: list[str]) -> argparse.Namespace:
    from nnviz.core.config import CUSTOM, DATASETS
    from nnviz.core.learn.presets import PRESETS

    p = argparse.ArgumentParser(prog="nnviz", description="Watch a small neural network learn, "
                                "and steer it while it learns.")
    p.add_argument("session", nargs="?", help="a .nnviz session file to open")
    p.add_argument("--dataset", choices=[d for d in DATASETS if d not in CUSTOM], metavar="NAME",
                   help="start with this data set: %(choices)s")
    p.add_argument("--preset", choices=list(PRESETS), metavar="NAME",
                   help="start with a guided lesson: %(choices)s (see --list-presets)")
    p.add_argument("--list-presets", action="store_true", help="list the guided lessons and quit")
    p.add_argument("--play", action="store_true", help="start training at once")
    p.add_argument("--screenshot", metavar="PNG", help="after --seconds, save the window to PNG and quit")
    p.add_argument("--seconds", type=float, default=3.0, help="delay before --screenshot (default 3)")
    p.add_argument("--version", action="version", version=f"nnviz {__version__}")
    args = p.parse_args(argv)
    args.config = None   # None: the settings remembered from the last run
    if args.preset:
        args.config = PRESETS[args.preset][1]
    if args.dataset:
        from nnviz.core.config import Config
        try:
            args.config = (args.config or Config()).replace(dataset=args.dataset)
        except ValueError as exc:
            p.error(f"argument --dataset: {exc}")
    if args.session and not os.path.isfile(args.session):
        p.error(f"no such file: {args.session}")
    if args.seconds < 0:
        p.error("argument --seconds: must be 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == [BUILD_FLAG, "landscape"]:   # the bundle's child compiling the landscape kernel
        from nnviz.core.learn.landscape_build import main as build_landscape
        return build_landscape()
    if argv[:1] == [BUILD_FLAG]:   # the bundle's child process that compiles the kernels
        from nnviz.core.train.kernel_build import main as build_kernels
        return build_kernels()
    args = parse_args(argv)
    if args.list_presets:
        from nnviz.core.learn.presets import PRESETS
        for name, (title, _, text) in PRESETS.items():
            print(f"{name:22s} {title}\n{'':22s} {text}")
        return 0
    from nnviz.preflight import display_problem
    problem = display_problem()
    if problem:
        print(f"nnviz: {problem}", file=sys.stderr)
        return 2
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtGui import QIcon
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:   # a system library Qt needs is missing (libglib, libEGL...)
        print(f"nnviz: Qt cannot start: {exc}. On Debian or Ubuntu, install the system line in "
              "nnviz's README.", file=sys.stderr)
        return 2

    from nnviz.core.paths import resource
    from nnviz.gui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nnviz")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("nnviz")
    app.setDesktopFileName("nnviz")
    icon = resource("icons", "nnviz.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    window = MainWindow(args.config)
    window.show()
    # The objects made so far (Qt wrappers, numpy, pyqtgraph: some 170,000) live as long as
    # the window; left to the cyclic collector, each full pass over them froze the window
    # for up to 0.1 s while training played. Frozen, they are never scanned again (those
    # that later become garbage in a cycle stay: a small, one-off cost in memory).
    gc.freeze()
    if args.session:
        window.file_actions.open_session(os.path.abspath(args.session))
    if args.play:
        QTimer.singleShot(300, window.toggle_play)
    if args.screenshot:
        def shoot() -> None:
            from nnviz.gui.style.pictures import save_png
            try:
                save_png(window.grab().toImage(), args.screenshot)
            except (OSError, ValueError) as exc:
                print(f"nnviz: could not write {args.screenshot}: {exc}", file=sys.stderr)
            window.close_without_asking()   # a scripted run: no one to answer a question
        QTimer.singleShot(int(args.seconds * 1000), shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
