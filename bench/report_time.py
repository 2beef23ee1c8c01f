"""How long a course's attendance report takes: build it and export it in every format.

    python -m bench.report_time [--trainees 300] [--classes 10] [--watch]

A course of N trainees and M two-hour classes, each trainee connected twice per class (a
dropped link), a tenth of them checked in in the room; SQLite in a temporary directory. Prints
the seconds (after a warm-up: imports and fonts loaded, as in a running server) to build the
report and to write each format (the PDF signed with a certificate
made on the spot), and the files' sizes. `--watch`: every trainee also watched each class's
recording in three stretches (one overlapping), and the course counts watching.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.certificates import make_certificate
from classroom import classes
from classroom.checkin.models import CheckInRecord
from classroom.courses import catalog
from classroom.courses.completion import CompletionRule
from classroom.courses.roster_file import RosterRow
from classroom.db import open_database
from classroom.models import AttendanceRecord
from classroom.recording.models import WatchedRangeRecord
from classroom.reports.build import Reports
from classroom.reports.export import export
from classroom.reports.signature import SchoolCertificate
from classroom.roles import Role

START = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=300)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--watch", action="store_true", help="watched ranges and watching_counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/bench.db")
        course = catalog.create(db, "Khóa bồi dưỡng (bench)", rule=CompletionRule(min_percent_per_class=80))
        roster = [RosterRow(i + 2, f"HV{i:04d}", f"Nguyễn Văn Học Viên {i}", "Sở Nội vụ")
                  for i in range(args.trainees)]  # fmt: skip
        catalog.import_roster(db, course.id, roster, "replace")
        ids = []
        for n in range(args.classes):
            start = START + timedelta(days=n)
            k = classes.create(db, f"Buổi {n + 1}", "room-101", starts_at=start,
                               ends_at=start + timedelta(hours=2), allow_overlap=True)  # fmt: skip
            ids.append(k.id)
            with db.begin() as s:
                for i, t in enumerate(roster):
                    if i % 10 == 0:
                        s.add(CheckInRecord(class_id=k.id, external_id=t.external_id, name=t.name,
                                            device=f"d{i}", checked_in_at=start, checked_out_at=None))  # fmt: skip
                        continue
                    for a, b in ((0, 50 + i % 20), (51 + i % 20, 110)):
                        s.add(AttendanceRecord(
                            class_id=k.id, participant_id=f"p{i}-{a}", role=Role.TRAINEE,
                            external_id=t.external_id, display_name=t.name,
                            joined_at=start + timedelta(minutes=a), left_at=start + timedelta(minutes=b),
                            leave_reason="closed",
                        ))  # fmt: skip
            classes.end(db, k.id, now=start + timedelta(hours=2))
        catalog.attach(db, course.id, ids)
        if args.watch:
            catalog.set_recording(db, course.id, {"watching_counts": True})
            with db.begin() as s:
                s.add_all(WatchedRangeRecord(course_id=course.id, external_id=t.external_id,
                                             recording=f"{k}/r1", start=a, end=b)
                          for k in ids for t in roster
                          for a, b in ((0, 1800), (1700, 2400), (3000, 3600)))  # fmt: skip
        made = make_certificate(Path(tmp) / "ca", "Bench signer", "Bench")
        certificate = SchoolCertificate.load(made.p12, made.password)

        warm = Reports(db, "Asia/Ho_Chi_Minh").klass(ids[0])  # imports and font loading once,
        for fmt in ("xlsx", "pdf"):  # as a running server has them after its first report
            export(warm, fmt, "vi", certificate if fmt == "pdf" else None)  # type: ignore[arg-type]
        began = time.perf_counter()
        report = Reports(db, "Asia/Ho_Chi_Minh").course(course.id)
        built = time.perf_counter() - began
        print(f"course of {args.trainees} trainees x {args.classes} classes "
              f"({args.trainees * args.classes * 2} connections"
              f"{f', {args.trainees * args.classes * 3} watched ranges' if args.watch else ''})")  # fmt: skip
        print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"  build report:  {built:6.2f} s")
        for fmt in ("json", "csv", "xlsx", "pdf"):
            began = time.perf_counter()
            made_file = export(report, fmt, "vi", certificate if fmt == "pdf" else None)  # type: ignore[arg-type]
            took = time.perf_counter() - began
            label = "pdf (signed)" if fmt == "pdf" else fmt
            print(f"  {label:<13}  {took:6.2f} s  {len(made_file.data) / 1024:8.0f} KiB")


if __name__ == "__main__":
    main()
