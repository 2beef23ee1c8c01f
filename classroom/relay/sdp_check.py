"""What the relay reads from participants' SDP itself, before aiortc sees it.

aiortc's parser accepts almost anything (a string without any media section parses as an
empty session) and fails on other input with bare assertions. Checking the shape at the edge
gives the participant a clear reason and keeps nonsense out of the negotiation state.

aiortc also reads a track's id from `a=msid` only when its stream is listed in the session's
`a=msid-semantic: WMS` line, which browsers leave empty for tracks sent without a stream;
`track_ids` reads it from every media section.

Every media section must name itself with exactly one `a=mid` (RFC 8843; browsers always
do), and no two sections may share one: aiortc pairs the sections of offer and answer by mid,
and without this check a missing, repeated or shared mid fails deep inside it instead of
being refused as invalid SDP. Likewise a BUNDLE group must name only sections that exist:
aiortc leaves a section bundled to a missing one without a transport.
"""

from __future__ import annotations

import re

_LINE = re.compile(r"^[a-z]=.*$")
_MEDIA = re.compile(r"^m=(audio|video|application) \d{1,5}(/\d+)? [A-Z/]+( [\w-]+)+$")
_MID = re.compile(r"^a=mid:([\w!#$%&'*+.^`|~-]{1,32})$")  # a token (RFC 5888), as long as sdpMid may be


def check_session(sdp: str) -> None:
    """Raise ValueError naming the first problem in an offer or answer."""
    lines = [line for line in sdp.replace("\r\n", "\n").split("\n") if line]
    if not lines or lines[0] != "v=0":
        raise ValueError("SDP must start with 'v=0'")
    media = 0
    mids: list[list[str]] = []  # per media section
    bundles: list[list[str]] = []
    for number, line in enumerate(lines, start=1):
        if not _LINE.match(line):
            raise ValueError(f"SDP line {number} is not of the form 'x=value'")
        if line.startswith("m="):
            if not _MEDIA.match(line):
                raise ValueError(f"SDP line {number} is not a valid media section: {line[:60]!r}")
            media += 1
            mids.append([])
        elif line.startswith("a=mid:"):
            mid = _MID.match(line)
            if mid is None:
                raise ValueError(f"SDP line {number} is not a valid a=mid line: {line[:60]!r}")
            if not mids:
                raise ValueError(f"SDP line {number}: a=mid outside a media section")
            mids[-1].append(mid.group(1))
        elif line.startswith("a=group:BUNDLE"):
            bundles.append(line[len("a=group:BUNDLE"):].split())
    if not any(line.startswith("o=") for line in lines):
        raise ValueError("SDP has no origin line (o=)")
    if media == 0:
        raise ValueError("SDP has no media section")
    _check_mids(mids)
    _check_bundles(bundles, {section[0] for section in mids})


def _check_bundles(bundles: list[list[str]], mids: set[str]) -> None:
    """Each BUNDLE group names existing sections, each section in one group at most (RFC 8843)."""
    grouped: set[str] = set()
    for tags in bundles:
        for tag in tags:
            if tag not in mids:
                raise ValueError(f"SDP BUNDLE group names {tag[:32]!r}, which no media section has as its mid")
            if tag in grouped:
                raise ValueError(f"SDP mid {tag[:32]!r} is in more than one BUNDLE group")
            grouped.add(tag)


def _check_mids(mids: list[list[str]]) -> None:
    seen: set[str] = set()
    for number, section in enumerate(mids, start=1):
        if len(section) != 1:
            what = "no a=mid line" if not section else f"{len(section)} a=mid lines"
            raise ValueError(f"SDP media section {number} has {what}; it needs exactly one")
        if section[0] in seen:
            raise ValueError(f"SDP media sections share the mid {section[0]!r}")
        seen.add(section[0])


def track_ids(sdp: str) -> dict[str, str]:
    """mid → the track id of the section's `a=msid:<stream> <track>` (RFC 8830)."""
    found: dict[str, str] = {}
    mid = msid = None
    for line in sdp.replace("\r\n", "\n").split("\n") + ["m="]:
        if line.startswith("m="):
            if mid is not None and msid is not None:
                found[mid] = msid
            mid = msid = None
        elif line.startswith("a=mid:"):
            mid = line[6:].strip()
        elif line.startswith("a=msid:"):
            parts = line[7:].split()
            if len(parts) == 2:
                msid = parts[1]
    return found
