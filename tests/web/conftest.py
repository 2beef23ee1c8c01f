"""Fixtures for the browser tests: one real server and one Chromium per test module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

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
    root: Path = tmp_path_factory.mktemp("server")
    server = ClassServer(root / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def js(browser: Browser, server: ClassServer) -> Iterator[Callable[[str, str], Any]]:
    """Run `body` (an async function body) with the named module of web/static/js as `m`
    (`../shared/token.js` names one the class page shares with the console)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/static/i18n/vi.json")  # any page of the server's origin

    def run(module: str, body: str) -> Any:
        return page.evaluate(
            f"async () => {{ const m = await import('/static/js/{module}'); {body} }}"
        )

    yield run
    context.close()
