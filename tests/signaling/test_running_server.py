from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from signaling.auth.admin import load_admin_token
from signaling.errors import SignalingError
from signaling.cli.running_server import (
    RUNTIME_FILE,
    Announcement,
    announced,
    end_class_via_server,
    find,
    with_server_links,
)
from signaling.server.settings import Settings
from tests.signaling.conftest import free_port


class Scripted(BaseHTTPRequestHandler):
    """A stand-in server on loopback that answers every POST with a scripted response."""

    status = 200
    body = b"{}"
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_POST(self) -> None:
        Scripted.seen.append((self.path, self.headers.get("Authorization")))
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Scripted.seen = []
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_announcement_lives_while_serving(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True)
    path = settings.data_dir / RUNTIME_FILE
    with announced(settings):
        note = Announcement.model_validate_json(path.read_text())
        assert note.url == settings.local_url() and note.pid == os.getpid()
        assert find(settings) == note
    assert not path.exists() and find(settings) is None


def test_links_signed_by_the_cli_point_at_the_running_server(tmp_path: Path) -> None:
    server = Settings.load(data_dir=tmp_path, port=9443, public_url="https://lop.truong.lan:9443")
    cli = Settings.load(data_dir=tmp_path)
    with announced(server):
        assert with_server_links(cli).public_url == "https://lop.truong.lan:9443"
    assert with_server_links(cli).public_url == "http://127.0.0.1:8000"


def test_nothing_listening_means_none(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path, port=free_port())
    assert end_class_via_server(settings, load_admin_token(settings), "abc") is None


def test_leftover_announcement_of_a_dead_server_is_ignored(tmp_path: Path, scripted: int) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    note = Announcement(
        url=f"http://127.0.0.1:{scripted}", public_url="https://x", tls_cert=None, pid=dead.pid
    )
    (tmp_path / RUNTIME_FILE).write_text(note.model_dump_json())
    settings = Settings.load(data_dir=tmp_path, port=free_port())
    assert end_class_via_server(settings, load_admin_token(settings), "abc") is None
    assert Scripted.seen == []
    assert find(settings) is None and with_server_links(settings) is settings


def test_announced_server_is_used_with_the_admin_token(tmp_path: Path, scripted: int) -> None:
    Scripted.status, Scripted.body = (
        200,
        json.dumps(
            {
                "id": "a b",
                "title": "t",
                "room": None,
                "status": "ended",
                "created_at": "2025-01-01T00:00:00Z",
                "started_at": None,
                "ended_at": "2025-01-01T01:00:00Z",
                "participants_online": 0,
            }
        ).encode(),
    )
    note = Announcement(
        url=f"http://127.0.0.1:{scripted}", public_url="https://x", tls_cert=None, pid=os.getpid()
    )
    (tmp_path / RUNTIME_FILE).write_text(note.model_dump_json())
    settings = Settings.load(data_dir=tmp_path)  # port 8000: the announcement wins
    admin = load_admin_token(settings)
    assert end_class_via_server(settings, admin, "a b") == note.url
    assert Scripted.seen == [("/api/classes/a%20b/end", f"Bearer {admin.value}")]


def test_server_errors_are_reported_with_their_code(tmp_path: Path, scripted: int) -> None:
    settings = Settings.load(data_dir=tmp_path, port=scripted)
    admin = load_admin_token(settings)
    Scripted.status, Scripted.body = (
        409,
        b'{"error": {"code": "class_ended", "message": "already ended"}}',
    )
    with pytest.raises(SignalingError, match="already ended") as caught:
        end_class_via_server(settings, admin, "abc")
    assert caught.value.code == "class_ended"
    Scripted.status, Scripted.body = 403, b'{"error": {"code": "auth_invalid", "message": "wrong"}}'
    with pytest.raises(SignalingError, match="has another admin token.*CLASSBRIDGE_ADMIN_TOKEN"):
        end_class_via_server(settings, admin, "abc")
    Scripted.status, Scripted.body = 502, b"<html>bad gateway</html>"
    with pytest.raises(SignalingError, match="answered HTTP 502"):
        end_class_via_server(settings, admin, "abc")
    Scripted.status, Scripted.body = 200, b"not json"
    with pytest.raises(SignalingError, match="cannot talk to the server"):
        end_class_via_server(settings, admin, "abc")
