"""Messages between the server process and its media workers: length-prefixed JSON.

Sans-I/O framing (`encode`, `Decoder`) plus two stream helpers. Each message is a JSON object
with a type `t`; see signaling/workers/pool.py (server side) and signaling/workers/process.py (worker side).
"""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any

_LENGTH = struct.Struct("!I")
MAX_MESSAGE_BYTES = 8 * 1024 * 1024


class IpcError(Exception):
    """The other process sent something that is not a framed JSON object."""


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode()
    if len(body) > MAX_MESSAGE_BYTES:
        raise IpcError(f"message of {len(body)} bytes exceeds {MAX_MESSAGE_BYTES}")
    return _LENGTH.pack(len(body)) + body


class Decoder:
    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        self._buffer += data
        messages = []
        while len(self._buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self._buffer)
            if length > MAX_MESSAGE_BYTES:
                raise IpcError(f"announced message of {length} bytes exceeds {MAX_MESSAGE_BYTES}")
            end = _LENGTH.size + length
            if len(self._buffer) < end:
                break
            body = bytes(self._buffer[_LENGTH.size : end])
            del self._buffer[:end]
            try:
                message = json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise IpcError(f"not JSON: {exc}") from None
            if not isinstance(message, dict) or "t" not in message:
                raise IpcError("a message must be an object with a type 't'")
            messages.append(message)
        return messages


async def read_messages(reader: asyncio.StreamReader, decoder: Decoder) -> list[dict[str, Any]]:
    """The next messages; an empty list at end of stream."""
    while True:
        data = await reader.read(65536)
        if not data:
            return []
        messages = decoder.feed(data)
        if messages:
            return messages
