from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from signaling.server.app import create_app
from signaling.server.settings import Settings


def test_unexpected_error_is_500_in_shape(settings: Settings) -> None:
    app = create_app(settings)

    def boom() -> None:
        raise RuntimeError("secret detail")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "internal server error; see the server log"}
    }
    assert "secret detail" not in response.text
    with TestClient(app) as client, pytest.raises(RuntimeError):
        client.get("/boom")  # re-raised for the server to log


def test_http_errors_have_the_shape(client: TestClient, admin: dict[str, str]) -> None:
    missing = client.get("/nope")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    wrong_method = client.delete("/api/classes", headers=admin)
    assert (wrong_method.status_code, wrong_method.json()["error"]["code"]) == (
        405,
        "method_not_allowed",
    )
    assert "allow" in {k.lower() for k in wrong_method.headers}
