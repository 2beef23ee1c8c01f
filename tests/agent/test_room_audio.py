"""The room's microphones and speakers for real: PyAudio → PortAudio → PulseAudio null sinks.

A 440 Hz tone played into the "ceiling microphone" sink reaches a trainee (an aiortc peer)
through the agent and the relay; a trainee holding the floor sends 880 Hz, which comes out of
the agent on the "room speakers" sink, recorded from its monitor.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from classroom.roles import Source
from signaling.ws.client import ClassClient, WebSocketChannel
from signaling.ws.messages import FloorRequest
from tests.agent.support import AgentProcess
from tests.integration.conftest import token_of
from tests.support.media import ToneTrack, frames
from tests.support.pulse import PulseServer, recorded_tail, tone_level
from tests.support.server import CLASSBRIDGE
from tests.support.wait import until
from tests.web.support import ClassServer

pytestmark = [pytest.mark.webrtc, pytest.mark.timeout(240)]

MIC_SINK, SPEAKER_SINK = "room_mic", "room_speakers"


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[PulseServer]:
    server = PulseServer(tmp_path / "pulse", (MIC_SINK, SPEAKER_SINK)).start()
    yield server
    server.stop()


def test_list_audio_devices_names_what_portaudio_sees(pulse: PulseServer) -> None:
    done = subprocess.run(
        [str(CLASSBRIDGE), "room-agent", "--list-audio-devices"],
        env={**os.environ, **pulse.env()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert any(line.split()[-1] == "pulse" and "in=" in line for line in done.stdout.splitlines()), done.stdout


async def client(server: ClassServer, class_id: str, link: str, name: str) -> ClassClient:
    ws = server.url.replace("http", "ws", 1) + f"/ws/{class_id}"
    joined = ClassClient(await WebSocketChannel.connect(ws))
    await joined.join(token_of(link), name=name)
    return joined


async def test_ceiling_microphone_reaches_a_trainee_and_the_floor_reaches_the_speakers(
    server: ClassServer, pulse: PulseServer, tmp_path: Path
) -> None:
    pulse.play_tone(MIC_SINK, 440)
    recording = tmp_path / "speakers.raw"
    pulse.record(f"{SPEAKER_SINK}.monitor", recording)
    created = server.create_class("Lớp có micrô trần")
    agent = AgentProcess(
        tmp_path / "agent.log",
        tmp_path / "agent-codecs.log",
        ["--server", server.url, "--room", "room-101", "--join-link", created["links"]["room"]]
        + ["--microphone", "pulse", "--speakers", "pulse"],
        env=pulse.env(PULSE_SOURCE=f"{MIC_SINK}.monitor", PULSE_SINK=SPEAKER_SINK),
    ).start()
    lecturer = await client(server, created["id"], created["links"]["lecturer"], "Cô Lan")
    trainee = await client(server, created["id"], created["links"]["trainee"], "Anh Minh")
    try:
        describe = lambda: f"{agent.status()}\n{agent.tail()}\n{pulse.log()}"  # noqa: E731
        room_audio = await until(
            lambda: [r for r in trainee.received() if r.info.source is Source.MICROPHONE],
            60, "the room's microphone track at the trainee", describe=describe,
        )
        heard = await frames(room_audio[0].track, 100, timeout=20)
        samples = np.concatenate([f.to_ndarray().reshape(-1, len(f.layout.channels))[:, 0] for f in heard[-50:]])
        rms, share = tone_level(samples, 440, heard[-1].sample_rate)
        assert rms > 0.02 and share > 0.5, (rms, share)

        trainee_id = trainee.joined.participant.id
        await trainee.publish([(ToneTrack(880), Source.MICROPHONE)])
        await lecturer.send(FloorRequest(type="floor", participant_id=trainee_id, give=True))

        def speakers_play_880() -> bool:
            rms, share = tone_level(recorded_tail(recording, 1.0), 880)
            return rms > 0.02 and share > 0.5

        await until(speakers_play_880, 60, "the trainee's 880 Hz on the room speakers", describe=describe)
        # The agent's own meters (reported every 0.5 s) show both directions.
        await until(
            lambda: agent.status()["audio"]["capture_dbfs"] > -40 and agent.status()["audio"]["playback_dbfs"] > -40,
            10, "the agent's capture and playback levels", describe=lambda: str(agent.status()),
        )
    finally:
        await trainee.close()
        await lecturer.close()
        agent.stop()
    # Audio only (no --camera): Opus both ways, and their PyAV contexts; no video codec at all.
    made = agent.codecs()
    assert made <= {"installed", "get_encoder", "get_decoder", "OpusEncoder", "OpusDecoder", "OpusEncoder.encode",
                    "CodecContext.create"}, made  # fmt: skip


async def test_a_missing_microphone_is_reported_and_the_class_still_goes_on(
    server: ClassServer, pulse: PulseServer, tmp_path: Path
) -> None:
    created = server.create_class("Lớp thiếu micrô")
    agent = AgentProcess(
        tmp_path / "agent.log",
        tmp_path / "agent-codecs.log",
        ["--server", server.url, "--room", "room-101", "--join-link", created["links"]["room"]]
        + ["--microphone", "Shure P300", "--speakers", "pulse"],
        env=pulse.env(PULSE_SINK=SPEAKER_SINK),
    ).start()
    try:
        await until(lambda: agent.status().get("state") == "in_class", 60, "the agent in the class", describe=agent.tail)
        error = agent.status()["audio"]["error"]
        assert error.startswith("microphone: no input audio device named 'Shure P300' (there are: ") and "pulse" in error
    finally:
        agent.stop()
