"""The combined-MP4 job: one MP4 of a recording for download, made in the background.

Everything else about recordings is remuxing; this job is **the only place anything is decoded
and re-encoded** (classroom/recording/combined_render.py), so it runs in its own process, never
in the server or the recorder, one job at a time, at the lowest priority (nice 19, one CPU, one
codec thread) and under a CPU cap (`CPU_SHARE` of one core: the renderer sleeps whenever it has
used more). docs/recording.md says why this shape.

The job's state is a file in the recording's folder (`combined.json`: queued, running, done or
failed, with its progress), so a restarted server finds its queue again: a job that was
running when the server stopped is queued again, and the renderer's output only becomes
`combined.mp4` (renamed from a partial file) when it is whole.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable, Protocol

logger = logging.getLogger(__name__)

STATE = "combined.json"
OUTPUT = "combined.mp4"
PARTIAL = "combined.part.mp4"
LOCK = "combined.lock"
CPU_SHARE = 0.5  # of one core
RESCAN_S = 30.0
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def read_state(folder: Path) -> dict[str, object] | None:
    """The job's state, None when none was ever asked for (or the file is unreadable)."""
    try:
        data = json.loads((folder / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_state(folder: Path, **state: object) -> dict[str, object]:
    """Replace the job's state whole (a temporary file and a rename)."""
    temporary = folder / (STATE + ".tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / STATE)
    return state


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def request(folder: Path) -> tuple[dict[str, object], bool]:
    """Ask for the combined file of the recording in `folder`: (its state, whether it was queued now).

    A job already queued, running or done is left alone; a failed one is queued again."""
    state = read_state(folder)
    if state is not None and state.get("status") in (QUEUED, RUNNING, DONE):
        return state, False
    return write_state(folder, status=QUEUED, requested_at=_now(), progress=0.0), True


class Throttled(Protocol):
    def tick(self) -> None: ...


Renderer = Callable[[Path, dict[str, object], Path, Callable[[float], None], Throttled], None]


def run_job(folder: Path, manifest_file: Path, throttle: Throttled, render: Renderer) -> int:
    """The renderer process's part: hold the job's lock, render into the partial file, rename.

    The lock makes a renderer left over from a stopped server finish (or notice its parent is
    gone and exit) before a new one starts on the same recording."""
    with open(folder / LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = _now()
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        last = 0.0

        def progress(done: float) -> None:
            nonlocal last
            if done - last >= 0.05:
                last = done
                write_state(folder, status=RUNNING, pid=os.getpid(), started_at=started, progress=round(done, 3))

        write_state(folder, status=RUNNING, pid=os.getpid(), started_at=started, progress=0.0)
        render(folder, manifest, folder / PARTIAL, progress, throttle)
        os.replace(folder / PARTIAL, folder / OUTPUT)
    return 0


class CombinedJobs:
    """The server's queue of combined-MP4 jobs: one renderer process at a time."""

    def __init__(self, storage: Path, cpu_share: float = CPU_SHARE, python: str = sys.executable):
        self.storage = storage
        self.cpu_share = cpu_share
        self.python = python
        self._wake = asyncio.Event()
        self.current: Path | None = None

    def request(self, folder: Path) -> dict[str, object]:
        state, queued = request(folder)
        if queued:
            self._wake.set()
        return state

    def pending(self) -> list[Path]:
        """Folders with a job to run, oldest request first (a `running` one was cut short)."""
        found = []
        for path in self.storage.glob(f"*/*/{STATE}"):
            state = read_state(path.parent)
            if state is not None and state.get("status") in (QUEUED, RUNNING) and path.parent != self.current:
                found.append((str(state.get("requested_at", "")), path.parent))
        return [folder for _, folder in sorted(found)]

    async def run(self) -> None:
        """Run jobs as they come, until cancelled (the server stopping)."""
        while True:
            self._wake.clear()  # before looking: a request from now on wakes the next look
            for folder in self.pending():
                await self._run_one(folder)
            if self._wake.is_set():
                continue
            try:
                async with asyncio.timeout(RESCAN_S):  # (wait_for may swallow a cancellation)
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _run_one(self, folder: Path) -> None:
        from classroom.recording.recording import MANIFEST  # (the renderer itself need not import the recorder)

        self.current = folder
        requested = (read_state(folder) or {}).get("requested_at", _now())
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            self.python, "-m", "classroom.recording.combined_render", str(folder),
            "--manifest", str(folder / MANIFEST), "--cpu", str(self.cpu_share),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, stderr = await process.communicate()
        except asyncio.CancelledError:
            # The server is stopping: the renderer goes with it; the job stays `running` on
            # disk and is queued again at the next start. (A killed server's renderer sees its
            # parent gone and exits by itself.)
            process.kill()
            await process.wait()
            raise
        finally:
            self.current = None
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        wall = time.monotonic() - started
        figures = {"cpu_seconds": round(cpu, 2), "wall_seconds": round(wall, 2), "pid": process.pid}
        if process.returncode == 0 and (folder / OUTPUT).is_file():
            size = (folder / OUTPUT).stat().st_size
            write_state(folder, status=DONE, requested_at=requested, finished_at=_now(), progress=1.0, bytes=size, **figures)
            logger.info("combined MP4 of %s: %d bytes, %.1f s CPU in %.1f s", folder, size, cpu, wall)
        else:
            reason = stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {process.returncode}"]
            logger.warning("combined MP4 of %s failed: %s", folder, reason[0])
            (folder / PARTIAL).unlink(missing_ok=True)
            write_state(folder, status=FAILED, requested_at=requested, finished_at=_now(), error=reason[0][:300], **figures)
