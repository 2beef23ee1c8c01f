"""Loading rooms files: the example, and every kind of mistake named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.rooms_file.device_config import (
    MdcDisplayConfig,
    OnvifCameraConfig,
    PJLinkProjectorConfig,
    ShureMicrophoneConfig,
    ViscaCameraConfig,
)
from devices.errors import ConfigError
from devices.rooms_file import load_rooms

EXAMPLE = Path(__file__).parents[3] / "config" / "rooms.example.yaml"
SECRETS = {"ROOM101_ONVIF_PASSWORD": "onvif-secret", "ROOM101_PJLINK_PASSWORD": "pj-secret"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rooms.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_rooms(path, environ=environ or {})
    lines = str(caught.value).splitlines()
    assert all(line.startswith(str(path)) for line in lines)  # every problem names the file
    return "\n".join(line[len(str(path)) :] for line in lines)


def test_the_example_room_has_one_device_of_each_kind() -> None:
    rooms = load_rooms(EXAMPLE, environ=SECRETS)
    (room,) = rooms.rooms
    assert room.name == "room-101"
    kinds = [type(device) for device in room.devices]
    assert kinds == [
        ViscaCameraConfig,
        OnvifCameraConfig,
        MdcDisplayConfig,
        PJLinkProjectorConfig,
        ShureMicrophoneConfig,
    ]
    camera = rooms.device("room-101/camera")[1]
    assert isinstance(camera, ViscaCameraConfig) and camera.link.transport == "serial"
    onvif = rooms.device("room-101/camera-wide")[1]
    assert isinstance(onvif, OnvifCameraConfig) and onvif.password == "onvif-secret"


def test_a_missing_secret_names_the_variable_and_where_it_is_asked_for() -> None:
    with pytest.raises(ConfigError) as caught:
        load_rooms(EXAMPLE, environ={"ROOM101_ONVIF_PASSWORD": "x"})
    message = str(caught.value)
    line = next(
        n for n, text in enumerate(EXAMPLE.read_text().splitlines(), 1) if "ROOM101_PJLINK" in text
    )
    assert message == (
        f"{EXAMPLE}:{line}: room 'room-101', device 'projector', field 'password_env': "
        "environment variable ROOM101_PJLINK_PASSWORD is not set"
    )


def test_secrets_may_be_left_unresolved_for_simulators() -> None:
    rooms = load_rooms(EXAMPLE, environ={}, require_secrets=False)
    projector = rooms.device("room-101/projector")[1]
    assert isinstance(projector, PJLinkProjectorConfig) and projector.password is None


def test_password_and_password_env_together(tmp_path: Path) -> None:
    message = error_for(
        tmp_path,
        "rooms:\n- name: r1\n  devices:\n  - {name: p, protocol: pjlink, host: h, password: a,"
        " password_env: P}\n",
        {"P": "b"},
    )
    assert "device 'p', field 'password_env': give either password or password_env" in message


def test_wrong_type_points_at_the_field_line(tmp_path: Path) -> None:
    text = """rooms:
  - name: room-101
    devices:
      - name: camera
        protocol: visca
        link:
          transport: tcp
          host: 10.0.0.5
          port: fifty
"""
    assert error_for(tmp_path, text).startswith(
        ":9: room 'room-101', device 'camera', field 'link.port': Input should be a valid integer"
    )


def test_unknown_protocol_typo_and_missing_field(tmp_path: Path) -> None:
    text = """rooms:
  - name: room-101
    devices:
      - {name: a, protocol: hdmi-cec}
      - {name: b, protocol: visca, link: {transport: udp, host: h}, adress: 2}
      - {name: c, protocol: pjlink}
