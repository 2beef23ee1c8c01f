"""Layered cameras in the class: others see one track, the relay gets every layer, the
publisher is told which layers anyone receives, and links are reported (issue 19)."""

from __future__ import annotations

import pytest

from classroom.errors import NotAllowed
from classroom.events import LayersChanged, LinkChanged, LinkQualities, TrackPublished, TrackUnpublished
from classroom.relay.adaptation import LinkReport
from classroom.relay.forwarding import DownTrack
from classroom.relay.layers import Priority
from classroom.roles import Role, Source
from signaling.ws.messages import ErrorCode, MessageError, parse_client_message
from tests.classroom.test_live_class import OPUS, VP8, Harness


async def publish_layered(h: Harness, publisher, *, with_mic: bool = True) -> None:
    h.live.declare_tracks(publisher, [("cam", Source.CAMERA)] + ([("mic", Source.MICROPHONE)] if with_mic else []))
    h.live.declare_layers(publisher, [("cam-m", Source.CAMERA, "cam", "medium"), ("cam-l", Source.CAMERA, "cam", "low")])
    # the low layer's m-line comes first: a layer may arrive before its high track
    h.peers[publisher.id].next_tracks = [("cam-l", VP8), ("cam", VP8), ("cam-m", VP8)] + ([("mic", OPUS)] if with_mic else [])
    await h.live.publish_offer(publisher, "offer")


async def test_others_see_only_the_high_track_and_the_relay_gets_every_layer() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    trainee, inbox = await h.join(Role.TRAINEE, "Học viên")
    await publish_layered(h, lecturer)
    assert {e.track.track_id for e in inbox.of(TrackPublished)} == {"cam", "mic"}
    assert set(lecturer.published) == {"cam", "mic"} and lecturer.view().tracks[0].track_id == "cam"
    peer = h.peers[trainee.id]
    assert set(peer.subscribed) == {(lecturer.id, "cam"), (lecturer.id, "mic")}
    layers, priority = peer.adapted[(lecturer.id, "cam")]
    assert set(layers) == {"high", "medium", "low"} and priority is Priority.LECTURER
    assert layers["low"].track_id == "cam-l"
    assert peer.adapted[(lecturer.id, "mic")][1] is Priority.AUDIO


async def test_unpublishing_the_high_track_ends_its_layers() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    trainee, inbox = await h.join(Role.TRAINEE, "Học viên")
    await publish_layered(h, lecturer)
    h.live.withdraw_tracks(lecturer, ["cam"])
    assert inbox.of(TrackUnpublished) == [TrackUnpublished(lecturer.id, "cam")]
    assert set(h.peers[lecturer.id].ended) == {"cam", "cam-m", "cam-l"}
    assert (lecturer.id, "cam") not in h.peers[trainee.id].subscribed


async def test_withdrawing_one_layer_leaves_the_others() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    trainee, inbox = await h.join(Role.TRAINEE, "Học viên")
    await publish_layered(h, lecturer)
    h.live.withdraw_tracks(lecturer, ["cam-m"])
    assert not inbox.of(TrackUnpublished)
    assert set(h.peers[trainee.id].adapted[(lecturer.id, "cam")][0]) == {"high", "low"}


async def test_only_a_camera_has_lower_layers() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    with pytest.raises(NotAllowed):
        h.live.declare_layers(lecturer, [("s-l", Source.SCREEN, "s", "low")])
    with pytest.raises(NotAllowed):
        h.live.declare_layers(lecturer, [("c2", Source.CAMERA, "cam", "high")])


async def test_no_camera_video_keeps_the_slides_and_save_data_reaches_the_relay() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    trainee, _ = await h.join(Role.TRAINEE, "Học viên")
    await h.publish(lecturer, ("cam", Source.CAMERA), ("screen", Source.SCREEN), ("mic", Source.MICROPHONE))
    peer = h.peers[trainee.id]
    h.live.receive_video(trainee, False, save_data=True)
    assert set(peer.subscribed) == {(lecturer.id, "screen"), (lecturer.id, "mic")}
    assert peer.save_data and peer.adapted[(lecturer.id, "screen")][1] is Priority.SCREEN
    h.live.set_view(trainee, [("screen", 640, 360)])
    assert peer.tiles == {"screen": (640, 360)}


async def test_the_floor_holder_s_camera_comes_before_the_lecturer_s() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    trainee, _ = await h.join(Role.TRAINEE, "Học viên")
    other, _ = await h.join(Role.TRAINEE, "Học viên 2")
    await h.publish(trainee, ("t-cam", Source.CAMERA))
    h.live.give_floor(lecturer, trainee.id)
    assert h.peers[other.id].adapted[(trainee.id, "t-cam")][1] is Priority.FLOOR
    h.live.take_back_floor(lecturer, trainee.id)
    assert (trainee.id, "t-cam") not in h.peers[other.id].adapted
    assert h.peers[lecturer.id].adapted[(trainee.id, "t-cam")][1] is Priority.OTHER


async def test_link_reports_go_to_the_subscriber_lecturers_and_publishers() -> None:
    h = Harness()
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Giảng viên")
    trainee, inbox = await h.join(Role.TRAINEE, "Học viên")
    await publish_layered(h, lecturer)
    up = lecturer.published["cam"].layer_map()
    # the trainee's stream is fed by the low layer (as the relay would bind it)
    DownTrack("video", 90000, sink=None).bind(up["low"])  # type: ignore[arg-type]
    report = LinkReport("poor", True, 280, (((lecturer.id, "cam"), "low"),), camera="low")
    h.peers[trainee.id].link_listener(report)
    assert inbox.of(LinkChanged) == [LinkChanged("poor", True, 280, (("cam", "low"),))]
    h.peers[trainee.id].link_listener(report)  # unchanged: not sent again
    assert len(inbox.of(LinkChanged)) == 1
    (layers,) = lecturer_inbox.of(LayersChanged)
    assert dict(layers.tracks) == {"cam": False, "cam-m": False, "cam-l": True}
    (qualities,) = lecturer_inbox.of(LinkQualities)
    assert [(p.participant_id, p.quality, p.layer, p.estimate_kbps) for p in qualities.participants] == [
        (trainee.id, "poor", "low", 280)
    ]


def test_the_wire_carries_layers_view_and_save_data() -> None:
    publish = parse_client_message(
        '{"type":"publish","tracks":[{"track_id":"c","source":"camera"},'
        '{"track_id":"c-l","source":"camera","layer_of":"c","quality":"low"}]}',
        65536,
    )
    assert publish.tracks[1].layer_of == "c" and publish.tracks[0].quality == "high"  # type: ignore[union-attr]
    view = parse_client_message('{"type":"view","tracks":[{"track_id":"c","width":0,"height":0}]}', 65536)
    assert view.tracks[0].width == 0  # type: ignore[union-attr]
    receive = parse_client_message('{"type":"receive","video":true,"save_data":true}', 65536)
    assert receive.save_data  # type: ignore[union-attr]
    for bad in (
        '{"type":"view","tracks":[{"track_id":"c","width":9000,"height":10}]}',
        '{"type":"view","tracks":[' + ",".join(['{"track_id":"c","width":1,"height":1}'] * 33) + "]}",
        '{"type":"publish","tracks":[{"track_id":"c","source":"camera","quality":"huge"}]}',
    ):
        with pytest.raises(MessageError) as error:
            parse_client_message(bad, 65536)
        assert error.value.code is ErrorCode.BAD_MESSAGE
