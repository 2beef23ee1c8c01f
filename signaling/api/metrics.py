"""`/metrics` in the Prometheus text format, in every mode of the server.

- relay counters and live gauges, per worker: each process keeps plain counters
  (classroom/relay/counters.py); at scrape time they are collected (from every worker process,
  when there are several) and labelled `worker`;
- kernel drops: datagrams dropped on the relay's own UDP sockets (per worker, with the relay
  counters) and the machine's UDP receive errors (classroom/relay/kernel_drops.py);
- the processes: the standard `process_*` metrics of the server process, and CPU time and
  resident memory of it and of each media worker (`classbridge_process_*{process=...}`);
- the rooms: each device's link state (one series per state, 1 for the current one), whether
  the room controllers run, and the failed steps of each room's last scene run.
"""

from __future__ import annotations

import hmac
import os
import resource
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from classroom.recording.counters import RECORDING
from classroom.relay.shards.counters import SHARDS
from classroom.relay.counters import COUNTERS
from classroom.relay.kernel_drops import read_socket_drops, read_system_udp_errors
from devices.transport.state import LinkState
from signaling.errors import AdminAuthError
from signaling.server.room_agents import AgentView
from signaling.server.rooms import RoomService
from signaling.server.state import ServerState, server_of

if TYPE_CHECKING:
    from classroom.hub import ClassHub  # imports aiortc: REST-only servers never need it

router = APIRouter()

COUNTER_HELP = {
    "received_packets": "RTP packets received from publishers",
    "received_bytes": "RTP payload bytes received from publishers",
    "forwarded_packets": "RTP packets forwarded to subscribers",
    "forwarded_bytes": "RTP bytes forwarded to subscribers",
    "nacks_received": "Sequence numbers subscribers asked to be resent",
    "nacks_answered": "NACKed packets resent from the packet cache",
    "keyframe_requests_sent": "Key frame requests (PLI) sent to publishers after throttling",
    "keyframe_requests_suppressed": "Key frame requests folded into another by the throttle",
    "slow_subscriber_drops": "Packets not sent to slow subscribers (they resume at a key frame)",
    "congestion_events": "Packets a subscriber's socket refused",
    "fanout_backlog_drops": "Packets not forwarded: they waited too long for a sliced fan-out (0 unless slicing is on)",
    "socket_drops": "Datagrams the kernel dropped on the relay's UDP sockets (receive queue full)",
    "recording_bytes_written": "Media bytes written to recordings",
    "recording_frames_written": "Frames written to recordings",
    "recordings_started": "Recordings started",
    "recordings_stopped_by_storage": "Recordings stopped because the disk or the quota was full",
    "shard_packets_sent": "Packets a class's home worker handed to other workers (once per worker)",
    "shard_packets_dropped": "Packets another worker's full channel refused",
    "shard_subscribers_rejoined": "Subscribers placed again after the worker serving them stopped",
}
GAUGE_HELP = {
    "classes": "Live classes",
    "participants": "Connected participants",
    "published_tracks": "Tracks being published",
    "forwarded_streams": "Outgoing streams (one per subscriber and track)",
    "recordings_active": "Classes being recorded",
}


@dataclass(frozen=True)
class ProcessStats:
    """One process's relay counters and its hub's gauges (a worker sends them on request)."""

    counters: dict[str, int]
    gauges: dict[str, int]


def process_stats(hub: ClassHub) -> ProcessStats:
    counters = (
        COUNTERS.snapshot()
        | RECORDING.snapshot()
        | SHARDS.snapshot()
        | {"socket_drops": read_socket_drops()}
    )
    return ProcessStats(counters=counters, gauges=hub.gauges())


