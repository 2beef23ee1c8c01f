"""The simulated camera's behaviour, with a hand-stepped clock."""

from __future__ import annotations

from devices.visca.catalog import CATALOG
from devices.visca.errors import ErrorCode
from devices.visca.packet import Ack, Completion, ErrorReply
from devices.sim.visca.camera import _COMMANDS, _INQUIRIES, PAN_LIMITS, SimulatedCamera
from tests.support.clock import ManualClock


def camera() -> tuple[SimulatedCamera, ManualClock]:
    clock = ManualClock(100.0)
    return SimulatedCamera(address=1, preset_slots=4, clock=clock), clock


def run(cam: SimulatedCamera, name: str, **values: object) -> list[object]:
    return list(cam.handle(CATALOG[name].encode(**values)))  # type: ignore[arg-type]


def test_every_catalog_entry_has_a_behaviour() -> None:
    assert set(CATALOG) == set(_COMMANDS) | set(_INQUIRIES) | {"if_clear"}


def test_commands_are_acked_and_completed_on_alternating_sockets() -> None:
    cam, _ = camera()
    assert run(cam, "pan_tilt_home") == [Ack(1, 1), Completion(1, 1)]
    assert run(cam, "pan_tilt_home") == [Ack(1, 2), Completion(1, 2)]


def test_continuous_drive_moves_with_time_until_stopped_or_at_the_limit() -> None:
    cam, clock = camera()
    run(cam, "pan_tilt_drive", pan_speed=0x0C, tilt_speed=0x01, direction="up_left")
    clock.now += 1.0
    assert cam.snapshot()["pan"] == -1200 and cam.snapshot()["tilt"] == 100
    run(cam, "pan_tilt_drive", pan_speed=1, tilt_speed=1, direction="stop")
    clock.now += 5.0
    assert cam.snapshot()["pan"] == -1200
    run(cam, "pan_tilt_drive", pan_speed=0x18, tilt_speed=1, direction="right")
    clock.now += 60.0
    assert cam.snapshot()["pan"] == PAN_LIMITS[1]


def test_position_inquiries_report_the_state() -> None:
    cam, clock = camera()
    run(cam, "pan_tilt_absolute", pan_speed=0x10, tilt_speed=0x10, pan=-800, tilt=300)
    clock.now += 0.25  # 1600 steps/s: half-way in pan, tilt already there
    (answer,) = run(cam, "pan_tilt_position_inquiry")
    assert isinstance(answer, Completion)
    assert CATALOG["pan_tilt_position_inquiry"].decode_reply(answer.data) == {
        "pan": -400,
        "tilt": 300,
    }
    run(cam, "zoom_direct", position=0x2000)
    clock.now += 10
    (answer,) = run(cam, "zoom_position_inquiry")
    assert isinstance(answer, Completion)
    assert answer.data == bytes.fromhex("02 00 00 00")


def test_relative_move_and_zoom_speeds() -> None:
    cam, clock = camera()
    run(cam, "pan_tilt_relative", pan_speed=0x18, tilt_speed=0x17, pan=100, tilt=-100)
    run(cam, "zoom_tele_variable", speed=7)
    clock.now += 0.5
    assert cam.snapshot() == {"power": "on", "pan": 100, "tilt": -100, "zoom": 8192, "presets": []}
    run(cam, "zoom_wide")
    clock.now += 0.5
    assert cam.snapshot()["zoom"] == 8192 - 4096


def test_presets_are_saved_and_recalled() -> None:
    cam, clock = camera()
    run(cam, "pan_tilt_absolute", pan_speed=0x18, tilt_speed=0x17, pan=500, tilt=-200)
    run(cam, "zoom_direct", position=0x1000)
    clock.now += 5
    run(cam, "preset_set", preset=3)
    run(cam, "pan_tilt_home")
    clock.now += 5
    assert cam.snapshot()["pan"] == 0
    run(cam, "preset_recall", preset=3)
    clock.now += 5
    assert cam.snapshot() == {
        "power": "on",
        "pan": 500,
        "tilt": -200,
        "zoom": 0x1000,
        "presets": [3],
    }
    run(cam, "preset_reset", preset=3)
    assert cam.snapshot()["presets"] == []


def test_preset_outside_the_slots_is_a_syntax_error() -> None:
    cam, _ = camera()
    assert run(cam, "preset_recall", preset=4) == [ErrorReply(1, 0, ErrorCode.SYNTAX)]


def test_standby_refuses_all_but_power() -> None:
    cam, _ = camera()
    run(cam, "power", state="standby")
    (ack, error) = run(cam, "pan_tilt_home")
    assert isinstance(ack, Ack) and error == ErrorReply(1, ack.socket, ErrorCode.NOT_EXECUTABLE)
    assert run(cam, "pan_tilt_position_inquiry") == [ErrorReply(1, 0, ErrorCode.NOT_EXECUTABLE)]
    assert run(cam, "power_inquiry") == [Completion(1, 0, b"\x03")]
    run(cam, "power", state="on")
    assert cam.snapshot()["power"] == "on"


def test_unknown_command_and_if_clear() -> None:
    cam, _ = camera()
    assert cam.handle(bytes.fromhex("01 7E 01")) == [ErrorReply(1, 0, ErrorCode.SYNTAX)]
    assert run(cam, "if_clear") == [Completion(1, 0)]
    (version,) = run(cam, "version_inquiry")
    assert isinstance(version, Completion)
    assert CATALOG["version_inquiry"].decode_reply(version.data)["sockets"] == 2
