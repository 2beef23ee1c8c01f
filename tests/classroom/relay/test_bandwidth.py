"""A subscriber's link (classroom/relay/bandwidth.py): REMB as a floor, loss as the congestion
signal, probes that back off."""

from classroom.relay.bandwidth import (
    LOSS_WINDOW_S,
    MAX_PROBE_AFTER_S,
    PROBE_AFTER_S,
    PROBE_WINDOW_S,
    LinkEstimate,
)


def feed(
    est: LinkEstimate,
    t0: float,
    t1: float,
    *,
    lost: int = 0,
    remb: int | None = None,
    sent: float = 200_000,
) -> float:
    """Half-second ticks from t0 to t1, 30 packets each with `lost` of them lost; the last time."""
    t = t0
    while t <= t1:
        est.report_loss(lost, 30, t)
        est.update(remb, sent, t)
        t += 0.5
    return t - 0.5


def test_nothing_is_known_until_something_is_reported() -> None:
    est = LinkEstimate()
    est.update(None, 0.0, 0.0)
    assert est.estimate(0.0) is None and not est.may_probe(10.0)


def test_the_estimate_is_at_least_what_the_link_carried_without_loss() -> None:
    est = LinkEstimate()
    feed(est, 0.0, 3.0, remb=90_000, sent=600_000)  # a REMB below what arrives without loss
    assert est.estimate(3.0) == 600_000
    feed(est, 3.5, 5.0, remb=2_000_000, sent=600_000)  # a REMB above: taken
    assert est.estimate(5.0) == 2_000_000


def test_the_median_of_recent_rembs_ignores_one_outlier() -> None:
    est = LinkEstimate()
    for t, bps in enumerate((800_000, 810_000, 3_000_000)):
        est.update(bps, 0.0, float(t))
    assert est.estimate(3.0) == 810_000


def test_loss_above_ten_percent_is_congestion_and_cuts_the_estimate_to_what_got_through() -> None:
    est = LinkEstimate()
    feed(est, 0.0, 3.0, lost=1, remb=1_000_000, sent=500_000)  # 3 %: not congested
    assert not est.congested and est.estimate(3.0) == 1_000_000
    t = feed(est, 3.5, 3.5 + LOSS_WINDOW_S, lost=9, remb=1_000_000, sent=500_000)  # 30 %
    assert est.congested and est.estimate(t) == 425_000  # 500 k × (1 − 0.3 / 2)


def test_a_clean_link_is_probed_after_some_seconds_and_a_probe_that_held_keeps_the_wait() -> None:
    est = LinkEstimate()
    feed(est, 0.0, PROBE_AFTER_S - 0.5)
    assert not est.may_probe(PROBE_AFTER_S - 0.5)
    t = feed(est, PROBE_AFTER_S, PROBE_AFTER_S + 0.5)
    assert est.may_probe(t)
    est.probe_started(t)
    assert not est.may_probe(t + 0.5)
    t = feed(est, t + 0.5, t + PROBE_WINDOW_S, sent=600_000)
    assert not est.probing and est.probe_after == PROBE_AFTER_S
    assert est.estimate(t) == 600_000, "what the probe carried is now known"


def test_a_light_steady_loss_is_not_clean_enough_to_probe() -> None:
    est = LinkEstimate()
    feed(est, 0.0, 20.0, lost=1)  # 3 % of every report
    assert not est.congested and not est.may_probe(20.0)


def test_a_probe_that_causes_loss_backs_off_exponentially() -> None:
    est = LinkEstimate()
    t = feed(est, 0.0, PROBE_AFTER_S)
    waits = []
    for _ in range(5):
        assert est.may_probe(t)
        est.probe_started(t)
        t = feed(
            est, t + 0.5, t + LOSS_WINDOW_S, lost=15, sent=500_000
        )  # the probe overflowed the link
        assert est.congested and not est.probing
        estimate = est.estimate(t)
        assert estimate is not None and estimate <= 200_000, (
            "back to what the link carried before the probe"
        )
        waits.append(est.probe_after)
        t = feed(est, t + 0.5, t + 0.5)
        first_clean = None
        while not est.may_probe(t):
            if first_clean is None and not est.congested and est.loss < 0.02:
                first_clean = t
            t = feed(est, t + 0.5, t + 0.5)
        assert first_clean is not None and t - first_clean >= est.probe_after
    assert waits == [
        2 * PROBE_AFTER_S,
        4 * PROBE_AFTER_S,
        MAX_PROBE_AFTER_S,
        MAX_PROBE_AFTER_S,
        MAX_PROBE_AFTER_S,
    ]


def test_loss_is_measured_over_enough_packets() -> None:
    est = LinkEstimate()
    est.report_loss(1, 2, 0.0)  # one of two lost says little
    est.update(None, 0.0, 0.0)
    assert est.loss == 0.0
    est.report_loss(10, 30, 0.5)
    est.update(None, 0.0, 0.5)
    assert abs(est.loss - 11 / 32) < 1e-9


def test_a_link_whose_reports_stopped_is_idle_and_counts_as_clean() -> None:
    est = LinkEstimate()
    t = feed(est, 0.0, 3.0, lost=20)  # congested, then everything paused: no more reports
    assert est.congested
    while not est.may_probe(t):
        assert t < 30.0, "an idle link is probed again"
        t += 0.5
        est.update(None, 0.0, t)
    assert not est.congested
