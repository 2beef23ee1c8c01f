"""The lecturer records a class: what is recorded follows the class (the floor, blocks, screen
shares), everyone sees it, and a recording stopped by storage leaves the class running."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classroom.errors import NotAllowed, RecordingUnavailable
from classroom.events import ChatPosted, ClassSummary, RecordingChanged, Seated
from classroom.live_class import LiveClass
from classroom.recording.recording import MANIFEST, Recording, StopReason, StoragePolicy
from classroom.recording.track_file import StorageError
from classroom.roles import Role, Source
from tests.classroom.test_live_class import Harness


class RecordedHarness(Harness):
    def __init__(self, folder: Path | None):
        super().__init__()
        self.made: list[Recording] = []

        def recordings(summary: ClassSummary, by: str, on_stopped) -> Recording:
            recording = Recording(
                f"r{len(self.made) + 1}", StoragePolicy(folder, min_free_bytes=0),
                {"class_id": summary.id, "title": summary.title, "lecturer": by}, on_stopped,
            )
            self.made.append(recording)
            return recording

        self.live = LiveClass(self.live.summary, self.live._media, 10, recordings=recordings if folder else None)


def manifest(recording: Recording) -> dict:
    return json.loads((recording.folder / MANIFEST).read_text())


async def test_recording_follows_what_everyone_receives(tmp_path):
    h = RecordedHarness(tmp_path)
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Cô Lan")
    trainee, trainee_inbox = await h.join(Role.TRAINEE, "Anh Minh")
    await h.publish(lecturer, ("cam", Source.CAMERA), ("mic", Source.MICROPHONE))
    await h.publish(trainee, ("tcam", Source.CAMERA), ("tmic", Source.MICROPHONE))
    with pytest.raises(NotAllowed):
        h.live.start_recording(trainee)

    h.live.start_recording(lecturer)
    recording = h.live.recording
    assert recording is not None and recording.folder == tmp_path / "c1" / "r1"
    for inbox in (lecturer_inbox, trainee_inbox):
        (changed,) = inbox.of(RecordingChanged)
        assert changed.status.active and changed.status.by == "Cô Lan"
    assert recording.recorded == {(lecturer.id, "cam"), (lecturer.id, "mic")}
    _, late_inbox = await h.join(Role.TRAINEE, "Chị Hoa")
    assert late_inbox.of(Seated)[0].state.recording.active

    h.live.give_floor(lecturer, trainee.id)
    assert recording.recorded == {(lecturer.id, "cam"), (lecturer.id, "mic"), (trainee.id, "tcam"), (trainee.id, "tmic")}
    h.live.block(lecturer, trainee.id, Source.MICROPHONE, may_resume=True)
    assert (trainee.id, "tmic") not in recording.recorded
    h.live.take_back_floor(lecturer, trainee.id)
    assert recording.recorded == {(lecturer.id, "cam"), (lecturer.id, "mic")}
    await h.publish(lecturer, ("slides", Source.SCREEN))
    assert (lecturer.id, "slides") in recording.recorded
    h.live.withdraw_tracks(lecturer, ["slides"])
    assert (lecturer.id, "slides") not in recording.recorded

    timeline = [(e["kind"], e["data"]) for e in manifest(recording)["timeline"]]
    floors = [d["holders"] for k, d in timeline if k == "floor"]
    assert floors == [[], [{"id": trainee.id, "name": "Anh Minh"}], []]
    shares = [d["state"] for k, d in timeline if k == "screen_share"]
    assert shares == ["started", "stopped"]

    h.live.stop_recording(lecturer)
    assert h.live.recording is None
    stopped = trainee_inbox.of(RecordingChanged)[-1].status
    assert not stopped.active and stopped.reason == "stopped"
    assert manifest(recording)["status"] == "complete"
    h.live.start_recording(lecturer)  # a second recording of the same class
    assert h.live.recording is not None and h.live.recording.folder == tmp_path / "c1" / "r2"
    await h.live.end()
    assert h.made[1].stop_reason is StopReason.CLASS_ENDED


async def test_storage_running_out_stops_the_recording_and_the_class_goes_on(tmp_path):
    h = RecordedHarness(tmp_path)
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Cô Lan")
    trainee, trainee_inbox = await h.join(Role.TRAINEE, "Anh Minh")
    await h.publish(lecturer, ("cam", Source.CAMERA))
    h.live.start_recording(lecturer)
    assert h.live.recording is not None
    h.live.recording.storage_failed(StorageError("No space left on device", disk_full=True))
    for inbox in (lecturer_inbox, trainee_inbox):
        status = inbox.of(RecordingChanged)[-1].status
        assert not status.active and status.reason == "disk_full"
    assert h.live.recording is None and h.live.state().recording.reason == "disk_full"
    await h.live.post_chat(trainee, "Em vẫn nghe rõ ạ")
    assert lecturer_inbox.of(ChatPosted)


async def test_without_storage_or_room_recording_is_refused(tmp_path):
    h = RecordedHarness(None)
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    with pytest.raises(RecordingUnavailable):
        h.live.start_recording(lecturer)
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    h2 = RecordedHarness(blocked)
    lecturer2, inbox = await h2.join(Role.LECTURER, "Cô Lan")
    with pytest.raises(RecordingUnavailable):
        h2.live.start_recording(lecturer2)
    assert h2.live.recording is None and inbox.of(RecordingChanged) == []
