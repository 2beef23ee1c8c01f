"""The spreadsheet template (CSV and XLSX share it): one question per row.

Columns, by header (English or Vietnamese, any order, case and accents as typed):
topic/Chủ đề, difficulty/Mức độ, type/Loại, question/Câu hỏi, A..J (the options),
answer/Đáp án. The answer is letters (``B``, ``A, C``), true/false (``Đúng``/``Sai``) or, for a
short-answer question, its model answers separated by ``|``. A blank type is inferred:
options and one letter → single, several letters → multiple, true/false words → true/false,
no options → short answer. docs/question-bank.md is the user's description of this.
"""

from __future__ import annotations

from dataclasses import replace

import re
from collections.abc import Iterable, Sequence

from classroom.assessment.questions import (
    LETTERS,
    Difficulty,
    ImportResult,
    Kind,
    Problem,
    Question,
    clean,
    normal_text,
)

HEADERS = {
    "en": {"topic": "topic", "difficulty": "difficulty", "type": "type",
           "question": "question", "answer": "answer"},
    "vi": {"topic": "Chủ đề", "difficulty": "Mức độ", "type": "Loại",
           "question": "Câu hỏi", "answer": "Đáp án"},
}
KIND_WORDS = {
    "en": {Kind.SINGLE: "single", Kind.MULTIPLE: "multiple", Kind.TRUE_FALSE: "true_false",
           Kind.SHORT: "short"},
    "vi": {Kind.SINGLE: "Một đáp án", Kind.MULTIPLE: "Nhiều đáp án", Kind.TRUE_FALSE: "Đúng/Sai",
           Kind.SHORT: "Trả lời ngắn"},
}
DIFFICULTY_WORDS = {
    "en": {Difficulty.EASY: "easy", Difficulty.MEDIUM: "medium", Difficulty.HARD: "hard"},
    "vi": {Difficulty.EASY: "Dễ", Difficulty.MEDIUM: "Trung bình", Difficulty.HARD: "Khó"},
}
TRUE_WORDS = {"true", "t", "đúng", "đ"}
FALSE_WORDS = {"false", "f", "sai", "s"}
MAX_ROWS = 5000

_HEADER_OF = {
    normal_text(word): column
    for names in HEADERS.values()
    for column, word in names.items()
} | {normal_text(letter): letter for letter in LETTERS}
_KIND_OF = {normal_text(w): k for words in KIND_WORDS.values() for k, w in words.items()} | {
    "true/false": Kind.TRUE_FALSE, "đúng sai": Kind.TRUE_FALSE, "tự luận": Kind.SHORT,
}
_DIFFICULTY_OF = {
    normal_text(w): d for words in DIFFICULTY_WORDS.values() for d, w in words.items()
} | {"trung binh": Difficulty.MEDIUM, "de": Difficulty.EASY, "kho": Difficulty.HARD}


def parse_rows(rows: Iterable[Sequence[object]], topic: str = "") -> ImportResult:
    """Questions from spreadsheet rows, the first being the header; rows are numbered as the
    spreadsheet numbers them (the header is row 1)."""
    result = ImportResult()
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        result.problems.append(Problem("row 1", "empty_file", "the file has no header row"))
        return result
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = _HEADER_OF.get(normal_text(_text(cell)))
        if name is not None and name not in columns:
            columns[name] = i
    missing = [c for c in ("question", "answer") if c not in columns]
    if missing:
        wanted = ", ".join(HEADERS["en"][c] + "/" + HEADERS["vi"][c] for c in missing)
        result.problems.append(
            Problem("row 1", "missing_column", f"the header row lacks the column(s) {wanted}")
        )
        return result
    for number, row in enumerate(iterator, start=2):
        if number > MAX_ROWS + 1:
            result.problems.append(
                Problem(f"row {number}", "too_many_rows", f"a file holds at most {MAX_ROWS} questions")
            )
            break
        cells = {name: _text(row[i]) if i < len(row) else "" for name, i in columns.items()}
        if not any(cells.values()):
            continue
        where = f"row {number}"
        question, problems = _question(cells, where, topic)
        result.add(where, question, problems)
    return result


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"  # a spreadsheet's TRUE/FALSE cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return clean(str(cell))


