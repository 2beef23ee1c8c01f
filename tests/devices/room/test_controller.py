"""RoomController against real simulators: scenes, commands, drift, link loss, the logs."""

from __future__ import annotations

import asyncio

import pytest

from devices.drivers.base import LinkState
from devices.errors import DeviceOffline, Unsupported
from devices.mdc.values import InputSource
from devices.pjlink.values import Input, InputType, PowerState
from devices.room.actor import Actor, ActorKind
from devices.commands import GoTo, Move, Mute, Power, PresetRecall, Volume, Zoom
from devices.commands import Input as InputCommand
from devices.room.errors import NotFound
from devices.room.events import DeviceEvent, LogEvent, SceneEvent
from devices.room.scene_run import RunState, StepState
from tests.devices.room.conftest import MakeRoom, Simulators

TECH = Actor(kind=ActorKind.TECHNICIAN, name="Anh Tuấn")
LECTURER = Actor(kind=ActorKind.LECTURER, name="TS. Lan")


def scene(name: str, *steps: dict[str, object], **extra: object) -> dict[str, object]:
    return {"name": name, "steps": list(steps), **extra}


POWER_ON = {"do": "power", "device": "projector", "power": True}
READY = {"do": "wait_ready", "device": "projector", "timeout": 3}
DIGITAL2 = {"do": "input", "device": "projector", "input": "digital2"}


async def test_a_scene_runs_in_order_and_waits_for_the_warm_up(make_room: MakeRoom, sims: Simulators) -> None:
    running = await make_room(scenes=[scene("start", POWER_ON, READY, DIGITAL2)])
    run = await running.controller.run_scene("start", TECH)
    assert run.state is RunState.SUCCEEDED, run.summary
    assert [s.state for s in run.steps] == [StepState.OK] * 3
    assert run.steps[1].seconds is not None and run.steps[1].seconds >= 0.3  # the lamp warmed up
    assert sims.projector.power() is PowerState.ON
    assert sims.projector.state.input == Input(InputType.DIGITAL, 2)
    # Every step change was published, in order: running, then its result, step after step.
    seen = [
        (i, s.state)
        for e in running.events if isinstance(e, SceneEvent)
        for i, s in enumerate(e.run.steps) if s.state is not StepState.PENDING
    ]  # fmt: skip
    firsts = [seen.index((i, StepState.RUNNING)) for i in range(3)]
    oks = [seen.index((i, StepState.OK)) for i in range(3)]
    assert firsts[0] < oks[0] < firsts[1] < oks[1] < firsts[2] < oks[2]
    assert running.controller.view().run == run
    assert running.audited[-1].target == "start" and running.audited[-1].result == "ok"


async def test_without_the_wait_the_projector_refuses_the_input(make_room: MakeRoom, sims: Simulators) -> None:
    running = await make_room(scenes=[scene("hasty", POWER_ON, DIGITAL2)])
    run = await running.controller.run_scene("hasty", TECH)
    assert run.state is RunState.PARTIAL
    assert run.steps[1].state is StepState.FAILED and "warming up" in run.steps[1].detail
    assert run.steps[1].error == "device_busy"  # the code the pages word in their language


@pytest.mark.parametrize("policy", ["continue", "stop"])
async def test_one_failing_step_under_each_policy(make_room: MakeRoom, sims: Simulators, policy: str) -> None:
    steps = (
        {"do": "power", "device": "display", "power": True},
        {"do": "input", "device": "display", "input": "scart9"},
        {"do": "volume", "device": "display", "level": 42},
    )
    running = await make_room(scenes=[scene("s", *steps, on_failure=policy)])
    run = await running.controller.run_scene("s", TECH)
    states = [s.state for s in run.steps]
    assert states[:2] == [StepState.OK, StepState.FAILED]
    assert "no input 'scart9'" in run.steps[1].detail
    if policy == "continue":
        assert run.state is RunState.PARTIAL and states[2] is StepState.OK
        assert sims.display.state.volume == 42
    else:
        assert run.state is RunState.FAILED and states[2] is StepState.SKIPPED
        assert sims.display.state.volume == 20  # untouched
    assert running.audited[-1].result == ("partial" if policy == "continue" else "failed")
    assert "failed: display: input scart9" in running.audited[-1].detail
    assert run.steps[1].error == "invalid_value"  # the display has no such input: a value it cannot take
    assert (running.audited[-1].event, running.audited[-1].args) == (
        "scene", {"scene": "s", "ok": 2 if policy == "continue" else 1, "total": 3, "failed": 1}
    )


