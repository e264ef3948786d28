"""The learner's progress in each lesson, kept in the settings file between runs of nnviz.

Per lesson: the step they were at, their locked-in predictions, what each run measured and
which steps they have run. The settings file is the user's to edit, so every part is
checked when read back; anything that does not fit is left out, never trusted.
"""

from __future__ import annotations

import hashlib
import json

from nnviz.core.learn.measures import MEASURES


def load_progress(settings, key: str) -> dict:
    """The kept progress of lesson `key`, each part checked:
    {"known", "step", "answers", "results", "done"}."""
    out = {"known": False, "step": 0, "answers": {}, "results": {}, "done": set()}
    try:
        saved = json.loads(str(settings.value(store_key(key), "{}")))
    except ValueError:
        return out
    if not isinstance(saved, dict) or not saved:
        return out
    out["known"] = True
    step = saved.get("step")
    out["step"] = step if isinstance(step, int) and not isinstance(step, bool) else 0
    answers = saved.get("answers")
    if isinstance(answers, dict):
        out["answers"] = {k: v for k, v in answers.items()
                          if isinstance(v, (int, float)) and not isinstance(v, bool)}
    results = saved.get("results")
    if isinstance(results, dict):
        out["results"] = {k: {m: float(x) for m, x in v.items()} for k, v in results.items()
                          if isinstance(v, dict) and set(MEASURES) <= set(v)
                          and all(isinstance(x, (int, float)) for x in v.values())}
    done = saved.get("done")
    if isinstance(done, list):
        out["done"] = {d for d in done if isinstance(d, str)}
    return out


def save_progress(settings, key: str, step: int, answers: dict, results: dict, done: set) -> None:
    settings.setValue(store_key(key), json.dumps({"step": step, "answers": answers, "results": results,
                                                  "done": sorted(done)}))


def store_key(key: str) -> str:
    """The settings key of a lesson's progress: a built-in one by its id, a file by a hash of
    its path (a path's slashes would make settings groups)."""
    kind, _, name = key.partition(":")
    if kind == "file":
        name = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"lessons/progress/{kind}-{name}"


def fits(question, answer: object) -> bool:
    """Whether a kept prediction still fits the step's question (the file may have changed)."""
    if question is None or isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return False
    if question.kind == "choice":
        return isinstance(answer, int) and 0 <= answer < len(question.choices)
    return question.lowest <= answer <= question.highest
