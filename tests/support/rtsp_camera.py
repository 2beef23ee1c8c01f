"""A real RTSP camera on 127.0.0.1 for tests: GStreamer's RTSP server serving H.264 it encodes.

Run with Debian's /usr/bin/python3 (python3-gi and gir1.2-gst-rtsp-server-1.0 are Debian
packages; scripts/install.sh --test installs them), not the project's venv:

    /usr/bin/python3 tests/support/rtsp_camera.py --port 8554 --width 1280 --height 720

It prints "ready rtsp://127.0.0.1:<port>/cam" once it listens and runs until killed. Use
`RtspCamera` from Python tests: it starts the process and stops it (cut and restore the
stream by stopping it and starting it again on the same port).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DEBIAN_PYTHON = "/usr/bin/python3"


def pipeline(width: int, height: int, fps: int, profile: str, bitrate_kbps: int, keyint: int) -> str:
    # x264 signals the lowest profile its tools need: "ultrafast" uses baseline tools only, so a
    # main or high stream needs a preset with CABAC and 8x8 transforms.
    preset = "ultrafast" if "baseline" in profile else "veryfast"
    return (
        f"( videotestsrc is-live=true pattern=ball ! video/x-raw,width={width},height={height},framerate={fps}/1 "
        f"! x264enc tune=zerolatency speed-preset={preset} bitrate={bitrate_kbps} key-int-max={keyint} "
        f"! video/x-h264,profile={profile} ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--profile", default="constrained-baseline")
    parser.add_argument("--bitrate", type=int, default=2000, help="kbit/s")
    parser.add_argument("--keyint", type=int, default=30)
    parser.add_argument("--path", default="cam", help="the stream's path: rtsp://127.0.0.1:PORT/PATH")
    args = parser.parse_args()

    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(pipeline(args.width, args.height, args.fps, args.profile, args.bitrate, args.keyint))
    factory.set_shared(True)
    server.get_mount_points().add_factory(f"/{args.path}", factory)
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on 127.0.0.1:{args.port}")
    print(f"ready rtsp://127.0.0.1:{args.port}/{args.path}", flush=True)
    GLib.MainLoop().run()


@dataclass
class RtspCamera:
    """The camera process, seen from a test."""

    port: int
    log: Path
    args: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}/cam"

    def start(self) -> "RtspCamera":
        from tests.support.wait import wait_until

        assert self.process is None or self.process.poll() is not None
        out = self.log.open("ab")
        self.process = subprocess.Popen(
            [DEBIAN_PYTHON, __file__, "--port", str(self.port), *self.args], stdout=out, stderr=subprocess.STDOUT
        )
        process = self.process

        def ready() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"the RTSP camera exited:\n{self.log.read_text(errors='replace')}")
            return "ready rtsp://" in self.log.read_text(errors="replace").split("cut\n")[-1]

        wait_until(ready, what="the RTSP camera to listen", describe=lambda: self.log.read_text(errors="replace"))
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        with self.log.open("a") as f:
            f.write("cut\n")


if __name__ == "__main__":
    main()
