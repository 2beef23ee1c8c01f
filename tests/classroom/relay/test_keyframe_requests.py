from classroom.relay.keyframe_requests import KeyframeRequester
from tests.support.clock import ManualClock


def make():
    clock = ManualClock()
    sent = []
    req = KeyframeRequester(lambda: sent.append(clock.now), clock, clock.schedule, interval=0.5)
    return clock, sent, req


def test_first_request_goes_out_at_once():
    clock, sent, req = make()
    req.request()
    assert sent == [0.0]


def test_burst_of_requests_is_throttled_to_one_per_interval():
    clock, sent, req = make()
    for _ in range(10):
        req.request()
        clock.advance(0.01)
    clock.advance(1.0)
    # one immediately, one deferred to the end of the interval; the burst collapses
    assert sent == [0.0, 0.5]
    assert req.suppressed == 9


def test_deferred_request_is_dropped_when_a_keyframe_arrives_first():
    clock, sent, req = make()
    req.request()
    clock.advance(0.1)
    req.request()  # deferred to t=0.5
    clock.advance(0.1)
    req.keyframe_received()
    clock.advance(1.0)
    assert sent == [0.0]


def test_requests_after_the_interval_go_out_immediately():
    clock, sent, req = make()
    req.request()
    clock.advance(0.6)
    req.request()
    assert sent == [0.0, 0.6]
