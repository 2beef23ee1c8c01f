"""A real `classbridge serve` and a real WebSocket client sending a text frame that is not UTF-8."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError

from tests.support.server import serve
from tests.support.wait import wait_until


async def send_invalid_utf8(url: str) -> int | None:
    """The close code the server answers an invalid-UTF-8 text frame with."""
    async with connect(url) as ws:
        await ws.send(b'{"type": "join", "token": "\xff\xfe"}', text=True)  # sent unchecked
        with pytest.raises(ConnectionClosedError) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        return closed.value.rcvd.code if closed.value.rcvd else None


@pytest.mark.parametrize("path", ["/ws/some-class", "/ws/rooms"])
def test_invalid_utf8_text_frame_closes_1007_with_one_quiet_log_line(tmp_path: Path, path: str) -> None:
    server = serve(tmp_path / "data")
    try:
        code = asyncio.run(send_invalid_utf8(server.url.replace("http://", "ws://") + path))
        assert code == 1007
        wait_until(
            lambda: any(s in server.output() for s in ("a text frame is not UTF-8", "Traceback")),
            what="the server to log the bad frame",
            describe=server.log_tail,
        )
        # the server is unharmed: it still answers
        asyncio.run(still_serves(server.url.replace("http://", "ws://") + path))
    finally:
        output = server.stop()
    assert "Traceback" not in output
    assert output.count("a text frame is not UTF-8") == 1, output


async def still_serves(url: str) -> None:
    async with connect(url) as ws:
        await ws.send('{"type": "ping"}')
        assert await asyncio.wait_for(ws.recv(), 10)