AGENT_GAUGES = {
    "room_agent_online": "1 while the room's agent reports (classbridge room-agent)",
    "room_agent_in_class": "1 while the room's agent is in a class",
    "room_video_live": "1 while the room camera's stream is live (0: lost, placeholder sent)",
    "room_video_passthrough": "1 when the room camera is forwarded as is, 0 when re-encoded",
    "room_video_fps": "Frames per second read from the room camera",
    "room_video_bitrate_bps": "Bit rate of the room camera's stream",
    "room_video_reconnects": "Times the agent reopened the room camera's stream",
    "room_audio_capture_dbfs": "Level of the room's microphones (dBFS, loudest 20 ms of the last second)",
    "room_audio_playback_dbfs": "Level of what the room's speakers play (dBFS)",
}


def _agent_values(view: AgentView) -> dict[str, float]:
    video = view.video
    return {
        "room_agent_online": float(view.online),
        "room_agent_in_class": float(view.online and view.state == "in_class"),
        "room_video_live": float(video is not None and video.state == "live"),
        "room_video_passthrough": float(video is not None and video.mode == "passthrough"),
        "room_video_fps": (video.fps or 0.0) if video else 0.0,
        "room_video_bitrate_bps": float(video.bitrate_bps or 0) if video else 0.0,
        "room_video_reconnects": float(video.reconnects) if video else 0.0,
        "room_audio_capture_dbfs": view.audio.capture_dbfs,
        "room_audio_playback_dbfs": view.audio.playback_dbfs,
    }


class _Snapshot:
    def __init__(self, stats: list[tuple[str, ProcessStats]], agents: list[AgentView] | None = None):
        self.stats = stats
        self.agents = agents or []

    def collect(self):  # type: ignore[no-untyped-def]
        for name, help_text in COUNTER_HELP.items():
            family = CounterMetricFamily(f"classbridge_{name}", help_text, labels=["worker"])
            for worker, data in self.stats:
                family.add_metric([worker], data.counters.get(name, 0))
            yield family
        for name, help_text in GAUGE_HELP.items():
            family = GaugeMetricFamily(f"classbridge_{name}", help_text, labels=["worker"])
            for worker, data in self.stats:
                family.add_metric([worker], data.gauges.get(name, 0))
            yield family
        yield from _layer_metrics(self.stats)
        values = [(view.room, _agent_values(view)) for view in self.agents]
        for name, help_text in AGENT_GAUGES.items():
            family = GaugeMetricFamily(f"classbridge_{name}", help_text, labels=["room"])
            for room, by_name in values:
                family.add_metric([room], by_name[name])
            yield family


LAYERS = ("high", "medium", "low", "paused")
SWITCH_DIRECTIONS = ("up", "down")
LINK_QUALITIES = ("good", "fair", "poor")


def _layer_metrics(stats: list[tuple[str, ProcessStats]]) -> Iterator[Metric]:
    """Simulcast: how many layered videos subscribers receive at each layer, and the switches."""
    layers = GaugeMetricFamily(
        "classbridge_subscriber_layers",
        "Layered videos received at each layer, summed over subscribers (paused: hidden or no room)",
        labels=["worker", "layer"],
    )
    switches = CounterMetricFamily(
        "classbridge_layer_switches",
        "Times a subscriber's video moved to a higher (up) or lower (down) layer",
        labels=["worker", "direction"],
    )
    links = GaugeMetricFamily(
        "classbridge_subscriber_links",
        "Subscribers by the quality of their link as the relay measures it (REMB, loss)",
        labels=["worker", "quality"],
    )
    for worker, data in stats:
        for layer in LAYERS:
            layers.add_metric([worker, layer], data.gauges.get(f"subscriber_layers_{layer}", 0))
        for quality in LINK_QUALITIES:
            links.add_metric([worker, quality], data.gauges.get(f"subscriber_links_{quality}", 0))
        for direction in SWITCH_DIRECTIONS:
            switches.add_metric([worker, direction], data.counters.get(f"layer_switches_{direction}", 0))
    yield layers
    yield switches
    yield links


