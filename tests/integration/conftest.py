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
from signaling.client import ClassClient, WebSocketChannel
from tests.support import codec_audit
from tests.support.server import INSTRUMENTED, Served, serve

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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("server")
    codec_log = directory / "codecs.log"
    env = {
        "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CLASSBRIDGE_TEST_CODEC_LOG": str(codec_log),
        "CLASSBRIDGE_LOG_LEVEL": "warning",
    }
    env = {k: v for k, v in {**os.environ, **env}.items()}
    served = serve(directory / "data", env=env, command=INSTRUMENTED)
    yield Server(served, codec_log)
    output = served.stop()
    # The relay forwards packets: the server process never created a codec object.
    assert codec_audit.recorded(codec_log) == [codec_audit.INSTALLED], output[-3000:]


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
