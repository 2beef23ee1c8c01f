"""docs/protocol.md and the schema (signaling/ws/messages.py) name the same messages and codes."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from signaling.ws.messages import ClientRequest, ErrorCode, ServerMessage

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")


def documented(heading: str) -> set[str]:
    """The first-column names (`like_this`) of the table under a `## heading`."""
    section = DOC.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M))


def types_of(union: object) -> set[str]:
    members = typing.get_args(typing.get_args(union)[0]) if typing.get_origin(union) is typing.Annotated else typing.get_args(union)
    return {typing.get_args(m.model_fields["type"].annotation)[0] for m in members}


def test_every_client_message_is_documented_and_nothing_else() -> None:
    assert documented("Client → server") == types_of(ClientRequest)


def test_every_server_message_is_documented_and_nothing_else() -> None:
    assert documented("Server → client") == types_of(ServerMessage)


def test_every_error_code_is_documented_and_nothing_else() -> None:
    assert documented("Errors") == {code.value for code in ErrorCode}
