import pytest

from classroom.relay.sdp_check import check_session, track_ids

GOOD = (
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:1\r\n"
)


def test_accepts_a_browser_like_session():
    check_session(GOOD)
    check_session(GOOD.replace("t=0 0\r\n", "t=0 0\r\na=group:BUNDLE 0 1\r\n"))


@pytest.mark.parametrize(
    "sdp, reason",
    [
        ("", "v=0"),
        ("garbage", "v=0"),
        ("v=0\r\nthis is not sdp\r\n", "line 2"),
        ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n", "no media"),
        ("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n", "origin"),
        ("v=0\r\no=x\r\nm=video abc UDP 96\r\n", "line 3"),
        ("v=0\r\no=x\r\nm=text 9 RTP/AVP 96\r\n", "line 3"),
        (GOOD.replace("a=mid:0\r\n", ""), "section 1 has no a=mid"),
        (GOOD.replace("a=mid:0\r\n", "a=mid:0\r\na=mid:2\r\n"), "section 1 has 2 a=mid"),
        (GOOD.replace("a=mid:1", "a=mid:0"), "share the mid '0'"),
        (GOOD.replace("a=mid:0", "a=mid:"), "line 7 is not a valid a=mid"),
        (GOOD.replace("a=mid:0", "a=mid:" + "x" * 33), "line 7 is not a valid a=mid"),
        (GOOD.replace("s=-\r\n", "s=-\r\na=mid:9\r\n"), "outside a media section"),
        (GOOD.replace("t=0 0\r\n", "t=0 0\r\na=group:BUNDLE 0 2\r\n"), "BUNDLE group names '2'"),
        (GOOD.replace("t=0 0\r\n", "t=0 0\r\na=group:BUNDLE 0\r\na=group:BUNDLE 1 0\r\n"), "more than one BUNDLE"),
    ],
)
def test_refuses_with_a_reason(sdp, reason):
    with pytest.raises(ValueError, match=reason):
        check_session(sdp)


def test_track_ids_from_every_media_section_whatever_the_wms_line_says():
    sdp = (
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=msid-semantic: WMS\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=msid:- 6a1f-mic\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=msid:stream-1 9c2e-cam\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:2\r\n"
    )
    assert track_ids(sdp) == {"0": "6a1f-mic", "1": "9c2e-cam"}
