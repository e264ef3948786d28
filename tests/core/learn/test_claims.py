"""The claim grammar and the numbers in texts, against hand-worked cases."""

from __future__ import annotations

import math

import pytest

from nnviz.core.learn.claims import ClaimError, check, check_text, fill, fmt, parse_claim

NOW = {"test_loss": 0.4069, "train_loss": 0.3872, "epoch": 1000.0, "diverged": 0.0, "stuck": 1.0,
       "layer_spread": 0.0, "test_accuracy": 0.652}
EARLIER = {"small": {"test_loss": 0.512, "epoch": 300.0}}


@pytest.mark.parametrize("text,held", [
    ("test_loss > 0.38", True),
    ("test_loss < 0.38", False),
    ("0.4 < test_loss <= 0.41", True),
    ("0.41 < test_loss < 0.5", False),
    ("test_loss < 0.8 * small.test_loss", True),          # 0.4096
    ("test_loss < 0.79 × small.test_loss", False),        # 0.40448
    ("small.test_loss * 0.8 > test_loss", True),
    ("epoch == 1000", True),
    ("epoch != 1000", False),
    ("layer_spread == 0", True),
    ("diverged", False),
    ("not diverged", True),
    ("stuck", True),
    ("train_loss < test_loss and test_accuracy < 0.75", True),
    ("train_loss < test_loss and test_accuracy > 0.75", False),
    ("test_loss >= -1e3", True),
    ("epoch > small.epoch", True),
])
def test_claims_hold_as_worked_out_by_hand(text, held) -> None:
    verdict = check(parse_claim(text, ("small",)), NOW, EARLIER)
    assert verdict.held is held


def test_the_words_show_the_measured_numbers() -> None:
    v = check(parse_claim("test_loss < 0.8 * small.test_loss", ("small",)), NOW, EARLIER)
    assert v.words == "test_loss = 0.4069 < 0.8 \u00d7 small.test_loss = 0.4096"
    v = check(parse_claim("0.4 < test_loss <= 0.41 and epoch == 1000"), NOW, EARLIER)
    assert v.words == "0.4 < test_loss = 0.4069 <= 0.41 and epoch = 1000 == 1000"


def test_a_claim_on_a_step_not_run_is_not_checked_and_nan_never_holds() -> None:
    v = check(parse_claim("test_loss < small.test_loss", ("small",)), NOW, {})
    assert v.held is None and "not checked" in v.words and "small" in v.words
    nan = dict(NOW, test_loss=math.nan)
    for text in ("test_loss < 1", "test_loss > 1", "test_loss != 1"):
        assert check(parse_claim(text), nan, {}).held is (text.endswith("!= 1"))


@pytest.mark.parametrize("text,words", [
    ("", "non-empty"),
    ("test_loss", "compare two or three"),
    ("test_loss <", "ends too early"),
    ("test_loss < 0.1 < 0.2 < 0.3", "compare two or three"),
    ("test_loss + 1 < 2", "cannot read it"),
    ("test_loss < 2 * 3", "multiply a measure by a number"),
    ("loss < 1", 'unknown measure "loss"'),
    ("later.test_loss < 1", "not the id of an earlier step"),
    ("test_loss < nan", "unknown measure \"nan\""),
    ("test_loss < 1e999", "not a finite number"),
    ("open('x') > 1", "cannot read it"),
])
def test_bad_claims_are_refused_in_words(text, words) -> None:
    with pytest.raises(ClaimError, match=None) as info:
        parse_claim(text, ("small",))
    assert words in str(info.value)


def test_numbers_in_texts() -> None:
    assert fmt(0.40691) == "0.4069" and fmt(300.0) == "300" and fmt(math.nan) == "not a number"
    assert fmt(math.inf) == "infinite" and fmt(0.98, ".0%") == "98%" and fmt(1234.6, "d") == "1235"
    assert fmt(25000.0, ",d") == "25,000" and fmt(0.000123, ".2e") == "1.23e-04" and fmt(0.5, ".3g") == "0.5"
    text = "Loss {test_loss:.2f} ({small.test_loss:.3f} before), {{braces}}, {epoch} epochs, {later.epoch}"
    assert fill(text, NOW, EARLIER) == "Loss 0.41 (0.512 before), {braces}, 1000 epochs, ?"


@pytest.mark.parametrize("text,words", [
    ("{loss}", 'unknown measure "loss"'),
    ("{test_loss.real}", 'unknown measure "real"'),
    ("{test_loss:>10}", "format"),
    ("{test_loss:{epoch}}", "lone"),
    ("a { b", "lone"),
    ("{later.epoch}", "not the id of an earlier step"),
])
def test_bad_placeholders_are_refused(text, words) -> None:
    with pytest.raises(ClaimError) as info:
        check_text(text, ("small",), "here")
    assert words in str(info.value) and str(info.value).startswith("here")
