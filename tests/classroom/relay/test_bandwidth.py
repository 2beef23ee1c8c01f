"""The subscriber's bandwidth estimate from REMB and receiver-report loss."""

from classroom.relay.bandwidth import LinkEstimate


def test_no_estimate_until_a_remb_arrives() -> None:
    est = LinkEstimate()
    est.update(None, 0.0, 0.0)
    assert est.estimate(0.0) is None


def test_the_median_of_recent_rembs_ignores_one_outlier() -> None:
    est = LinkEstimate()
    for t, bps in enumerate((800_000, 810_000, 90_000)):
        est.update(bps, 0.0, float(t))
    assert est.estimate(3.0) == 800_000


def test_heavy_loss_lowers_the_estimate_and_light_loss_does_not() -> None:
    est = LinkEstimate()
    est.update(1_000_000, 0.05, 0.0)
    assert est.estimate(0.0) == 1_000_000
    est.update(1_000_000, 0.3, 1.0)
    assert est.estimate(1.0) == 850_000


def test_a_stale_estimate_is_dropped() -> None:
    est = LinkEstimate()
    est.update(500_000, 0.0, 0.0)
    assert est.estimate(30.0) is None


def test_a_link_is_clean_only_after_some_seconds_without_loss() -> None:
    est = LinkEstimate()
    assert est.clean_for(0.0)
    est.update(300_000, 0.03, 1.0)
    est.update(300_000, 0.0, 2.0)
    assert not est.clean_for(2.0) and not est.clean_for(5.9)
    assert est.clean_for(6.0)
