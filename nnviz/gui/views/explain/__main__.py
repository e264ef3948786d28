"""python -m nnviz.gui.views.explain [optimizer]: the panel alone, walking through the first
update of a fresh network (an explanation made by the engine; nothing is trained)."""

import sys

from nnviz.core import Config, Trainer, explain_step
from nnviz.core.learn.explain import stages
from nnviz.gui.style.panels import demo_app, show_alone
from nnviz.gui.views.explain.panel import ExplainPanel


def main() -> int:
    app = demo_app()
    optimizer = sys.argv[1] if len(sys.argv) > 1 else "sgd"
    exp = explain_step(Trainer(Config(optimizer=optimizer, regularization="l2", reg_rate=0.01)))
    panel = ExplainPanel()
    panel.set_explanation(exp)
    focus = {"stage": 0, "row": 0, "average": False, "surface": "after"}

    def show(**change) -> None:
        focus.update(change)
        focus["stage"] = min(max(focus["stage"], 0), len(stages(exp.n_layers)) - 1)
        panel.set_focus(focus["stage"], focus["row"], focus["average"], focus["surface"])

    panel.stage_requested.connect(lambda k: show(stage=k))
    panel.point_requested.connect(lambda r: show(row=r))
    panel.average_toggled.connect(lambda on: show(average=on))
    panel.surface_requested.connect(lambda s: show(surface=s))
    panel.apply_requested.connect(lambda: print("apply requested"))
    panel.leave_requested.connect(app.quit)
    show()
    return show_alone(panel, 640, 320, "nnviz: explain one step")


sys.exit(main())
