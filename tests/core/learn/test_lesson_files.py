"""A bad lesson file is refused with a message that says what is wrong, before anything runs.

One small valid lesson, then one mistake at a time: each must raise FormatError whose words
name the problem (and where), as every reader of nnviz does.
"""

from __future__ import annotations

import os
import sys

import pytest

from nnviz.core.errors import FormatError
from nnviz.core.learn import lessons as lessons_module
from nnviz.core.learn.classroom import Classroom
from nnviz.core.learn.lesson_classroom import save_with_classroom, with_classroom
from nnviz.core.learn.lessons import parse_lesson, read_lesson
from nnviz.core.limits import MAX_LESSON_BYTES

GOOD = '''# a small lesson
format = "nnviz-lesson"
version = 1
title = "A small lesson"
summary = "Two steps."

[settings]
dataset = "circle"

[[step]]
id = "first"
title = "Run it"
text = "Train for ten epochs."
epochs = 10
claims = ["epoch == 10"]
reveal = "Test loss {test_loss:.3f} after {epoch} epochs."

[step.question]
ask = "Will it learn?"
answer = 1
choices = [
  { text = "a little", claim = "test_loss < start_test_loss" },
  { text = "not at all", claim = "test_loss >= start_test_loss" },
]

[[step]]
title = "Again"
text = "Once more: {{braces}} are literal."
epochs = 5
claims = ["test_loss > 0.5 * first.test_loss"]
reveal = "{first.test_loss:.2f} then {test_loss:.2f}"
'''


def test_the_good_lesson_reads() -> None:
    lesson = parse_lesson(GOOD, "good.toml", "good")
    assert lesson.id == "good" and [s.id for s in lesson.steps] == ["first", "step2"]
    assert lesson.steps[0].config.stop_epoch == 10 and lesson.steps[0].config.dataset == "circle"
    assert lesson.steps[0].question.answer == 0


BAD = [
    # (replace this, with that, words the message must contain)
    ('title = "A small lesson"', 'title = "A small lesson"\ntitle = "twice"', "not valid TOML"),
    ('version = 1', 'version = 2', "version 2"),
    ('format = "nnviz-lesson"', 'format = "nnviz-session"', "nnviz-session"),
    ('summary = "Two steps."', 'summary = "Two steps."\nauthor = "me"', "unknown key 'author'"),
    ('dataset = "circle"', 'dataset = "moon"', "unknown data set 'moon'"),
    ('dataset = "circle"', 'dataset = "custom"', "the user's own points"),
    ('dataset = "circle"', 'hidden_layers = [100]', "neurons per layer"),
    ('dataset = "circle"', 'learning_rate = "fast"', "learning_rate"),
    ('title = "Run it"\n', '', "step 1 needs a title"),
    ('epochs = 10\n', 'epochs = 10\nbatches = 2\n', "epochs or batches, not both"),
    ('epochs = 10\n', 'epochs = 99999999\n', "epochs must be a whole number"),
    ('epochs = 10\n', 'epochs = 10.5\n', "epochs must be a whole number"),
    ('epochs = 10\n', 'epochs = 10\nspeed = 7\n', "speed 7"),
    ('claims = ["epoch == 10"]', 'claims = ["epoch === 10"]', "epoch === 10"),
    ('claims = ["epoch == 10"]', 'claims = ["accuracy > 0.5"]', 'unknown measure "accuracy"'),
    ('claims = ["epoch == 10"]', 'claims = ["later.epoch > 1"]', "not the id of an earlier step"),
    ('claims = ["epoch == 10"]', 'claims = ["__import__(\'os\') > 1"]', "cannot read it"),
    ('claims = ["epoch == 10"]', 'claims = ["10 > 5"]', "names no measure"),
    ('claims = ["epoch == 10"]', 'claims = "epoch == 10"', "claims must be a list"),
    ('reveal = "Test loss {test_loss:.3f}', 'reveal = "Test loss {test_loss.__class__}', "placeholder"),
    ('reveal = "Test loss {test_loss:.3f}', 'reveal = "Test loss {test_loss:>{99}}', "lone"),
    ('reveal = "Test loss {test_loss:.3f}', 'reveal = "Test loss {test_loss:!r}', "format"),
    ('answer = 1', 'answer = 3', "answer must be the number of the right choice, 1..2"),
    ('answer = 1', 'answer = true', "answer must be"),
    ('{ text = "not at all", claim = "test_loss >= start_test_loss" }', '"not at all"', "every choice a claim"),
    ('answer = 1\n', 'answer = 1\nnumber = "test_loss"\n', "either choices"),
    ('ask = "Will it learn?"', 'ask = ""', "needs a ask"),
    ('id = "first"', 'id = "first step"', "id 'first step'"),
    ('id = "first"', 'id = "test_loss"', "not the name of a measure"),
    ('title = "Again"', 'id = "first"\ntitle = "Again"', "used by an earlier step"),
    ('epochs = 5\n', 'view = { explain = "forward" }\n', "claims are about a run"),
    ('epochs = 10\n', 'epochs = 10\nview = { explain = "sideways" }\n', "explain must be one of"),
    ('epochs = 10\n', 'epochs = 10\nview = { explain = "forward" }\n', "makes no run of its own"),
    ('epochs = 10\n', 'epochs = 10\nview = { link_colour = "pink" }\n', "link_colour must be one of"),
    ('epochs = 10\n', 'epochs = 10\nview = { show_test = "yes" }\n', "show_test must be true or false"),
    ('summary = "Two steps."', 'summary = "Two steps."\n[classroom]\nhide = ["nois"]', "unknown control 'nois'"),
    ('summary = "Two steps."', 'summary = "Two steps."\n[classroom]\nhide = "noise"', "list of control names"),
    ('epochs = 10\n', 'epochs = 10\nview = { landscape = "params" }\n', "landscape must be true, false, or a plane"),
    ('epochs = 10\n', 'epochs = 10\nview = { landscape = 1 }\n', "landscape must be true, false, or a plane"),
    # runs side by side
    ('epochs = 10\n', 'epochs = 10\ncompare = { optimizer = "sgd" }\n', "compare must be a list of tables"),
    ('epochs = 10\n', 'epochs = 10\ncompare = ["sgd"]\n', "compare must be a list of tables"),
    ('epochs = 10\n', 'epochs = 10\ncompare = [{}]\n', "compare, run 1 changes no setting"),
    ('epochs = 10\n', 'epochs = 10\ncompare = [{ hidden_layers = [2] }]\n', "'hidden_layers' cannot differ"),
    ('epochs = 10\n', 'epochs = 10\ncompare = [{ dataset = "xor" }]\n', "'dataset' cannot differ"),
    ('epochs = 10\n', 'epochs = 10\ncompare = [{ learning_rate = -1 }]\n', "run 1: learning_rate must be"),
    ('epochs = 10\n', 'epochs = 10\ncompare = [{ learning_rate = "fast" }]\n', "run 1: the setting learning_rate"),
    ('epochs = 10\n', 'epochs = 10\ncompare = [{ optimizer = "sgdd" }]\n', "run 1: unknown optimiser 'sgdd'"),
    ('epochs = 10\n', 'epochs = 10\ncompare = [{ learning_rate = 0.03 }]\n', "changes nothing"),
    ('epochs = 10\n', 'epochs = 10\ncompare = [{ batch_size = 1 }, { batch_size = 1 }]\n', "run 2 is the same as run 1"),
    ('epochs = 10\n', 'epochs = 10\ncompare = [{ batch_size = 1 }, { batch_size = 2 }, { batch_size = 3 }, '
                       '{ batch_size = 4 }]\n', "at most 3 runs"),
    ('epochs = 5\n', 'compare = [{ batch_size = 1 }]\n', "give the step epochs or batches"),
]