def _question(cells: dict[str, str], where: str, topic: str) -> tuple[Question | None, list[Problem]]:
    problems: list[Problem] = []
    options = [cells.get(letter, "") for letter in LETTERS]
    while options and not options[-1]:
        options.pop()
    answer = cells["answer"]
    kind_word = cells.get("type", "")
    if kind_word:
        kind = _KIND_OF.get(normal_text(kind_word))
        if kind is None:
            problems.append(Problem(where, "unknown_type", f"unknown question type {kind_word!r}"))
            return None, problems
    else:
        kind = _infer(options, answer)
    difficulty_word = cells.get("difficulty", "")
    difficulty = Difficulty.MEDIUM
    if difficulty_word:
        found = _DIFFICULTY_OF.get(normal_text(difficulty_word))
        if found is None:
            problems.append(
                Problem(where, "unknown_difficulty", f"unknown difficulty {difficulty_word!r}")
            )
            return None, problems
        difficulty = found
    text = cells["question"]
    common = Question(
        kind=Kind.SHORT, text=text, topic=cells.get("topic", "") or topic, difficulty=difficulty
    )
    if kind is Kind.SHORT:
        accepted = tuple(a for a in (clean(p) for p in answer.split("|")) if a)
        extra = [o for o in options if o]
        if extra:
            problems.append(Problem(where, "options_not_allowed", "a short-answer question has no options"))
        return replace(common, kind=kind, accepted=accepted), problems
    if kind is Kind.TRUE_FALSE:
        word = normal_text(answer)
        correct: tuple[int, ...] = (0,) if word in TRUE_WORDS else (1,) if word in FALSE_WORDS else ()
        if answer and not correct:
            problems.append(Problem(where, "bad_answer", f"a true/false answer is Đúng or Sai, not {answer!r}"))
        return replace(common, kind=kind, correct=correct), problems
    letters = [p for p in re.split(r"[\s,;]+", answer.upper()) if p]
    indexes = []
    for letter in letters:
        if len(letter) != 1 or letter not in LETTERS:
            problems.append(Problem(where, "bad_answer", f"the answer {answer!r} is not option letters"))
            return None, problems
        indexes.append(LETTERS.index(letter))
    if any(not o for o in options):
        problems.append(Problem(where, "empty_option", "an option column is empty before a filled one"))
    return replace(common, kind=kind, options=tuple(options), correct=tuple(indexes)), problems


def _infer(options: list[str], answer: str) -> Kind:
    if not options:
        return Kind.TRUE_FALSE if normal_text(answer) in TRUE_WORDS | FALSE_WORDS else Kind.SHORT
    return Kind.MULTIPLE if len([p for p in re.split(r"[\s,;]+", answer) if p]) > 1 else Kind.SINGLE


def rows_of(questions: Iterable[Question], language: str = "vi") -> list[list[str]]:
    """The template's rows for `questions`, header first (in `language`: "vi" or "en")."""
    words = HEADERS.get(language, HEADERS["en"])
    kinds = KIND_WORDS.get(language, KIND_WORDS["en"])
    levels = DIFFICULTY_WORDS.get(language, DIFFICULTY_WORDS["en"])
    true_false = ("Đúng", "Sai") if language == "vi" else ("true", "false")
    questions = list(questions)
    width = max([4, *(len(q.options) for q in questions)])  # option columns A..
    letters = LETTERS[:width]
    rows = [[words[c] for c in ("topic", "difficulty", "type", "question")] + list(letters) + [words["answer"]]]
    for q in questions:
        if q.kind is Kind.SHORT:
            answer = " | ".join(q.accepted)
        elif q.kind is Kind.TRUE_FALSE:
            answer = true_false[0] if q.answer_true() else true_false[1]
        else:
            answer = ", ".join(LETTERS[i] for i in q.correct)
        options = list(q.options) + [""] * (width - len(q.options))
        rows.append([q.topic, levels[q.difficulty], kinds[q.kind], q.text, *options, answer])
    return rows
