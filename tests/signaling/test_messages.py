"""The signaling schema: every kind of bad input becomes one stable error code."""

import json

import pytest

from signaling.ws.messages import (
    PROTOCOL_VERSION,
    ClassEnded,
    ClassSettingsInfo,
    ClassStateInfo,
    LiveClassInfo,
    ClientOffer,
    Error,
    ErrorCode,
    Join,
    Joined,
    Limits,
    ParticipantInfo,
    ServerOffer,
    MessageError,
    SubscribedTrack,
    encode,
    parse_client_message,
    parse_server_message,
)

LIMIT = 65536


def parse(data):
    raw = data if isinstance(data, (str, bytes)) else json.dumps(data)
    return parse_client_message(raw, LIMIT)


def code_of(data) -> ErrorCode:
    with pytest.raises(MessageError) as info:
        parse(data)
    return info.value.code


def test_valid_join():
    message = parse({"type": "join", "v": PROTOCOL_VERSION, "token": "abc", "name": "Nguyễn Văn A"})
    assert isinstance(message, Join) and message.name == "Nguyễn Văn A"


@pytest.mark.parametrize("raw", ["{", "not json", b"\xff\xfe", "{'single': 'quotes'}"])
def test_malformed_json(raw):
    assert code_of(raw) is ErrorCode.BAD_JSON


@pytest.mark.parametrize("raw", ["[]", "42", '"join"', "null"])
def test_not_an_object(raw):
    assert code_of(raw) is ErrorCode.BAD_MESSAGE


def test_unknown_type_names_the_type():
    with pytest.raises(MessageError) as info:
        parse({"type": "teleport"})
    assert info.value.code is ErrorCode.UNKNOWN_TYPE and "teleport" in info.value.message
    assert not info.value.fatal


def test_missing_type():
    assert code_of({"token": "x"}) is ErrorCode.BAD_MESSAGE


@pytest.mark.parametrize(
    "data",
    [
        {"type": "join", "v": "one", "token": "t"},  # wrong type
        {"type": "join", "v": 1},  # missing field
        {"type": "join", "v": 1, "token": "t", "admin": True},  # unknown field
        {"type": "join", "v": 1, "token": ""},  # empty token
        {"type": "join", "v": 1, "token": "t", "name": "x" * 81},  # too long a name
        {"type": "join", "v": 1, "token": "t", "client_id": "has spaces"},
        {"type": "publish", "tracks": []},
        {"type": "publish", "tracks": [{"track_id": "a", "source": "hologram"}]},
        {"type": "publish", "tracks": [{"track_id": "a b", "source": "camera"}]},
        {"type": "offer", "transport": "subscribe", "sdp": "v=0"},  # clients offer on publish only
        {"type": "answer", "transport": "publish", "sdp": "v=0"},
        {"type": "candidate", "transport": "publish"},  # candidate missing (null is explicit)
        {"type": "candidate", "transport": "publish", "candidate": {"candidate": "x" * 600}},
        {"type": "mute", "track_id": "a", "muted": "yes please"},
        {"type": "ping", "ts": "now"},
    ],
)
def test_wrong_fields(data):
    with pytest.raises(MessageError) as info:
        parse(data)
    assert info.value.code is ErrorCode.BAD_MESSAGE
    assert info.value.ref == data["type"]


def test_error_message_says_where():
    with pytest.raises(MessageError) as info:
        parse({"type": "join", "v": "one", "token": "t"})
    assert info.value.message.startswith("v:")


def test_oversized_message_is_fatal_before_parsing():
    with pytest.raises(MessageError) as info:
        parse_client_message("x" * (LIMIT + 1), LIMIT)
    assert info.value.code is ErrorCode.TOO_LARGE and info.value.fatal


def test_size_limit_counts_utf8_bytes():
    name = "ệ" * 30  # 3 bytes each
    raw = json.dumps({"type": "join", "v": 1, "token": "t", "name": name}, ensure_ascii=False)
    with pytest.raises(MessageError):
        parse_client_message(raw, len(raw) + 10)


def test_sdp_size_is_bounded():
    assert code_of({"type": "offer", "transport": "publish", "sdp": "v" * 61_000}) is ErrorCode.BAD_MESSAGE
    assert isinstance(parse({"type": "offer", "transport": "publish", "sdp": "v=0"}), ClientOffer)


def test_end_of_candidates_is_null():
    assert parse({"type": "candidate", "transport": "subscribe", "candidate": None}).candidate is None


def test_server_messages_round_trip():
    joined = Joined(
        participant=ParticipantInfo(id="p1", role="trainee", name="A"),
        class_=LiveClassInfo(id="c1", title="Lớp bồi dưỡng"),
        participants=[],
        state=ClassStateInfo(
            settings=ClassSettingsInfo(chat=True, locked=False, lobby=False, auto_admit_personal=True, floor_screen_share=False),
            hands=[],
            floor=[],
            blocks=[],
        ),
        chat=[],
        ice_servers=[],
        limits=Limits(max_message_bytes=1, rate_per_second=2, keepalive_timeout_s=3),
    )
    text = encode(joined)
    assert json.loads(text)["class"]["title"] == "Lớp bồi dưỡng"
    assert parse_server_message(text) == joined
    offer = ServerOffer(
        sdp="v=0",
        tracks=[SubscribedTrack(mid="0", participant_id="p", track_id="t", source="camera", kind="video")],
        fresh=True,
    )
    assert parse_server_message(encode(offer)) == offer
    for message in (ClassEnded(), Error(code=ErrorCode.RATE_LIMITED, message="slow down")):
        assert parse_server_message(encode(message)) == message
