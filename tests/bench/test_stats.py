"""The benchmarks' one percentile: linear interpolation between the closest ranks."""

from __future__ import annotations

import random
import statistics

import pytest

from bench.stats import percentile


def test_interpolates_between_the_closest_ranks() -> None:
    samples = [40.0, 10.0, 30.0, 20.0]  # unsorted on purpose
    assert percentile(samples, 0.0) == 10.0 and percentile(samples, 1.0) == 40.0
    assert percentile(samples, 0.5) == 25.0  # half-way between 20 and 30
    assert percentile(samples, 0.9) == pytest.approx(37.0)  # position 2.7: 30 + 0.7 * 10
    assert percentile([7.0], 0.99) == 7.0


def test_agrees_with_the_standard_library() -> None:
    rng = random.Random(10)
    for n in (2, 3, 20, 101, 1000):
        samples = [rng.expovariate(1.0) for _ in range(n)]
        assert percentile(samples, 0.5) == pytest.approx(statistics.median(samples))
        cuts = statistics.quantiles(samples, n=100, method="inclusive")
        assert percentile(samples, 0.90) == pytest.approx(cuts[89])
        assert percentile(samples, 0.99) == pytest.approx(cuts[98])


def test_a_p99_of_a_thousand_samples_lies_between_the_990th_and_991st() -> None:
    samples = [float(i) for i in range(1000)]
    assert percentile(samples, 0.99) == pytest.approx(989.01)


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 0.5)
    with pytest.raises(ValueError, match="from 0 to 1"):
        percentile([1.0], 99)
