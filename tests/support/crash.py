"""Kill a real server with SIGKILL mid-class, restart it, and measure the time online lost.

Used by tests/integration/test_attendance_crash.py and bench/attendance_crash.py: a server
with two trainees joined (the Python ClassClient) is killed once their rows have been seen a
few times, then started again on the same data directory. Each trainee's row must be closed
at its last sighting: `lost_s` is the time between that and the kill (at most one heartbeat),
`added_s` any time counted beyond the kill (must be 0), before and after the class is ended.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from signaling.server.attendance_settings import AttendanceSettings
from signaling.ws.client import ClassClient, WebSocketChannel
from tests.support.server import Served, serve
from tests.support.wait import until

ADMIN_TOKEN = "crash-admin-token-0123456789abcdef"
HEARTBEAT_S = AttendanceSettings().heartbeat_s  # the server's default
SEEN_FOR_S = 5.0  # online time before the kill, so that the rows were refreshed a few times


@dataclass
class CrashOutcome:
    lost_s: list[float]  # per trainee: from their last sighting to the kill
    added_s: list[float]  # per trainee: time counted beyond the kill (report, after the end)
    reasons: list[str]


def _env() -> dict[str, str]:
    return {**os.environ, "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, "CLASSBRIDGE_LOG_LEVEL": "warning"}


def _api(served: Served, method: str, path: str, **kwargs: object) -> httpx.Response:
    response = httpx.request(
        method, f"{served.url}/api{path}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, **kwargs  # type: ignore[arg-type]
    )
    response.raise_for_status()
    return response


def _rows(data_dir: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(f"file:{data_dir / 'classbridge.db'}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return list(db.execute("SELECT * FROM attendance WHERE role = 'trainee' ORDER BY id"))


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _seconds(report: dict[str, object]) -> dict[str, int]:
    return {p["external_id"]: p["seconds_online"] for p in report["people"] if p["role"] == "trainee"}  # type: ignore[attr-defined,index]


async def sigkill_once(directory: Path, phase_s: float | None = None) -> CrashOutcome:
    """One crash; the kill comes `phase_s` after a heartbeat was seen (random within one
    heartbeat when None), as a real crash comes at any moment."""
    data_dir = directory / "data"
    served = serve(data_dir, env=_env())
    clients: list[ClassClient] = []
    try:
        created = _api(served, "POST", "/classes", json={"title": "Lớp kiểm tra sự cố"}).json()
        class_id = created["id"]
        for number, name in ((1, "Nguyễn Thị Lan"), (2, "Trần Văn Minh")):
            link = _api(
                served, "POST", f"/classes/{class_id}/links", json={"role": "trainee", "external_id": f"HV{number}", "name": name}
            ).json()["link"]
            client = ClassClient(await WebSocketChannel.connect(served.url.replace("http", "ws", 1) + f"/ws/{class_id}"))
            await client.join(link.split("#t=", 1)[1])
            clients.append(client)

        def seen_long_enough() -> bool:
            rows = _rows(data_dir)
            return len(rows) == 2 and all(
                (_when(r["last_seen_at"]) - _when(r["joined_at"])).total_seconds() >= SEEN_FOR_S for r in rows
            )

        await until(seen_long_enough, what="both trainees seen for a while", describe=served.log_tail)
        # Choosing when the crash strikes, not waiting for something to happen.
        await asyncio.sleep(random.uniform(0, HEARTBEAT_S) if phase_s is None else phase_s)
    except BaseException:
        served.stop()
        raise
    killed_at = datetime.now(UTC)
    os.kill(served.process.pid, signal.SIGKILL)
    served.process.wait()
    for client in clients:
        try:
            await client.close()
        except Exception:
            pass  # the server is gone
    joined = {r["external_id"]: _when(r["joined_at"]) for r in _rows(data_dir)}
    served = serve(data_dir, env=_env())
    try:
        rows = _rows(data_dir)
        first = _seconds(_api(served, "GET", f"/classes/{class_id}/attendance").json())
        _api(served, "POST", f"/classes/{class_id}/end")
        ended = _seconds(_api(served, "GET", f"/classes/{class_id}/attendance").json())
    finally:
        served.stop()
    lost = [(killed_at - _when(r["left_at"])).total_seconds() for r in rows]
    possible = {k: (killed_at - v).total_seconds() for k, v in joined.items()}
    added = [max(0.0, counted[k] - possible[k]) for counted in (first, ended) for k in counted]
    return CrashOutcome(lost_s=lost, added_s=added, reasons=[r["leave_reason"] for r in rows])
