"""/docs works on a LAN without internet: Swagger UI comes from the server itself, and the page
asks for nothing anywhere else."""

from __future__ import annotations

from playwright.sync_api import Browser, Request

from tests.web.support import ClassServer


def test_docs_render_with_every_asset_from_the_server(browser: Browser, server: ClassServer) -> None:
    context = browser.new_context()
    page = context.new_page()
    asked: list[str] = []

    def record(request: Request) -> None:
        asked.append(request.url)

    page.on("request", record)
    page.goto(f"{server.url}/docs")
    page.locator(".opblock-summary-path", has_text="/api/classes").first.wait_for()
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("classbridge")
    elsewhere = [u for u in asked if not u.startswith(server.url)]
    assert elsewhere == [], elsewhere
    assert any(u.endswith("/docs/assets/swagger-ui-bundle.js") for u in asked)
    context.close()