class _Processes:
    """CPU time and resident memory of the server process and its media workers (/proc)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids

    def collect(self) -> Iterator[Metric]:
        cpu = CounterMetricFamily(
            "classbridge_process_cpu_seconds", "CPU time (user + system) of a server process", labels=["process"]
        )
        rss = GaugeMetricFamily(
            "classbridge_process_resident_memory_bytes", "Resident memory of a server process", labels=["process"]
        )
        ticks, page = os.sysconf("SC_CLK_TCK"), resource.getpagesize()
        for name, pid in self.pids.items():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone, or not Linux
            cpu.add_metric([name], (int(fields[11]) + int(fields[12])) / ticks)
            rss.add_metric([name], int(fields[21]) * page)
        yield cpu
        yield rss


class _KernelUdp:
    """The kernel's UDP receive errors for the whole machine (its network namespace)."""

    def collect(self) -> Iterator[Metric]:
        errors = CounterMetricFamily(
            "classbridge_kernel_udp_errors",
            "UDP datagrams the kernel dropped on receipt, on every socket of the machine "
            "(/proc/net/snmp: RcvbufErrors, a full receive queue; InErrors, all receive errors)",
            labels=["counter"],
        )
        for name, value in read_system_udp_errors().items():
            errors.add_metric([name], value)
        yield errors


class _Rooms:
    """Device link states and the rooms' state, read from the running controllers."""

    def __init__(self, rooms: RoomService) -> None:
        self.rooms = rooms

    def collect(self) -> Iterator[Metric]:
        running = GaugeMetricFamily(
            "classbridge_rooms_running", "1 when the room controllers have started", labels=[]
        )
        ok = self.rooms.ready.is_set() and not self.rooms.failed
        running.add_metric([], 1 if ok or self.rooms.rooms is None else 0)
        yield running
        link = GaugeMetricFamily(
            "classbridge_device_link",
            "Link state of a room device: 1 for its current state, 0 for the others",
            labels=["room", "device", "kind", "state"],
        )
        failed = GaugeMetricFamily(
            "classbridge_scene_failed_steps", "Failed steps of the room's last scene run", labels=["room", "scene"]
        )
        if ok and self.rooms.fleet is not None:
            for controller in self.rooms.fleet.controllers.values():
                view = controller.view()
                for device in view.devices:
                    for state in LinkState:
                        labels = [view.name, device.name, device.kind.value, state.value]
                        link.add_metric(labels, 1 if device.link is state else 0)
                if view.run is not None:
                    failed.add_metric([view.name, view.run.scene], len(view.run.failed))
        yield link
        yield failed


def render(
    stats: list[tuple[str, ProcessStats]],
    pids: dict[str, int] | None = None,
    rooms: RoomService | None = None,
    agents: list[AgentView] | None = None,
) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(stats, agents))  # type: ignore[arg-type]
    if pids is not None:
        ProcessCollector(registry=registry)
        registry.register(_Processes(pids))  # type: ignore[arg-type]
        registry.register(_KernelUdp())  # type: ignore[arg-type]
    if rooms is not None:
        registry.register(_Rooms(rooms))  # type: ignore[arg-type]
    return generate_latest(registry)


def _pids(state: ServerState) -> dict[str, int]:
    pids = {"main": os.getpid()}
    if state.workers is not None:
        for worker in state.workers.workers:
            if worker is not None and worker.alive:
                pids[f"worker-{worker.index}"] = worker.process.pid
    return pids


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    state = server_of(request.app)
    token = state.settings.metrics_token
    if token is not None:
        given = request.headers.get("authorization", "")
        if not given:
            raise AdminAuthError("/metrics needs the metrics token as a bearer token", code="auth_required")
        if not hmac.compare_digest(given.encode(), f"Bearer {token.get_secret_value()}".encode()):
            raise AdminAuthError("wrong metrics token", code="auth_invalid")
    if state.workers is not None:
        stats = await state.workers.stats()
    else:
        stats = [("main", process_stats(state.hub))] if state.hub is not None else []
    return Response(render(stats, _pids(state), state.rooms, state.room_agents.views()), media_type=CONTENT_TYPE_LATEST)
