"""Show the landscape panel alone with made-up data: `python -m nnviz.gui.views.landscape`."""

from __future__ import annotations

from nnviz.gui.style.panels import demo_app, show_alone
from nnviz.gui.views.landscape.demo import make_landscape
from nnviz.gui.views.landscape.view import LandscapeView


def main() -> None:
    demo_app()
    view = LandscapeView()
    view.set_active(True)
    view.set_landscape(make_landscape(settings=view.settings()))
    view.paint()
    show_alone(view, 520, 560, "nnviz: loss landscape")


if __name__ == "__main__":
    main()
