"""The demo class behind docs/examples: its attendance report as XLSX and as a signed PDF.

    python -m bench.demo_report [--out docs/examples]

Everything is made up and labelled DEMO: the course, the trainees, and the certificate that
signs the PDF (made on the spot by bench/certificates.py, trusted by nobody). The class runs on
a fixed clock (10/03/2025, 08:00-10:00 in Lạng Sơn), so the files are the same every run but
for the signature. The tests build their reports from the same `seed`.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bench.certificates import make_certificate
from classroom import classes
from classroom.attendance import AttendanceLog
from classroom.checkin.models import CheckInRecord
from classroom.courses import catalog
from classroom.courses.completion import CompletionRule
from classroom.courses.roster_file import RosterRow
from classroom.db import open_database
from classroom.reports.build import Reports
from classroom.reports.export import export
from classroom.reports.signature import SchoolCertificate
from classroom.roles import Role

START = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # 08:00 in Lạng Sơn
COURSE_TITLE = "DEMO – Bồi dưỡng kiến thức quốc phòng và an ninh, Khóa 12"
CLASS_TITLE = "DEMO – Buổi 1: Quan điểm của Đảng về quốc phòng toàn dân"
SIGNER = "DEMO – Trường Chính trị tỉnh Lạng Sơn"
ORGANISATION = "DEMO – chứng thư thử nghiệm, không có giá trị pháp lý"
ROSTER = [
    RosterRow(2, "LS-0153", "Nguyễn Thị Hồng Nhung", "Sở Nội vụ"),
    RosterRow(3, "LS-0154", "Hoàng Văn Thụ", "UBND huyện Cao Lộc"),
    RosterRow(4, "LS-0155", "Lý Thị Mai", "UBND xã Tân Thanh"),
    RosterRow(5, "LS-0156", "Đinh Công Tráng", "Sở Tư pháp"),
    RosterRow(6, "LS-0157", "Lương Văn Tri", "Huyện ủy Văn Quan"),
    RosterRow(7, "LS-0158", "Trần Thị Ngọc Ánh", "Sở Giáo dục và Đào tạo"),
]


@dataclass(frozen=True)
class Demo:
    course_id: str
    class_id: str


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: float) -> None:
        self.now = START + timedelta(minutes=minutes)


def seed(db: sessionmaker[Session]) -> Demo:
    """The demo course, its roster and one two-hour class that has taken place."""
    course = catalog.create(db, COURSE_TITLE, code="DEMO-K12",
                            rule=CompletionRule(min_percent_per_class=80), now=START)  # fmt: skip
    catalog.import_roster(db, course.id, ROSTER, "replace")
    k = classes.create(db, CLASS_TITLE, "phong-hoi-truong", START, starts_at=START,
                       ends_at=START + timedelta(hours=2))  # fmt: skip
    catalog.attach(db, course.id, [k.id])
    clock = _Clock()
    log = AttendanceLog(db, clock)
    classes.start(db, k.id, now=START)

    def stay(who: int, start: float, end: float, participant: str) -> None:
        t = ROSTER[who]
        clock.at(start)
        row = log.joined(k.id, participant, Role.TRAINEE, t.external_id, t.name)
        clock.at(end)
        log.left(row, "closed")

    stay(0, 0, 118, "p1")  # the whole class, remote
    stay(1, 2, 50, "p2")  # a dropped link at 08:50, back 40 s later
    stay(1, 50 + 40 / 60, 119, "p3")
    stay(4, 30, 75, "p5")  # left early: short of 80 %
    with db.begin() as session:  # two in the room, checked in from their phones
        for who, at, out in ((2, 1, None), (3, 3, 110)):
            t = ROSTER[who]
            session.add(CheckInRecord(
                class_id=k.id, external_id=t.external_id, name=t.name, device=f"demo-{who}",
                checked_in_at=START + timedelta(minutes=at),
                checked_out_at=None if out is None else START + timedelta(minutes=out),
            ))  # fmt: skip
    classes.end(db, k.id, now=START + timedelta(hours=2))
    # ROSTER[5] never came.
    return Demo(course.id, k.id)


def reports(db: sessionmaker[Session]) -> Reports:
    return Reports(db, "Asia/Ho_Chi_Minh", clock=lambda: START + timedelta(hours=2, minutes=5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/examples"))
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/demo.db")
        demo = seed(db)
        report = reports(db).klass(demo.class_id)
        made = make_certificate(Path(tmp) / "certificate", SIGNER, ORGANISATION)
        certificate = SchoolCertificate.load(made.p12, made.password)
        xlsx = export(report, "xlsx", "vi")
        pdf = export(report, "pdf", "vi", certificate)
        (out / "demo-class-report.xlsx").write_bytes(xlsx.data)
        (out / "demo-class-report.signed.pdf").write_bytes(pdf.data)
        (out / "demo-ca.der").write_bytes(made.ca_der)
        print(f"wrote {out}/demo-class-report.xlsx, demo-class-report.signed.pdf, demo-ca.der")


if __name__ == "__main__":
    main()
