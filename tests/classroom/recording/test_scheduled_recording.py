"""Recording by schedule: a class of a course that records every class starts recording when it
starts (at once, or at its planned start for people who came early), by nobody, shown like
any recording; the lecturer may stop it; recording off or storage refusing leaves the class
running. Real database (SQLite and PostgreSQL), real recordings on disk, an injected clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.audit import AuditLog
from classroom.courses import catalog
from classroom.courses.catalog import RecordingSettings
from classroom.directory import DatabaseDirectory
from classroom.events import RecordingChanged, Seated
from classroom.hub import ClassHub, Membership
from classroom.participant_media import OfferSender
from classroom.recording.catalog import manifests, recording_factory
from classroom.recording.recording import StoragePolicy
from classroom.recording.schedule import AutoRecorder, CourseRecordingSchedule, audit_refusals
from classroom.roles import Role
from tests.classroom.test_live_class import Inbox, RecordingPeer
from tests.support.clock import ManualClock


def hub(db: sessionmaker[Session], clock: ManualClock, storage: Path | None) -> ClassHub:
    def media(participant_id: str, send_offer: OfferSender, report) -> RecordingPeer:  # type: ignore[no-untyped-def]
        return RecordingPeer(participant_id, send_offer, report)

    recordings = None
    if storage is not None:
        policy = StoragePolicy(storage, min_free_bytes=0)
        recordings = recording_factory(policy, lambda class_id: catalog.class_course(db, class_id),
                                       wall_clock=clock.wall)  # fmt: skip
    auto = AutoRecorder(CourseRecordingSchedule(db), clock.schedule, clock.wall,
                        on_refused=audit_refusals(AuditLog(db), clock.wall))  # fmt: skip
    return ClassHub(DatabaseDirectory(db), media, 10, recordings=recordings, auto_record=auto)


async def join(h: ClassHub, class_id: str, role: Role, name: str) -> tuple[Membership, Inbox]:
    inbox = Inbox()
    return await h.join(class_id, role, name, None, None, inbox), inbox


def recording_course(db: sessionmaker[Session], record: bool = True) -> str:
    return catalog.create(db, "Khóa 12", recording=RecordingSettings(record_classes=record)).id


async def test_a_class_of_a_recorded_course_records_from_its_first_join(
    db: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = ManualClock()
    course_id = recording_course(db)
    k = classes.create(db, "Buổi 1")
    catalog.attach(db, course_id, [k.id])
    h = hub(db, clock, tmp_path)
    trainee, trainee_inbox = await join(h, k.id, Role.TRAINEE, "Anh Minh")
    live = h.classes[k.id]
    assert live.recording is not None
    (changed,) = trainee_inbox.of(RecordingChanged)
    assert changed.status.active and changed.status.by is None  # the schedule, not a person
    (made,) = manifests(tmp_path, k.id)
    assert (made["course_id"], made["started_by"], made["lecturer"], made["status"]) == (
        course_id, "schedule", None, "recording")  # fmt: skip
    lecturer, lecturer_inbox = await join(h, k.id, Role.LECTURER, "Cô Lan")
    assert lecturer_inbox.of(Seated)[0].state.recording.active  # shown like any recording
    assert manifests(tmp_path, k.id)[0]["lecturer"] == "Cô Lan"  # the library names the lecturer

    assert lecturer.seat.participant is not None
    live.stop_recording(lecturer.seat.participant)  # the lecturer may stop it
    assert live.recording is None and trainee_inbox.of(RecordingChanged)[-1].status.reason == "stopped"
    await trainee.leave("closed")
    await lecturer.leave("closed")
    assert k.id not in h.classes
    again, _ = await join(h, k.id, Role.TRAINEE, "Anh Minh")  # it stays stopped for this sitting
    assert h.classes[k.id].recording is None and len(manifests(tmp_path, k.id)) == 1
    await again.leave("closed")


async def test_everyone_leaving_ends_it_and_coming_back_starts_a_new_one(
    db: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = ManualClock()
    course_id = recording_course(db)
    k = classes.create(db, "Buổi 1")
    catalog.attach(db, course_id, [k.id])
    h = hub(db, clock, tmp_path)
    first, _ = await join(h, k.id, Role.LECTURER, "Cô Lan")
    await first.leave("connection_lost")
    clock.advance(1)
    second, _ = await join(h, k.id, Role.LECTURER, "Cô Lan")
    assert [(m["status"], m["stop_reason"]) for m in manifests(tmp_path, k.id)] == [
        ("complete", "everyone_left"), ("recording", None)]  # fmt: skip
    await second.leave("closed")


async def test_a_planned_class_starts_recording_at_its_start_not_when_people_come_early(
    db: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = ManualClock()
    course_id = recording_course(db)
    start = clock.wall() + timedelta(minutes=10)
    k = classes.create(db, "Buổi 2", starts_at=start, ends_at=start + timedelta(hours=2))
    catalog.attach(db, course_id, [k.id])
    h = hub(db, clock, tmp_path)
    early, inbox = await join(h, k.id, Role.TRAINEE, "Anh Minh")
    clock.advance(599)
    assert h.classes[k.id].recording is None and manifests(tmp_path, k.id) == []
    clock.advance(1)
    assert h.classes[k.id].recording is not None
    assert inbox.of(RecordingChanged)[0].status.active
    await early.leave("closed")

    # People who come and go before the start leave no recording behind.
    later = classes.create(db, "Buổi 3", starts_at=start + timedelta(days=1),
                           ends_at=start + timedelta(days=1, hours=2))  # fmt: skip
    catalog.attach(db, course_id, [later.id])
    gone, _ = await join(h, later.id, Role.TRAINEE, "Anh Minh")
    await gone.leave("closed")
    clock.advance(24 * 3600)
    assert manifests(tmp_path, later.id) == [] and later.id not in h.classes


async def test_other_courses_recording_off_and_refused_storage_leave_the_class_running(
    db: sessionmaker[Session], tmp_path: Path
) -> None:
    clock = ManualClock()
    plain = classes.create(db, "Không ghi hình")
    catalog.attach(db, recording_course(db, record=False), [plain.id])
    alone = classes.create(db, "Ngoài khóa học")
    h = hub(db, clock, tmp_path)
    for k in (plain, alone):
        member, _ = await join(h, k.id, Role.LECTURER, "Cô Lan")
        assert h.classes[k.id].recording is None
        await member.leave("closed")
    assert manifests(tmp_path) == []

    recorded = classes.create(db, "Buổi 1")
    catalog.attach(db, recording_course(db), [recorded.id])
    off, _ = await join(hub(db, clock, None), recorded.id, Role.LECTURER, "Cô Lan")  # recording disabled
    assert off.live.recording is None and not off.live.ended
    await off.leave("closed")

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the recordings should go")
    member, inbox = await join(hub(db, clock, blocked), recorded.id, Role.LECTURER, "Cô Lan")
    assert member.live.recording is None and inbox.of(RecordingChanged) == []
    await member.live.post_chat(member.seat.participant, "Lớp vẫn học bình thường")  # type: ignore[arg-type]
    assert not member.live.ended
    await member.leave("closed")
    (refused,) = [e for e in AuditLog(db).entries() if e.action == "recording_scheduled"]
    assert (refused.actor_class, refused.result, refused.target) == (recorded.id, "failed", "Buổi 1")
    assert "cannot start recording" in refused.detail
    assert manifests(tmp_path) == []  # nothing half-made
