"""A failure while closing a participant's peer still records their leave and tells the others.

Real `Connection`s, hub and aiortc peers; one peer's `close` closes and then raises, as a
transport failing mid-teardown does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from classroom.models import AttendanceRecord
from classroom.roles import Role
from tests.support.signaling_harness import SignalingBench, signaling_bench

pytestmark = pytest.mark.webrtc


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[SignalingBench]:
    with signaling_bench(tmp_path / "data") as b:
        yield b


def test_peer_close_raising_still_records_the_leave_and_tells_the_others(
    bench: SignalingBench, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        lecturer = await bench.joined(Role.LECTURER)
        trainee = await bench.joined(Role.TRAINEE)
        live = bench.hub.classes[bench.class_id]
        (participant,) = [p for p in live.participants.values() if p.role is Role.TRAINEE]
        real_close = participant.peer.close

        async def failing_close() -> None:
            await real_close()
            raise RuntimeError("DTLS transport failed while closing")

        participant.peer.close = failing_close  # type: ignore[method-assign]
        await trainee.finish()
        await lecturer.socket.wait_for(
            "the others see the trainee leave",
            lambda: any(
                m["type"] == "participant_left" and m["participant_id"] == participant.id
                for m in lecturer.socket.sent
            ),
        )
        assert await lecturer.settled()
        assert participant.id not in live.participants

    bench.run(scenario())
    with bench.services.db() as session:
        rows = {r.role: r for r in session.scalars(select(AttendanceRecord))}
    assert rows[Role.TRAINEE].left_at is not None and rows[Role.TRAINEE].leave_reason == "disconnected"
    assert rows[Role.LECTURER].left_at is None
    assert "closing" in caplog.text and "media failed" in caplog.text  # logged, with its traceback
