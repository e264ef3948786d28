"""Classroom names and their stored form."""

from __future__ import annotations

import pytest

from nnviz.core.errors import FormatError
from nnviz.core.learn.classroom import CONTROLS, PLAYGROUND_CONTROLS, Classroom, replace_table


def test_the_playgrounds_fifteen_and_ours() -> None:
    assert len(PLAYGROUND_CONTROLS) == 15
    assert list(CONTROLS)[:15] == list(PLAYGROUND_CONTROLS)
    assert len(CONTROLS) > 15


def test_round_trip_and_hidden_wins_over_locked() -> None:
    room = Classroom(frozenset({"noise", "seed"}), frozenset({"seed", "learning_rate"}))
    assert room.lock == {"learning_rate"} and room.state("seed") == "hidden" and room.state("dataset") == ""
    assert Classroom.from_dict(room.to_dict()) == room
    assert room.to_dict() == {"hide": ["noise", "seed"], "lock": ["learning_rate"]}   # in CONTROLS order
    assert not Classroom().active and Classroom.from_dict(None) == Classroom()


@pytest.mark.parametrize("raw,words", [
    (["noise"], "must be a table"),
    ({"hide": "noise"}, "list of control names"),
    ({"hide": [1]}, "list of control names"),
    ({"hide": ["nois"]}, "unknown control 'nois'"),
    ({"show": []}, "unknown key 'show'"),
    ({"hide": ["noise"] * 100}, "there are"),
])
def test_bad_classroom_tables(raw, words) -> None:
    with pytest.raises(FormatError) as info:
        Classroom.from_dict(raw, "lesson.toml, classroom")
    assert words in str(info.value) and str(info.value).startswith("lesson.toml, classroom")


def test_the_table_is_replaced_where_it_stands() -> None:
    text = 'title = "x"\n\n[classroom]  # for my class\nhide = ["seed"]\n\n[[step]]\ntitle = "a"\n'
    out = replace_table(text, Classroom(lock=frozenset({"noise"})))
    assert out == ('title = "x"\n\n[[step]]\ntitle = "a"\n\n[classroom]\nhide = []\nlock = ["noise"]\n')
    assert replace_table(out, Classroom()) == 'title = "x"\n\n[[step]]\ntitle = "a"\n'
