"""PJLink lines: round trips, lines from the standard, whole and byte by byte, junk, fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import DeviceBusy, DeviceRefused, Unsupported
from devices.pjlink.errors import ErrorCode, PJLinkProtocolError, UnavailableTime
from devices.pjlink.messages import (
    AuthFailure,
    Command,
    Greeting,
    Request,
    RequestDecoder,
    Response,
    ResponseDecoder,
)

# A session transcript in the shape of PJLink 1.04 §5.1's example (salt 498e4a67, password JBMIAProjectorLink).
SESSION = b"PJLINK 1 498e4a67\r%1POWR=OK\r%1POWR=3\r%1INPT=ERR2\r%1NAME=Room 101\r"
EXPECTED = [
    Greeting("498e4a67"),
    Response("POWR", "OK"),
    Response("POWR", "3"),
    Response("INPT", "ERR2"),
    Response("NAME", "Room 101"),
]


def test_request_bytes() -> None:
    assert Request(Command.POWR, "1").serialize() == b"%1POWR 1\r"
    assert Request(Command.INPT).serialize() == b"%1INPT ?\r"
    digest = "5d8409bc1c3fa39749434aa3a5c38682"
    assert Request(Command.POWR, "1").serialize(digest) == digest.encode() + b"%1POWR 1\r"


@pytest.mark.parametrize("line", [b"%1POWR 1\r", b"%1AVMT 31\r", b"%2INPT ?\r"])
def test_request_round_trip(line: bytes) -> None:
    request, digest = Request.parse(line)
    assert digest is None
    assert request.serialize() == line


def test_request_with_digest_parses() -> None:
    digest = "0123456789abcdef0123456789abcdef"
    request, got = Request.parse(digest.encode() + b"%1LAMP ?\r")
    assert (request, got) == (Request(Command.LAMP), digest)


@pytest.mark.parametrize(
    "response",
    [
        Response("POWR", "1"),
        Response("INST", "11 12 31 32"),
        Response("NAME", ""),
        Response("ERST", "000100"),
        Response("POWR", "ERR3", 1),
        Response("CLSS", "1", 2),
    ],
)
def test_response_round_trip(response: Response) -> None:
    assert Response.parse(response.serialize()) == response


def test_greetings() -> None:
    assert Greeting.parse(b"PJLINK 0\r") == Greeting(None)
    assert Greeting("498e4a67").serialize() == b"PJLINK 1 498e4a67\r"
    assert Greeting("498e4a67").auth_required
    assert AuthFailure().serialize() == b"PJLINK ERRA\r"


def test_error_values_map_to_the_taxonomy() -> None:
    assert Response("POWR", "1").result() == "1"
    assert Response("POWR", "ERR3").error is ErrorCode.UNAVAILABLE_TIME
    with pytest.raises(UnavailableTime) as caught:
        Response("POWR", "ERR3").result()
    assert isinstance(caught.value, DeviceBusy) and caught.value.command == "POWR"
    with pytest.raises(Unsupported):
        Response("LAMP", "ERR1").result()
    with pytest.raises(DeviceRefused):
        Response("INPT", "ERR2").result()
    with pytest.raises(DeviceRefused):
        Response("POWR", "ERR4").result()


@pytest.mark.parametrize(
    "bad",
    [
        b"POWR=1",
        b"%1POW=1",
        b"%1powr=1",
        b"%3POWR=1",
        b"%1POWR 1",
        b"PJLINK 2",
        b"PJLINK 1",
        b"PJLINK 1 ab cd",
        b"%1NAME=\xff",
    ],
)
def test_bad_projector_lines(bad: bytes) -> None:
    with pytest.raises(PJLinkProtocolError):
        ResponseDecoder().feed(bad + b"\r")


@pytest.mark.parametrize("bad", [b"%1POWR", b"%1POWR=1", b"POWR 1", b"%1POWR ", b"%9POWR 1"])
def test_bad_requests(bad: bytes) -> None:
    with pytest.raises(PJLinkProtocolError):
        RequestDecoder().feed(bad + b"\r")


def test_constructors_validate() -> None:
    with pytest.raises(PJLinkProtocolError):
        Request("POWER")
    with pytest.raises(PJLinkProtocolError):
        Request(Command.NAME, "x" * 129)
    with pytest.raises(PJLinkProtocolError):
        Request(Command.NAME, "")
    with pytest.raises(PJLinkProtocolError):
        Request(Command.POWR, "1").serialize("NOTHEX")
    with pytest.raises(PJLinkProtocolError):
        Greeting("salt with spaces")


def test_decoder_whole() -> None:
    assert ResponseDecoder().feed(SESSION) == EXPECTED


def test_decoder_byte_by_byte() -> None:
    decoder = ResponseDecoder()
    got = []
    for i in range(len(SESSION)):
        got += decoder.feed(SESSION[i : i + 1])
    assert got == EXPECTED
    assert decoder.buffered == 0


def test_decoder_tolerates_crlf_and_empty_lines() -> None:
    assert ResponseDecoder().feed(b"PJLINK 0\r\n\r\n%1POWR=0\r\n") == [
        Greeting(None),
        Response("POWR", "0"),
    ]


def test_trailing_partial_line_waits() -> None:
    decoder = ResponseDecoder()
    assert decoder.feed(b"%1POWR=1\r%1INP") == [Response("POWR", "1")]
    assert decoder.buffered == 5
    assert decoder.feed(b"T=31\r") == [Response("INPT", "31")]


def test_junk_line_is_dropped_and_good_lines_survive() -> None:
    decoder = ResponseDecoder()
    assert decoder.feed(b"%1POWR=1\rgarbage\r%1AVMT=30\r") == [Response("POWR", "1")]
    with pytest.raises(PJLinkProtocolError):
        decoder.feed(b"")
    assert decoder.feed(b"") == [Response("AVMT", "30")]


def test_line_without_end_is_bounded() -> None:
    decoder = ResponseDecoder()
    with pytest.raises(PJLinkProtocolError):
        decoder.feed(b"x" * 1000)
    assert decoder.buffered == 0
    assert decoder.feed(b"%1POWR=0\r") == [Response("POWR", "0")]


@given(st.binary(max_size=400))
def test_random_bytes_only_raise_protocol_error(data: bytes) -> None:
    for decoder in (ResponseDecoder(), RequestDecoder()):
        try:
            decoder.feed(data)
        except PJLinkProtocolError:
            pass


@given(st.lists(st.binary(max_size=40), max_size=20))
def test_random_chunks_never_lose_good_lines(chunks: list[bytes]) -> None:
    decoder = ResponseDecoder()
    for chunk in chunks:
        try:
            decoder.feed(chunk)
        except PJLinkProtocolError:
            pass
    # whatever came before, a clean CR resynchronises and the next line parses
    got: list[object] = []
    for _ in range(5):
        try:
            got += decoder.feed(b"\r%1POWR=1\r")
            break
        except PJLinkProtocolError:
            continue
    assert Response("POWR", "1") in got
