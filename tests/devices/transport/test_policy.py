"""Backoff delays and LinkPolicy validation."""

from __future__ import annotations

from typing import Any

import pytest

from devices.transport.policy import Backoff, LinkPolicy


def test_backoff_doubles_up_to_the_cap() -> None:
    backoff = Backoff(initial=0.5, factor=2, maximum=3)
    assert [backoff.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize("kwargs", [{"initial": 0}, {"factor": 0.5}, {"initial": 2, "maximum": 1}])
def test_invalid_backoff_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"timeout": 0}, {"connect_timeout": -1}, {"min_gap": -0.1}, {"busy_retries": -1}]
)
def test_invalid_policy_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        LinkPolicy(**kwargs)
