"""Moodle's Aiken format: single-choice questions only.

A question is its text (one or more lines), its options (``A. …`` or ``A) …``, in order) and a
line ``ANSWER: B``. There is no topic or difficulty: the import's `topic` applies to all.
"""

from __future__ import annotations

import re

from classroom.assessment.questions import (
    LETTERS,
    ImportResult,
    Kind,
    Problem,
    Question,
    clean,
)

_OPTION = re.compile(r"^([A-J])\s*[.)]\s+(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)


class NotAikenQuestion(ValueError):
    """Aiken holds single-choice questions only."""


def parse(data: bytes, topic: str = "") -> ImportResult:
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append(Problem("file", "not_utf8", "the file is not UTF-8 text"))
        return result
    stem: list[str] = []
    options: list[str] = []
    pending: list[Problem] = []  # the current question's problems so far
    start = 0
    number = 0
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for line_number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if not stem and not options:
            start = line_number
            number += 1
        where = f"question {number} (line {start})"
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer:
            letters = [p for p in re.split(r"[\s,;]+", answer.group(1).strip().upper()) if p]
            problems, pending = pending, []
            if not stem:
                problems.append(Problem(where, "missing_text", "the question has no text"))
            if len(letters) > 1:
                problems.append(Problem(where, "several_answers", "Aiken questions have one answer: use GIFT or a spreadsheet for several"))
            elif not letters or letters[0] not in LETTERS:
                problems.append(Problem(where, "bad_answer", f"the answer {answer.group(1).strip()!r} is not an option letter"))
            correct = (LETTERS.index(letters[0]),) if len(letters) == 1 and letters[0] in LETTERS else ()
            question = Question(
                kind=Kind.SINGLE, text=clean(" ".join(stem)), options=tuple(options),
                correct=correct, topic=topic,
            )
            result.add(where, question, problems)
            stem, options = [], []
        elif option and stem:
            expected = LETTERS[len(options)] if len(options) < len(LETTERS) else "?"
            if option.group(1) != expected:
                pending.append(Problem(where, "bad_option_letter", f"option {option.group(1)} where {expected} was expected"))
            options.append(clean(option.group(2)))
        elif options:
            result.problems.extend([*pending, Problem(where, "missing_answer", "the options are not followed by an ANSWER: line")])
            stem, options, pending = [line], [], []
            start = line_number
            number += 1
        else:
            stem.append(line)
    if stem or options:
        result.problems.extend(pending)
        result.problems.append(
            Problem(f"question {number} (line {start})", "missing_answer", "the question has no ANSWER: line")
        )
    return result


def write(questions: list[Question]) -> bytes:
    """`questions` as Aiken; NotAikenQuestion if one is not a single-choice question."""
    out: list[str] = []
    for n, q in enumerate(questions, start=1):
        if q.kind is not Kind.SINGLE:
            raise NotAikenQuestion(f"question {n} is not a single-choice question: export it as GIFT or XLSX")
        out.append(q.text.replace("\n", " "))
        out.extend(f"{LETTERS[i]}. {o}" for i, o in enumerate(q.options))
        out.append(f"ANSWER: {LETTERS[q.correct[0]]}")
        out.append("")
    return "\n".join(out).encode("utf-8")
