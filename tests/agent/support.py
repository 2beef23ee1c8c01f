"""The room agent as the room PC runs it: a `classbridge room-agent` process, with the codec audit."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classroom.roles import Source
from signaling.ws.client import ClassClient, WebSocketChannel
from tests.integration.conftest import token_of
from tests.support import codec_audit
from tests.support.media import frames
from tests.support.server import CLASSBRIDGE, audited_env
from tests.support.wait import log_tail, until
from tests.web.support import ClassServer


@dataclass
class AgentProcess:
    log: Path
    codec_log: Path
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> "AgentProcess":
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("CLASSBRIDGE_")}
        env.update(audited_env(self.codec_log))
        env["PYTHONFAULTHANDLER"] = "1"  # a crash shows where in the log
        env.update(self.env)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(CLASSBRIDGE), "room-agent", "--ice-host", "127.0.0.1", "--status-interval", "0.5", *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        return self

    def stop(self) -> str:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.tail()

    def status(self) -> dict[str, Any]:
        """The last status line the agent printed ({} before the first)."""
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"the room agent exited ({self.process.returncode}):\n{self.tail()}")
        lines = [line for line in self.log.read_text(errors="replace").splitlines() if line.startswith("status {")]
        return json.loads(lines[-1][len("status ") :]) if lines else {}

    def video(self) -> dict[str, Any]:
        return self.status().get("video") or {}

    def tail(self) -> str:
        return log_tail(self.log, 30)

    def codecs(self) -> set[str]:
        """What aiortc codec objects the agent process made (codec_audit)."""
        assert self.process is not None
        return {what for what, pid in codec_audit.recorded(self.codec_log) if pid == f"pid={self.process.pid}"}


async def room_camera_at_trainee(server: ClassServer, created: dict[str, Any]) -> tuple[int, int]:
    """A trainee joins and decodes the room's camera: its frame size."""
    trainee = ClassClient(await WebSocketChannel.connect(server.url.replace("http", "ws", 1) + f"/ws/{created['id']}"))
    await trainee.join(token_of(created["links"]["trainee"]), name="Học viên")
    try:
        received = await until(
            lambda: [r for r in trainee.received() if r.info.source is Source.CAMERA], 60, "the room camera"
        )
        sizes = {(f.width, f.height) for f in await frames(received[0].track, 10, timeout=20)}
        assert len(sizes) == 1, sizes
        return sizes.pop()
    finally:
        await trainee.close()
