"""The question bank in a real SQLite database: all-or-nothing imports, duplicates against the
bank, per-course isolation, edits, export → import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from classroom.assessment import bank
from classroom.assessment.errors import BankImportRefused, CourseNotFound, InvalidQuestion, QuestionNotFound
from classroom.assessment.questions import Difficulty, Kind, Question

SAMPLE = Path(__file__).parents[3] / "config" / "question-bank" / "sample.xlsx"
GOOD = "question,A,B,answer\nCâu một?,x,y,A\nCâu hai?,x,y,B\n".encode()
ONE_BAD = GOOD + "Câu ba?,x,y,\n".encode()


def test_an_import_with_a_bad_row_imports_nothing(db: sessionmaker[Session]) -> None:
    with pytest.raises(BankImportRefused) as refused:
        bank.import_file(db, "c1", "csv", ONE_BAD)
    assert [(p.where, p.code) for p in refused.value.problems] == [("row 4", "missing_answer")]
    assert bank.questions(db, "c1") == []


def test_keep_valid_imports_the_good_rows_and_reports_the_rest(db: sessionmaker[Session]) -> None:
    done = bank.import_file(db, "c1", "csv", ONE_BAD, keep_valid=True)
    assert len(done.ids) == 2 and [p.code for p in done.problems] == ["missing_answer"]
    assert [s.question.text for s in bank.questions(db, "c1")] == ["Câu một?", "Câu hai?"]


def test_a_question_already_in_the_bank_is_a_duplicate(db: sessionmaker[Session]) -> None:
    bank.import_file(db, "c1", "csv", GOOD)
    with pytest.raises(BankImportRefused) as refused:
        bank.import_file(db, "c1", "csv", "question,A,B,answer\ncâu   MỘT?,p,q,A\nMới?,p,q,A\n".encode())
    assert [(p.where, p.code) for p in refused.value.problems] == [("row 2", "duplicate")]
    assert len(bank.questions(db, "c1")) == 2
    bank.import_file(db, "c2", "csv", GOOD)  # another course's bank is its own
    assert len(bank.questions(db, "c2")) == 2


def test_the_sample_imports_and_exports_back_the_same(db: sessionmaker[Session]) -> None:
    done = bank.import_file(db, "c1", "xlsx", SAMPLE.read_bytes())
    assert len(done.ids) == 7
    assert bank.topics(db, "c1")["Quản lý nhà nước"] == 3
    hard = bank.questions(db, "c1", difficulty=Difficulty.HARD)
    assert {s.question.kind for s in hard} == {Kind.TRUE_FALSE, Kind.SHORT}
    for fmt in ("xlsx", "csv", "gift"):
        exported = bank.export(db, "c1", fmt)
        bank.import_file(db, "c2", fmt, exported)
        assert [s.question for s in bank.questions(db, "c2")] == [s.question for s in bank.questions(db, "c1")]
        for s in bank.questions(db, "c2"):
            bank.delete(db, "c2", s.id)


def test_add_update_delete(db: sessionmaker[Session]) -> None:
    q = Question(Kind.TRUE_FALSE, "Lạng Sơn giáp Trung Quốc.", correct=(0,), topic="Địa lý")
    qid = bank.add(db, "c1", q)
    assert bank.get(db, "c1", qid).question == q
    with pytest.raises(InvalidQuestion):
        bank.add(db, "c1", q)  # duplicate
    with pytest.raises(InvalidQuestion) as bad:
        bank.update(db, "c1", qid, Question(Kind.SINGLE, "Q?", ("a",), (0,)))
    assert [p.code for p in bad.value.problems] == ["too_few_options"]
    bank.update(db, "c1", qid, Question(Kind.SINGLE, "Q?", ("a", "b"), (1,)))
    assert bank.get(db, "c1", qid).question.correct == (1,)
    with pytest.raises(QuestionNotFound):
        bank.get(db, "c2", qid)  # not another course's question
    bank.delete(db, "c1", qid)
    with pytest.raises(QuestionNotFound):
        bank.delete(db, "c1", qid)
    with pytest.raises(CourseNotFound):
        bank.import_file(db, "nope", "csv", GOOD)