async def test_a_step_that_gets_no_answer_times_out(make_room: MakeRoom, sims: Simulators) -> None:
    steps = ({"do": "volume", "device": "display", "level": 50, "timeout": 0.3},)
    running = await make_room(scenes=[scene("s", *steps)])
    sims.display.faults.no_answer = True
    run = await running.controller.run_scene("s", TECH)
    assert run.steps[0].state is StepState.FAILED
    assert run.steps[0].detail == "timed out"  # the step's 0.3 s, before the link's 0.5 s
    assert run.steps[0].error == "device_timeout"


async def test_a_new_scene_cancels_the_running_one(make_room: MakeRoom, sims: Simulators) -> None:
    slow = scene("slow", {"do": "wait", "seconds": 5}, {"do": "volume", "device": "display", "level": 5})
    quick = scene("quick", {"do": "volume", "device": "display", "level": 60})
    running = await make_room(scenes=[slow, quick])
    controller = running.controller
    first = controller.start_scene("slow", TECH)
    await asyncio.sleep(0.1)
    result = await controller.run_scene("quick", LECTURER)
    assert result.state is RunState.SUCCEEDED and sims.display.state.volume == 60
    cancelled = [e.run for e in running.events if isinstance(e, SceneEvent) and e.run.id == first.id][-1]
    assert cancelled.state is RunState.CANCELLED
    assert [s.state for s in cancelled.steps] == [StepState.CANCELLED, StepState.CANCELLED]
    assert [(e.target, e.result) for e in running.audited] == [("slow", "cancelled"), ("quick", "ok")]


async def test_an_input_changed_by_hand_goes_back(make_room: MakeRoom, sims: Simulators) -> None:
    steps = ({"do": "power", "device": "display", "power": True}, {"do": "input", "device": "display", "input": "hdmi2"})
    running = await make_room(scenes=[scene("start", *steps)])
    controller = running.controller
    assert (await controller.run_scene("start", TECH)).state is RunState.SUCCEEDED
    assert controller.device_view("display").desired["input"] == {
        "value": "hdmi2", "owner": "scene start", "owner_kind": "scene", "owner_name": "start"
    }
    sims.display.state.input = InputSource.DP1  # somebody used the remote
    await running.until(lambda: sims.display.state.input is InputSource.HDMI2)
    fix = next(e for e in running.audited if e.actor.kind is ActorKind.CONTROLLER)
    assert (fix.target, fix.result) == ("display", "ok")
    assert fix.action == "re-apply input hdmi2 (was dp1; owned by scene start)"
    # ... and as data the console words in its language
    assert (fix.event, fix.args) == (
        "reapply", {"do": "input", "input": "hdmi2", "was": "dp1", "owner_kind": "scene", "owner_name": "start"}
    )


async def test_a_display_switched_off_is_not_drift(make_room: MakeRoom, sims: Simulators) -> None:
    running = await make_room()
    controller = running.controller
    await controller.command("display", InputCommand(do="input", input="hdmi2"), TECH)
    await controller.command("display", Volume(do="volume", level=35), TECH)
    assert controller.device_view("display").desired["volume"]["owner"] == "technician Anh Tuấn"
    await controller.command("display", Power(do="power", power=False), TECH)
    assert controller.device_view("display").desired == {}
    sims.display.state.volume = 80
    await asyncio.sleep(0.4)
    assert sims.display.state.volume == 80


