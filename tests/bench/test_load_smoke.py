"""The load harness runs end to end on tiny scenarios, through classbridge and through Janus
(the full runs are in docs/benchmarks.md)."""

from __future__ import annotations

import psutil
import pytest

from bench import janus_report, load, media

pytestmark = pytest.mark.webrtc


def test_two_classes_on_two_workers(tmp_path):
    scenario = load.Scenario(
        subscribers=2, classes=2, procs=2, window=3, warmup=1, workers=2, media_seconds=4, size=(320, 180)
    )
    result = load.run(scenario, raw=tmp_path / "raw.json")
    assert result.joined == 2
    assert result.forwarded_pps > 0 and result.cpu_us_per_packet > 0
    assert result.loss_percent < 5
    assert result.latency_p50_ms is not None and result.latency_p50_ms < 1000
    assert {w.worker for w in result.per_worker} == {"0", "1"}  # one class per worker
    assert all(w.forwarded_pps > 0 for w in result.per_worker)
    assert result.server_processes >= 3  # the main process and both workers are measured
    assert "classbridge" in janus_report.text_table([result])


@pytest.mark.timeout(300)
def test_janus_forwards_the_same_publisher_to_the_same_light_subscribers(tmp_path):
    """Debian's Janus (scripts/install.sh --test installs it), started by the bench on loopback."""
    scenario = load.Scenario(
        relay="janus", subscribers=2, procs=1, window=3, warmup=1, media_seconds=4, size=(320, 180)
    )
    result = load.run(scenario, raw=tmp_path / "raw.json")
    assert result.error is None
    assert result.joined == 2
    assert result.forwarded_pps > 0 and result.cpu_us_per_packet > 0
    assert result.loss_percent < 5
    assert result.latency_p50_ms is not None and result.latency_p50_ms < 1000
    assert result.memory_per_subscriber_kb is not None
    assert result.load_before is not None and len(result.load_before) == 3


def test_busy_loops_spin_for_the_run_and_stop_after():
    me = psutil.Process()
    before = {p.pid for p in me.children()}
    with load.busy_loops(2):
        spinners = [p for p in me.children() if p.pid not in before]
        assert len(spinners) == 2
        assert all(p.status() != psutil.STATUS_ZOMBIE for p in spinners)
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in spinners)


def test_media_files_have_a_key_frame_every_second():
    import av

    path = media.video_file("vp8", 2, (320, 180))
    with av.open(str(path)) as container:
        keys = [p.is_keyframe for p in container.demux(container.streams.video[0]) if p.size]
    assert len(keys) == 60 and [i for i, k in enumerate(keys) if k] == [0, 30]
