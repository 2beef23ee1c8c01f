"""Recording a class through the real server, with real aiortc publishers, read back with PyAV.

The module's server runs under the codec audit (tests/integration/conftest.py): at the end it
asserts that no server process created a codec, the recorder included. A killed server and a
full disk get their own servers.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import av
import httpx
import pytest

from classroom.roles import Source
from signaling.ws.client import ClassClient, WebSocketChannel
from signaling.ws.messages import Chat, Record
from tests.integration.conftest import ADMIN_TOKEN, Server, token_of
from tests.support import codec_audit
from tests.support.media import NoiseTrack, PatternTrack, ToneTrack, frames
from tests.support.server import audited_env, serve
from tests.support.tmpfs import small_tmpfs
from tests.support.wait import until

pytestmark = pytest.mark.webrtc

CODEC_NAMES = {"video/VP8": "vp8", "video/H264": "h264", "audio/opus": "opus"}


def manifests(data_dir: Path, class_id: str, folder: Path | None = None) -> list[dict]:
    root = folder or data_dir / "recordings"
    return [json.loads(p.read_text()) for p in sorted((root / class_id).glob("*/recording.json"))]


def read_back(path: Path) -> tuple[str, int, float]:
    """(codec, packets, seconds from the first packet to the last) of a track file."""
    with av.open(str(path)) as container:
        stream = container.streams[0]
        pts = [p.pts for p in container.demux(stream) if p.pts is not None]
        return stream.codec_context.name, len(pts), float((max(pts) - min(pts)) * stream.time_base)


async def lecturer_client(server: Server, class_id: str, link: str, video_codec: str) -> ClassClient:
    client = ClassClient(await WebSocketChannel.connect(server.ws_url(class_id)), video_codec=video_codec)
    await client.join(token_of(link), name="Cô Lan")
    return client


async def recording_event(client: ClassClient, active: bool, timeout: float = 20):
    event = await client.next_event("recording", timeout=timeout)
    while event.recording.active is not active:
        event = await client.next_event("recording", timeout=timeout)
    return event.recording


def metric(url: str, name: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    names = (f"classbridge_{name}{{", f"classbridge_{name}_total{{")  # counters get _total
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(names))


@pytest.mark.parametrize("video_codec", ["video/VP8", "video/H264"])
async def test_a_recorded_class_reads_back_with_its_codecs_duration_and_frames(server, cleanup, video_codec):
    created = server.create_class("Ghi hình thử")
    cid, links = created["id"], created["links"]
    lecturer = await lecturer_client(server, cid, links["lecturer"], video_codec)
    cleanup.append(lecturer)
    trainee = await server.client(cid, links["trainee"], name="Anh Minh")
    cleanup.append(trainee)
    camera, microphone = PatternTrack(640, 360), ToneTrack()
    await lecturer.publish([(camera, Source.CAMERA), (microphone, Source.MICROPHONE)])
    lecturer_id = lecturer.joined.participant.id
    await frames((await trainee.wait_for_track(lecturer_id, Source.CAMERA)).track, 3)

    loop = asyncio.get_running_loop()
    await lecturer.send(Record(type="record", on=True))
    status = await recording_event(trainee, True)
    started, sent_before = loop.time(), camera.count
    assert status.by == "Cô Lan"
    await until(lambda: camera.count - sent_before >= 150, timeout=60, what="5 s of video sent")
    assert metric(server.url, "recordings_active") == 1
    await lecturer.send(Record(type="record", on=False))
    status = await recording_event(trainee, False)
    recorded_for, sent = loop.time() - started, camera.count - sent_before
    assert status.reason == "stopped"

    (manifest,) = manifests(server.served.data_dir, cid)
    assert manifest["status"] == "complete" and manifest["title"] == "Ghi hình thử" and manifest["lecturer"] == "Cô Lan"
    assert abs(manifest["duration"] - recorded_for) < 1.0
    folder = server.served.data_dir / "recordings" / cid / manifest["id"]
    by_source = {s["label"]["source"]: s for s in manifest["segments"]}
    assert set(by_source) == {"camera", "microphone"}
    codec, packets, seconds = read_back(folder / by_source["camera"]["file"])
    assert codec == CODEC_NAMES[video_codec]
    assert sent - 20 <= packets <= sent + 3, (packets, sent)  # from the first key frame on
    assert abs(seconds - recorded_for) < 1.0
    codec, packets, seconds = read_back(folder / by_source["microphone"]["file"])
    assert codec == "opus" and abs(seconds - recorded_for) < 1.0
    assert abs(packets - recorded_for / 0.02) < 50  # 20 ms packets
    assert metric(server.url, "recording_bytes_written") > 0
    assert metric(server.url, "recordings_active") == 0


async def test_only_the_lecturer_records(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    trainee = await server.client(cid, links["trainee"], name="Anh Minh")
    cleanup.append(trainee)
    await trainee.send(Record(type="record", on=True))
    error = await trainee.next_event("error")
    assert error.code == "not_allowed" and error.ref == "record"


def own_server(tmp_path: Path, **env: str):
    codec_log = tmp_path / "codecs.log"
    served = serve(
        tmp_path / "data",
        env={**os.environ, **audited_env(codec_log), "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, **env},
    )
    return Server(served, codec_log)


async def test_a_killed_server_leaves_files_readable_up_to_the_last_seconds(tmp_path):
    server = own_server(tmp_path)
    clients: list[ClassClient] = []
    try:
        created = server.create_class()
        cid = created["id"]
        lecturer = await lecturer_client(server, cid, created["links"]["lecturer"], "video/VP8")
        clients.append(lecturer)
        camera = PatternTrack(640, 360)
        await lecturer.publish([(camera, Source.CAMERA), (ToneTrack(), Source.MICROPHONE)])
        await lecturer.send(Record(type="record", on=True))
        await recording_event(lecturer, True)
        sent_before = camera.count
        await until(lambda: camera.count - sent_before >= 240, timeout=90, what="8 s of video sent")
        os.kill(server.served.process.pid, signal.SIGKILL)
        server.served.process.wait()
        (manifest,) = manifests(server.served.data_dir, cid)
        started = manifest["timeline"][0]["t"]
        assert manifest["status"] == "recording"  # it never got to say it stopped
        folder = server.served.data_dir / "recordings" / cid / manifest["id"]
        for segment in manifest["segments"]:
            codec, packets, seconds = read_back(folder / segment["file"])
            # Recorded for about 8 s: at most the last open cluster (1 s) and a flush are lost.
            assert seconds >= 8 - segment["start"] + started - 2.5, (segment, seconds)
        assert {s["label"]["source"] for s in manifest["segments"]} == {"camera", "microphone"}
    finally:
        for client in clients:
            try:
                await client.close()
            except Exception:
                pass
        server.served.stop()
    assert {what for what, _ in codec_audit.recorded(server.codec_log)} == {codec_audit.INSTALLED}


async def test_a_full_disk_stops_the_recording_with_a_notice_and_the_class_goes_on(tmp_path):
    with small_tmpfs(tmp_path / "disk", "512k") as disk:
        server = own_server(
            tmp_path, CLASSBRIDGE_RECORDING__FOLDER=str(disk), CLASSBRIDGE_RECORDING__MIN_FREE_MB="0"
        )
        clients: list[ClassClient] = []
        try:
            created = server.create_class()
            cid, links = created["id"], created["links"]
            lecturer = await lecturer_client(server, cid, links["lecturer"], "video/VP8")
            trainee = await server.client(cid, links["trainee"], name="Anh Minh")
            clients += [lecturer, trainee]
            await lecturer.publish([(NoiseTrack(), Source.CAMERA), (ToneTrack(), Source.MICROPHONE)])
            await lecturer.send(Record(type="record", on=True))
            await recording_event(lecturer, True)
            try:
                status = await recording_event(lecturer, False, timeout=120)
            except TimeoutError:
                used = {str(p): p.stat().st_size for p in disk.rglob("*") if p.is_file()}
                raise AssertionError(f"no stop; files {used}\n{server.served.log_tail()}") from None
            assert status.reason == "disk_full"
            assert (await recording_event(trainee, False)).reason == "disk_full"
            # The class goes on: the trainee still receives the lecturer, chat still works.
            video = await trainee.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
            await frames(video.track, 10)
            await trainee.send(Chat(type="chat", text="Em vẫn xem được ạ"))
            assert (await lecturer.next_event("chat")).line.text == "Em vẫn xem được ạ"
            files = list((disk / cid).glob("*/*.webm"))
            assert files
            for path in files:
                codec, packets, seconds = read_back(path)
                assert packets > 5 and seconds > 0.2
            assert metric(server.url, "recordings_stopped_by_storage") == 1
            # ...and the technicians' console has it in its log.
            audit = httpx.get(f"{server.url}/api/audit", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
            assert any(e["action"] == "recording_stopped" and e["detail"].startswith("disk_full") for e in audit), audit
        finally:
            for client in clients:
                try:
                    await client.close()
                except Exception:
                    pass
            output = server.served.stop()
        assert "Traceback" not in output, output[-3000:]
    assert {what for what, _ in codec_audit.recorded(server.codec_log)} == {codec_audit.INSTALLED}
