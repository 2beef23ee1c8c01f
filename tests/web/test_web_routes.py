"""signaling/api/pages.py: the join page and its static files, with the headers that keep the
page safe (CSP, permissions) and fresh after an upgrade (revalidation)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from signaling.server.app import create_app
from signaling.server.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir: Path = tmp_path_factory.mktemp("web-routes") / "data"
    with TestClient(
        create_app(Settings.load(data_dir=data_dir, admin_token="web-routes-admin-token-0123"))
    ) as client:
        yield client


def test_the_join_page_is_served_with_a_strict_policy(client: TestClient) -> None:
    response = client.get("/join")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/js/app.js">' in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    assert "connect-src 'self'" in policy
    assert (
        response.headers["permissions-policy"]
        == "camera=(self), microphone=(self), display-capture=(self)"
    )
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-cache"


def test_head_of_the_join_page(client: TestClient) -> None:
    response = client.head("/join")
    assert response.status_code == 200
    assert response.text == ""


def test_modules_are_javascript_and_revalidated(client: TestClient) -> None:
    response = client.get("/static/js/protocol.js")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in {
        "text/javascript",
        "application/javascript",
    }
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"
    etag = response.headers["etag"]
    assert client.get("/static/js/protocol.js", headers={"If-None-Match": etag}).status_code == 304


def test_translations_are_json(client: TestClient) -> None:
    for lang in ("vi", "en"):
        response = client.get(f"/static/i18n/{lang}.json")
        assert response.status_code == 200
        assert response.json()["prejoin.join"] == ("Tham gia" if lang == "vi" else "Join")


def test_a_missing_file_is_a_json_404_and_nothing_outside_static_is_served(
    client: TestClient,
) -> None:
    response = client.get("/static/js/nope.js")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get("/static/../__init__.py").status_code == 404
    assert client.get("/static/%2e%2e/__init__.py").status_code == 404
