"""`RoomController`: one room's devices supervised, its scenes run, its settings kept.

Everything that happens in the room goes through here and comes out as events to listeners
(the console's WebSocket) and as entries of the room's event log; entries that record an act
(a command, a scene run, a drift correction) also go to the audit sink (the database). Device
commands and scene steps use only the facades, so the controller knows no protocol.

Running a scene while another runs cancels the first (the newer intent wins, as on a wall
panel). A command that sets an input, a mute, a volume or a gain makes the desired state own
it; supervision puts such a setting back when a poll shows it changed at the device.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from functools import partial

from devices.commands import Command, Move, Zoom, as_camera
from devices.drivers.base import AnyDevice, LinkState, PanTiltZoom
from devices.errors import DeviceError, Unsupported
from devices.room.actor import SUPERVISION, Actor, ActorKind
from devices.room.desired import DesiredState, Owner, Want, restoring
from devices.room.error_codes import code_of
from devices.room.errors import NotFound
from devices.room.events import Arg, DeviceEvent, Event, LogEntry, LogEvent, Result, RoomEvent, SceneEvent
from devices.rooms_file.positions import CameraPosition
from devices.room.room_view import PositionInfo, RoomView, SceneInfo
from devices.room.scene_run import RunState, SceneRun, SceneRunView, describe
from devices.rooms_file.rooms import Room
from devices.rooms_file.scene_steps import SceneStep
from devices.room.supervisor import OFFLINE_AFTER, Supervisor
from devices.room.tasks import cancel_and_wait
from devices.room.device_view import DeviceView

log = logging.getLogger(__name__)

Listener = Callable[[RoomEvent], None]
AuditSink = Callable[[LogEntry], Awaitable[None]]

READY_POLL = 1.0  # seconds between polls while a scene waits for a device to warm up
RUN_RESULT: dict[RunState, Result] = {
    RunState.SUCCEEDED: "ok",
    RunState.PARTIAL: "partial",
    RunState.FAILED: "failed",
    RunState.CANCELLED: "cancelled",
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _said(command: Command) -> dict[str, Arg]:
    """A command's fields (``do`` and its values) for the pages to word, as a scene step's are."""
    fields: dict[str, Arg] = command.model_dump(exclude={"seconds"})
    return fields


class RoomController:
    def __init__(
        self,
        room: Room,
        devices: Mapping[str, AnyDevice],
        *,
        audit: AuditSink | None = None,
        now: Callable[[], datetime] = _utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        offline_after: int = OFFLINE_AFTER,
        ready_poll: float = READY_POLL,
        paces: Mapping[str, float] | None = None,
        log_size: int = 200,
    ) -> None:
        """`room` is a rooms-file `Room`; `devices` its drivers by device name, not started."""
        self.room = room
        self._audit = audit
        self._now = now
        self._monotonic = monotonic
        self.ready_poll = ready_poll
        self.desired = DesiredState()
        self.supervisors = {
            cfg.name: Supervisor(
                cfg,
                devices[cfg.name],
                partial(self._device_changed, cfg.name),
                pace=(paces or {}).get(cfg.name),
                offline_after=offline_after,
                now=now,
            )
            for cfg in room.devices
        }
        self.log: deque[LogEntry] = deque(maxlen=log_size)
        self.last_activity = monotonic()
        self.last_run: SceneRunView | None = None
        self._listeners: list[Listener] = []
        self._run_task: asyncio.Task[SceneRunView] | None = None
        self._scene_run: SceneRun | None = None
        self._stoppers: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._reapplying: set[tuple[str, str]] = set()
        self._links = {name: s.view.link for name, s in self.supervisors.items()}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def name(self) -> str:
        return self.room.name

    # lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every device (at once) and its supervision; offline devices keep reconnecting."""
        await asyncio.gather(*(s.start() for s in self.supervisors.values()))

    async def stop(self) -> None:
        pending = [t for t in (self._run_task, *self._stoppers.values(), *self._tasks) if t]
        await asyncio.gather(*(cancel_and_wait(task) for task in pending))
        await asyncio.gather(*(s.stop() for s in self.supervisors.values()))

    # views and listeners ----------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def device_view(self, name: str) -> DeviceView:
        view = self._supervisor(name).view
        wants = self.desired.of(name)
        desired = {
            attr: {"value": w.value, "owner": w.owner.label, "owner_kind": w.owner.kind, "owner_name": w.owner.name}
            for attr, w in wants.items()
        }
        return view.model_copy(update={"desired": desired})

    def view(self) -> RoomView:
        return RoomView(
            name=self.name,
            title=self.room.title or self.name,
            devices=[self.device_view(name) for name in self.supervisors],
            scenes=[SceneInfo.of(scene) for scene in self.room.scenes],
            positions=[PositionInfo.of(p) for p in self.room.positions],
            run=self.last_run,
        )

    def idle_seconds(self) -> float:
        """Seconds since a person last commanded the room (the schedule's idle rule)."""
        return self._monotonic() - self.last_activity

    def recent(self, limit: int = 50) -> list[LogEntry]:
        """The newest `limit` entries of the event log, oldest first."""
        return list(self.log)[-limit:]

    # commands ---------------------------------------------------------------------------------

    async def command(self, name: str, command: Command, actor: Actor) -> DeviceView:
        """Run one command on one device and return its view polled after the command;
        device errors are logged, then raised."""
        supervisor = self._supervisor(name)
        device = supervisor.device
        command.check(device)
        self._touched(actor)
        axis = "zoom" if isinstance(command, Zoom) else "pan_tilt"
        self._cancel_stopper(name, axis)
        said = _said(command)
        try:
            await command.apply(device)
        except (DeviceError, ValueError) as exc:
            await self._record(actor, name, command.label, "failed", describe(exc), "command", said, code_of(exc))
            raise
        self.desired.after(name, command, Owner(actor.kind.value, actor.name))
        seconds = command.seconds if isinstance(command, (Move, Zoom)) else None
        stopping = command.stopping()
        if seconds and stopping is not None:
            self._stop_later(name, axis, device, stopping, seconds)
        await self._record(actor, name, command.label, "ok", "", "command", said)
        await supervisor.poll()  # the view returned shows the device after the command
        return self.device_view(name)

    async def go_to_position(self, name: str, actor: Actor) -> None:
        position = self._position(name)
        self._touched(actor)
        action = f"camera {position.camera} to position"
        said: dict[str, Arg] = {"position": position.name, "camera": position.camera}
        try:
            await self._go_to(position)
        except (DeviceError, ValueError) as exc:
            await self._record(actor, position.name, action, "failed", describe(exc), "position", said, code_of(exc))
            raise
        await self._record(actor, position.name, action, "ok", "", "position", said)
        await self._supervisor(position.camera).poll()  # callers show the camera after the move

    # scenes -----------------------------------------------------------------------------------

    def start_scene(self, name: str, actor: Actor) -> SceneRunView:
        """Start a scene in the background (cancelling one that runs) and return its first view."""
        scene = self.room.scene(name)
        if scene is None:
            raise NotFound("scene", name, [s.name for s in self.room.scenes])
        self._touched(actor)
        previous = self._run_task
        run = SceneRun(
            scene, actor, partial(self._perform, owner=Owner("scene", scene.label)), self._run_changed, now=self._now
        )
        self.last_run = run.view
        self._scene_run = run
        self._run_task = asyncio.create_task(self._execute(run, previous), name=f"scene {scene.name}")
        return run.view

    async def run_scene(self, name: str, actor: Actor) -> SceneRunView:
        """Run a scene to its end and return the result (cancelled if another scene took over)."""
        self.start_scene(name, actor)
        run, task = self._scene_run, self._run_task
        assert run is not None and task is not None
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we are being cancelled ourselves
            return run.view

    async def _execute(self, run: SceneRun, previous: asyncio.Task[SceneRunView] | None) -> SceneRunView:
        """Cancel the run before this one (here, not in start_scene: tasks start in order, so
        each run has begun, and records its cancellation, before the next one cancels it)."""
        actor = run.view.actor
        try:
            if previous is not None:
                previous.cancel()
                await asyncio.wait({previous})
            view = await run.execute()
        except asyncio.CancelledError:
            run.mark_cancelled()
            said: dict[str, Arg] = {"scene": run.scene.name, **run.view.counts}
            await self._record(actor, run.scene.name, "scene", "cancelled", run.view.summary, "scene", said)
            raise
        said = {"scene": run.scene.name, **view.counts}
        await self._record(actor, run.scene.name, "scene", RUN_RESULT[view.state], view.summary, "scene", said)
        return view

    def _run_changed(self, view: SceneRunView) -> None:
        if self.last_run is None or self.last_run.id == view.id:
            self.last_run = view  # a cancelled older run still reports, but is no longer the room's
        self._emit(SceneEvent(room=self.name, run=view))

    async def _perform(self, step: SceneStep, owner: Owner) -> None:
        """One scene step through the facades; settings it makes are owned by the scene."""
        if step.do == "wait":
            await asyncio.sleep(step.seconds)
            return
        if step.do == "position":
            await self._go_to(self._position(step.position))
            return
        name = step.device
        if step.do == "wait_ready":
            await self._wait_ready(name)
        else:
            device = self._supervisor(name).device
            command = step.command()
            await command.apply(device)
            self.desired.after(name, command, owner)
        self._supervisor(name).poll_soon()

    async def _wait_ready(self, name: str) -> None:
        supervisor = self._supervisor(name)
        while True:
            view = await supervisor.poll()
            if view.power == "on":
                return
            if view.power is None and view.link.value == "online":
                raise Unsupported(f"{name} does not report whether it is on")
            await asyncio.sleep(self.ready_poll)

    async def _go_to(self, position: CameraPosition) -> None:
        camera = as_camera(self._supervisor(position.camera).device)
        if position.preset is not None:
            await camera.recall_preset(position.preset)
        else:
            assert position.pan is not None and position.tilt is not None and position.zoom is not None
            await camera.go_to(PanTiltZoom(position.pan, position.tilt, position.zoom))
        self._supervisor(position.camera).poll_soon()

    # supervision ------------------------------------------------------------------------------

    def _device_changed(self, name: str, view: DeviceView) -> None:
        self._emit(DeviceEvent(room=self.name, device=self.device_view(name)))
        if view.link is not LinkState.CONNECTING and self._links.get(name) is not view.link:
            # Link news goes to the event log, not the audit log: nobody did it.
            news = self._record(
                SUPERVISION, name, f"link {view.link.value}", "info", view.detail, "link", {"state": view.link.value},
                audited=False,
            )
            self._spawn(news)
            self._links[name] = view.link
        for attribute, actual, want in self.desired.drift(view):
            key = (name, attribute)
            if key not in self._reapplying:
                self._reapplying.add(key)
                self._spawn(self._reapply(name, attribute, actual, want))

    async def _reapply(self, name: str, attribute: str, actual: object, want: Want) -> None:
        command = restoring(attribute, want.value)
        action = f"re-apply {command.label} (was {actual}; owned by {want.owner.label})"
        was = actual if isinstance(actual, (str, int, float, bool)) else str(actual)
        said = {**_said(command), "was": was, "owner_kind": want.owner.kind, "owner_name": want.owner.name}
        try:
            await command.apply(self._supervisor(name).device)
        except (DeviceError, ValueError) as exc:
            await self._record(SUPERVISION, name, action, "failed", describe(exc), "reapply", said, code_of(exc))
        else:
            await self._record(SUPERVISION, name, action, "ok", "", "reapply", said)
            self._supervisor(name).poll_soon()
        finally:
            self._reapplying.discard((name, attribute))

    # helpers ----------------------------------------------------------------------------------

    def _supervisor(self, name: str) -> Supervisor:
        try:
            return self.supervisors[name]
        except KeyError:
            raise NotFound("device", name, self.supervisors) from None

    def _position(self, name: str) -> CameraPosition:
        position: CameraPosition | None = self.room.position(name)
        if position is None:
            raise NotFound("position", name, [p.name for p in self.room.positions])
        return position

    def _touched(self, actor: Actor) -> None:
        if actor.kind not in (ActorKind.SCHEDULE, ActorKind.CONTROLLER):
            self.last_activity = self._monotonic()

    def _stop_later(self, name: str, axis: str, device: AnyDevice, stopping: Command, seconds: float) -> None:
        async def stop() -> None:
            await asyncio.sleep(seconds)
            del self._stoppers[(name, axis)]
            try:
                await stopping.apply(device)
            except DeviceError as exc:
                log.warning("%s/%s: could not stop a timed move: %s", self.name, name, exc)

        self._stoppers[(name, axis)] = asyncio.create_task(stop(), name=f"stop {name} {axis}")

    def _cancel_stopper(self, name: str, axis: str) -> None:
        task = self._stoppers.pop((name, axis), None)
        if task is not None:
            task.cancel()

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _record(
        self,
        actor: Actor,
        target: str,
        action: str,
        result: Result,
        detail: str,
        event: Event,
        args: dict[str, Arg],
        error: str = "",
        *,
        audited: bool = True,
    ) -> None:
        """Log (and audit) one entry: in English, and as `event` + `args` (+ the failure's
        `error` code) for the pages to word."""
        entry = LogEntry(
            at=self._now(), room=self.name, actor=actor, target=target, action=action, result=result,
            detail=detail, event=event, args=args, error=error, audited=audited,
        )  # fmt: skip
        self.log.append(entry)
        self._emit(LogEvent(room=self.name, entry=entry))
        if audited and self._audit is not None:
            try:
                await self._audit(entry)
            except Exception:  # the room keeps working when the database does not
                log.exception("%s: could not write the audit log", self.name)

    def _emit(self, event: RoomEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("%s: room listener failed", self.name)

