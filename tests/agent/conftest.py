"""Fixtures of the room agent tests: a real server (with the codec audit), a real RTSP camera,
Chromium, and the agent as a process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from classroom.relay import aiortc_internals
from tests.support import codec_audit
from tests.support.rtsp_camera import RtspCamera
from tests.support.server import audited_env, free_port
from tests.web.support import ClassServer, launch, skip_without_chromium


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip_without_chromium(items)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = launch(playwright)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClassServer]:
    """The real server; it never decodes or encodes, with the room agent in a class too."""
    root: Path = tmp_path_factory.mktemp("server")
    codec_log = root / "server-codecs.log"
    server = ClassServer(root / "data", env=audited_env(codec_log)).start()
    yield server
    server.stop()
    assert {what for what, _ in codec_audit.recorded(codec_log)} == {codec_audit.INSTALLED}


@pytest.fixture(autouse=True)
def loopback_candidates() -> Iterator[None]:
    """The tests' own aiortc peers, like the server and the agent, offer 127.0.0.1 only."""
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    yield
    aiortc_internals.use_host_addresses(None)


@pytest.fixture
def camera(tmp_path: Path) -> Iterator[RtspCamera]:
    """A 1280×720 30 fps constrained-baseline H.264 camera on 127.0.0.1."""
    camera = RtspCamera(free_port(), tmp_path / "camera.log").start()
    yield camera
    camera.stop()
