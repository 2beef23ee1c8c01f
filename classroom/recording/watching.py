"""Watching counts: the ranges of a recording a trainee actually played, and their total.

The playback page reports the stretches it played (a seek starts a new stretch, so skipping
ahead counts nothing); here they are merged per trainee and recording, so playing a part twice
counts it once. The course report asks `watched_in(session, course_id)` (its own session) or
`watched_seconds(db, course_id)`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from classroom.recording.models import WatchedRangeRecord

Range = tuple[float, float]


def merge_ranges(ranges: Iterable[Range]) -> list[Range]:
    """Sorted, non-overlapping ranges covering the same time (touching ones joined)."""
    merged: list[Range] = []
    for start, end in sorted((s, e) for s, e in ranges if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def total(ranges: Iterable[Range]) -> float:
    return sum(end - start for start, end in merge_ranges(ranges))


def add_watched(
    db: sessionmaker[Session], course_id: str, external_id: str, recording: str, ranges: Iterable[Range]
) -> float:
    """Add what a trainee played; returns their merged total for that recording, in seconds."""
    with db.begin() as session:
        where = (
            (WatchedRangeRecord.course_id == course_id)
            & (WatchedRangeRecord.external_id == external_id)
            & (WatchedRangeRecord.recording == recording)
        )
        known = [(r.start, r.end) for r in session.scalars(select(WatchedRangeRecord).where(where))]
        merged = merge_ranges([*known, *ranges])
        session.execute(delete(WatchedRangeRecord).where(where))
        session.add_all(
            WatchedRangeRecord(course_id=course_id, external_id=external_id, recording=recording, start=s, end=e)
            for s, e in merged
        )
    return sum(e - s for s, e in merged)


def watched_in(session: Session, course_id: str) -> dict[str, dict[str, float]]:
    """{external_id: {recording ("<class id>/<recording id>"): seconds watched}} for a course."""
    out: dict[str, dict[str, list[Range]]] = {}
    for row in session.scalars(select(WatchedRangeRecord).where(WatchedRangeRecord.course_id == course_id)):
        out.setdefault(row.external_id, {}).setdefault(row.recording, []).append((row.start, row.end))
    return {person: {rec: round(total(r), 3) for rec, r in recs.items()} for person, recs in out.items()}


def watched_seconds(db: sessionmaker[Session], course_id: str) -> dict[str, dict[str, float]]:
    with db() as session:
        return watched_in(session, course_id)


def class_of_recording(recording: str) -> str:
    """The class a recording key ("<class id>/<recording id>") belongs to."""
    return recording.split("/", 1)[0]
