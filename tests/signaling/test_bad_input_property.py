"""No client input is a server bug: generated messages and SDP through the real `Connection` and hub.

Whatever a client sends (valid-shaped messages of every type, the same mutated, garbage
frames, before and after `join`; publish offers mutated from a browser's), the server never
answers `internal`, never logs a traceback, and the socket either stays usable (a ping is
answered) or closes with a documented code.

Example counts are modest so the file runs in well under a minute on a busy machine.
"""

from __future__ import annotations

import json
import logging
import string
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from signaling.ws.messages import ClientRequest
from tests.support.signaling_harness import DOCUMENTED_CLOSE_CODES, Session, SignalingBench, browser_offer, signaling_bench

pytestmark = pytest.mark.webrtc

OFFER = browser_offer()
OFFER_TRACKS = ["0f3e6c2a-1b7d-4e5f-8a9b-c0d1e2f3a4b5", "7d4c2b1a-9e8f-4a6b-b5c4-d3e2f1a0b9c8"]
CANDIDATE = "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host"


class Problems(logging.Handler):
    """Records that mean a server bug: errors and anything with a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignalingBench]:
    with signaling_bench(tmp_path_factory.mktemp("property") / "data") as b:
        yield b


@pytest.fixture
def problems() -> Iterator[Problems]:
    handler = Problems()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


# ---- messages ----------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
track_ids = st.sampled_from(OFFER_TRACKS) | st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=12)
sources = st.sampled_from(["camera", "microphone", "screen", "screen_audio"])
sdps = st.sampled_from([OFFER, "v=0", "", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"]) | st.text(max_size=60)
candidates = st.none() | st.fixed_dictionaries(
    {"candidate": st.sampled_from([CANDIDATE, "", "a=" + CANDIDATE, "candidate:"]) | st.text(max_size=40)},
    optional={"sdpMid": st.none() | st.sampled_from(["0", "1", "9"]), "sdpMLineIndex": st.none() | st.integers(0, 255)},
)

ids = st.sampled_from(["p1", "nobody", ""]) | st.text(max_size=12)
moderated = st.sampled_from(["microphone", "camera", "screen"])

# One strategy per client message type (a test below checks none is missing).
SHAPES = {
    "join": st.fixed_dictionaries({"type": st.just("join"), "v": st.sampled_from([1, 2]), "token": st.text(min_size=1, max_size=20)}),
    "publish": st.fixed_dictionaries(
        {
            "type": st.just("publish"),
            "tracks": st.lists(
                st.fixed_dictionaries(
                    {"track_id": track_ids, "source": sources},
                    optional={"layer_of": st.none() | track_ids, "quality": st.sampled_from(["high", "medium", "low", "huge"])},
                ),
                min_size=1,
                max_size=3,
            ),
        }
    ),
    "unpublish": st.fixed_dictionaries({"type": st.just("unpublish"), "track_ids": st.lists(track_ids, min_size=1, max_size=3)}),
    "offer": st.fixed_dictionaries({"type": st.just("offer"), "transport": st.just("publish"), "sdp": sdps}),
    "answer": st.fixed_dictionaries({"type": st.just("answer"), "transport": st.just("subscribe"), "sdp": sdps}),
    "candidate": st.fixed_dictionaries({"type": st.just("candidate"), "transport": st.sampled_from(["publish", "subscribe"]), "candidate": candidates}),
    "mute": st.fixed_dictionaries({"type": st.just("mute"), "track_id": track_ids, "muted": st.booleans()}),
    "receive": st.fixed_dictionaries({"type": st.just("receive"), "video": st.booleans()}, optional={"save_data": st.booleans()}),
    "view": st.fixed_dictionaries(
        {
            "type": st.just("view"),
            "tracks": st.lists(
                st.fixed_dictionaries({"track_id": track_ids, "width": st.integers(-1, 8000), "height": st.integers(-1, 5000)}),
                max_size=34,
            ),
        }
    ),
    "end_class": st.fixed_dictionaries({"type": st.just("end_class")}),
    "ping": st.fixed_dictionaries({"type": st.just("ping"), "ts": st.none() | st.floats(allow_nan=False)}),
    "leave": st.fixed_dictionaries({"type": st.sampled_from(["leave", "teleport", "JOIN", ""])}),
    "chat": st.fixed_dictionaries({"type": st.just("chat"), "text": st.text(max_size=1100)}, optional={"to": st.none() | ids}),
    "hand": st.fixed_dictionaries({"type": st.just("hand"), "raised": st.booleans()}, optional={"participant_id": st.none() | ids}),
    "floor": st.fixed_dictionaries({"type": st.just("floor"), "participant_id": ids, "give": st.booleans()}),
    "react": st.fixed_dictionaries({"type": st.just("react"), "reaction": st.sampled_from(["clap", "heart", "boo"]) | st.text(max_size=40)}),
    "block": st.fixed_dictionaries(
        {"type": st.just("block"), "participant_id": st.none() | ids, "source": moderated}, optional={"may_resume": st.booleans()}
    ),
    "allow": st.fixed_dictionaries({"type": st.just("allow"), "participant_id": ids, "source": moderated}),
    "remove": st.fixed_dictionaries({"type": st.just("remove"), "participant_id": ids}),
    "readmit": st.fixed_dictionaries({"type": st.just("readmit"), "identity": st.text(max_size=140)}),
    "settings": st.fixed_dictionaries(
        {"type": st.just("settings")},
        optional={k: st.none() | st.booleans() for k in ("chat", "locked", "lobby", "auto_admit_personal", "floor_screen_share")},
    ),
    "admit": st.fixed_dictionaries({"type": st.just("admit"), "seat_id": ids, "admit": st.booleans()}),
    "quiz_start": st.fixed_dictionaries(
        {"type": st.just("quiz_start"), "kind": st.sampled_from(["poll", "quiz", "exam"]), "time_limit_s": st.integers(0, 100)},
        optional={
            "questions": st.lists(st.fixed_dictionaries(
                {"kind": st.sampled_from(["single", "multiple", "true_false", "short"]), "text": st.text(max_size=20)},
                optional={"options": st.lists(st.text(max_size=8), max_size=4), "correct": st.lists(st.integers(-1, 11), max_size=3)},
            ), max_size=3),
            "question_ids": st.lists(st.integers(0, 5), max_size=3),
            "draw": st.lists(st.fixed_dictionaries({"count": st.integers(0, 3)}, optional={"topic": st.none() | st.text(max_size=6)}), max_size=2),
            "anonymous": st.booleans(),
        },
    ),
    "quiz_answer": st.fixed_dictionaries(
        {"type": st.just("quiz_answer"), "quiz_id": ids, "question": st.integers(-1, 60), "choice": st.lists(st.integers(-1, 11), max_size=4)}
    ),
    "quiz_end": st.fixed_dictionaries({"type": st.just("quiz_end"), "quiz_id": ids}),
    "quiz_release": st.fixed_dictionaries({"type": st.just("quiz_release"), "quiz_id": ids}),
    "record": st.fixed_dictionaries({"type": st.just("record"), "on": st.booleans() | st.integers() | st.none()}),
}
valid_shaped = st.one_of(*SHAPES.values())


def test_every_client_message_type_is_generated() -> None:
    types = {typing.get_args(m.model_fields["type"].annotation)[0] for m in typing.get_args(ClientRequest)}
    assert set(SHAPES) == types


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    message = dict(draw(valid_shaped))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["drop", "add", "replace", "type"]))
        keys = sorted(message)
        if how == "drop" and keys:
            del message[draw(st.sampled_from(keys))]
        elif how == "add":
            message[draw(st.text(max_size=8))] = draw(json_values)
        elif how == "replace" and keys:
            message[draw(st.sampled_from(keys))] = draw(json_values)
        else:
            message["type"] = draw(json_values)
    return message


def frame_text(message: object) -> str:
    return json.dumps(message)


garbage = st.one_of(
    mutated().map(frame_text),
    valid_shaped.map(frame_text).flatmap(lambda text: st.integers(0, len(text)).map(lambda n: text[:n])),
    st.integers(100, 20_000).map(lambda depth: "[" * depth),
    st.integers(100, 5_000).map(lambda depth: '{"type": ' + "[" * depth + "]" * depth + "}"),
    json_values.map(frame_text),
    st.text(max_size=40),
    st.binary(max_size=40),
)
frames = valid_shaped.map(frame_text) | garbage


async def check(session: Session) -> None:
    """Nothing internal; the socket answers a ping, or closed with a documented code."""
    usable = await session.settled()
    codes = [e["code"] for e in session.socket.errors()]
    assert "internal" not in codes, session.socket.sent
    if not usable:
        assert session.socket.closed is not None and session.socket.closed[0] in DOCUMENTED_CLOSE_CODES, session.socket.closed
    await session.finish()
    assert session.socket.closed is not None and session.socket.closed[0] in DOCUMENTED_CLOSE_CODES, session.socket.closed


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(before=st.lists(garbage, max_size=3), after=st.lists(frames, min_size=1, max_size=5), offer_first=st.booleans())
def test_no_message_is_a_server_bug(
    bench: SignalingBench, problems: Problems, before: list[str | bytes], after: list[str | bytes], offer_first: bool
) -> None:
    async def scenario() -> None:
        class_id = bench.new_class()
        session = await bench.connect(class_id)
        for frame in before:  # garbage: a valid message other than join would end the session here
            await session.send(frame)
        await session.send(bench.join_frame(class_id))
        if offer_first:  # candidates, mutes and unpublishes then meet a real publish connection
            await session.send(json.dumps({"type": "offer", "transport": "publish", "sdp": OFFER}))
        for frame in after:
            await session.send(frame)
        await check(session)
        event("joined" if any(m["type"] == "joined" for m in session.socket.sent) else "closed before join")

    bench.run(scenario())
    assert not problems.records, [r.getMessage() for r in problems.records]


# ---- SDP ---------------------------------------------------------------------------------------

MUTATIONS = [
    "duplicate_line", "remove_line", "swap_lines", "garbage_line", "set_mid", "duplicate_section",
    "remove_section", "bundle", "fingerprint", "ssrc", "media_line", "truncate",
]


def sections(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each media section."""
    starts = [i for i, line in enumerate(lines) if line.startswith("m=")]
    return list(zip(starts, starts[1:] + [len(lines)], strict=True))


