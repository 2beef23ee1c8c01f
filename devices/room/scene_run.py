"""Running a scene: its steps in order, each under its timeout, with a result per step.

A failed step either lets the scene go on or stops it (the step's or the scene's policy);
stopped scenes mark the steps they did not run `skipped`. Cancelling a run (another scene was
started in the room) marks the running and remaining steps `cancelled`. Every change is
handed to `on_change` as a `SceneRunView`, so a console watches the steps tick by.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from devices.errors import DeviceError
from devices.room.actor import Actor
from devices.room.error_codes import code_of
from devices.rooms_file.scenes import Scene
from devices.rooms_file.scene_steps import OnFailure, SceneStep


class StepState(str, enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"  # an earlier step failed under the `stop` policy
    CANCELLED = "cancelled"


class RunState(str, enum.Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # some steps failed, the scene went on
    FAILED = "failed"  # a step failed and stopped the scene
    CANCELLED = "cancelled"


class StepView(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int
    do: str
    label: str
    args: dict[str, Any] = {}  # the step's own fields (device, input, level...), for UIs that word it
    state: StepState = StepState.PENDING
    detail: str = ""  # why it failed, in English (logs, the console's tooltip)
    error: str = ""  # why it failed, as a code the pages word (devices/room/error_codes.py)
    started_at: datetime | None = None
    seconds: float | None = None  # how long it took


class SceneRunView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    scene: str
    title: str
    actor: Actor
    state: RunState = RunState.RUNNING
    started_at: datetime
    finished_at: datetime | None = None
    steps: list[StepView]

    @property
    def failed(self) -> list[StepView]:
        return [s for s in self.steps if s.state is StepState.FAILED]

    @property
    def summary(self) -> str:
        """One line for the event and audit logs."""
        done = sum(s.state is StepState.OK for s in self.steps)
        text = f"{done}/{len(self.steps)} steps ok"
        if self.failed:
            text += "; failed: " + "; ".join(f"{s.label} ({s.detail})" for s in self.failed)
        return text

    @property
    def counts(self) -> dict[str, int]:
        """The summary as numbers, for the pages to word."""
        done = sum(s.state is StepState.OK for s in self.steps)
        return {"ok": done, "total": len(self.steps), "failed": len(self.failed)}


Perform = Callable[[SceneStep], Awaitable[None]]
_ids = itertools.count(1)


def describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or exc.__class__.__name__


class SceneRun:
    def __init__(
        self,
        scene: Scene,
        actor: Actor,
        perform: Perform,
        on_change: Callable[[SceneRunView], None],
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.scene = scene
        self._perform = perform
        self._on_change = on_change
        self._now = now
        self.view = SceneRunView(
            id=f"run-{next(_ids)}",
            scene=scene.name,
            title=scene.label,
            actor=actor,
            started_at=now(),
            steps=[
                StepView(index=i, do=s.do, label=s.label, args=s.model_dump(exclude={"do", "timeout", "on_failure"}))
                for i, s in enumerate(scene.steps)
            ],
        )

    def _set(self, index: int | None = None, **changes: object) -> None:
        if index is None:
            self.view = self.view.model_copy(update=changes)
        else:
            steps = list(self.view.steps)
            steps[index] = steps[index].model_copy(update=changes)
            self.view = self.view.model_copy(update={"steps": steps})
        self._on_change(self.view)

    async def execute(self) -> SceneRunView:
        """Run every step; returns the final view (also when cancelled, then re-raises)."""
        stopped = False
        try:
            for index, step in enumerate(self.scene.steps):
                if stopped:
                    self._set(index, state=StepState.SKIPPED)
                    continue
                started = self._now()
                self._set(index, state=StepState.RUNNING, started_at=started)
                try:
                    async with asyncio.timeout(step.limit):  # not wait_for: see tasks.py
                        await self._perform(step)
                except (DeviceError, ValueError, TimeoutError) as exc:
                    self._finish_step(index, started, StepState.FAILED, describe(exc), code_of(exc))
                    stopped = self.scene.policy(index) is OnFailure.STOP
                else:
                    self._finish_step(index, started, StepState.OK, "")
        except asyncio.CancelledError:
            self.mark_cancelled()
            raise
        state = RunState.FAILED if stopped else RunState.PARTIAL if self.view.failed else RunState.SUCCEEDED
        self._set(state=state, finished_at=self._now())
        return self.view

    def mark_cancelled(self) -> None:
        """The steps that had not finished, and the run, are cancelled (also a run cancelled
        before it began)."""
        if self.view.state is not RunState.RUNNING:
            return
        for step in self.view.steps:
            if step.state in (StepState.PENDING, StepState.RUNNING):
                self._set(step.index, state=StepState.CANCELLED)
        self._set(state=RunState.CANCELLED, finished_at=self._now())

    def _finish_step(self, index: int, started: datetime, state: StepState, detail: str, error: str = "") -> None:
        seconds = round((self._now() - started).total_seconds(), 3)
        self._set(index, state=state, detail=detail, error=error, seconds=seconds)
