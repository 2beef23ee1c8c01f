from __future__ import annotations

import csv
import io
import json
import os
import socket
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from classroom import classes
from classroom.models import ClassStatus
from classroom.roles import Role
from signaling.server.app import create_app
from signaling.cli.main import app, uvicorn_config
from signaling.server.services import Services
from signaling.server.settings import Settings
from tests.signaling.conftest import CLASSBRIDGE, self_signed, serve
from tests.support.wait import wait_until

runner = CliRunner()


def run(data_dir: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)])
    assert result.exit_code == code, result.output
    return result.output


def services(data_dir: Path) -> Services:
    return Services.open(Settings.load(data_dir=data_dir))


def create(data_dir: Path, title: str = "Lớp bồi dưỡng") -> dict[str, Any]:
    created: dict[str, Any] = json.loads(
        run(data_dir, "class", "create", title, "--room", "room-101", "--json")
    )
    return created


def test_class_create_prints_working_links(tmp_path: Path) -> None:
    text = run(tmp_path, "class", "create", "Lớp bồi dưỡng", "--room", "room-101")
    first_line, _, *link_lines = text.splitlines()
    assert first_line.startswith("Created class ") and first_line.endswith(
        "Lớp bồi dưỡng (room room-101)"
    )
    cid = first_line.split()[2].rstrip(":")
    tokens = services(tmp_path).tokens
    printed = dict(line.split() for line in link_lines)
    assert set(printed) == {r.value for r in Role}
    for role, link in printed.items():
        assert tokens.verify(link.split("#t=")[1], cid).role.value == role
    body = create(tmp_path)
    for role in Role:
        assert tokens.verify(body["links"][role.value].split("#t=")[1], body["id"]).role is role


def test_class_list(tmp_path: Path) -> None:
    a, b = create(tmp_path, "A"), create(tmp_path, "B")
    listed = json.loads(run(tmp_path, "class", "list", "--json"))
    assert [c["id"] for c in listed] == [b["id"], a["id"]]
    assert a["id"] in run(tmp_path, "class", "list")
    create(tmp_path, "[bold]Lớp[/] [/x]")  # not rich markup: shown as typed
    assert "[bold]Lớp[/] [/x]" in run(tmp_path, "class", "list")
    assert json.loads(run(tmp_path, "class", "list", "--status", "ended", "--json")) == []


def test_class_end_without_server_uses_the_database(tmp_path: Path) -> None:
    cid = create(tmp_path)["id"]
    assert "no server is running" in run(tmp_path, "class", "end", cid)
    assert classes.get(services(tmp_path).db, cid).status is ClassStatus.ENDED
    assert "has already ended" in run(tmp_path, "class", "end", cid, code=1)
    assert "there is no class 'nope'" in run(tmp_path, "class", "end", "nope", code=1)


def test_class_link(tmp_path: Path) -> None:
    cid = create(tmp_path)["id"]
    link = run(
        tmp_path, "class", "link", cid, "--role", "trainee", "--external-id", "HV1", "--name", "Lan"
    ).strip()
    claims = services(tmp_path).tokens.verify(link.split("#t=")[1], cid)
    assert (claims.role, claims.external_id, claims.name) == (Role.TRAINEE, "HV1", "Lan")
    body = json.loads(
        run(tmp_path, "class", "link", cid, "--role", "observer", "--ttl-hours", "1", "--json")
    )
    assert body["role"] == "observer" and body["class_id"] == cid
    assert "Invalid value for '--role'" in run(
        tmp_path, "class", "link", cid, "--role", "boss", code=2
    )
    assert "there is no class" in run(tmp_path, "class", "link", "nope", code=1)
    assert "name:" in run(tmp_path, "class", "link", cid, "--name", "x" * 101, code=2)
    run(tmp_path, "class", "end", cid)
    assert "has already ended" in run(tmp_path, "class", "link", cid, code=1)


def test_class_attendance(tmp_path: Path) -> None:
    cid = create(tmp_path)["id"]
    log = services(tmp_path).attendance
    log.left(log.joined(cid, "p1", Role.TRAINEE, "HV1", "Nguyễn Thị Lan"), "left")
    table = run(tmp_path, "class", "attendance", cid)
    assert "Nguyễn Thị Lan" in table and "HV1" in table
    rows = list(
        csv.reader(
            io.StringIO(run(tmp_path, "class", "attendance", cid, "--csv").removeprefix("\ufeff"))
        )
    )
    assert rows[1][:3] == ["HV1", "Nguyễn Thị Lan", "trainee"]
    assert (
        json.loads(run(tmp_path, "class", "attendance", cid, "--json"))["people"][0]["sessions"]
        == 1
    )
    assert "there is no class" in run(tmp_path, "class", "attendance", "nope", code=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["class", "create", ""], "title: String should have at least 1 character"),
        (["class", "create", "x" * 201], "title: String should have at most 200 characters"),
        (["class", "create", "t", "--room", "r" * 101], "room:"),
        (["class", "list", "--status", "open"], "Invalid value for '--status'"),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    assert message in run(tmp_path, *args, code=2)
    assert json.loads(run(tmp_path, "class", "list", "--json")) == []


