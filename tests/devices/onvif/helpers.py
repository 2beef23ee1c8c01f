"""Helpers shared by the ONVIF tests."""

from __future__ import annotations

from urllib.parse import urlsplit

# Short enough for fast fault tests, long enough for a loaded 2-core CI machine.
TIMEOUT = 0.5


def http_port(endpoints: dict[str, str]) -> int:
    port = urlsplit(endpoints["http"]).port
    assert port is not None
    return port