"""
    lines = error_for(tmp_path, text).splitlines()
    assert lines[0].startswith(":4: room 'room-101', device 'a': Input tag 'hdmi-cec'")
    assert "'protocol'" in lines[0]
    assert (
        lines[1]
        == ":5: room 'room-101', device 'b', field 'adress': Extra inputs are not permitted"
    )
    assert lines[2] == ":6: room 'room-101', device 'c', field 'host': Field required"


def test_names_must_be_valid_and_unique(tmp_path: Path) -> None:
    text = """rooms:
  - name: Room 101
    devices: []
  - name: r2
    devices:
      - {name: cam, protocol: visca, link: {transport: serial, port: /dev/ttyS0}}
      - {name: cam, protocol: visca, link: {transport: serial, port: /dev/ttyS1}}
  - name: r2
"""
    message = error_for(tmp_path, text)
    assert ":2: room 'Room 101', field 'name': Value error, use lower-case letters" in message
    assert ":5: room 'r2', field 'devices': Value error, device names must be unique" in message
    assert message.count("\n") == 1  # unique room names are checked once the rooms are valid
    fixed = text.replace("Room 101", "r1").replace(
        "name: cam, protocol: visca, link: {transport: serial, port: /dev/ttyS1}",
        "name: cam2, protocol: visca, link: {transport: serial, port: /dev/ttyS1}",
    )
    assert (
        error_for(tmp_path, fixed)
        == ":1: field 'rooms': Value error, room names must be unique: r2"
    )


def test_a_device_that_is_not_a_mapping(tmp_path: Path) -> None:
    message = error_for(tmp_path, "rooms:\n- name: r1\n  devices:\n  - camera\n")
    assert message.startswith(":4: room 'r1', device #1: Input should be")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rooms: [\n", ":2:1: not valid YAML"),
        ("- just a list\n", ": expected a mapping with a 'rooms' list"),
        ("", ": expected a mapping with a 'rooms' list"),
        ("rooms: []\n", ":1: field 'rooms': List should have at least 1 item"),
        ("rooms:\n- name: r1\nextra: 1\n", ":3: field 'extra': Extra inputs are not permitted"),
    ],
)
def test_file_level_mistakes(tmp_path: Path, text: str, expected: str) -> None:
    assert error_for(tmp_path, text).startswith(expected)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the rooms file"):
        load_rooms(tmp_path / "missing.yaml")


def test_device_lookup() -> None:
    rooms = load_rooms(EXAMPLE, environ=SECRETS)
    room, device = rooms.device("room-101/mic")
    assert (room.name, device.protocol) == ("room-101", "shure")
    with pytest.raises(ConfigError, match=r"no device 'room-101/cam' .*room-101/camera, "):
        rooms.device("room-101/cam")


def test_the_example_room_has_positions_scenes_and_a_schedule() -> None:
    room = load_rooms(EXAMPLE, environ=SECRETS).rooms[0]
    assert [p.name for p in room.positions] == ["lectern", "whiteboard", "audience"]
    assert {s.name: s.lecturer for s in room.scenes} == {
        "start": True,
        "presentation": True,
        "discussion": True,
        "end": False,
    }
    plan = room.schedule.resolved([s.name for s in room.scenes])
    assert (plan.start_scene, plan.end_scene, plan.idle_scene) == ("start", "end", "end")


def test_scene_mistakes_point_at_the_step_line(tmp_path: Path) -> None:
    text = """rooms:
  - name: room-101
    devices:
      - {name: mic, protocol: shure, host: h}
    positions:
      - {name: lectern, camera: mic, preset: 1}
    scenes:
      - name: start
        steps:
          - {do: mute, device: mic, muted: true}
          - {do: input, device: mic, input: hdmi1}
          - {do: volume, device: mic, level: 300}
"""
    lines = error_for(tmp_path, text).splitlines()
    assert lines == [
        ":12: room 'room-101', scene 'start', step #3, field 'level': "
        "Input should be less than or equal to 100",
    ]
    fixed = text.replace("level: 300", "level: 30")
    assert error_for(tmp_path, fixed).splitlines() == [
        ":6: room 'room-101', position 'lectern', field 'camera': 'mic' is a microphone, not a camera",
        ":11: room 'room-101', scene 'start', step #2, field 'device': 'mic' is a microphone, not a display",
        ":12: room 'room-101', scene 'start', step #3, field 'device': 'mic' is a microphone, not a display",
    ]
