"""The one percentile the benchmarks print (p50, p90, p95, p99), so every figure means the same.

Method: linear interpolation between the two closest ranks, the value at position
`fraction * (n - 1)` of the sorted samples (numpy's default, and Python's
`statistics.quantiles(method="inclusive")`). p50 is then exactly `statistics.median`, so a
benchmark's median and its p50 agree, and p0 / p100 are the minimum and the maximum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(samples: Iterable[float], fraction: float) -> float:
    """The `fraction` (0..1) percentile of `samples`, which need not be sorted."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"a percentile is a fraction from 0 to 1, not {fraction}")
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples: a percentile of nothing is not a number")
    position = fraction * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)