@pytest.mark.parametrize("old,new,words", BAD, ids=[b[2][:30] for b in BAD])
def test_a_bad_lesson_is_refused_with_words(old, new, words) -> None:
    assert old in GOOD
    with pytest.raises(FormatError) as info:
        parse_lesson(GOOD.replace(old, new, 1), "bad.toml", "bad")
    message = str(info.value)
    assert words in message and message.startswith("bad.toml")


def test_a_lesson_without_steps_and_a_single_step_table_are_refused() -> None:
    head = GOOD.split("[[step]]")[0]
    for text in (head, head + '[step]\ntitle = "x"\ntext = "y"\n'):
        with pytest.raises(FormatError, match="has no steps: write each one as a \\[\\[step\\]\\] table"):
            parse_lesson(text, "bad.toml")


def test_a_question_without_a_run_and_a_number_question(tmp_path) -> None:
    no_run = GOOD.replace("epochs = 10\n", "", 1)
    with pytest.raises(FormatError, match="a question is asked before a run"):
        parse_lesson(no_run, "bad.toml")
    number = GOOD.replace('answer = 1\nchoices = [', 'number = "test_loss"\nclose = 0.1\nxchoices = [', 1)
    number = number.split("xchoices")[0] + "\n[[step]]" + GOOD.split("[[step]]")[2]
    q = parse_lesson(number, "n.toml").steps[0].question
    assert q.kind == "number" and q.measure == "test_loss" and q.close == 0.1 and (q.lowest, q.highest) == (0, 1)


def test_files_are_checked_before_they_are_parsed(tmp_path, monkeypatch) -> None:
    big = tmp_path / "big.toml"
    big.write_text(GOOD + "#" * MAX_LESSON_BYTES)
    parsed = []
    monkeypatch.setattr(lessons_module.tomllib, "loads", lambda text: parsed.append(text))
    with pytest.raises(FormatError, match="big.toml is 0.3 MB; nnviz files are at most 0.25 MB"):
        read_lesson(big)
    assert parsed == []


