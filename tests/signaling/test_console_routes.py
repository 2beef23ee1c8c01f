"""The console page and its files: served with a strict policy and revalidated."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_console_page_and_files(client: TestClient) -> None:
    page = client.get("/console")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-cache"
    assert "/console/static/js/main.js" in page.text
    module = client.get("/console/static/js/main.js")
    assert module.status_code == 200 and "javascript" in module.headers["content-type"]
    assert module.headers["cache-control"] == "no-cache"
    for language in ("vi", "en"):
        assert client.get(f"/console/static/i18n/{language}.json").status_code == 200
    assert client.get("/console/static/../../../signaling/server/app.py").status_code == 404
    assert client.head("/console").status_code == 200
