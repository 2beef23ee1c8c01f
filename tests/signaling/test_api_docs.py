"""The API documentation pages load their assets from this server, and `api_docs: off`
removes them (the page in a real browser: tests/web/test_api_docs_offline.py)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from signaling.server.app import create_app
from signaling.server.settings import Settings
from tests.signaling.conftest import RecordingLive


def test_docs_and_redoc_name_only_local_assets(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", html)
        assert urls and all(u.startswith("/") for u in urls), (page, urls)
        assert "fonts.googleapis" not in html and "cdn." not in html
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000


def test_api_docs_off_removes_the_pages_and_the_schema(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path / "data", api_docs="off")
    with TestClient(create_app(settings, RecordingLive())) as client:
        for path in ("/docs", "/redoc", "/openapi.json", "/docs/assets/swagger-ui.css"):
            assert client.get(path).status_code == 404, path
        assert client.get("/healthz").status_code == 200
