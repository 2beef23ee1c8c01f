"""signaling/ws/admission.py: a bounded number of joins in progress, the rest in line, and
`server_busy` with a retry hint for a join that would wait too long."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from signaling.ws.admission import JoinAdmission, ServerBusy
from tests.support.server import serve
from tests.support.wait import until


async def test_at_most_limit_joins_are_in_progress_and_the_rest_go_in_arrival_order() -> None:
    admission = JoinAdmission(limit=2, max_wait_s=30)
    release = asyncio.Event()
    started: list[int] = []
    peak = 0

    async def join(i: int) -> None:
        nonlocal peak
        async with admission.admitted():
            started.append(i)
            peak = max(peak, admission.in_progress)
            await release.wait()

    tasks = [asyncio.create_task(join(i)) for i in range(6)]
    await until(lambda: admission.waiting == 4, what="four joins in line", describe=lambda: f"{started}")
    assert started == [0, 1] and admission.in_progress == 2
    release.set()
    await asyncio.gather(*tasks)
    assert started == [0, 1, 2, 3, 4, 5] and peak == 2
    assert admission.in_progress == 0 and admission.waiting == 0 and admission.refused == 0


async def test_a_join_that_waits_too_long_is_told_to_come_back_later() -> None:
    admission = JoinAdmission(limit=1, max_wait_s=0.05, random_fraction=lambda: 0.5)
    hold = asyncio.Event()

    async def slow_join() -> None:
        async with admission.admitted():
            await hold.wait()

    first = asyncio.create_task(slow_join())
    await until(lambda: admission.in_progress == 1, what="the first join in progress")
    with pytest.raises(ServerBusy) as busy:
        async with admission.admitted():
            raise AssertionError("admitted while the only slot was taken")
    assert admission.MIN_RETRY_S <= busy.value.retry_after_s <= 2 * admission.MAX_RETRY_S
    assert admission.refused == 1 and admission.waiting == 0
    hold.set()
    await first
    async with admission.admitted():  # the slot is free again
        assert admission.in_progress == 1


async def test_a_long_line_refuses_newcomers_at_once_with_a_hint_that_grows_with_it() -> None:
    admission = JoinAdmission(limit=1, max_wait_s=1.0, random_fraction=lambda: 0.0)
    hold = asyncio.Event()

    async def join() -> None:
        try:
            async with admission.admitted():
                await hold.wait()
        except ServerBusy:
            pass

    tasks = [asyncio.create_task(join()) for _ in range(60)]
    await until(
        lambda: admission.in_progress == 1 and admission.refused > 0,
        what="one join in progress and refusals",
        describe=lambda: f"{admission.in_progress} in progress, {admission.waiting} waiting",
    )
    # 0.05 s a join (the first guess), one at a time: a line of 20 is a second's wait, so the
    # 21st arrival and every later one is refused on arrival (the timeout never came into it).
    assert admission.refused == 40 and admission.waiting == 19
    hold.set()
    await asyncio.gather(*tasks)


async def test_the_refused_get_appointments_one_join_apart_after_the_line() -> None:
    """A storm's refused joins come back spread out at the rate the process seats joins."""
    now = 100.0
    admission = JoinAdmission(limit=2, max_wait_s=1.0, random_fraction=lambda: 0.0, clock=lambda: now)
    admission.waiting = 79  # the line: (79 + 1) * 0.05 s / 2 = 2 s to clear
    hints = [admission.retry_after_s() for _ in range(4)]
    assert hints == pytest.approx([2.0, 2.025, 2.05, 2.075], abs=0.051)  # 0.025 s apart, in tenths
    later = [admission.retry_after_s() for _ in range(400)]
    assert later[-1] == pytest.approx(2.0 + 403 * 0.025, abs=0.1)
    admission.waiting = 0
    now += 60  # the appointments handed out have passed: back to the minimum
    assert admission.retry_after_s() == admission.MIN_RETRY_S


# ---- through a real server ----------------------------------------------------------------------

ADMIN = "admission-test-admin-token-0123456789"


async def _join(url: str, token: str, client_id: str) -> tuple[Any, asyncio.Task[dict[str, Any]]]:
    """Open a socket and send `join`; the task resolves to the first `joined` or fatal error."""
    from websockets.asyncio.client import connect

    ws = await connect(url, ping_interval=None)
    await ws.send(json.dumps({"type": "join", "v": 1, "token": token, "name": client_id, "client_id": client_id}))

    async def answer() -> dict[str, Any]:
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message["type"] == "joined" or (message["type"] == "error" and message["fatal"]):
                return message

    return ws, asyncio.create_task(answer())


async def test_joins_beyond_the_limit_wait_and_one_that_waits_too_long_is_told_server_busy(
    tmp_path: Path,
) -> None:
    """Two joins in progress at most; a busy database makes them slow (each waits for the
    attendance row, under SQLite's lock held here); the third join waits its 0.5 s and gets
    `server_busy` with a retry hint, and gets in when it comes back after the hint."""
    env = {
        "CLASSBRIDGE_ADMIN_TOKEN": ADMIN,
        "CLASSBRIDGE_SIGNALING__MAX_JOINS_IN_PROGRESS": "2",
        "CLASSBRIDGE_SIGNALING__MAX_JOIN_WAIT_S": "0.5",
    }
    served = serve(tmp_path / "data", env=env)
    sockets: list[Any] = []
    try:
        created = httpx.post(
            f"{served.url}/api/classes", json={"title": "Lớp đông"}, headers={"Authorization": f"Bearer {ADMIN}"}
        ).json()
        url = served.url.replace("http", "ws") + f"/ws/{created['id']}"
        token = created["links"]["trainee"].split("#t=")[1]
        database = sqlite3.connect(tmp_path / "data" / "classbridge.db", isolation_level=None)
        database.execute("BEGIN EXCLUSIVE")  # a busy database: every write waits
        answers = []
        for i in range(3):
            ws, answer = await _join(url, token, f"hv-{i}")
            sockets.append(ws)
            answers.append(answer)
        done, pending = await asyncio.wait(answers, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        refused = [task.result() for task in done]
        assert [m.get("code") for m in refused] == ["server_busy"], (refused, served.log_tail())
        assert refused[0]["fatal"] and refused[0]["retry_after_s"] >= 1, refused
        assert len(pending) == 2  # the two in progress still wait for the database
        database.execute("COMMIT")
        database.close()
        seated = await asyncio.wait_for(asyncio.gather(*pending), 30)
        assert [m["type"] for m in seated] == ["joined", "joined"], seated
        who = answers.index(next(iter(done)))
        await asyncio.sleep(refused[0]["retry_after_s"])  # as the class page does: the hint first
        ws, again = await _join(url, token, f"hv-{who}")
        sockets.append(ws)
        assert (await asyncio.wait_for(again, 30))["type"] == "joined"
    finally:
        for ws in sockets:
            await ws.close()
        log = served.stop()
    assert "busy: 1 join(s) answered server_busy" in log
