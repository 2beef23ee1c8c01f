"""The attendance report of a class or a course: one line per trainee, read from the database.

Trainees are the course's roster (absent ones included, so a report shows who never came)
and anyone else who joined as a trainee (not on the roster: a shared link, a typo in an id).
Each class a trainee attended gives their intervals (connections and room check-ins), time
online, where they were; a course report adds the completion rule's verdict. Every time is
in the course's time zone (the school's setting for a class outside any course), so the
JSON carries the offset a person reads (+07:00), not UTC.

A course report also says how long each trainee watched each of the course's e-lectures
(the ranges they played, merged: classroom/recording/watching.py) and in all; when the course
says watching counts, watching a missed class's recordings makes up for it (completion.py).

A class counts for the completion rule once it is over (ended, or its planned end has
passed); the others are still to come. A class's time is its planned time (starts_at to
ends_at), or the time it actually ran when it was not planned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classroom.attendance import counted_until
from classroom.checkin.models import CheckInRecord
from classroom.courses.catalog import time_zone
from classroom.courses.completion import (
    Completion,
    CompletionRule,
    HeldClass,
    NoScores,
    ScoreProvider,
    evaluate,
    made_up_by_watching,
    meets_class,
)
from classroom.courses.models import CourseRecord, TraineeRecord
from classroom.errors import ClassNotFound, CourseNotFound
from classroom.models import AttendanceRecord, ClassRecord, ClassStatus
from classroom.recording.watching import class_of_recording, watched_in
from classroom.reports.presence import Mode, Span, Where, presence
from classroom.roles import Role

Kind = Literal["class", "course"]


class IntervalOut(BaseModel):
    start: datetime
    end: datetime | None  # None: still there
    where: Where


class ClassAttendance(BaseModel):
    """One trainee in one class."""

    class_id: str
    first_join: datetime | None
    last_leave: datetime | None
    present_now: bool
    intervals: list[IntervalOut]
    remote_seconds: int
    room_seconds: int
    seconds: int
    mode: Mode
    percent: float | None  # of the class's time; None when it has none
    meets_rule: bool | None  # the rule's per-class part; None without one
    watched_seconds: int = 0  # of the class's recordings (course reports)
    made_up: bool = False  # missed, but watching its recordings counts instead


class Watched(BaseModel):
    """How long one trainee watched one e-lecture (ranges played, merged)."""

    recording: str  # "<class id>/<recording id>"
    seconds: int


class ELecture(BaseModel):
    """An e-lecture of the course someone watched: the recording of one of its classes."""

    recording: str  # "<class id>/<recording id>"
    class_id: str | None  # None: not one of the report's classes
    title: str


class TraineeLine(BaseModel):
    external_id: str | None
    name: str | None
    unit: str | None
    on_roster: bool
    classes: list[ClassAttendance]  # one per class of the report, in its order
    seconds: int
    classes_attended: int
    completion: Completion | None  # course reports only
    watched: list[Watched] = []  # one per e-lecture of the report, in its order
    watched_seconds: int = 0


class ClassSummary(BaseModel):
    class_id: str
    title: str
    status: ClassStatus
    starts_at: datetime | None
    ends_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    scheduled_seconds: int | None
    held: bool  # over: counts for the completion rule


class Report(BaseModel):
    kind: Kind
    id: str  # the class's or the course's
    title: str
    course_id: str | None
    course_title: str | None
    course_code: str | None
    time_zone: str
    generated_at: datetime
    rule: CompletionRule | None
    watching_counts: bool = False  # watching a missed class's recordings makes up for it
    classes: list[ClassSummary]
    recordings: list[ELecture] = []  # course reports: the e-lectures anyone watched
    trainees: list[TraineeLine]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Reports:
    """Builds reports; sync, for ``run_in_threadpool``. `default_zone` is the school's."""

    def __init__(
        self,
        db: sessionmaker[Session],
        default_zone: str,
        scores: ScoreProvider | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        time_zone(default_zone)
        self._db = db
        self._zone = default_zone
        self._scores = scores or NoScores()
        self._clock = clock

    def course(self, course_id: str) -> Report:
        with self._db() as session:
            course = session.get(CourseRecord, course_id)
            if course is None:
                raise CourseNotFound(course_id)
            classes = session.scalars(
                select(ClassRecord)
                .where(ClassRecord.course_id == course_id)
                .order_by(ClassRecord.starts_at, ClassRecord.created_at)
            ).all()
            return self._build(session, "course", course.id, course.title, course, list(classes))

    def klass(self, class_id: str) -> Report:
        with self._db() as session:
            record = session.get(ClassRecord, class_id)
            if record is None:
                raise ClassNotFound(class_id)
            course = session.get(CourseRecord, record.course_id) if record.course_id else None
            return self._build(session, "class", record.id, record.title, course, [record])

    def _build(
        self,
        session: Session,
        kind: Kind,
        report_id: str,
        title: str,
        course: CourseRecord | None,
        classes: list[ClassRecord],
    ) -> Report:
        now = self._clock()
        zone_name = course.time_zone if course else self._zone
        zone = time_zone(zone_name)
        rule = (
            CompletionRule(
                min_percent_per_class=course.min_percent_per_class,
                min_total_minutes=course.min_total_minutes,
                min_quiz_score=course.min_quiz_score,
            )
            if course
            else None
        )
        ids = [c.id for c in classes]
        roster = (
            session.scalars(
                select(TraineeRecord)
                .where(TraineeRecord.course_id == course.id)
                .order_by(TraineeRecord.external_id)
            ).all()
            if course
            else []
        )
        rows = session.scalars(
            select(AttendanceRecord)
            .where(AttendanceRecord.class_id.in_(ids), AttendanceRecord.role == Role.TRAINEE)
            .order_by(AttendanceRecord.joined_at, AttendanceRecord.id)
        ).all()
        checkins = session.scalars(
            select(CheckInRecord).where(CheckInRecord.class_id.in_(ids))
        ).all()
        watched = watched_in(session, course.id) if kind == "course" and course else {}
        watching_counts = bool(course and course.watching_counts)
        lectures = _lectures(classes, {r for per in watched.values() for r in per})

        people: dict[str, tuple[str | None, str | None, str | None, bool]] = {
            f"external:{t.external_id}": (t.external_id, t.name, t.unit, True) for t in roster
        }
        remote: dict[tuple[str, str], list[Span]] = {}
        room: dict[tuple[str, str], list[Span]] = {}
        ends = {c.id: _class_end(c, now) for c in classes}
        for r in rows:
            key = _person_key(r.external_id, r.display_name, r.id)
            people.setdefault(key, (r.external_id, r.display_name, None, False))
            # An open row counts to now while its process keeps seeing it, to its last
            # sighting once it does not (a crash): classroom/attendance.py.
            end = min(counted_until(r, now), ends[r.class_id])
            still = r.left_at is None and end == now
            remote.setdefault((key, r.class_id), []).append(Span(r.joined_at, end, "remote", still))
        for watcher in watched:
            people.setdefault(f"external:{watcher}", (watcher, None, None, False))
        for ci in checkins:
            key = f"external:{ci.external_id}"
            people.setdefault(key, (ci.external_id, ci.name, None, False))
            open_ = ci.checked_out_at is None and ends[ci.class_id] == now
            end = ci.checked_out_at or ends[ci.class_id]
            room.setdefault((key, ci.class_id), []).append(
                Span(ci.checked_in_at, min(end, ends[ci.class_id]), "room", open_)
            )

        summaries = [_summary(c, now) for c in classes]
        lines = []
        for key, (external_id, name, unit, on_roster) in people.items():
            mine = watched.get(external_id or "", {}) if key.startswith("external:") else {}
            per_class: dict[str, int] = {}
            for recording, seconds in mine.items():
                cid = class_of_recording(recording)
                per_class[cid] = per_class.get(cid, 0) + int(seconds)
            attended = []
            for c, s in zip(classes, summaries, strict=True):
                p = presence(remote.get((key, c.id), []), room.get((key, c.id), []))
                sched = s.scheduled_seconds
                seen = per_class.get(c.id, 0)
                made_up = bool(watching_counts and rule and sched and s.held and made_up_by_watching(
                    rule, HeldClass(c.id, c.title, sched, p.seconds, seen)))  # fmt: skip
                attended.append(ClassAttendance(
                    class_id=c.id,
                    first_join=_local(p.first_join, zone),
                    last_leave=_local(p.last_leave, zone),
                    present_now=p.present_now,
                    intervals=[IntervalOut(start=_at(i.start, zone),
                                           end=None if i.open else _at(i.end, zone),
                                           where=i.where) for i in p.intervals],
                    remote_seconds=p.remote_seconds,
                    room_seconds=p.room_seconds,
                    seconds=p.seconds,
                    mode=p.mode,
                    percent=round(100 * p.seconds / sched, 1) if sched else None,
                    meets_rule=meets_class(rule, sched, p.seconds) if rule and sched else None,
                    watched_seconds=seen,
                    made_up=made_up,
                ))  # fmt: skip
            completion = None
            if kind == "course" and rule is not None and course is not None:
                held = [
                    HeldClass(c.id, c.title, s.scheduled_seconds or 0, a.seconds, a.watched_seconds)
                    for c, s, a in zip(classes, summaries, attended, strict=True)
                    if s.held and s.scheduled_seconds
                ]
                upcoming = sum(1 for s in summaries if not s.held)
                score = self._scores.score(course.id, external_id) if external_id else None
                completion = evaluate(rule, held, upcoming, score, watching_counts)
            seen_each = [Watched(recording=e.recording, seconds=int(mine.get(e.recording, 0)))
                         for e in lectures]  # fmt: skip
            lines.append(TraineeLine(
                external_id=external_id, name=name, unit=unit, on_roster=on_roster,
                classes=attended, seconds=sum(a.seconds for a in attended),
                classes_attended=sum(1 for a in attended if a.seconds > 0),
                completion=completion,
                watched=seen_each, watched_seconds=sum(w.seconds for w in seen_each),
            ))  # fmt: skip
        lines.sort(key=lambda t: (not t.on_roster, t.external_id or "", t.name or ""))
        return Report(
            kind=kind,
            id=report_id,
            title=title,
            course_id=course.id if course else None,
            course_title=course.title if course else None,
            course_code=course.code if course else None,
            time_zone=zone_name,
            generated_at=_at(now, zone),
            rule=rule,
            watching_counts=watching_counts,
            classes=[_localised(s, zone) for s in summaries],
            recordings=lectures,
            trainees=lines,
        )


def _lectures(classes: Sequence[ClassRecord], recordings: set[str]) -> list[ELecture]:
    """The e-lectures watched, in the order of their classes; a class recorded more than once
    names each recording by its id."""
    order = {c.id: n for n, c in enumerate(classes)}
    titles = {c.id: c.title for c in classes}
    per_class: dict[str, int] = {}
    for r in recordings:
        per_class[class_of_recording(r)] = per_class.get(class_of_recording(r), 0) + 1
    out = []
    for r in sorted(recordings, key=lambda r: (order.get(class_of_recording(r), len(order)), r)):
        cid = class_of_recording(r)
        if cid not in titles:
            out.append(ELecture(recording=r, class_id=None, title=r))
            continue
        title = titles[cid] if per_class[cid] == 1 else f"{titles[cid]} ({r.split('/', 1)[-1]})"
        out.append(ELecture(recording=r, class_id=cid, title=title))
    return out


def _person_key(external_id: str | None, name: str | None, row_id: int) -> str:
    """As the class attendance report groups people (classroom/attendance.py)."""
    if external_id:
        return f"external:{external_id}"
    if name:
        return f"name:{Role.TRAINEE.value}:{name}"
    return f"connection:{row_id}"


def _class_end(c: ClassRecord, now: datetime) -> datetime:
    """Until when a connection or check-in left open counts: the class's end, else now."""
    return c.ended_at if c.ended_at is not None else now


def scheduled_seconds(c: ClassRecord | ClassSummary) -> int | None:
    if c.starts_at is not None and c.ends_at is not None:
        return max(0, int((c.ends_at - c.starts_at).total_seconds()))
    if c.started_at is not None and c.ended_at is not None:
        return max(0, int((c.ended_at - c.started_at).total_seconds()))
    return None


def _summary(c: ClassRecord, now: datetime) -> ClassSummary:
    held = c.status is ClassStatus.ENDED or (c.ends_at is not None and c.ends_at <= now)
    return ClassSummary(
        class_id=c.id, title=c.title, status=c.status, starts_at=c.starts_at, ends_at=c.ends_at,
        started_at=c.started_at, ended_at=c.ended_at, scheduled_seconds=scheduled_seconds(c),
        held=held,
    )  # fmt: skip


def _at(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if moment is None else moment.astimezone(zone)


def _localised(s: ClassSummary, zone: ZoneInfo) -> ClassSummary:
    return s.model_copy(update={
        f: _local(getattr(s, f), zone) for f in ("starts_at", "ends_at", "started_at", "ended_at")
    })  # fmt: skip


def class_of(report: Report, class_id: str) -> ClassSummary:
    return next(c for c in report.classes if c.class_id == class_id)


def held_classes(report: Report) -> Sequence[ClassSummary]:
    return [c for c in report.classes if c.held]
