"""Bad input through the real `Connection` and hub: a stable error code, one log line, no traceback.

Each case once produced the `internal` error (close 1011) and a logged traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.signaling_harness import SignalingBench, browser_offer, signaling_bench

pytestmark = pytest.mark.webrtc


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[SignalingBench]:
    with signaling_bench(tmp_path / "data") as b:
        yield b


def offer(sdp: str) -> str:
    return json.dumps({"type": "offer", "transport": "publish", "sdp": sdp})


def assert_logged_once_quietly(caplog: pytest.LogCaptureFixture, code: str) -> None:
    lines = [r for r in caplog.records if code in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in caplog.records]
    assert not any(r.exc_info for r in caplog.records), "a traceback was logged"
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)


def test_deeply_nested_json_before_join_is_bad_json_and_the_socket_stays(bench: SignalingBench, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        session = await bench.connect()
        await session.send("[" * 5000)
        await session.send('{"a":' * 5000)
        await session.send(bench.join_frame())
        await session.socket.wait_for("joined", lambda: any(m["type"] == "joined" for m in session.socket.sent))
        assert [e["code"] for e in session.socket.errors()] == ["bad_json", "bad_json"]
        assert await session.settled()
        await session.finish()
        assert session.socket.closed is not None and session.socket.closed[0] == 1000

    with caplog.at_level(logging.INFO):
        bench.run(scenario())
    assert_logged_once_quietly(caplog, "bad_json")


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda sdp: sdp.replace("a=mid:1", "a=mid:0"), id="shared-mid"),
        pytest.param(lambda sdp: sdp.replace("a=mid:0\r\n", "").replace("a=mid:1\r\n", ""), id="no-mid"),
        pytest.param(lambda sdp: sdp.replace("a=mid:1\r\n", ""), id="one-section-without-mid"),
        pytest.param(lambda sdp: sdp.replace("a=mid:1\r\n", "a=mid:1\r\na=mid:1\r\n"), id="repeated-mid"),
        pytest.param(lambda sdp: sdp.replace("a=mid:1\r\n", "a=mid:1\r\na=mid:2\r\n"), id="two-mids"),
        pytest.param(lambda sdp: sdp[: sdp.index("m=audio")] + sdp[sdp.index("m=video") :], id="bundle-names-a-missing-section"),
    ],
)
def test_publish_offers_with_bad_mids_are_invalid_sdp(bench: SignalingBench, caplog: pytest.LogCaptureFixture, mutate) -> None:
    async def scenario() -> None:
        session = await bench.joined()
        await session.send(offer(mutate(browser_offer())))
        assert await session.settled()
        assert [e["code"] for e in session.socket.errors()] == ["invalid_sdp"]
        # the publish side starts afresh: the browser's own offer is answered next
        await session.send(offer(browser_offer()))
        await session.socket.wait_for("answer", lambda: any(m["type"] == "answer" for m in session.socket.sent))
        await session.finish()
        assert session.socket.closed == (1000, "disconnected")

    with caplog.at_level(logging.INFO):
        bench.run(scenario())
    assert_logged_once_quietly(caplog, "invalid_sdp")


def test_candidate_without_mid_or_index_is_invalid_candidate(bench: SignalingBench, caplog: pytest.LogCaptureFixture) -> None:
    candidate = {"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", "sdpMid": None, "sdpMLineIndex": None}

    async def scenario() -> None:
        session = await bench.joined()
        await session.send(offer(browser_offer()))
        await session.socket.wait_for("answer", lambda: any(m["type"] == "answer" for m in session.socket.sent))
        await session.send(json.dumps({"type": "candidate", "transport": "publish", "candidate": candidate}))
        assert await session.settled()
        (error,) = session.socket.errors()
        assert error["code"] == "invalid_candidate" and "sdpMid" in error["message"]
        good = dict(candidate, sdpMid="0")
        await session.send(json.dumps({"type": "candidate", "transport": "publish", "candidate": good}))
        assert await session.settled()
        assert len(session.socket.errors()) == 1
        await session.finish()

    with caplog.at_level(logging.INFO):
        bench.run(scenario())
    assert_logged_once_quietly(caplog, "invalid_candidate")