async def test_commands_reach_the_devices_and_the_logs(make_room: MakeRoom, sims: Simulators) -> None:
    running = await make_room()
    controller = running.controller
    sims.camera.camera.presets[3] = (500.0, -200.0, 1000.0)
    view = await controller.command("camera", PresetRecall(do="preset_recall", preset=3), LECTURER)
    assert view.name == "camera"
    await running.until(lambda: sims.camera.camera.snapshot()["pan"] == 500)
    await running.until(lambda: (p := controller.device_view("camera").position) is not None and p.pan == 500)
    await controller.command("camera", GoTo(do="go_to", pan=-100, tilt=50, zoom=0), TECH)
    await controller.command("mic", Mute(do="mute", muted=True), TECH)
    assert sims.mic.state.device_mute is True
    await controller.command("mic", Mute(do="mute", muted=True, channel=2), TECH)
    assert sims.mic.state.channels[1].mute is True
    assert [(e.actor.label, e.target, e.action, e.result) for e in running.audited] == [
        ("lecturer TS. Lan", "camera", "preset recall 3", "ok"),
        ("technician Anh Tuấn", "camera", "go to pan -100 tilt 50 zoom 0", "ok"),
        ("technician Anh Tuấn", "mic", "mute", "ok"),
        ("technician Anh Tuấn", "mic", "mute channel 2", "ok"),
    ]
    assert controller.recent(2) == [e for e in controller.log][-2:]
    assert [(e.event, e.args) for e in running.audited][::3] == [
        ("command", {"do": "preset_recall", "preset": 3}),
        ("command", {"do": "mute", "muted": True, "channel": 2}),
    ]


async def test_refusals_are_logged_and_raised(make_room: MakeRoom, sims: Simulators) -> None:
    running = await make_room()
    controller = running.controller
    with pytest.raises(Unsupported, match="volume 10: 'camera' is a camera, not a display"):
        await controller.command("camera", Volume(do="volume", level=10), TECH)
    with pytest.raises(Unsupported, match="no volume control"):
        await controller.command("projector", Volume(do="volume", level=10), TECH)
    with pytest.raises(NotFound, match="no device 'ghost'"):
        await controller.command("ghost", Volume(do="volume", level=10), TECH)
    with pytest.raises(NotFound, match="no scene 'ghost'"):
        controller.start_scene("ghost", TECH)
    with pytest.raises(ValueError):
        await controller.command("camera", PresetRecall(do="preset_recall", preset=9), TECH)
    assert [(e.action, e.result) for e in running.audited] == [("preset recall 9", "failed")]
    assert running.audited[0].error == "invalid_value"


async def test_a_timed_move_stops_by_itself(make_room: MakeRoom, sims: Simulators) -> None:
    running = await make_room()
    controller = running.controller
    await controller.command("camera", Move(do="move", pan=1, tilt=0, seconds=0.2), TECH)
    await controller.command("camera", Zoom(do="zoom", speed=0.5, seconds=5), TECH)
    assert sims.camera.camera.pan.velocity > 0 and sims.camera.camera.zoom.velocity > 0
    await running.until(lambda: sims.camera.camera.pan.velocity == 0)
    assert sims.camera.camera.zoom.velocity > 0  # stopping the pan left the zoom alone
    await controller.command("camera", Zoom(do="zoom", speed=0), TECH)
    assert sims.camera.camera.zoom.velocity == 0


async def test_named_positions(make_room: MakeRoom, sims: Simulators) -> None:
    positions = [
        {"name": "lectern", "camera": "camera", "preset": 1},
        {"name": "board", "camera": "camera", "pan": -600, "tilt": 150, "zoom": 4000},
    ]
    running = await make_room(positions=positions)
    controller = running.controller
    sims.camera.camera.presets[1] = (300.0, 100.0, 0.0)
    await controller.go_to_position("board", LECTURER)
    # pan and zoom travel at their own speeds: wait for the camera to arrive at both
    await running.until(lambda: (sims.camera.camera.snapshot()["pan"], sims.camera.camera.snapshot()["zoom"]) == (-600, 4000))
    await controller.go_to_position("lectern", LECTURER)
    await running.until(lambda: sims.camera.camera.snapshot()["pan"] == 300)
    with pytest.raises(NotFound, match="no position 'stage' \\(known: lectern, board\\)"):
        await controller.go_to_position("stage", LECTURER)
    assert [e.target for e in running.audited] == ["board", "lectern"]


