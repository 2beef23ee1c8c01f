"""Courses in the database: create, attach classes, set the rule, import rosters all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.courses import catalog
from classroom.courses.completion import CompletionRule
from classroom.courses.roster_file import RosterRow, parse_roster
from classroom.errors import ClassNotFound, CourseNotFound, RosterInvalid


def names(db: sessionmaker[Session], course_id: str) -> list[tuple[str, str, str | None]]:
    return [(t.external_id, t.name, t.unit) for t in catalog.trainees(db, course_id)]


def test_create_list_attach_and_rule(db: sessionmaker[Session]) -> None:
    course = catalog.create(db, "Khóa 12", code="K12", rule=CompletionRule(min_total_minutes=90))
    assert (course.time_zone, course.rule.min_total_minutes, course.trainees) == ("Asia/Ho_Chi_Minh", 90, 0)
    a, b = classes.create(db, "Buổi 1"), classes.create(db, "Buổi 2")
    with pytest.raises(ClassNotFound):
        catalog.attach(db, course.id, [a.id, "nope"])
    assert catalog.get(db, course.id).class_ids == []  # all or none
    assert sorted(catalog.attach(db, course.id, [a.id, b.id]).class_ids) == sorted([a.id, b.id])
    assert catalog.detach(db, course.id, a.id).class_ids == [b.id]
    assert catalog.class_course(db, b.id) == course.id
    ruled = catalog.set_rule(db, course.id, CompletionRule(min_percent_per_class=80))
    assert (ruled.rule.min_percent_per_class, ruled.rule.min_total_minutes) == (80, None)
    assert [c.id for c in catalog.list_courses(db)] == [course.id]
    with pytest.raises(CourseNotFound):
        catalog.get(db, "nope")


def test_import_replace_and_merge(db: sessionmaker[Session]) -> None:
    course = catalog.create(db, "Khóa 12")
    first = [RosterRow(2, "HV1", "An", "Sở Nội vụ"), RosterRow(3, "HV2", "Bình", None)]
    done = catalog.import_roster(db, course.id, first, "replace")
    assert (done.added, done.updated, done.removed, done.trainees) == (2, 0, 0, 2)
    merged = catalog.import_roster(db, course.id, [RosterRow(2, "HV3", "Chi", None),
                                                   RosterRow(3, "HV1", "An", "Sở Tư pháp")], "merge")  # fmt: skip
    assert (merged.added, merged.updated, merged.removed, merged.trainees) == (1, 1, 0, 3)
    replaced = catalog.import_roster(db, course.id, [RosterRow(2, "HV3", "Chi", None)], "replace")
    assert (replaced.removed, names(db, course.id)) == (2, [("HV3", "Chi", None)])


def test_a_file_with_a_bad_row_changes_nothing(db: sessionmaker[Session]) -> None:
    course = catalog.create(db, "Khóa 12")
    catalog.import_roster(db, course.id, parse_roster("id,name\nHV1,An\n".encode(), "csv"), "replace")
    bad = "mã học viên,họ và tên\nHV7,Giáp\nHV8,\n".encode()
    with pytest.raises(RosterInvalid):
        catalog.import_roster(db, course.id, parse_roster(bad, "csv"), "replace")
    assert names(db, course.id) == [("HV1", "An", None)]
