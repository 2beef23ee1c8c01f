"""A structural check of SDP from participants, before aiortc sees it.

aiortc's parser accepts almost anything (a string without any media section parses as an
empty session) and fails on other input with bare assertions. Checking the shape at the edge
gives the participant a clear reason and keeps nonsense out of the negotiation state.
"""

from __future__ import annotations

import re

_LINE = re.compile(r"^[a-z]=.*$")
_MEDIA = re.compile(r"^m=(audio|video|application) \d{1,5}(/\d+)? [A-Z/]+( [\w-]+)+$")


def check_session(sdp: str) -> None:
    """Raise ValueError naming the first problem in an offer or answer."""
    lines = [line for line in sdp.replace("\r\n", "\n").split("\n") if line]
    if not lines or lines[0] != "v=0":
        raise ValueError("SDP must start with 'v=0'")
    media = 0
    for number, line in enumerate(lines, start=1):
        if not _LINE.match(line):
            raise ValueError(f"SDP line {number} is not of the form 'x=value'")
        if line.startswith("m="):
            if not _MEDIA.match(line):
                raise ValueError(f"SDP line {number} is not a valid media section: {line[:60]!r}")
            media += 1
    if not any(line.startswith("o=") for line in lines):
        raise ValueError("SDP has no origin line (o=)")
    if media == 0:
        raise ValueError("SDP has no media section")
