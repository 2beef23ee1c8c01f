"""`/metrics` in the Prometheus text format: relay counters and live gauges, per worker.

Each process keeps plain counters (classroom/relay/counters.py); at scrape time they are
collected (from every worker process, when there are several) and labelled `worker`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from classroom.hub import ClassHub
from classroom.recording.counters import RECORDING
from classroom.relay.counters import COUNTERS
from signaling.errors import AdminAuthError
from signaling.server.state import server_of

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
    "recording_bytes_written": "Media bytes written to recordings",
    "recording_frames_written": "Frames written to recordings",
    "recordings_started": "Recordings started",
    "recordings_stopped_by_storage": "Recordings stopped because the disk or the quota was full",
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
    return ProcessStats(counters=COUNTERS.snapshot() | RECORDING.snapshot(), gauges=hub.gauges())


class _Snapshot:
    def __init__(self, stats: list[tuple[str, ProcessStats]]):
        self.stats = stats

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


def render(stats: list[tuple[str, ProcessStats]]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(stats))  # type: ignore[arg-type]
    return generate_latest(registry)


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
    return Response(render(stats), media_type=CONTENT_TYPE_LATEST)
