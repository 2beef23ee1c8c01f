"""Fixtures for the console's browser tests: the server in this process (so tests reach the
simulators it drives), Debian's Chromium kept on loopback, one of each per module."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from devices.rooms_file import load_rooms
from signaling.server.app import create_app
from signaling.server.rooms import EXAMPLE_ROOMS, RoomService
from signaling.server.settings import Settings
from tests.support.rooms import NobodyLive
from tests.support.server import free_port
from tests.support.wait import wait_until
from tests.web.support import launch, skip_without_chromium
from signaling.server.state import server_of


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip_without_chromium(items)


@dataclass
class ConsoleServer:
    url: str
    app: Any
    server: uvicorn.Server
    thread: threading.Thread
    loop: asyncio.AbstractEventLoop

    def call(self, action: Callable[[], Awaitable[Any]]) -> Any:
        """Run a coroutine function on the server's loop (where the simulators live)."""
        async def run() -> Any:
            return await action()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=10)

    @property
    def rooms(self) -> RoomService:
        rooms: RoomService = server_of(self.app).rooms
        return rooms

    def simulator(self, ref: str) -> Any:
        assert self.rooms.fleet is not None
        return self.rooms.fleet.simulator(ref)

    def technician_link(self, name: str = "Kỹ thuật viên Tuấn") -> str:
        return str(server_of(self.app).services.technicians.link(name).link)

    @property
    def admin_token(self) -> str:
        return str(server_of(self.app).services.admin_token.value)


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    port = free_port()
    data: Path = tmp_path_factory.mktemp("console") / "data"
    settings = Settings.load(data_dir=data, port=port)
    rooms = RoomService(
        load_rooms(EXAMPLE_ROOMS, environ={}, require_secrets=False),
        simulated=True,
        source="simulated example",
        controller_options={"ready_poll": 0.1},
    )
    app = create_app(settings, NobodyLive(), rooms)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()

    def started() -> bool:
        assert rooms.failed is None, rooms.failed
        return server.started and rooms.ready.is_set()

    wait_until(started, what="the console server to start")
    yield ConsoleServer(f"http://127.0.0.1:{port}", app, server, thread, loop)
    server.should_exit = True
    thread.join(timeout=20)
    loop.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium with the class pages' flags (tests/web/support.py): loopback only."""
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
