"""The quiz domain alone: draw rules, reproducible per-trainee papers, timing with an injected
clock, refusals of late, second and malformed answers, scoring of each question type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from classroom.assessment.errors import AlreadyAnswered, InvalidQuiz, InvalidQuizAnswer, NotEnoughQuestions, QuizClosed
from classroom.assessment.live_quiz import LiveQuiz, QuizKind
from classroom.assessment.papers import DrawRule, draw, paper, seed_for
from classroom.assessment.questions import Difficulty, Kind, Question, score

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SINGLE = Question(Kind.SINGLE, "Thủ đô?", ("Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ"), (0,), topic="Địa lý")
MULTI = Question(Kind.MULTIPLE, "Cơ quan nhà nước?", ("HĐND", "Mặt trận", "UBND"), (0, 2), topic="QLNN",
                 difficulty=Difficulty.HARD)
TF = Question(Kind.TRUE_FALSE, "Lạng Sơn giáp Trung Quốc.", correct=(0,), topic="Địa lý", difficulty=Difficulty.EASY)
SHORT = Question(Kind.SHORT, "Nêu ví dụ", accepted=("x",))


def test_scoring_of_each_type() -> None:
    assert score(SINGLE, (0,)) == 1.0 and score(SINGLE, (1,)) == 0.0
    assert score(MULTI, (2, 0)) == 1.0 and score(MULTI, (0,)) == 0.0 and score(MULTI, (0, 1, 2)) == 0.0
    assert score(TF, (0,)) == 1.0 and score(TF, (1,)) == 0.0
    assert score(SHORT, "một câu") is None  # waits for the lecturer
    assert score(SHORT, "") == 0.0 and score(SINGLE, None) == 0.0


def test_draw_rules_by_topic_and_difficulty() -> None:
    pool = [(i, Question(Kind.TRUE_FALSE, f"Câu {i}", correct=(0,), topic="A" if i % 2 else "B",
                         difficulty=Difficulty.HARD if i < 4 else Difficulty.EASY)) for i in range(10)]
    rules = [DrawRule(2, topic="A", difficulty=Difficulty.HARD), DrawRule(3, topic="B")]
    drawn = draw(pool, rules, seed=7)
    assert drawn == draw(pool, rules, seed=7)  # reproducible
    assert [q.topic for _, q in drawn] == ["A", "A", "B", "B", "B"]
    assert all(q.difficulty is Difficulty.HARD for _, q in drawn[:2])
    assert len({qid for qid, _ in drawn}) == 5
    assert any(draw(pool, [DrawRule(5)], seed=s) != draw(pool, [DrawRule(5)], seed=0) for s in range(1, 5))
    with pytest.raises(NotEnoughQuestions, match="topic 'A' difficulty hard"):
        draw(pool, [DrawRule(3, topic="A", difficulty=Difficulty.HARD)], seed=1)
    with pytest.raises(NotEnoughQuestions):  # the second rule cannot reuse what the first took
        draw(pool, [DrawRule(5, topic="A"), DrawRule(1, topic="A")], seed=1)


def test_papers_are_per_trainee_and_reproducible() -> None:
    questions = [SINGLE, MULTI, TF] + [Question(Kind.SINGLE, f"Câu {i}", ("a", "b", "c", "d"), (1,)) for i in range(5)]
    an = paper(questions, seed_for("quiz1", "HV001"))
    assert an == paper(questions, seed_for("quiz1", "HV001"))
    others = [paper(questions, seed_for("quiz1", f"HV{n:03}")) for n in range(2, 8)]
    assert any(p.order != an.order for p in others) and any(p.options != an.options for p in others)
    assert sorted(an.order) == list(range(len(questions)))
    assert an.options[2] == (0, 1)  # true/false stays true, false
    assert paper(questions, 5, shuffle=False).order == tuple(range(len(questions)))


def quiz(limit: int = 60, kind: QuizKind = QuizKind.QUIZ) -> LiveQuiz:
    return LiveQuiz("q1", kind, [SINGLE, MULTI, TF], T0, limit)


def right_answer(q: LiveQuiz, identity: str, shown: int) -> tuple[int, ...]:
    taker = q.taker(identity, identity)
    index = taker.paper.question_at(shown)
    return taker.paper.shown_choice(index, q.questions[index].correct)


def test_answers_are_taken_in_time_once_and_scored() -> None:
    q = quiz()
    for shown in range(3):
        q.answer("HV001", "An", shown, right_answer(q, "HV001", shown), T0 + timedelta(seconds=10))
    q.answer("HV002", "Bình", 0, right_answer(q, "HV002", 0), T0 + timedelta(seconds=59))
    with pytest.raises(AlreadyAnswered):
        q.answer("HV002", "Bình", 0, right_answer(q, "HV002", 0), T0 + timedelta(seconds=59))
    with pytest.raises(QuizClosed):  # late: one second after the limit
        q.answer("HV002", "Bình", 1, right_answer(q, "HV002", 1), T0 + timedelta(seconds=61))
    results = {r.identity: r for r in q.results()}
    assert results["HV001"].score == 100.0 and results["HV001"].correct == 3
    assert results["HV002"].score == pytest.approx(33.3) and results["HV002"].answered == 1
    assert q.counts()[0] == (2, 0, 0, 0) and q.counts()[2] == (1, 0)
    assert q.answered_on_paper("HV001") == {i: right_answer(q, "HV001", i) for i in range(3)}


def test_the_lecturer_ending_closes_it_and_bad_answers_are_refused() -> None:
    q = quiz()
    with pytest.raises(InvalidQuizAnswer):
        q.answer("HV001", "An", 7, (0,), T0)  # no such question on the paper
    with pytest.raises(InvalidQuizAnswer):
        q.answer("HV001", "An", 0, (9,), T0)
    taker = q.taker("HV001", "An")
    single_at = taker.paper.order.index(0)
    with pytest.raises(InvalidQuizAnswer):
        q.answer("HV001", "An", single_at, (0, 1), T0)  # two options to a single choice
    with pytest.raises(InvalidQuizAnswer):
        q.answer("HV001", "An", single_at, (), T0)
    with pytest.raises(InvalidQuizAnswer):
        q.answer("HV001", "An", single_at, "text", T0)
    assert q.close(T0 + timedelta(seconds=5)) and not q.close(T0 + timedelta(seconds=6))
    with pytest.raises(QuizClosed):
        q.answer("HV001", "An", single_at, (0,), T0 + timedelta(seconds=6))


def test_what_cannot_be_launched() -> None:
    with pytest.raises(InvalidQuiz, match="short answers"):
        LiveQuiz("q", QuizKind.QUIZ, [SHORT], T0, 60)
    with pytest.raises(InvalidQuiz, match="time limit"):
        LiveQuiz("q", QuizKind.QUIZ, [SINGLE], T0, 1)
    with pytest.raises(InvalidQuiz, match="at least one"):
        LiveQuiz("q", QuizKind.QUIZ, [], T0, 60)
    with pytest.raises(InvalidQuiz, match="correct answer"):
        LiveQuiz("q", QuizKind.QUIZ, [Question(Kind.SINGLE, "Ý kiến?", ("Có", "Không"))], T0, 60)
    poll = LiveQuiz("p", QuizKind.POLL, [Question(Kind.SINGLE, "Ý kiến?", ("Có", "Không"))], T0, 60)
    poll.answer("HV001", "An", 0, (1,), T0)
    assert poll.results()[0].score == 0.0 and sum(poll.counts()[0]) == 1
