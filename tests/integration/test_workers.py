"""Media worker processes: classes spread over them, a worker that dies comes back."""

from __future__ import annotations

import os
import signal

import httpx
import psutil
import pytest

from classroom.roles import Source
from tests.integration.conftest import ADMIN_TOKEN, Server
from tests.integration.test_classroom_media import frames, parse_metrics
from tests.support.media import PatternTrack
from tests.support.server import serve
from tests.support.wait import until

pytestmark = pytest.mark.webrtc


@pytest.fixture(scope="module")
def workers_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("workers")
    env = {**os.environ, "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, "CLASSBRIDGE_LOG_LEVEL": "warning"}
    served = serve(directory / "data", "--workers", "2", env=env)
    yield Server(served, directory / "unused.log")
    served.stop()


def workers_by_index(server: Server) -> dict[str, int]:
    """Worker index (the metrics' `worker` label) → pid."""
    found = {}
    for child in psutil.Process(server.served.process.pid).children():
        cmdline = child.cmdline()
        if "signaling.workers.process" in cmdline:
            found[cmdline[cmdline.index("--index") + 1]] = child.pid
    return found


def worker_pids(server: Server) -> list[int]:
    return list(workers_by_index(server).values())


def metric_by_worker(server: Server, name: str) -> dict[str, float]:
    samples = parse_metrics(httpx.get(f"{server.url}/metrics").text)
    return {labels: value for (n, labels), value in samples.items() if n == name}


async def test_two_classes_go_to_two_workers(workers_server, cleanup):
    server = workers_server
    a, b = server.create_class("A"), server.create_class("B")
    for created in (a, b):
        lecturer = await server.client(created["id"], created["links"]["lecturer"], name="L")
        cleanup.append(lecturer)
    participants = metric_by_worker(server, "classbridge_participants")
    assert sorted(participants.values()) == [1.0, 1.0]  # one class on each worker
    assert len(worker_pids(server)) == 2


async def test_a_dead_worker_drops_its_connections_and_is_replaced(workers_server, cleanup):
    server = workers_server
    created = server.create_class("Crash")
    trainee = await server.client(created["id"], created["links"]["trainee"], name="T")
    cleanup.append(trainee)
    participants = metric_by_worker(server, "classbridge_participants")
    carrying = next(labels for labels, n in participants.items() if n >= 1).split('"')[1]
    victim = workers_by_index(server)[carrying]
    os.kill(victim, signal.SIGKILL)
    await trainee.next_event("closed", timeout=10)
    await until(
        lambda: len(set(worker_pids(server)) - {victim}) >= 2,
        what="the worker to be replaced",
        describe=server.served.log_tail,
        interval=0.2,
    )
    # The class goes on: a new connection is served (by a live worker) and media flows.
    lecturer = await server.client(created["id"], created["links"]["lecturer"], name="L")
    again = await server.client(created["id"], created["links"]["trainee"], name="T2")
    cleanup.extend([lecturer, again])
    await lecturer.publish([(PatternTrack(), Source.CAMERA)])
    await frames((await again.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)).track, 3)
