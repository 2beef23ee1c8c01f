"""Request bodies and credentials against a real `classbridge serve` (signaling/api/request_guard.py).

Raw sockets where the timing matters: the refusal must arrive while the client is still
sending, which an HTTP client library (it sends the whole body before reading) cannot show.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from signaling.api.request_guard import MAX_BODY_BYTES
from tests.support.server import Served, serve
from tests.support.wait import wait_until

BIG = 32 * 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    served = serve(tmp_path_factory.mktemp("guard") / "data")
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def admin(server: Served) -> dict[str, str]:
    token = (server.data_dir / "admin-token").read_text().strip()
    return {"Authorization": f"Bearer {token}"}


def open_upload(server: Served, path: str, headers: dict[str, str]) -> socket.socket:
    """A POST whose headers are sent; its body follows with `send_chunk`."""
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def send_chunk(sock: socket.socket, data: bytes) -> None:
    sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")


def read_response(sock: socket.socket) -> tuple[int, dict[str, object]]:
    """Status and JSON body of one response (Content-Length framed, as Starlette sends it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        assert more, f"the server closed without a response: {data!r}"
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(65536)
    return status, json.loads(body[:length])


@pytest.mark.parametrize(
    "headers, status, code",
    [
        ({"Transfer-Encoding": "chunked"}, 401, "auth_required"),
        ({"Transfer-Encoding": "chunked", "Authorization": "Basic YWRtaW46YWRtaW4="}, 401, "auth_required"),
        ({"Transfer-Encoding": "chunked", "Authorization": "Bearer " + "x" * 5000}, 403, "auth_invalid"),
        ({"Content-Length": str(BIG)}, 401, "auth_required"),
    ],
)
def test_an_unauthenticated_upload_is_refused_before_its_body_is_read(
    server: Served, headers: dict[str, str], status: int, code: str
) -> None:
    sock = open_upload(server, "/api/classes", headers)
    with sock:
        if headers.get("Transfer-Encoding") == "chunked":
            send_chunk(sock, b" " * CHUNK)  # 64 KiB of 32 MiB: the rest is never sent
        else:
            sock.sendall(b" " * CHUNK)
        answer = read_response(sock)
    assert answer[0] == status and answer[1]["error"]["code"] == code  # type: ignore[index]


def test_a_32_mb_unauthenticated_upload_does_not_grow_the_server(server: Served) -> None:
    # measure once start-up is over: the rooms' simulators starting would grow the server too
    wait_until(lambda: "rooms ready" in server.output(), what="the rooms to start", describe=server.log_tail)
    process = psutil.Process(server.process.pid)
    for _ in range(2):  # the first upload warms up buffers; the second is measured
        before = process.memory_info().rss
        with open_upload(server, "/api/classes", {"Transfer-Encoding": "chunked"}) as sock:
            block = b" " * (1024 * 1024)
            for _ in range(BIG // len(block)):
                send_chunk(sock, block)
            sock.sendall(b"0\r\n\r\n")
            status, body = read_response(sock)
        grown = process.memory_info().rss - before
    print(f"server RSS grew by {grown / 1e6:.1f} MB over a {BIG >> 20} MiB unauthenticated upload")
    assert grown < 10 * 1024 * 1024, f"RSS grew by {grown / 1e6:.1f} MB"
    assert status == 401 and body["error"]["code"] == "auth_required"  # type: ignore[index]


def test_an_oversized_authenticated_body_gets_413(server: Served, admin: dict[str, str]) -> None:
    big = json.dumps({"title": "x" * (MAX_BODY_BYTES + 1)})
    declared = httpx.post(f"{server.url}/api/classes", content=big, headers=admin | {"Content-Type": "application/json"})
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for i in range(0, len(big), 8192):
            yield big[i : i + 8192].encode()

    streamed = httpx.post(f"{server.url}/api/classes", content=chunks(), headers=admin | {"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "payload_too_large"
    # outside /api too
    assert httpx.post(f"{server.url}/healthz", content=big).status_code == 413


def test_normal_requests_are_unchanged_and_the_database_is_owner_only(server: Served, admin: dict[str, str]) -> None:
    created = httpx.post(f"{server.url}/api/classes", json={"title": "Lớp bồi dưỡng"}, headers=admin)
    assert created.status_code == 201, created.text
    assert httpx.get(f"{server.url}/api/classes", headers=admin).status_code == 200
    wrong = httpx.get(f"{server.url}/api/classes", headers={"Authorization": "Bearer not-the-admin-token"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "auth_invalid"
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    # the write above went through SQLite's WAL: the database and its -wal/-shm exist now
    files = {p.name: p.stat().st_mode & 0o777 for p in Path(server.data_dir).glob("classbridge.db*")}
    assert set(files) == {"classbridge.db", "classbridge.db-wal", "classbridge.db-shm"}
    assert files == {name: 0o600 for name in files}