def test_odd_files_are_refused(tmp_path) -> None:
    latin = tmp_path / "latin.toml"
    latin.write_bytes(GOOD.replace("small", "sm\xe4ll").encode("latin-1"))
    with pytest.raises(FormatError, match="not UTF-8 text"):
        read_lesson(latin)
    with pytest.raises(FormatError, match="it is a folder"):
        read_lesson(tmp_path)
    empty = tmp_path / "empty.toml"
    empty.write_bytes(b"")
    with pytest.raises(FormatError, match="empty"):
        read_lesson(empty)
    with pytest.raises(FormatError, match="cannot read"):
        read_lesson(tmp_path / "missing.toml")
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 50_000 + "]" * 50_000)
    with pytest.raises(FormatError):
        read_lesson(deep)


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes are POSIX here")
def test_a_named_pipe_is_refused_without_blocking(tmp_path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(FormatError, match="named pipe"):
        read_lesson(fifo)


def test_a_file_name_that_is_no_id_gets_a_plain_one(tmp_path) -> None:
    odd = tmp_path / "my lesson (2).toml"
    odd.write_text(GOOD)
    assert read_lesson(odd).id == "lesson"
    named = tmp_path / "mine.toml"
    named.write_text(GOOD.replace('version = 1', 'version = 1\nid = "chosen"'))
    assert read_lesson(named).id == "chosen"


def test_the_classroom_is_written_into_the_lesson_keeping_its_text(tmp_path) -> None:
    source = tmp_path / "mine.toml"
    source.write_text(GOOD)
    lesson = read_lesson(source)
    room = Classroom(frozenset({"noise", "dataset"}), frozenset({"learning_rate"}))
    out = tmp_path / "handout.toml"
    save_with_classroom(lesson, room, out)
    again = read_lesson(out)
    assert again.classroom == room and again.steps == lesson.steps
    assert "# a small lesson" in out.read_text()                   # the teacher's comments stay
    # written again with another choice: the table is replaced, not repeated
    save_with_classroom(again, Classroom(frozenset({"seed"})), out)
    text = out.read_text()
    assert text.count("[classroom]") == 1 and read_lesson(out).classroom == Classroom(frozenset({"seed"}))
    save_with_classroom(read_lesson(out), Classroom(), out)
    assert "[classroom]" not in out.read_text()


def test_an_inline_classroom_cannot_be_rewritten_and_says_so() -> None:
    inline = GOOD.replace('summary = "Two steps."', 'summary = "Two steps."\nclassroom = { hide = ["seed"] }')
    lesson = parse_lesson(inline, "inline.toml", "inline")
    assert lesson.classroom.hide == {"seed"}
    with pytest.raises(FormatError, match="cannot be rewritten in place"):
        with_classroom(lesson, Classroom(frozenset({"noise"})))


def test_runs_side_by_side_read_as_the_step_settings_with_a_few_changed() -> None:
    text = GOOD.replace("epochs = 10\n", 'epochs = 10\ncompare = [{ optimizer = "momentum", momentum = 0.5 }, '
                                          '{ batch_size = 1 }]\n', 1)
    step = parse_lesson(text, "good.toml", "good").steps[0]
    assert len(step.compare) == 2
    assert step.changes(0) == {"optimizer": "momentum", "momentum": 0.5}
    assert step.changes(1) == {"batch_size": 1}
    # everything else is the step's own: the same data, network, seed and stop
    assert step.compare[1] == step.config.replace(batch_size=1)
    assert step.compare[0].stop_epoch == step.config.stop_epoch == 10
    assert parse_lesson(GOOD, "good.toml", "good").steps[0].compare == ()
    # the array-of-tables spelling reads the same
    long = GOOD.replace('[[step]]\ntitle = "Again"', '[[step.compare]]\nbatch_size = 1\n\n[[step]]\ntitle = "Again"')
    assert parse_lesson(long, "good.toml", "good").steps[0].compare == (step.compare[1],)


def test_a_lesson_asks_for_no_more_runs_than_the_window_trains() -> None:
    from nnviz.core.learn.runs import MAX_RUNS
    assert lessons_module.MAX_COMPARE == MAX_RUNS - 1


def test_a_step_may_show_the_landscape_with_a_plane_or_the_curves() -> None:
    from nnviz.core.learn.landscape_job import MODES
    assert set(lessons_module.LANDSCAPE_PLANES) == set(MODES) - {"params"}   # every plane but picked ones
    for value, want in (('"pca"', "pca"), ('"random"', "random"), ("true", True), ("false", False)):
        text = GOOD.replace("epochs = 10\n", f"epochs = 10\nview = {{ landscape = {value} }}\n", 1)
        assert parse_lesson(text, "good.toml", "good").steps[0].view.landscape == want
    assert parse_lesson(GOOD, "good.toml", "good").steps[0].view.landscape is None
