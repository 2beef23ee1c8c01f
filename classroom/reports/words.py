"""The words of the exported reports, in Vietnamese and English, and the report as table rows.

The spreadsheets and the PDF print the same table: one row per trainee, worded here once so
that every export says the same thing. Vietnamese follows docs/glossary.md (khóa học, học
viên, điểm danh...). Dates are written as people read them: dd/mm/yyyy in Vietnamese.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from classroom.courses.completion import CompletionRule, Reason
from classroom.reports.build import ClassAttendance, Report, TraineeLine

Lang = Literal["vi", "en"]

WORDS: dict[Lang, dict[str, str]] = {
    "vi": {
        "title_class": "BÁO CÁO ĐIỂM DANH LỚP HỌC",
        "title_course": "BÁO CÁO ĐIỂM DANH KHÓA HỌC",
        "course": "Khóa học",
        "class": "Lớp học",
        "code": "Mã khóa",
        "zone": "Múi giờ",
        "generated": "Lập lúc",
        "rule": "Điều kiện hoàn thành",
        "planned": "Thời gian",
        "no": "STT",
        "external_id": "Mã học viên",
        "name": "Họ và tên",
        "unit": "Đơn vị",
        "first_join": "Vào lớp lần đầu",
        "last_leave": "Rời lớp lần cuối",
        "intervals": "Các khoảng thời gian",
        "mode": "Hình thức",
        "time": "Thời gian học",
        "seconds": "Số giây",
        "percent": "Tỷ lệ (%)",
        "meets": "Đạt yêu cầu buổi",
        "attended": "Số buổi tham dự",
        "status": "Kết quả",
        "reasons": "Lý do",
        "summary": "Tổng hợp",
        "detail": "Chi tiết",
        "yes": "Đạt",
        "no_": "Không đạt",
        "still_in": "đang trong lớp",
        "not_on_roster": "không có trong danh sách",
        "remote": "trực tuyến",
        "room": "tại phòng học",
        "both": "trực tuyến và tại phòng học",
        "absent": "vắng",
        "completed": "Hoàn thành",
        "not_completed": "Chưa hoàn thành",
        "in_progress": "Đang học",
        "no_rule": "Chưa đặt điều kiện",
        "class_missed": "Vắng buổi “{title}”",
        "class_short": "Buổi “{title}”: {minutes}/{required_minutes} phút",
        "total_short": "Tổng thời gian {minutes}/{required_minutes} phút",
        "quiz_missing": "Chưa có điểm kiểm tra (cần {required_score:g})",
        "quiz_short": "Điểm kiểm tra {score:g} (cần {required_score:g})",
        "rule_percent": "tối thiểu {p:g} % thời lượng mỗi buổi học",
        "rule_minutes": "tối thiểu {n} phút tổng cộng",
        "rule_quiz": "điểm kiểm tra tối thiểu {s:g}",
        "rule_none": "chưa đặt điều kiện hoàn thành",
        "rule_watching": "xem lại bài giảng điện tử của buổi vắng được tính bù",
        "watched": "Xem lại (phút)",
        "watched_total": "Tổng thời gian xem lại (phút)",
        "made_up": "Bù bằng xem lại",
        "class_watched": "Buổi “{title}”: đã bù bằng xem lại bài giảng {watched_minutes}/{required_minutes} phút",
        "watched_also": " (đã xem lại {watched_minutes} phút)",
        "unsigned": "Báo cáo này chưa được ký số: máy chủ chưa được cấu hình chứng thư số.",
        "signed": "Báo cáo được ký số bởi: {signer}. Kiểm tra chữ ký: classbridge report verify.",
        "page": "Trang {n}/{total}",
    },
    "en": {
        "title_class": "CLASS ATTENDANCE REPORT",
        "title_course": "COURSE ATTENDANCE REPORT",
        "course": "Course",
        "class": "Class",
        "code": "Course code",
        "zone": "Time zone",
        "generated": "Generated",
        "rule": "Completion rule",
        "planned": "Time",
        "no": "No.",
        "external_id": "Trainee id",
        "name": "Name",
        "unit": "Unit",
        "first_join": "First join",
        "last_leave": "Last leave",
        "intervals": "Intervals",
        "mode": "Attended",
        "time": "Time online",
        "seconds": "Seconds",
        "percent": "Percent",
        "meets": "Meets the class rule",
        "attended": "Classes attended",
        "status": "Result",
        "reasons": "Why not",
        "summary": "Summary",
        "detail": "Detail",
        "yes": "Yes",
        "no_": "No",
        "still_in": "still in",
        "not_on_roster": "not on the roster",
        "remote": "remote",
        "room": "in the room",
        "both": "remote and in the room",
        "absent": "absent",
        "completed": "Completed",
        "not_completed": "Not completed",
        "in_progress": "In progress",
        "no_rule": "No rule set",
        "class_missed": "Missed “{title}”",
        "class_short": "“{title}”: {minutes}/{required_minutes} min",
        "total_short": "Total {minutes}/{required_minutes} min",
        "quiz_missing": "No quiz score yet (needs {required_score:g})",
        "quiz_short": "Quiz score {score:g} (needs {required_score:g})",
        "rule_percent": "at least {p:g} % of each class's time",
        "rule_minutes": "at least {n} minutes in all",
        "rule_quiz": "a quiz score of at least {s:g}",
        "rule_none": "no completion rule",
        "rule_watching": "watching a missed class's e-lecture makes up for it",
        "watched": "Watched (min)",
        "watched_total": "Watched in all (min)",
        "made_up": "Made up by watching",
        "class_watched": "“{title}”: made up by watching the e-lecture, {watched_minutes}/{required_minutes} min",
        "watched_also": " (watched {watched_minutes} min)",
        "unsigned": "This report is not digitally signed: no certificate is configured on the server.",
        "signed": "Digitally signed by: {signer}. Check the signature: classbridge report verify.",
        "page": "Page {n}/{total}",
    },
}


def word(lang: Lang, key: str, **values: object) -> str:
    return WORDS[lang][key].format(**values)


def when(moment: datetime | None, lang: Lang, seconds: bool = True) -> str:
    if moment is None:
        return ""
    if lang == "vi":
        return moment.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def duration(seconds: int) -> str:
    """h:mm:ss, as schools write attendance time."""
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def minutes(seconds: int) -> float:
    """Minutes watched, to a tenth: half a minute is not nothing."""
    return round(seconds / 60, 1)


def rule_text(rule: CompletionRule | None, lang: Lang, watching_counts: bool = False) -> str:
    if rule is None or rule.empty:
        return word(lang, "rule_none")
    parts = []
    if rule.min_percent_per_class is not None:
        parts.append(word(lang, "rule_percent", p=rule.min_percent_per_class))
    if rule.min_total_minutes is not None:
        parts.append(word(lang, "rule_minutes", n=rule.min_total_minutes))
    if rule.min_quiz_score is not None:
        parts.append(word(lang, "rule_quiz", s=rule.min_quiz_score))
    if watching_counts:
        parts.append(word(lang, "rule_watching"))
    return "; ".join(parts)


def reason_text(reason: Reason, lang: Lang) -> str:
    text = word(lang, reason.code, **reason.model_dump())
    if reason.code in ("class_missed", "class_short") and reason.watched_minutes:
        text += word(lang, "watched_also", watched_minutes=reason.watched_minutes)
    return text


def intervals_text(a: ClassAttendance, lang: Lang) -> str:
    return "; ".join(
        f"{i.start:%H:%M:%S}–{'…' if i.end is None else f'{i.end:%H:%M:%S}'} ({word(lang, i.where)})"
        for i in a.intervals
    )


def _name(t: TraineeLine, lang: Lang) -> str:
    name = t.name or ""
    return name if t.on_roster else f"{name} ({word(lang, 'not_on_roster')})"


def _yes_no(value: bool | None, lang: Lang) -> str:
    return "" if value is None else word(lang, "yes" if value else "no_")


def summary_header(report: Report, lang: Lang) -> list[str]:
    head = [word(lang, k) for k in ("no", "external_id", "name", "unit")]
    if report.kind == "class":
        keys = ["first_join", "last_leave", "intervals", "mode", "time", "seconds", "percent"]
        if report.rule is not None and report.rule.min_percent_per_class is not None:
            keys.append("meets")
        return head + [word(lang, k) for k in keys]
    per_class = [f"{word(lang, 'time')}: {c.title}" for c in report.classes]
    per_lecture = [f"{word(lang, 'watched')}: {e.title}" for e in report.recordings]
    tail = ["attended", "time", "seconds", "watched_total", "status", "reasons"]
    return head + per_class + per_lecture + [word(lang, k) for k in tail]


def summary_rows(report: Report, lang: Lang) -> list[list[str | int | float]]:
    """One row per trainee, as `summary_header` names the columns."""
    rows: list[list[str | int | float]] = []
    for n, t in enumerate(report.trainees, start=1):
        row: list[str | int | float] = [n, t.external_id or "", _name(t, lang), t.unit or ""]
        if report.kind == "class":
            a = t.classes[0]
            row += [
                when(a.first_join, lang),
                word(lang, "still_in") if a.present_now else when(a.last_leave, lang),
                intervals_text(a, lang),
                word(lang, a.mode),
                duration(a.seconds),
                a.seconds,
                "" if a.percent is None else a.percent,
            ]
            if report.rule is not None and report.rule.min_percent_per_class is not None:
                row.append(_yes_no(a.meets_rule, lang))
        else:
            row += [duration(a.seconds) for a in t.classes]
            row += [minutes(w.seconds) for w in t.watched]
            completion = t.completion
            row += [
                f"{t.classes_attended}/{len(report.classes)}",
                duration(t.seconds),
                t.seconds,
                minutes(t.watched_seconds),
                word(lang, completion.status if completion else "no_rule"),
                "; ".join(reason_text(r, lang) for r in completion.reasons) if completion else "",
            ]
        rows.append(row)
    return rows


def detail_header(lang: Lang) -> list[str]:
    keys = ["external_id", "name", "class", "first_join", "last_leave", "intervals", "mode",
            "time", "seconds", "percent", "meets", "watched", "made_up"]  # fmt: skip
    return [word(lang, k) for k in keys]


def detail_rows(report: Report, lang: Lang) -> list[list[str | int | float]]:
    """One row per trainee and class they were expected in."""
    titles = {c.class_id: c.title for c in report.classes}
    rows: list[list[str | int | float]] = []
    for t in report.trainees:
        for a in t.classes:
            rows.append([
                t.external_id or "", _name(t, lang), titles[a.class_id],
                when(a.first_join, lang),
                word(lang, "still_in") if a.present_now else when(a.last_leave, lang),
                intervals_text(a, lang), word(lang, a.mode), duration(a.seconds), a.seconds,
                "" if a.percent is None else a.percent, _yes_no(a.meets_rule, lang),
                minutes(a.watched_seconds), word(lang, "yes") if a.made_up else "",
            ])  # fmt: skip
    return rows


def heading(report: Report, lang: Lang) -> list[tuple[str, str]]:
    """The label/value lines above the table."""
    lines: list[tuple[str, str]] = []
    if report.course_title is not None:
        course = report.course_title + (f" ({report.course_code})" if report.course_code else "")
        lines.append((word(lang, "course"), course))
    if report.kind == "class":
        c = report.classes[0]
        lines.append((word(lang, "class"), f"{c.title} ({c.class_id})"))
        start, end = (c.starts_at, c.ends_at) if c.starts_at else (c.started_at, c.ended_at)
        if start is not None:
            lines.append((word(lang, "planned"),
                          f"{when(start, lang, False)} – {when(end, lang, False)}"))  # fmt: skip
    lines.append((word(lang, "rule"), rule_text(report.rule, lang, report.watching_counts)))
    lines.append((word(lang, "zone"), report.time_zone))
    lines.append((word(lang, "generated"), when(report.generated_at, lang)))
    return lines


def title(report: Report, lang: Lang) -> str:
    return word(lang, "title_class" if report.kind == "class" else "title_course")