def test_bad_settings_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["class", "list", "--config", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "cannot read config file" in result.output
    config = tmp_path / "c.yaml"
    config.write_text(f"data_dir: {tmp_path / 'from-config'}\nlink_ttl_hours: -1\n")
    result = runner.invoke(app, ["class", "list", "--config", str(config)])
    assert (
        result.exit_code == 2
        and f"link_ttl_hours: Input should be greater than 0 (from config file {config})"
        in result.output
    )


def test_config_file_chooses_the_data_dir(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(f"data_dir: {tmp_path / 'school'}\n")
    result = runner.invoke(app, ["class", "create", "t", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "school" / "classbridge.db").exists()


def test_keys_rotate_and_list(tmp_path: Path) -> None:
    cid = create(tmp_path)["id"]
    old = run(tmp_path, "class", "link", cid).strip().split("#t=")[1]
    first = services(tmp_path).keyring.signing_key().kid
    assert "1 older key(s) still verify" in run(tmp_path, "keys", "rotate")
    listing = run(tmp_path, "keys", "list")
    assert first in listing and "verifies" in listing and "signs" in listing
    assert services(tmp_path).tokens.verify(old, cid)
    assert "every join link issued before now is invalid" in run(
        tmp_path, "keys", "rotate", "--drop-old"
    )
    assert first not in run(tmp_path, "keys", "list")
    secret = services(tmp_path).keyring.signing_key().secret.get_secret_value()
    assert secret not in run(tmp_path, "keys", "list")


def test_serve_http_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = serve(data)
    try:
        assert httpx.get(f"{server.url}/docs").status_code == 200
        token_file = data / "admin-token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        admin = {"Authorization": f"Bearer {token_file.read_text().strip()}"}
        created = httpx.post(f"{server.url}/api/classes", json={"title": "Lớp A"}, headers=admin)
        assert created.status_code == 201
        cid = created.json()["id"]
        # The CLI, started without --port, signs links for the server's port ...
        by_cli = json.loads(run(data, "class", "create", "t", "--json"))
        assert by_cli["links"]["trainee"].startswith(f"{server.url}/join#t=")
        # ... and ends the class through the server.
        ended = subprocess.run(
            [str(CLASSBRIDGE), "class", "end", cid, "--data-dir", str(data)],
            capture_output=True,
            check=False,
            text=True,
            timeout=30,
        )
        assert ended.returncode == 0, ended.stderr
        assert f"through the server at {server.url}" in ended.stdout
        assert (
            httpx.get(f"{server.url}/api/classes/{cid}", headers=admin).json()["status"] == "ended"
        )
    finally:
        output = server.stop()
    token = token_file.read_text().strip()
    assert token not in output and token[:4] in output
    for expected in (
        server.url,
        f"{server.url}/docs",
        f"admin token:  in {token_file}",
        "class create",
    ):
        assert expected in output
    assert f"--data-dir {data}" in output


def test_serve_https_with_env_admin_token(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    data = tmp_path / "data"
    token = "env-admin-token-0123456789"
    server = serve(data, tls=(cert, key), env={"CLASSBRIDGE_ADMIN_TOKEN": token})
    try:
        assert server.url.startswith("https://")
        client = httpx.Client(verify=server.verify)
        assert client.get(f"{server.url}/healthz").json()["status"] == "ok"
        assert client.get(f"{server.url}/docs").status_code == 200
        created = client.post(
            f"{server.url}/api/classes",
            json={"title": "t"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.json()["links"]["trainee"].startswith(f"{server.url}/join#t=")
        ended = subprocess.run(
            [str(CLASSBRIDGE), "class", "end", created.json()["id"], "--data-dir", str(data)],
            capture_output=True,
            check=False,
            text=True,
            timeout=30,
            env={**os.environ, "CLASSBRIDGE_ADMIN_TOKEN": token},
        )
        assert ended.returncode == 0 and "through the server at https://" in ended.stdout, (
            ended.stderr
        )
    finally:
        output = server.stop()
    assert token not in output and "CLASSBRIDGE_ADMIN_TOKEN" in output
    assert not (data / "admin-token").exists()


@pytest.mark.parametrize("which", ["--tls-cert", "--tls-key"])
def test_serve_refuses_half_tls(tmp_path: Path, which: str) -> None:
    cert, _ = self_signed(tmp_path)
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path), which, str(cert)])
    assert result.exit_code == 2
    assert "tls_cert and tls_key: give both to serve HTTPS, or neither" in result.output


def test_serve_refuses_unusable_tls_files(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    result = runner.invoke(
        app,
        ["serve", "--data-dir", str(tmp_path), "--tls-cert", str(garbage), "--tls-key", str(key)],
    )
    assert result.exit_code == 2 and "tls_cert/tls_key: cannot load" in result.output
    missing = tmp_path / "missing.pem"
    result = runner.invoke(
        app,
        ["serve", "--data-dir", str(tmp_path), "--tls-cert", str(cert), "--tls-key", str(missing)],
    )
    assert result.exit_code == 2 and f"tls_key: {missing} does not exist" in result.output


def test_serve_warns_about_http_on_the_lan(tmp_path: Path) -> None:
    server = serve(
        tmp_path / "data",
        env={"CLASSBRIDGE_PUBLIC_URL": "http://192.0.2.10:8000", "CLASSBRIDGE_ICE__PUBLIC_ADDRESS": "192.0.2.10"},
    )
    output = server.stop()
    assert "browsers allow camera and microphone only on https:// or localhost" in output


def test_uvicorn_caps_websocket_frames_above_the_signaling_limit(settings: Settings) -> None:
    limited = settings.model_copy(
        update={"signaling": settings.signaling.model_copy(update={"max_message_bytes": 10_000})}
    )
    config = uvicorn_config(create_app(limited), limited)
    assert config.ws_max_size == 4 * 10_000
    assert (config.host, config.port, config.ssl_certfile) == ("127.0.0.1", 8000, None)


def test_serve_reports_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [str(CLASSBRIDGE), "serve", "--port", port, "--data-dir", str(tmp_path)],
            capture_output=True,
            check=False,
            text=True,
            timeout=30,
        )
    assert result.returncode != 0
    assert "address already in use" in result.stderr
    assert not (tmp_path / "server.json").exists()  # nobody is told to talk to it


def test_class_create_with_times(tmp_path: Path) -> None:
    body = json.loads(
        run(
            tmp_path, "class", "create", "Sáng thứ hai", "--room", "room-101",
            "--starts-at", "2025-03-10T08:00+07:00", "--ends-at", "2025-03-10 11:30+07:00", "--json",
        )
    )  # fmt: skip
    assert body["starts_at"] == "2025-03-10T01:00:00Z" and body["ends_at"] == "2025-03-10T04:30:00Z"
    local = run(tmp_path, "class", "create", "Chiều", "--room", "room-101", "--starts-at", "2025-03-11 13:00", "--ends-at", "2025-03-11 14:00")
    assert "Planned 2025-03-1" in local
    assert "not a date and time" in run(tmp_path, "class", "create", "x", "--starts-at", "sáng mai", code=2)
    assert "give both starts_at and ends_at" in run(
        tmp_path, "class", "create", "x", "--room", "room-101", "--starts-at", "2025-03-10 13:00", code=2
    )


def test_technician_link_and_audit(tmp_path: Path) -> None:
    link = run(tmp_path, "technician", "link", "Trần Văn Tuấn").splitlines()[0]
    assert link.startswith("http://127.0.0.1:8000/console#t=")
    claims = services(tmp_path).technicians.verify(link.split("#t=", 1)[1])
    assert claims.name == "Trần Văn Tuấn"
    assert "printable characters" in run(tmp_path, "technician", "link", " ", code=2)
    audit = services(tmp_path).audit
    audit.record(
        at=datetime(2025, 3, 10, 1, tzinfo=UTC), room="room-101", actor_kind="technician",
        actor_name="Trần Văn Tuấn", target="display", action="input hdmi1", result="ok",
    )  # fmt: skip
    table = run(tmp_path, "audit")
    assert "input hdmi1" in table and "technician Trần Văn Tuấn" in table
    assert json.loads(run(tmp_path, "audit", "--json", "--room", "room-101"))[0]["target"] == "display"
    assert json.loads(run(tmp_path, "audit", "--json", "--room", "room-9")) == []
    assert run(tmp_path, "audit", "--csv").startswith("\ufeffid,at,room")


def test_serve_runs_the_example_room_on_simulators(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = serve(data)
    try:
        link = run(data, "technician", "link", "Kỹ thuật").splitlines()[0]
        assert link.startswith(f"{server.url}/console#t=")
        technician = {"Authorization": f"Bearer {link.split('#t=', 1)[1]}"}

        def rooms_answer() -> httpx.Response | None:
            rooms = httpx.get(f"{server.url}/api/rooms", headers=technician)
            if rooms.status_code == 503:
                assert rooms.json()["error"]["code"] == "rooms_starting"
                return None
            return rooms

        rooms = wait_until(
            rooms_answer, what="the rooms to start", describe=server.log_tail, interval=0.2
        )
        assert rooms.status_code == 200, rooms.text
        (room,) = rooms.json()
        assert room["name"] == "room-101"
        assert {d["name"]: d["link"] for d in room["devices"]}["projector"] == "online"
        assert httpx.get(f"{server.url}/console").status_code == 200
    finally:
        output = server.stop()
    assert "rooms:        simulated rooms from" in output and f"console:      {server.url}/console" in output
    assert "technician link" in output


def test_class_create_refuses_a_room_not_in_the_rooms_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = run(tmp_path, "class", "create", "Khoá 12", "--room", "phong-a2", code=2)
    assert refused == "error: there is no room 'phong-a2'; the rooms are: room-101\n"  # the example room
    assert classes.list_classes(services(tmp_path).db) == []
    rooms = tmp_path / "rooms.yaml"
    rooms.write_text("rooms:\n  - {name: phong-a2, devices: []}\n", encoding="utf-8")
    monkeypatch.setenv("CLASSBRIDGE_ROOMS_FILE", str(rooms))
    assert "(room phong-a2)" in run(tmp_path, "class", "create", "Khoá 12", "--room", "phong-a2")
    assert "the rooms are: phong-a2" in run(tmp_path, "class", "create", "t", "--room", "room-101", code=2)


def test_class_create_refuses_a_booked_room_unless_allowed(tmp_path: Path) -> None:
    times = ["--room", "room-101", "--starts-at", "2025-03-10 08:00+07:00", "--ends-at", "2025-03-10 09:30+07:00"]
    first = json.loads(run(tmp_path, "class", "create", "Khoá 12", *times, "--json"))
    refused = run(tmp_path, "class", "create", "Khoá 7", *times, code=1)
    assert refused == (
        f"error: room 'room-101' is booked from 2025-03-10 01:00 UTC to 2025-03-10 02:30 UTC by class "
        f"{first['id']} ('Khoá 12'); choose another time or room, or allow the overlap\n"
    )
    assert "Created class" in run(tmp_path, "class", "create", "Hai lớp ghép", *times, "--allow-overlap")
    assert len(classes.list_classes(services(tmp_path).db)) == 2


def test_class_create_knows_the_rooms_of_the_running_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rooms = tmp_path / "rooms.yaml"
    rooms.write_text("rooms:\n  - {name: phong-a2, devices: []}\n", encoding="utf-8")
    server = serve(data, "--rooms-file", str(rooms))  # a flag this CLI is not given
    try:
        assert "(room phong-a2)" in run(data, "class", "create", "Khoá 12", "--room", "phong-a2")
        refused = run(data, "class", "create", "t", "--room", "room-101", code=2)
        assert refused == "error: there is no room 'room-101'; the rooms are: phong-a2\n"
    finally:
        server.stop()


def test_room_key_issue_list_revoke(tmp_path: Path) -> None:
    result = runner.invoke(app, ["room", "key", "room-101", "--label", "LED-wall PC", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("rk_") and "shown only now" in result.stderr
    from signaling.auth.room_keys import RoomKeys

    keys = RoomKeys(services(tmp_path).db)
    key_id = keys.verify(key, "room-101").key_id
    listed = json.loads(run(tmp_path, "room", "key", "--list", "--json"))
    assert [(k["key_id"], k["label"], k["revoked_at"]) for k in listed] == [(key_id, "LED-wall PC", None)]
    assert key not in run(tmp_path, "room", "key", "--list")
    assert f"Revoked room key {key_id}" in run(tmp_path, "room", "key", "--revoke", key_id)
    assert json.loads(run(tmp_path, "room", "key", "--list", "room-101", "--json"))[0]["revoked_at"]
    assert "no room 'room-999'" in run(tmp_path, "room", "key", "room-999", code=2)
    assert "no room key 'nope'" in run(tmp_path, "room", "key", "--revoke", "nope", code=1)
    assert "give ROOM" in run(tmp_path, "room", "key", code=2)
