"""Watched ranges merge per trainee and recording; the course report's totals."""

from __future__ import annotations

from datetime import UTC, datetime

from classroom.courses.models import CourseRecord
from classroom.recording.watching import add_watched, merge_ranges, total, watched_seconds


def test_merge_ranges_joins_overlaps_and_drops_empty_ones():
    assert merge_ranges([(10, 20), (0, 5), (5, 8), (15, 30), (40, 40), (50, 45)]) == [(0, 8), (10, 30)]
    assert total([(0, 10), (5, 15)]) == 15


def test_watched_seconds_per_trainee_and_recording(db):
    with db.begin() as session:
        session.add(CourseRecord(id="K12", title="Khóa 12", created_at=datetime(2026, 12, 1, tzinfo=UTC)))
        session.add(CourseRecord(id="K13", title="Khóa 13", created_at=datetime(2026, 12, 1, tzinfo=UTC)))
    assert add_watched(db, "K12", "HV-1", "c1/r1", [(0, 60), (30, 90)]) == 90
    assert add_watched(db, "K12", "HV-1", "c1/r1", [(80, 100), (200, 230)]) == 130  # replaying counts once
    add_watched(db, "K12", "HV-2", "c1/r1", [(0, 10)])
    add_watched(db, "K12", "HV-1", "c2/r1", [(5, 6.5)])
    add_watched(db, "K13", "HV-1", "c1/r1", [(0, 1000)])
    assert watched_seconds(db, "K12") == {"HV-1": {"c1/r1": 130, "c2/r1": 1.5}, "HV-2": {"c1/r1": 10}}
    assert watched_seconds(db, "nothing") == {}
