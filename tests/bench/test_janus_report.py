"""docs/benchmarks.md's relay section is generated from a run's JSON: figures side by side,
the largest class is the one actually carried, and the rest of the page is left as it was."""

from __future__ import annotations

import pytest

from bench import janus, janus_report


def row(relay: str, subscribers: int, us: float, loss: float = 0.0, busy: int = 0, joined: int | None = None) -> dict:
    return {
        "relay": relay, "subscribers": subscribers, "workers": 1, "busy": busy, "load_before": [0.5, 0.4, 0.3],
        "joined": subscribers if joined is None else joined, "forwarded_pps": 1000.0, "server_cpu_percent": 10.0,
        "cpu_user_us_per_packet": us / 2, "cpu_system_us_per_packet": us / 2, "cpu_us_per_packet": us,
        "loss_percent": loss, "subscriber_drops": 0, "frames_per_second": 30.0, "latency_p50_ms": 1.0,
        "latency_p99_ms": 5.0, "memory_per_subscriber_kb": 300.0, "join_p50_s": 0.5, "error": None,
    }  # fmt: skip


def document(rows: list[dict]) -> dict:
    machine = {"cpu": "AMD EPYC", "cores": 2, "kernel": "6.1", "python": "3.11.7", "janus": "1.1.2",
               "commit": "abc1234", "load_at_start": [0.5, 0.4, 0.3]}  # fmt: skip
    return {"command": "python -m bench.load --subscribers 10", "started": "2026-12-02 21:00 UTC", "machine": machine, "results": rows}


def test_side_by_side_pairs_the_same_size_and_load_and_gives_the_ratio():
    table = janus_report.side_by_side([row("classbridge", 10, 30.0), row("janus", 10, 60.0),
                                       row("classbridge", 10, 45.0, busy=2), row("janus", 10, 50.0, busy=2),
                                       row("classbridge", 50, 20.0)])  # fmt: skip
    lines = table.splitlines()
    assert len(lines) == 4  # header, rule, quiet 10, busy 10: no Janus run at 50, no row
    assert "| quiet | 10 | 1 | 30.0 / 60.0 | 0.50 |" in lines[2]
    assert "| busy ×2 | 10 | 1 | 45.0 / 50.0 | 0.90 |" in lines[3]


def test_each_worker_count_of_classbridge_is_set_beside_the_one_janus_run():
    sharded = row("classbridge", 175, 22.0) | {"workers": 2}
    janus_run = row("janus", 175, 44.0) | {"workers": 2}  # older runs recorded the first --workers value
    table = janus_report.side_by_side([row("classbridge", 175, 19.0), sharded, janus_run])
    lines = table.splitlines()
    assert len(lines) == 4
    assert "| quiet | 175 | 1 | 19.0 / 44.0 | 0.43 |" in lines[2]
    assert "| quiet | 175 | 2 | 22.0 / 44.0 | 0.50 |" in lines[3]


def test_the_largest_class_is_the_largest_carried_never_a_derived_one():
    rows = [row("classbridge", 150, 20.0), row("classbridge", 175, 20.0), row("classbridge", 200, 20.0, loss=3.2),
            row("janus", 150, 50.0), row("janus", 175, 50.0, joined=170)]  # fmt: skip
    assert janus_report.largest(rows) == [
        "classbridge, quiet: largest class carried 175 subscribers (the next step, 200, was not)",
        "janus, quiet: largest class carried 150 subscribers (the next step, 175, was not)",
    ]


def test_the_section_states_machine_commit_command_and_load():
    text = janus_report.markdown(document([row("classbridge", 10, 30.0), row("janus", 10, 60.0)]))
    for expected in ("AMD EPYC, 2 cores", "commit abc1234", "`python -m bench.load --subscribers 10`", "0.50, 0.40, 0.30"):
        assert expected in text


def test_rewrite_replaces_only_the_generated_section(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmark figures\n\nIntro.\n\n## Join storm\n\nKept.\n")
    janus_report.rewrite(doc, [document([row("classbridge", 10, 30.0), row("janus", 10, 60.0)])])
    first = doc.read_text()
    assert first.index("Intro.") < first.index(janus_report.START) < first.index("## Join storm")
    janus_report.rewrite(doc, [document([row("classbridge", 10, 31.0), row("janus", 10, 60.0)])])
    second = doc.read_text()
    assert second.count(janus_report.START) == 1 and "31.0 / 60.0" in second and "30.0 / 60.0" not in second
    assert second.endswith("## Join storm\n\nKept.\n")


def test_janus_sdp_with_a_non_loopback_candidate_is_refused():
    janus.check_loopback_sdp("v=0\r\na=candidate:1 1 udp 2015363327 127.0.0.1 47001 typ host\r\n")
    with pytest.raises(RuntimeError, match="non-loopback"):
        janus.check_loopback_sdp("a=candidate:2 1 udp 2015363327 10.0.0.5 47002 typ host\r\n")


def test_the_largest_class_is_taken_across_the_runs_given():
    first = document([row("classbridge", 100, 20.0), row("janus", 100, 40.0)])
    second = document([row("classbridge", 150, 20.0, loss=5.0), row("janus", 150, 40.0)])
    text = janus_report.section([first, second])
    assert "- classbridge, quiet: largest class carried 100 subscribers (the next step, 150, was not)" in text
    assert "- janus, quiet: largest class carried 150 subscribers (no larger class was tried)" in text
