"""Helpers shared by the ONVIF tests."""

from __future__ import annotations

from urllib.parse import urlsplit

# Short enough for fast fault tests, long enough for a loaded 2-core CI machine.
TIMEOUT = 0.5


class ManualClock:
    """A clock the test steps by hand; the simulator's PTZ motion runs on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def http_port(endpoints: dict[str, str]) -> int:
    port = urlsplit(endpoints["http"]).port
    assert port is not None
    return port
