"""VP8 picture ID and TL0PICIDX rewriting, so a subscriber sees one continuous VP8 stream.

When a subscriber's stream moves to another source (a layer switch, a new publisher, slides
forwarded key frame by key frame), the VP8 payload descriptor (RFC 7741 §4.2) still carries
the new source's picture IDs. A receiver that tracks them (libwebrtc's frame reference finder
does) would see a jump; the relay therefore keeps an offset per segment, like the RTP
sequence number offset (classroom/relay/rewriter.py): on a new segment the next picture ID is
the last one sent plus one, and TL0PICIDX likewise. Only the descriptor's bytes change; the
frame itself is never touched. Pure sans-I/O code.
"""

from __future__ import annotations

_PID_MOD = 1 << 15
_PID_HALF = 1 << 14


def _fields(payload: bytes) -> tuple[int, int, int] | None:
    """(picture id offset or -1, picture id width in bits (7/15, 0: none), TL0PICIDX offset or -1)."""
    if len(payload) < 2 or not payload[0] & 0x80:
        return None
    x = payload[1]
    i = 2
    pid_at, width, tl0_at = -1, 0, -1
    if x & 0x80:
        if len(payload) <= i:
            return None
        pid_at = i
        width = 15 if payload[i] & 0x80 else 7
        i += 2 if width == 15 else 1
    if x & 0x40:
        if len(payload) <= i:
            return None
        tl0_at = i
    return pid_at, width, tl0_at


class Vp8Rewriter:
    """Per outgoing stream: maps each segment's picture IDs and TL0PICIDX onto a continuous run."""

    __slots__ = ("pid_offset", "tl0_offset", "last_pid", "last_tl0", "started", "_last_plain")

    def __init__(self) -> None:
        self.pid_offset = 0
        self.tl0_offset = 0
        self.last_pid: int | None = None
        self.last_tl0: int | None = None
        self.started = False
        # While both offsets are 0 (a stream that never switched) packets go out as they are
        # and only the last one is kept: the continuation point is read from it at a resync.
        self._last_plain: bytes | None = None

    def resync(self, payload: bytes) -> None:
        """A new segment starts with this packet (a key frame): continue from what was sent."""
        self._settle()
        fields = _fields(payload)
        if fields is None:
            return
        pid_at, width, tl0_at = fields
        if pid_at >= 0:
            in_pid = self._read_pid(payload, pid_at, width)
            self.pid_offset = 0 if self.last_pid is None else (self.last_pid + 1 - in_pid) % _PID_MOD
        if tl0_at >= 0:
            in_tl0 = payload[tl0_at]
            self.tl0_offset = 0 if self.last_tl0 is None else (self.last_tl0 + 1 - in_tl0) & 0xFF
        self.started = True

    def rewrite(self, payload: bytes, resent: bool = False) -> bytes:
        """The payload with its picture ID and TL0PICIDX mapped (as is when it carries neither).

        `resent`: a retransmission (older than what was sent), which never moves the
        continuation point."""
        head, cut = self.head(payload, resent)
        return head + payload[cut:] if cut else payload

    def head(self, payload: bytes, resent: bool = False) -> tuple[bytes, int]:
        """The rewritten descriptor and where the payload's unchanged rest starts (0: the
        payload goes out as it is); the caller joins them without copying the payload twice."""
        if not self.pid_offset and not self.tl0_offset:
            if not resent:
                self._last_plain = payload
            return b"", 0
        if len(payload) > 4 and payload[0] & 0x80 and payload[1] & 0xC0 == 0x80 and payload[2] & 0x80:
            # The usual shape (browsers, aiortc): a 15-bit picture ID and no TL0PICIDX.
            out = ((((payload[2] & 0x7F) << 8) | payload[3]) + self.pid_offset) % _PID_MOD
            last = self.last_pid
            if not resent and (last is None or ((out - last) % _PID_MOD) < _PID_HALF):
                self.last_pid = out
            return bytes((payload[0], payload[1], 0x80 | (out >> 8), out & 0xFF)), 4
        fields = _fields(payload)
        if fields is None:
            return b"", 0
        pid_at, width, tl0_at = fields
        head = bytearray(payload[: max(pid_at + (2 if width == 15 else 1), tl0_at + 1)])
        if pid_at >= 0:
            out = (self._read_pid(payload, pid_at, width) + self.pid_offset) % _PID_MOD
            if width == 15:
                head[pid_at] = 0x80 | (out >> 8)
                head[pid_at + 1] = out & 0xFF
            else:
                out &= 0x7F
                head[pid_at] = out
            last = self.last_pid
            if last is None or ((out - last) % _PID_MOD) < _PID_HALF:
                self.last_pid = out
        if tl0_at >= 0:
            tl0 = (payload[tl0_at] + self.tl0_offset) & 0xFF
            head[tl0_at] = tl0
            last_tl0 = self.last_tl0
            if last_tl0 is None or ((tl0 - last_tl0) & 0xFF) < 0x80:
                self.last_tl0 = tl0
        return bytes(head), len(head)

    def _settle(self) -> None:
        """Take the continuation point from the last packet sent unchanged."""
        last, self._last_plain = self._last_plain, None
        if last is not None:
            pid, tl0 = picture_id(last), tl0picidx(last)
            if pid is not None:
                self.last_pid = pid
            if tl0 is not None:
                self.last_tl0 = tl0

    @staticmethod
    def _read_pid(payload: bytes, at: int, width: int) -> int:
        if width == 15:
            return ((payload[at] & 0x7F) << 8) | payload[at + 1]
        return payload[at] & 0x7F


def picture_id(payload: bytes) -> int | None:
    """The VP8 picture ID of a packet (None without one): for tests and diagnostics."""
    fields = _fields(payload)
    if fields is None or fields[0] < 0:
        return None
    return Vp8Rewriter._read_pid(payload, fields[0], fields[1])


def tl0picidx(payload: bytes) -> int | None:
    fields = _fields(payload)
    if fields is None or fields[2] < 0:
        return None
    return payload[fields[2]]
