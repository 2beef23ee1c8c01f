from __future__ import annotations

import logging

import pytest

from classroom.live import LiveClasses, NoLiveClasses


async def test_no_live_classes_says_so(caplog: pytest.LogCaptureFixture) -> None:
    live: LiveClasses = NoLiveClasses()
    with caplog.at_level(logging.INFO, logger="classroom.live"):
        await live.end_class("abc")
    assert "no live signaling hub" in caplog.text
    assert live.participant_count("abc") == 0
