"""Start the application: command-line options, QApplication, the main window."""

from __future__ import annotations

import argparse
import os
import sys


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="nnviz", description="Watch a small neural network learn.")
    p.add_argument("session", nargs="?", help="a .nnviz session file to open")
    p.add_argument("--dataset", help="start with this data set (circle, xor, gauss, spiral, ...)")
    p.add_argument("--preset", help="start with a guided lesson (see --list-presets)")
    p.add_argument("--list-presets", action="store_true", help="list the guided lessons and quit")
    p.add_argument("--play", action="store_true", help="start training at once")
    p.add_argument("--screenshot", metavar="PNG", help="after --seconds, save the window to PNG and quit")
    p.add_argument("--seconds", type=float, default=3.0, help="delay before --screenshot (default 3)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.list_presets:
        from nnviz.core.learn.presets import PRESETS
        for name, (title, _, text) in PRESETS.items():
            print(f"{name:22s} {title}\n{'':22s} {text}")
        return 0
    print("nnviz: starting the window…", flush=True)
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from nnviz.core.config import Config
    from nnviz.core.paths import resource
    from nnviz.gui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setDesktopFileName("nnviz")
    icon = resource("icons", "nnviz.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    config = None  # None: the settings remembered from the last run
    if args.preset:
        from nnviz.core.learn.presets import PRESETS
        if args.preset not in PRESETS:
            print(f"nnviz: unknown preset {args.preset!r}; see --list-presets", file=sys.stderr)
            return 2
        config = PRESETS[args.preset][1]
    if args.dataset:
        try:
            config = (config or Config()).replace(dataset=args.dataset)
        except ValueError as exc:
            print(f"nnviz: {exc}", file=sys.stderr)
            return 2
    window = MainWindow(config)
    window.show()
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