def mutate(sdp: str, steps: list[tuple[str, int, int, str]]) -> str:
    lines = sdp.split("\r\n")[:-1]
    for how, a, b, text in steps:
        n = len(lines)
        if n == 0:
            break
        i, j = a % n, b % n
        spans = sections(lines)
        if how == "duplicate_line":
            lines.insert(j, lines[i])
        elif how == "remove_line":
            del lines[i]
        elif how == "swap_lines":
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "garbage_line":
            lines.insert(i, text)
        elif how == "set_mid":
            mids = [k for k, line in enumerate(lines) if line.startswith("a=mid:")]
            if mids:
                lines[mids[a % len(mids)]] = "a=mid:" + (text or str(b % 3))
        elif how == "duplicate_section" and spans:
            start, end = spans[a % len(spans)]
            lines[end:end] = lines[start:end]
        elif how == "remove_section" and spans:
            start, end = spans[a % len(spans)]
            del lines[start:end]
        elif how == "bundle":
            groups = [k for k, line in enumerate(lines) if line.startswith("a=group:")]
            value = "a=group:BUNDLE " + " ".join(str(k % 4) for k in range(b % 4)) + text[:5]
            if groups:
                lines[groups[0]] = value
            else:
                lines.insert(min(4, n), value)
        elif how == "fingerprint":
            found = [k for k, line in enumerate(lines) if line.startswith("a=fingerprint:")]
            if found:
                lines[found[a % len(found)]] = "a=fingerprint:" + (text or "sha-256 ZZ")
        elif how == "ssrc":
            found = [k for k, line in enumerate(lines) if line.startswith("a=ssrc")]
            if found:
                k = found[a % len(found)]
                lines[k] = lines[k].split(":")[0] + ":" + (str(b * 1_000_003) if not text else text)
        elif how == "media_line" and spans:
            start, _ = spans[a % len(spans)]
            kind = ["audio", "video", "application"][b % 3]
            lines[start] = f"m={kind} {b % 70000} UDP/TLS/RTP/SAVPF {text or '96'}"
        elif how == "truncate":
            return "\r\n".join(lines)[: a % (len(sdp) + 1)]
    return "\r\n".join(lines) + "\r\n"


sdp_steps = st.lists(
    st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 10_000), st.integers(0, 10_000), st.text(string.printable, max_size=24)),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(steps=sdp_steps, then_candidate=st.booleans())
def test_no_publish_offer_is_a_server_bug(
    bench: SignalingBench, problems: Problems, steps: list[tuple[str, int, int, str]], then_candidate: bool
) -> None:
    sdp = mutate(OFFER, steps)

    async def scenario() -> None:
        session = await bench.joined()
        await session.send(json.dumps({"type": "offer", "transport": "publish", "sdp": sdp}))
        if then_candidate:
            candidate = {"candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0}
            await session.send(json.dumps({"type": "candidate", "transport": "publish", "candidate": candidate}))
        assert await session.settled(), session.socket.sent  # invalid_sdp never closes the socket
        assert {e["code"] for e in session.socket.errors()} <= {"invalid_sdp", "invalid_candidate", "bad_message", "not_allowed"}
        event("answered" if any(m["type"] == "answer" for m in session.socket.sent) else "refused")
        await check(session)

    bench.run(scenario())
    assert not problems.records, [r.getMessage() for r in problems.records]
