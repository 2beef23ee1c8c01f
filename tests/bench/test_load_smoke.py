"""The load harness runs end to end on a tiny scenario (the full run is in the README)."""

from __future__ import annotations

import pytest

from bench import load, media

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
    assert "capacity" in load.table([result])
    assert any("largest run: 2 subscribers, 2 worker(s)" in line for line in load.summary([result]))


def test_media_files_have_a_key_frame_every_second():
    import av

    path = media.video_file("vp8", 2, (320, 180))
    with av.open(str(path)) as container:
        keys = [p.is_keyframe for p in container.demux(container.streams.video[0]) if p.size]
    assert len(keys) == 60 and [i for i, k in enumerate(keys) if k] == [0, 30]
