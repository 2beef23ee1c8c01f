"""Readiness, metrics in every mode, request ids and JSON logs: through the app in this process
and through a real `classbridge serve` with media workers, the simulated example room and
JSON logs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from signaling.server.app import create_app
from signaling.server.settings import Settings
from signaling.ws.client import ClassClient, WebSocketChannel
from tests.integration.conftest import token_of
from tests.signaling.conftest import RecordingLive
from tests.support.postgres import fresh_database
from tests.support.server import serve
from tests.support.wait import wait_until

ADMIN = "observability-admin-token-0123456789"
HEADERS = {"Authorization": f"Bearer {ADMIN}"}


def test_ready_and_metrics_without_media(client: TestClient) -> None:
    """REST-only mode (no relay in this process): ready, and /metrics still has the process
    and the rooms."""
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "media": "not served by this process", "rooms": "ok"},
    }
    body = client.get("/metrics").text
    assert "process_cpu_seconds_total" in body and "process_resident_memory_bytes" in body
    assert 'classbridge_process_cpu_seconds_total{process="main"}' in body
    assert "classbridge_rooms_running 1.0" in body


def test_not_ready_when_the_database_server_goes_away(postgres_server: str, tmp_path: Path) -> None:
    with fresh_database(postgres_server) as url:
        settings = Settings.load(data_dir=tmp_path / "data", database_url=url)
        with TestClient(create_app(settings, RecordingLive())) as client:
            assert client.get("/readyz").status_code == 200
            name = url.rsplit("/", 1)[1]
            admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:  # the database disappears under the running server
                c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()
            answer = client.get("/readyz")
            assert answer.status_code == 503
            checks = answer.json()["checks"]
            assert checks["database"].startswith("unreachable") and checks["rooms"] == "ok"
            assert client.get("/healthz").status_code == 200  # alive all the same


def test_metrics_token_protects_metrics(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path / "data", metrics_token="metrics-secret-0123456789")
    with TestClient(create_app(settings, RecordingLive())) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        ok = client.get("/metrics", headers={"Authorization": "Bearer metrics-secret-0123456789"})
        assert ok.status_code == 200 and "process_cpu_seconds_total" in ok.text


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    mine = client.get("/healthz", headers={"X-Request-ID": "proxy-abc.123"})
    assert mine.headers["x-request-id"] == "proxy-abc.123"
    fresh = client.get("/healthz").headers["x-request-id"]
    assert len(fresh) == 16 and fresh != client.get("/healthz").headers["x-request-id"]
    hostile = client.get("/healthz", headers={"X-Request-ID": "a\" b\n" + "x" * 100})
    assert hostile.headers["x-request-id"] not in ("", "a\" b\n" + "x" * 100)
    refused = client.post("/api/classes", json={"title": "x"})  # refused by the request guard
    assert refused.status_code == 401 and "x-request-id" in refused.headers


@pytest.fixture
def server(tmp_path: Path):
    env = {"CLASSBRIDGE_ADMIN_TOKEN": ADMIN, "CLASSBRIDGE_LOG_FORMAT": "json"}
    served = serve(tmp_path / "data", "--workers", "2", env=env)
    yield served
    served.stop()


def _records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
async def test_a_real_server_reports_ready_metrics_and_json_logs(server) -> None:
    def ready() -> dict | None:
        answer = httpx.get(f"{server.url}/readyz")
        return answer.json() if answer.status_code == 200 else None

    checks = wait_until(ready, what="/readyz to answer 200", describe=server.log_tail)["checks"]
    assert checks == {"database": "ok", "media": "ok", "rooms": "ok"}
    metrics = httpx.get(f"{server.url}/metrics").text
    # The simulated example room's devices, each in exactly one link state.
    lines = [x for x in metrics.splitlines() if x.startswith("classbridge_device_link{")]
    devices = {x.split('device="')[1].split('"')[0] for x in lines}
    assert len(devices) >= 3, metrics
    current = [x for x in lines if x.endswith(" 1.0")]
    assert len(current) == len(devices)
    for process in ("main", "worker-0", "worker-1"):
        assert f'classbridge_process_cpu_seconds_total{{process="{process}"}}' in metrics
        assert f'classbridge_process_resident_memory_bytes{{process="{process}"}}' in metrics
    # Packets the relay lost before reading them: per worker, and the machine's UDP receive errors.
    for worker in ("0", "1"):  # the relay counters' worker label
        assert f'classbridge_socket_drops_total{{worker="{worker}"}}' in metrics
        assert f'classbridge_fanout_backlog_drops_total{{worker="{worker}"}}' in metrics
    assert 'classbridge_kernel_udp_errors_total{counter="RcvbufErrors"}' in metrics
    assert 'classbridge_kernel_udp_errors_total{counter="InErrors"}' in metrics

    # A signaling connection that misbehaves: the worker's log record names its class.
    created = httpx.post(f"{server.url}/api/classes", json={"title": "Lớp nhật ký"}, headers=HEADERS).json()
    class_id = created["id"]
    ws = server.url.replace("http", "ws", 1) + f"/ws/{class_id}"
    client = ClassClient(await WebSocketChannel.connect(ws))
    await client.join(token_of(created["links"]["trainee"]), name="Học viên")
    await client.send_raw({"type": "no_such_message"})
    await asyncio.to_thread(
        wait_until,
        lambda: [r for r in _records(server.output()) if r.get("class_id") == class_id and r["level"] == "warning"],
        what="a JSON log record with the class id",
        describe=server.log_tail,
    )
    await client.close()
    records = _records(server.output())
    assert records, server.output()
    assert {"time", "level", "logger", "message", "process"} <= set(records[0])
    named = [r for r in records if r.get("class_id") == class_id]
    assert any(r["process"].startswith("worker-") for r in named), named
    in_main = [r for r in named if r["process"] == "main"]  # e.g. uvicorn's "WebSocket accepted"
    assert in_main and all("request_id" in r for r in in_main), named
    # Every line the server wrote is JSON (the start-up banner and uvicorn's lines included).
    other = [line for line in server.output().splitlines() if line.strip() and not line.startswith("{")]
    assert other == []
    assert any("classbridge is starting on" in r["message"] for r in records)
