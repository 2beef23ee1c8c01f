"""Import and export formats of a question bank: pure functions from bytes/text to questions
and back (no files, no database), each with its own tests.

- table.py: the spreadsheet template shared by CSV (csv_format.py) and XLSX (xlsx_format.py)
- gift.py: Moodle's GIFT text format
- aiken.py: Moodle's Aiken text format (single-choice questions only)
"""

from __future__ import annotations

from classroom.assessment.formats import aiken, csv_format, gift, xlsx_format
from classroom.assessment.questions import ImportResult, Question

FORMATS = ("csv", "xlsx", "gift", "aiken")
MAX_FILE_BYTES = 5 * 1024 * 1024  # a bank of a few thousand questions; more is a mistake


class UnknownFormat(ValueError):
    pass


def parse(fmt: str, data: bytes, topic: str = "") -> ImportResult:
    """The questions of `data` in format `fmt`; `topic` for questions the file gives none."""
    if fmt == "csv":
        return csv_format.parse(data, topic)
    if fmt == "xlsx":
        return xlsx_format.parse(data, topic)
    if fmt == "gift":
        return gift.parse(data, topic)
    if fmt == "aiken":
        return aiken.parse(data, topic)
    raise UnknownFormat(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")


def write(fmt: str, questions: list[Question], language: str = "vi") -> bytes:
    """`questions` in format `fmt` (spreadsheet headers in `language`)."""
    if fmt == "csv":
        return csv_format.write(questions, language)
    if fmt == "xlsx":
        return xlsx_format.write(questions, language)
    if fmt == "gift":
        return gift.write(questions)
    if fmt == "aiken":
        return aiken.write(questions)
    raise UnknownFormat(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")


def format_of(filename: str) -> str:
    """The format a file's name suggests (``.txt`` is GIFT; Aiken must be asked for)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("csv", "xlsx", "gift", "aiken"):
        return suffix
    if suffix == "txt":
        return "gift"
    raise UnknownFormat(f"cannot tell the format of {filename!r}: name it: {', '.join(FORMATS)}")
