"""The scene runner's bookkeeping: order, timeouts, both failure policies, cancellation.

The steps' work is given as small coroutines here; the same runner against real devices is
exercised in test_controller.py.
"""

from __future__ import annotations

import asyncio

from devices.errors import DeviceRefused
from devices.room.actor import Actor, ActorKind
from devices.room.scene_run import RunState, SceneRun, SceneRunView, StepState
from devices.rooms_file.scenes import Scene
from devices.rooms_file.scene_steps import SceneStep

ADMIN = Actor(kind=ActorKind.ADMIN, name="")


def make(policy: str, *steps: dict[str, object]) -> Scene:
    return Scene.model_validate({"name": "s", "on_failure": policy, "steps": list(steps)})


VOLUME = {"do": "volume", "device": "d", "level": 1}
BAD = {"do": "input", "device": "d", "input": "x"}
SLOW = {"do": "wait", "seconds": 1, "timeout": 0.05}


async def run(scene: Scene, done: list[str]) -> tuple[SceneRunView, list[SceneRunView]]:
    changes: list[SceneRunView] = []

    async def perform(step: SceneStep) -> None:
        if step.do == "input":
            raise DeviceRefused("refused")
        if step.do == "wait":
            await asyncio.sleep(5)
        done.append(step.label)

    return await SceneRun(scene, ADMIN, perform, changes.append).execute(), changes


async def test_all_ok() -> None:
    done: list[str] = []
    view, changes = await run(make("continue", VOLUME, VOLUME), done)
    assert view.state is RunState.SUCCEEDED and done == ["d: volume 1"] * 2
    assert view.summary == "2/2 steps ok" and view.finished_at is not None
    assert len(changes) == 5  # running, ok, running, ok, finished


async def test_continue_and_stop() -> None:
    view, _ = await run(make("continue", BAD, VOLUME), [])
    assert [s.state for s in view.steps] == [StepState.FAILED, StepState.OK]
    assert view.state is RunState.PARTIAL and view.summary == "1/2 steps ok; failed: d: input x (refused)"
    view, _ = await run(make("stop", BAD, VOLUME), [])
    assert [s.state for s in view.steps] == [StepState.FAILED, StepState.SKIPPED]
    assert view.state is RunState.FAILED


async def test_a_step_s_own_policy_and_timeout() -> None:
    view, _ = await run(make("continue", {**SLOW, "on_failure": "stop"}, VOLUME), [])
    assert view.steps[0].detail == "timed out" and view.steps[1].state is StepState.SKIPPED


async def test_cancelled_runs_mark_what_did_not_happen() -> None:
    changes: list[SceneRunView] = []

    async def perform(step: SceneStep) -> None:
        await asyncio.sleep(5)

    runner = SceneRun(make("continue", VOLUME, VOLUME), ADMIN, perform, changes.append)
    task = asyncio.create_task(runner.execute())
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert runner.view.state is RunState.CANCELLED
    assert [s.state for s in runner.view.steps] == [StepState.CANCELLED, StepState.CANCELLED]
    assert changes[-1] == runner.view
