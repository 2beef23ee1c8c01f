"""bench/ingress_micro.py runs and reports what it claims (a smoke run, not a timed test)."""

from __future__ import annotations

import argparse

import pytest

from bench.ingress_micro import main_async


@pytest.mark.parametrize("mode", ["serial", "sliced"])
async def test_a_short_run_takes_in_every_packet_and_reports_the_drops(mode: str) -> None:
    report = await main_async(argparse.Namespace(subscribers=20, busy=0, seconds=2.0, mode=mode))
    assert 300 <= report["sent"] <= 400  # 200/s for 2 s; on a loaded machine some may still be queued at the end
    if mode == "sliced":  # 400 packets never fill a 4 MiB receive queue
        assert report["kernel_drops"] == 0
    assert 0 < report["delivered_percent"] <= 100
    assert (report["backlog_peak"] is None) == (mode == "serial")
