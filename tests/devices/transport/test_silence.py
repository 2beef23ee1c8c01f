"""The silent ⇒ offline rule: unanswered exchanges in a row, reset by any answer."""

from __future__ import annotations

import pytest

from devices.transport.silence import Silence


def test_offline_after_the_limit_in_a_row() -> None:
    silence = Silence(3)
    assert [silence.unanswered() for _ in range(4)] == [False, False, True, True]
    assert silence.count == 4


def test_an_answer_starts_the_count_again() -> None:
    silence = Silence(2)
    silence.unanswered()
    silence.answered()
    assert (silence.unanswered(), silence.count) == (False, 1)


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        Silence(0)
