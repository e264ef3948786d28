"""The words of the lessons panel as rich text, built without Qt so they can be tested alone.

Lesson texts are plain text a teacher wrote: they are escaped (a "<" stays a "<"), blank
lines separate paragraphs and **double stars** make bold, nothing more.
"""

from __future__ import annotations

import html
import re

from nnviz.core.learn.lesson_runs import Outcome

GOOD, BAD, UNKNOWN = "#1e7e34", "#b3261e", "#6b6b6b"
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def paragraphs(text: str) -> str:
    """A teacher's text as HTML paragraphs."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        if block.strip():
            body = _BOLD.sub(r"<b>\1</b>", html.escape(" ".join(block.split())))
            out.append(f"<p style='margin: 0 0 8px 0'>{body}</p>")
    return "".join(out)


def heading(lesson_title: str, step_title: str, index: int, count: int, done: set[int]) -> str:
    """The lesson's title, where the learner is, and a dot per step (filled: revealed)."""
    dots = "".join("\u25cf" if i in done else ("\u25c9" if i == index else "\u25cb") for i in range(count))
    return (f"<div style='color:#5f6368'>{html.escape(lesson_title)}</div>"
            f"<div style='font-size: large; font-weight: 600; margin-top: 2px'>{html.escape(step_title)}</div>"
            f"<div style='color:#5f6368'>Step {index + 1} of {count} &nbsp;"
            f"<span style='letter-spacing: 2px'>{dots}</span></div>")


def reveal(result: Outcome, answer: tuple[bool, str] | None, earlier: bool = False) -> str:
    """What happened: how the prediction fared, the reveal text, and every claim checked."""
    parts = []
    if earlier:
        parts.append(f"<p style='color:{UNKNOWN}; margin: 0 0 6px 0'>From your last run of this step.</p>")
    if result.ended:
        parts.append(f"<p style='color:{UNKNOWN}; margin: 0 0 6px 0'>{html.escape(result.ended)}</p>")
    if answer is not None:
        good, words = answer
        mark = "\u2714" if good else "\u2718"
        parts.append(f"<p style='color:{GOOD if good else BAD}; font-weight: 600; margin: 0 0 6px 0'>"
                     f"{mark} {html.escape(words)}</p>")
    parts.append(paragraphs(result.reveal))
    if result.verdicts:
        rows = []
        for v in result.verdicts:
            mark, colour = (("\u2714", GOOD) if v.held else ("\u2718", BAD)) if v.held is not None \
                else ("?", UNKNOWN)
            rows.append(f"<div style='color:{colour}'>{mark} <span style='font-family: monospace'>"
                        f"{html.escape(v.words)}</span></div>")
        verdict = ("The lesson's claims hold on your run:" if all(v.held for v in result.verdicts)
                   else "Not every claim holds on your run (a setting changed, or the run was cut short?):")
        parts.append(f"<p style='color:#5f6368; margin: 6px 0 2px 0'>{verdict}</p>" + "".join(rows))
    return "".join(parts)


def catalogue_entry(title: str, summary: str, progress: str) -> str:
    """One lesson in the list: title, what it is about, how far the learner got."""
    tail = f" <span style='color:{GOOD}'>\u00b7 {html.escape(progress)}</span>" if progress else ""
    return (f"<b>{html.escape(title)}</b>{tail}<br>"
            f"<span style='color:#5f6368'>{html.escape(summary)}</span>")
