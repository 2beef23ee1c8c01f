"""Polls and quizzes in a real LiveClass (recording media peers, an injected clock whose
timers the test runs): per-trainee papers, the server's timing, late/second/foreign answers,
live results for the lecturer, release, and a reload mid-quiz."""

from __future__ import annotations

import pytest

from classroom.assessment.errors import AlreadyAnswered, InvalidQuiz, QuizClosed, QuizRunning, UnknownQuiz
from classroom.assessment.in_class import RESULTS_EVERY_S, ClassQuizzes
from classroom.assessment.live_quiz import QuizKind, QuizSpec
from classroom.assessment.questions import Kind, Question
from classroom.assessment.quiz_events import QuizAnswerTaken, QuizEnded, QuizReleased, QuizResults, QuizStarted
from classroom.errors import NotAllowed
from classroom.roles import Role
from tests.classroom.test_class_interaction import ClassHarness

QUESTIONS = (
    Question(Kind.SINGLE, "Thủ đô của Việt Nam?", ("Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ"), (0,)),
    Question(Kind.MULTIPLE, "Cơ quan nhà nước cấp tỉnh?", ("HĐND tỉnh", "Mặt trận tỉnh", "UBND tỉnh"), (0, 2)),
    Question(Kind.TRUE_FALSE, "Lạng Sơn giáp Trung Quốc.", correct=(0,)),
)


def harness() -> ClassHarness:
    h = ClassHarness()
    h.live.quizzes = ClassQuizzes("c1", h.clock.wall, lambda: list(h.live.participants.values()), timer=h.clock.schedule)
    return h


def right(started: QuizStarted, shown: int, original: tuple[str, ...]) -> list[int]:
    """The positions, on this paper, of the options whose text is in `original`."""
    question = started.quiz.questions[shown]
    if question.kind is Kind.TRUE_FALSE:
        return [0]
    return [i for i, text in enumerate(question.options) if text in original]


RIGHT_TEXTS = {q.text: tuple(q.options[i] for i in q.correct) if q.options else () for q in QUESTIONS}


async def test_two_trainees_answer_their_own_papers_and_the_lecturer_sees_both_scores() -> None:
    h = harness()
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Cô Lan")
    an, an_inbox = await h.join(Role.TRAINEE, "Nguyễn Văn An", external_id="HV001")
    binh, binh_inbox = await h.join(Role.TRAINEE, "Trần Thị Bình", external_id="HV002")
    quiz_id = await h.live.quizzes.start(lecturer, QuizSpec(QuizKind.QUIZ, 60, QUESTIONS))
    (lecturer_view,) = lecturer_inbox.of(QuizStarted)
    assert [q.correct for q in lecturer_view.quiz.questions] == [(0,), (0, 2), (0,)]
    (an_paper,) = an_inbox.of(QuizStarted)
    (binh_paper,) = binh_inbox.of(QuizStarted)
    assert all(q.correct is None for q in an_paper.quiz.questions)
    assert {q.text for q in an_paper.quiz.questions} == {q.text for q in QUESTIONS}
    for shown, q in enumerate(an_paper.quiz.questions):  # An: all right
        h.live.quizzes.answer(an, quiz_id, shown, tuple(right(an_paper, shown, RIGHT_TEXTS[q.text])))
    assert [e.question for e in an_inbox.of(QuizAnswerTaken)] == [0, 1, 2]
    first = next(i for i, q in enumerate(binh_paper.quiz.questions) if q.kind is Kind.SINGLE)
    wrong = next(i for i, o in enumerate(binh_paper.quiz.questions[first].options) if o != "Hà Nội")
    h.live.quizzes.answer(binh, quiz_id, first, (wrong,))  # Bình: one wrong answer
    with pytest.raises(AlreadyAnswered):
        h.live.quizzes.answer(binh, quiz_id, first, (wrong,))
    with pytest.raises(NotAllowed):
        h.live.quizzes.answer(lecturer, quiz_id, 0, (0,))
    with pytest.raises(UnknownQuiz):
        h.live.quizzes.answer(binh, "another-quiz", 0, (0,))
    assert lecturer_inbox.of(QuizResults)[-1].results == ()  # nothing yet: results are coalesced
    h.clock.advance(RESULTS_EVERY_S)
    results = {r.identity: r for r in lecturer_inbox.of(QuizResults)[-1].results}
    assert results["HV001"].score == 100.0 and results["HV002"].score == 0.0 and results["HV002"].answered == 1
    assert an_inbox.of(QuizResults) == []  # trainees never see the others' scores
    h.clock.advance(60)  # the server ends it at the limit
    assert an_inbox.of(QuizEnded) == [QuizEnded(quiz_id)] and lecturer_inbox.of(QuizResults)[-1].open is False
    with pytest.raises(QuizClosed):  # late
        h.live.quizzes.answer(binh, quiz_id, (first + 1) % 3, (0,))
    h.live.quizzes.release(lecturer, quiz_id)
    (an_result,) = an_inbox.of(QuizReleased)
    assert an_result.result is not None and an_result.result.score == 100.0 and an_result.result.identity == "HV001"
    (binh_result,) = binh_inbox.of(QuizReleased)
    assert binh_result.result is not None and binh_result.result.score == 0.0
    assert binh_result.correct[first] == tuple(right(binh_paper, first, ("Hà Nội",)))


async def test_a_reload_mid_quiz_shows_the_same_paper_and_the_answers_given() -> None:
    h = harness()
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    an, an_inbox = await h.join(Role.TRAINEE, "Nguyễn Văn An", external_id="HV001")
    quiz_id = await h.live.quizzes.start(lecturer, QuizSpec(QuizKind.QUIZ, 120, QUESTIONS))
    (paper,) = an_inbox.of(QuizStarted)
    h.live.quizzes.answer(an, quiz_id, 1, (0,))
    again, again_inbox = await h.join(Role.TRAINEE, "Nguyễn Văn An", external_id="HV001")
    (reloaded,) = again_inbox.of(QuizStarted)
    assert reloaded.quiz.questions == paper.quiz.questions and reloaded.quiz.answered == ((1, (0,)),)
    with pytest.raises(AlreadyAnswered):
        h.live.quizzes.answer(again, quiz_id, 1, (1,))


async def test_one_at_a_time_lecturer_only_and_what_cannot_run() -> None:
    h = harness()
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    trainee, _ = await h.join(Role.TRAINEE, "An", external_id="HV001")
    with pytest.raises(NotAllowed):
        await h.live.quizzes.start(trainee, QuizSpec(QuizKind.QUIZ, 60, QUESTIONS))
    with pytest.raises(InvalidQuiz, match="no question bank"):
        await h.live.quizzes.start(lecturer, QuizSpec(QuizKind.QUIZ, 60, question_ids=(1,)))
    poll = QuizSpec(QuizKind.POLL, 30, (Question(Kind.SINGLE, "Buổi học hôm nay thế nào?", ("Tốt", "Bình thường", "Chưa tốt")),),
                    anonymous=True)
    quiz_id = await h.live.quizzes.start(lecturer, poll)
    with pytest.raises(QuizRunning):
        await h.live.quizzes.start(lecturer, poll)
    h.live.quizzes.answer(trainee, quiz_id, 0, (0,))
    h.live.quizzes.end(lecturer, quiz_id)
    _, inbox = await h.join(Role.OBSERVER, "Thanh tra")
    h.live.quizzes.release(lecturer, quiz_id)
    (released,) = inbox.of(QuizReleased)
    assert sum(released.counts[0]) == 1 and released.result is None
