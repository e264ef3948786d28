"""python -m nnviz.gui.views.lessons [lesson-id]: the panel alone, walking through a built-in
lesson with runs made by the engine headless (no window, no worker): predict, Run, reveal."""

import sys

from nnviz.core.learn.lesson_runs import judge_answer, outcome, run_step
from nnviz.core.learn.lessons import builtin_lessons
from nnviz.gui.style.panels import demo_app, show_alone
from nnviz.gui.views.lessons.panel import LessonsPanel, StepState


def main() -> int:
    demo_app()
    lessons = {lesson.id: lesson for lesson in builtin_lessons()}
    panel = LessonsPanel()
    state = {"lesson": None, "index": 0, "answer": None, "results": {}, "done": set()}

    def show(phase: str = "", result=None) -> None:
        lesson, i = state["lesson"], state["index"]
        step = lesson.steps[i]
        phase = phase or ("ready" if step.runs else "read")
        judged = (judge_answer(step.question, state["answer"], result)
                  if result is not None and step.question is not None and state["answer"] is not None else None)
        panel.show_step(lesson, i, StepState(phase, state["answer"], "", result, judged), state["done"])

    def choose(key: str) -> None:
        state.update(lesson=lessons[key], index=0, answer=None)
        show()

    def go(i: int) -> None:
        if not 0 <= i < len(state["lesson"].steps):
            panel.show_catalogue([(k, l.title, l.summary, "") for k, l in lessons.items()])
            return
        state.update(index=i, answer=None)
        show()

    def answered(value) -> None:
        state["answer"] = value
        show()

    def run() -> None:
        step = state["lesson"].steps[state["index"]]
        result = outcome(step, run_step(step).snapshot(), state["results"])
        state["results"][step.id] = result.measures
        state["done"].add(state["index"])
        show("revealed", result)

    panel.lesson_chosen.connect(choose)
    panel.catalogue_requested.connect(lambda: go(-1))
    panel.step_requested.connect(go)
    panel.answered.connect(answered)
    panel.run_requested.connect(run)
    panel.again_requested.connect(run)
    panel.open_file_requested.connect(lambda: print("open a lesson file requested"))
    if len(sys.argv) > 1 and sys.argv[1] in lessons:
        choose(sys.argv[1])
    else:
        go(-1)
    return show_alone(panel, 360, 760, "nnviz: lessons")


sys.exit(main())
