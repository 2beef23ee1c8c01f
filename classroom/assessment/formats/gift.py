"""Moodle's GIFT format, the subset a question bank holds.

Read: multiple choice (``=right ~wrong``; several right answers as ``=`` marks or positive
``~%50%`` weights make a multiple-choice question), true/false (``{T}``, ``{FALSE}``), short
answer (``{=one =other}``: the model answers) and essay (``{}``: a short answer without a model
answer). ``$CATEGORY:`` sets the topic (its last ``/`` part). Titles (``::t::``), feedback
(``#...``), format marks (``[html]``...) and comments are read and dropped, except the comment
``// difficulty: easy|medium|hard`` (``// mức độ: dễ|trung bình|khó``), which is ours: Moodle
ignores it, and it lets an exported bank keep its difficulties. Numeric and matching
questions are reported, not guessed at.
"""

from __future__ import annotations

from dataclasses import replace

import re

from classroom.assessment.formats.table import DIFFICULTY_WORDS
from classroom.assessment.questions import (
    Difficulty,
    ImportResult,
    Kind,
    Problem,
    Question,
    clean,
    normal_text,
)

SPECIAL = "~=#{}:"
_ESCAPES = {f"\\{c}": chr(0xE000 + i) for i, c in enumerate(SPECIAL + "\\")}
_RESTORE = {v: k[1] for k, v in _ESCAPES.items()}
_DIFFICULTY_COMMENT = re.compile(r"^//\s*(difficulty|mức độ)\s*:\s*(.+)$", re.IGNORECASE)
_FORMAT_MARK = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_DIFFICULTY_OF = {
    normal_text(w): d for words in DIFFICULTY_WORDS.values() for d, w in words.items()
}


def _protect(text: str) -> str:
    text = text.replace("\\n", "\n")
    return re.sub(r"\\[~=#{}:\\]", lambda m: _ESCAPES[m.group(0)], text)


def _restore(text: str) -> str:
    return clean("".join(_RESTORE.get(c, c) for c in text))


def parse(data: bytes, topic: str = "") -> ImportResult:
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append(Problem("file", "not_utf8", "the file is not UTF-8 text"))
        return result
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    block: list[str] = []
    start = 0
    number = 0
    difficulty = Difficulty.MEDIUM
    current_topic = topic

    def flush() -> None:
        nonlocal block, number, difficulty
        if block:
            number += 1
            where = f"question {number} (line {start})"
            question, problems = _question(_protect("\n".join(block)), where, current_topic, difficulty)
            result.add(where, question, problems)
        block = []
        difficulty = Difficulty.MEDIUM

    for line_number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            found = _DIFFICULTY_COMMENT.match(stripped)
            if found:
                level = _DIFFICULTY_OF.get(normal_text(found.group(2)))
                if level is None:
                    result.problems.append(
                        Problem(f"line {line_number}", "unknown_difficulty",
                                f"unknown difficulty {found.group(2).strip()!r}")
                    )
                else:
                    difficulty = level
            continue
        if stripped.startswith("$CATEGORY:"):
            flush()
            path = stripped[len("$CATEGORY:"):].strip()
            current_topic = clean(path.rsplit("/", 1)[-1]) if path else topic
            if current_topic in ("$course$", "top"):
                current_topic = topic
            continue
        if not stripped:
            if block and "}" in _protect("\n".join(block)):
                flush()
            continue
        if not block:
            start = line_number
        block.append(line)
    flush()
    return result


def _question(
    block: str, where: str, topic: str, difficulty: Difficulty
) -> tuple[Question | None, list[Problem]]:
    def problem(code: str, message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(where, code, message)]

    body = block.strip()
    title = re.match(r"^::(.*?)::", body, re.DOTALL)
    if title:
        body = body[title.end():].strip()
    opening = body.find("{")
    closing = body.find("}", opening + 1)
    if opening < 0 or closing < 0:
        return problem("missing_answer", "the question has no answer block { … }")
    if body.find("{", opening + 1, closing) >= 0 or body.find("{", closing) >= 0:
        return problem("bad_gift", "the question has more than one answer block")
    before, answers, after = body[:opening], body[opening + 1:closing].strip(), body[closing + 1:]
    before = _FORMAT_MARK.sub("", before.strip())
    text = _restore(before + (" _____ " + after if after.strip() else ""))
    common = Question(kind=Kind.SHORT, text=text, topic=topic, difficulty=difficulty)
    if not answers:
        return replace(common, kind=Kind.SHORT), []
    if answers.startswith("#"):
        return problem("unsupported", "numeric questions ({#…}) are not supported")
    word = answers.split("#", 1)[0].strip().upper()
    if word in ("T", "TRUE", "F", "FALSE"):
        return replace(common, kind=Kind.TRUE_FALSE, correct=(0,) if word.startswith("T") else (1,)), []
    tokens = re.findall(r"([=~])([^=~]*)", answers)
    if not tokens or answers[0] not in "=~":
        return problem("bad_gift", "the answers must start with = (right) or ~ (wrong)")
    if any("->" in value for _, value in tokens):
        return problem("unsupported", "matching questions (a -> b) are not supported")
    if all(mark == "=" for mark, _ in tokens):
        accepted = tuple(_restore(_without_weight(v.split("#", 1)[0])[1]) for _, v in tokens)
        return replace(common, kind=Kind.SHORT, accepted=tuple(a for a in accepted if a)), []
    options: list[str] = []
    correct: list[int] = []
    weighted = False
    for mark, value in tokens:
        weight, option = _without_weight(value.split("#", 1)[0])
        weighted = weighted or weight is not None
        if mark == "=" or (weight is not None and weight > 0):
            correct.append(len(options))
        options.append(_restore(option))
    kind = Kind.MULTIPLE if weighted or len(correct) > 1 else Kind.SINGLE
    return replace(common, kind=kind, options=tuple(options), correct=tuple(correct)), []


def _without_weight(value: str) -> tuple[float | None, str]:
    found = re.match(r"^\s*%(-?\d+(?:\.\d+)?)%", value)
    if not found:
        return None, value
    return float(found.group(1)), value[found.end():]


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for c in SPECIAL:
        text = text.replace(c, "\\" + c)
    return text.replace("\n", "\\n")


def write(questions: list[Question]) -> bytes:
    out: list[str] = []
    topic: str | None = None
    for q in questions:
        if q.topic != topic:
            out.append(f"$CATEGORY: {q.topic}\n")
            topic = q.topic
        if q.difficulty is not Difficulty.MEDIUM:
            out.append(f"// difficulty: {q.difficulty.value}")
        text = _escape(q.text)
        if q.kind is Kind.TRUE_FALSE:
            body = "TRUE" if q.answer_true() else "FALSE"
        elif q.kind is Kind.SHORT:
            body = " ".join("=" + _escape(a) for a in q.accepted)
        elif q.kind is Kind.SINGLE:
            body = " ".join(("=" if i in q.correct else "~") + _escape(o) for i, o in enumerate(q.options))
        else:
            share = f"{100 / len(q.correct):.5f}".rstrip("0").rstrip(".")
            body = " ".join(
                (f"~%{share}%" if i in q.correct else "~%-100%") + _escape(o)
                for i, o in enumerate(q.options)
            )
        out.append(f"{text} {{{body}}}\n")
    return "\n".join(out).encode("utf-8")
