import pytest

from classroom.token_bucket import TokenBucket
from tests.support.clock import ManualClock


def test_burst_then_steady_rate():
    clock = ManualClock()
    bucket = TokenBucket(rate=10, burst=5, clock=clock)
    assert all(bucket.take() for _ in range(5))
    assert not bucket.take()
    clock.now = 0.1  # one token back
    assert bucket.take() and not bucket.take()
    clock.now = 100  # refills only up to the burst
    assert sum(bucket.take() for _ in range(20)) == 5


def test_rejects_nonsense_settings():
    with pytest.raises(ValueError):
        TokenBucket(rate=0, burst=1)
    with pytest.raises(ValueError):
        TokenBucket(rate=1, burst=0)