async def test_a_stopped_device_shows_offline_then_recovers(make_room: MakeRoom, sims: Simulators) -> None:
    running = await make_room()
    controller = running.controller

    def link() -> LinkState:
        return controller.device_view("projector").link

    await sims.projector.stop()
    await running.until(lambda: link() is LinkState.OFFLINE, timeout=2)
    with pytest.raises(DeviceOffline):
        await controller.command("projector", Power(do="power", power=True), TECH)
    await sims.projector.start()
    await running.until(lambda: link() is LinkState.ONLINE, timeout=5)
    await running.until(lambda: controller.device_view("projector").polled_at is not None)
    news = [(e.entry.target, e.entry.action) for e in running.events if isinstance(e, LogEvent)]
    assert ("projector", "link offline") in news
    assert news.index(("projector", "link offline")) < len(news) - 1 - news[::-1].index(("projector", "link online"))
    assert all(e.audited for e in running.audited) and not any(e.action.startswith("link") for e in running.audited)


async def test_a_silent_device_is_shown_degraded_then_offline(make_room: MakeRoom, sims: Simulators) -> None:
    running = await make_room()
    controller = running.controller
    sims.display.faults.no_answer = True  # still connected, never answers
    seen: list[LinkState] = []
    controller.subscribe(lambda e: isinstance(e, DeviceEvent) and e.device.name == "display" and seen.append(e.device.link))
    await running.until(lambda: controller.device_view("display").link is LinkState.OFFLINE, timeout=5)
    assert controller.device_view("display").detail.startswith("no answer to 2 polls")
    assert LinkState.DEGRADED in seen[: seen.index(LinkState.OFFLINE)]
    sims.display.faults.clear()
    await running.until(lambda: controller.device_view("display").link is LinkState.ONLINE, timeout=5)


async def test_the_room_view(make_room: MakeRoom) -> None:
    running = await make_room(
        title="Phòng 101",
        positions=[{"name": "lectern", "title": "Bục giảng", "camera": "camera", "preset": 1}],
        scenes=[scene("start", POWER_ON, lecturer=True, title="Bắt đầu")],
    )
    view = running.controller.view()
    assert view.title == "Phòng 101" and view.run is None
    assert [d.name for d in view.devices] == ["camera", "display", "projector", "mic"]
    assert view.scenes[0].model_dump() == {
        "name": "start", "title": "Bắt đầu", "lecturer": True, "steps": ["projector: power on"],
    }  # fmt: skip
    assert view.positions[0].title == "Bục giảng"
    camera = view.devices[0]
    assert camera.controls.pan_tilt and camera.controls.presets == 8 and camera.power == "on"
    mic = view.devices[3]
    assert mic.controls.gain and mic.controls.channels == 4 and mic.power is None
    assert any(isinstance(e, DeviceEvent) for e in running.events)


async def test_waiting_for_a_scene_that_another_one_cancels(make_room: MakeRoom, sims: Simulators) -> None:
    slow = scene("slow", {"do": "wait", "seconds": 5})
    quick = scene("quick", {"do": "volume", "device": "display", "level": 33})
    running = await make_room(scenes=[slow, quick])
    controller = running.controller
    waiting = asyncio.create_task(controller.run_scene("slow", TECH))
    await asyncio.sleep(0.1)
    await controller.run_scene("quick", TECH)
    cancelled = await waiting
    assert cancelled.scene == "slow" and cancelled.state is RunState.CANCELLED
    assert controller.view().run is not None and controller.view().run.scene == "quick"


async def test_three_scenes_in_a_row_run_only_the_last(make_room: MakeRoom, sims: Simulators) -> None:
    steps = [scene(f"s{i}", {"do": "wait", "seconds": 2}, {"do": "volume", "device": "display", "level": 10 + i}) for i in range(3)]
    running = await make_room(scenes=steps)
    controller = running.controller
    controller.start_scene("s0", TECH)
    second = asyncio.create_task(controller.run_scene("s1", TECH))
    await asyncio.sleep(0)
    last = await controller.run_scene("s2", TECH)
    skipped = await second
    assert skipped.state is RunState.CANCELLED and {s.state for s in skipped.steps} == {StepState.CANCELLED}
    assert last.state is RunState.SUCCEEDED and sims.display.state.volume == 12
    assert [(e.target, e.result) for e in running.audited] == [("s0", "cancelled"), ("s1", "cancelled"), ("s2", "ok")]
