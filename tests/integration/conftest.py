"""A real classbridge server (with the codec audit) and aiortc participants over loopback."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from classroom.relay import aiortc_internals
from signaling.ws.client import ClassClient, WebSocketChannel
from tests.support import codec_audit
from tests.support.server import Served, audited_env, serve

ADMIN_TOKEN = "integration-admin-token-0123456789"


@dataclass
class Server:
    served: Served
    codec_log: Path

    @property
    def url(self) -> str:
        return self.served.url

    def create_class(self, title: str = "Lớp thử nghiệm") -> dict:
        response = httpx.post(
            f"{self.url}/api/classes",
            json={"title": title},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        response.raise_for_status()
        return response.json()

    def end_class(self, class_id: str) -> None:
        httpx.post(
            f"{self.url}/api/classes/{class_id}/end", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        ).raise_for_status()

    def personal_link(self, class_id: str, role: str, **extra) -> str:
        response = httpx.post(
            f"{self.url}/api/classes/{class_id}/links",
            json={"role": role, **extra},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        response.raise_for_status()
        return response.json()["link"]

    def ws_url(self, class_id: str) -> str:
        return self.url.replace("http", "ws", 1) + f"/ws/{class_id}"

    async def client(self, class_id: str, link: str, name: str | None = None, **join) -> ClassClient:
        client = ClassClient(await WebSocketChannel.connect(self.ws_url(class_id)))
        await client.join(token_of(link), name=name, **join)
        return client


def token_of(link: str) -> str:
    fragment = urlsplit(link).fragment
    assert fragment.startswith("t="), link
    return fragment[2:]


@pytest.fixture(scope="module", params=[1, 2], ids=["one-process", "two-workers"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server, in one process and with two media worker processes."""
    workers = request.param
    directory = tmp_path_factory.mktemp("server")
    codec_log = directory / "codecs.log"
    env = {
        **os.environ,
        **audited_env(codec_log),
        "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CLASSBRIDGE_LOG_LEVEL": "warning",
    }
    served = serve(directory / "data", "--workers", str(workers), env=env)
    yield Server(served, codec_log)
    output = served.stop()
    records = codec_audit.recorded(codec_log)
    # The relay forwards packets: no server process ever created a codec object...
    assert {what for what, _ in records} == {codec_audit.INSTALLED}, output[-3000:]
    # ...and the audit ran in every one of them (the CLI, and the workers when there are any).
    assert len({pid for _, pid in records}) >= (1 if workers == 1 else 1 + workers)


@pytest.fixture(autouse=True)
def loopback_candidates() -> Iterator[None]:
    """Our aiortc participants, like the server, offer 127.0.0.1 only."""
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    yield
    aiortc_internals.use_host_addresses(None)


@pytest.fixture
async def cleanup() -> AsyncIterator[list[ClassClient]]:
    clients: list[ClassClient] = []
    yield clients
    for client in clients:
        try:
            await client.close()
        except Exception:
            pass
