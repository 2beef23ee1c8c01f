"""Crash safety on a real server: SIGKILL mid-class with two trainees joined, then a restart.

At most 5 s of time online are lost per trainee (one heartbeat), none is counted for the
downtime, and the rows are closed as lost with the server, at their last sighting.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom.attendance import HEARTBEAT_MAX_S, SERVER_LOST
from tests.support.crash import sigkill_once

pytestmark = [pytest.mark.webrtc, pytest.mark.timeout(300)]  # two server starts on a loaded machine


async def test_sigkill_loses_at_most_one_heartbeat_and_adds_nothing(tmp_path: Path) -> None:
    outcome = await sigkill_once(tmp_path)
    assert len(outcome.lost_s) == 2, outcome
    assert all(0 <= lost <= HEARTBEAT_MAX_S for lost in outcome.lost_s), outcome
    assert outcome.added_s and all(added == 0 for added in outcome.added_s), outcome
    assert outcome.reasons == [SERVER_LOST, SERVER_LOST]
