"""The audit used to prove the server never decodes must itself catch decoders and encoders."""

import subprocess
import sys
import textwrap

from tests.support import codec_audit


def test_audit_sees_every_codec_class():
    names = {cls.__name__ for cls in codec_audit.codec_classes()}
    assert {"Vp8Decoder", "Vp8Encoder", "H264Decoder", "H264Encoder", "OpusDecoder", "OpusEncoder"} <= names


def test_audit_records_a_decoder_and_an_encoder(tmp_path):
    log = tmp_path / "codecs.log"
    # In a child process: the audit patches aiortc for good.
    code = textwrap.dedent(
        f"""
        from pathlib import Path
        from tests.support import codec_audit
        codec_audit.install(Path({str(log)!r}))
        import aiortc.rtcrtpreceiver as r, aiortc.rtcrtpsender as s
        from aiortc.rtcrtpparameters import RTCRtpCodecParameters
        r.get_decoder(RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96))
        s.get_encoder(RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111))
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    recorded = [what for what, _ in codec_audit.recorded(log) if what != "CodecContext.create"]
    assert recorded == ["installed", "get_decoder", "Vp8Decoder", "get_encoder", "OpusEncoder"]


def test_audit_records_pyav_codec_contexts_but_not_codecless_muxing(tmp_path):
    log = tmp_path / "codecs.log"
    code = textwrap.dedent(
        f"""
        import io
        from pathlib import Path
        from tests.support import codec_audit
        codec_audit.install(Path({str(log)!r}))
        import av
        out = av.open(io.BytesIO(), "w", format="webm")
        out.add_mux_stream("vp8", width=320, height=240)
        out.add_stream("libopus", rate=48000)
        av.CodecContext.create("vp8", "r")
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert [what for what, _ in codec_audit.recorded(log)] == [
        "installed",
        "OutputContainer.add_stream",
        "CodecContext.create",
    ]


def test_audit_tells_packing_from_encoding(tmp_path):
    """The room agent's passthrough packs H.264 with an encoder object: only encode() counts."""
    log = tmp_path / "codecs.log"
    code = textwrap.dedent(
        f"""
        from fractions import Fraction
        from pathlib import Path
        from tests.support import codec_audit
        codec_audit.install(Path({str(log)!r}))
        import av
        from aiortc.codecs.h264 import H264Encoder
        from signaling.agent.placeholder import placeholder_packet
        encoder = H264Encoder()
        encoder.pack(placeholder_packet(0))
        frame = av.VideoFrame(64, 48, "yuv420p")
        frame.pts, frame.time_base = 0, Fraction(1, 90000)
        encoder.encode(frame)
        encoder.encode(frame)
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert [what for what, _ in codec_audit.recorded(log)] == [
        "installed",
        "H264Encoder",
        "H264Encoder.encode",
        "CodecContext.create",  # the libx264 context, made by the first encode() only
    ]
