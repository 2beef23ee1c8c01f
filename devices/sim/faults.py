"""The fault knobs every device simulator offers, and what they make of one reply.

Simulators are a product feature (technicians try a rooms file with no hardware) and the
peers of the driver tests; the knobs let a test or a demo make a device slow, busy, silent,
garbled or gone, while it runs.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass, fields


class Outcome(enum.Enum):
    """What a simulator does with one reply once the fault knobs have had their say."""

    SEND = "send"
    SILENT = "silent"
    DROP = "drop"  # close the connection (TCP) or go quiet (a serial line cannot hang up)


@dataclass
class Faults:
    """Knobs flipped on a running simulator; they apply to every connection from then on.

    no_answer: read commands and never reply. delay: seconds before each reply (slow answer).
    busy: reply with the protocol's busy or refusal (PJLink ERR3, MDC NAK, Shure REP ERR).
    garbage: reply with bytes that are not a frame. drop: hang up when a command arrives.
    truncate: send only the first half of each reply (a frame cut short), then nothing.
    bad_checksum: send each reply with its last byte changed (MDC: a wrong checksum).
    """

    no_answer: bool = False
    delay: float = 0.0
    busy: bool = False
    garbage: bool = False
    drop: bool = False
    truncate: bool = False
    bad_checksum: bool = False

    def clear(self) -> None:
        for f in fields(self):
            setattr(self, f.name, f.default)

    async def outcome(self) -> Outcome:
        """Wait out the delay knob, then say whether to send, stay silent or hang up."""
        if self.drop:
            return Outcome.DROP
        if self.no_answer:
            return Outcome.SILENT
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        return Outcome.SEND

    def shape(self, reply: bytes, busy: bytes, garbage: bytes) -> bytes:
        """The bytes to send instead of `reply` under the busy/garbage knobs."""
        if self.garbage:
            return garbage
        if self.busy:
            return busy
        if self.truncate and reply:
            return reply[: max(1, len(reply) // 2)]
        if self.bad_checksum and reply:
            return reply[:-1] + bytes([reply[-1] ^ 0x5A])
        return reply
