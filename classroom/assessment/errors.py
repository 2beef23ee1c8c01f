"""The assessment domain's errors: ClassroomError subclasses with stable codes, mapped to HTTP
statuses and frames at the edge."""

from __future__ import annotations

from classroom.assessment.questions import Problem
from classroom.errors import ClassroomError, LiveClassError


class CourseNotFound(ClassroomError):
    code = "course_not_found"

    def __init__(self, course_id: str) -> None:
        super().__init__(f"there is no course {course_id!r}")
        self.course_id = course_id


class QuestionNotFound(ClassroomError):
    code = "question_not_found"

    def __init__(self, question_id: int) -> None:
        super().__init__(f"there is no question {question_id} in this course's bank")
        self.question_id = question_id


class BankImportRefused(ClassroomError):
    """A file with problems: nothing of it was imported; `problems` names each one."""

    code = "bank_import_refused"

    def __init__(self, problems: list[Problem]) -> None:
        first = "; ".join(f"{p.where}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"nothing was imported: {first}{more}")
        self.problems = problems


class InvalidQuestion(ClassroomError):
    """A question written through the API or CLI that is not a valid question."""

    code = "invalid_question"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class NotEnoughQuestions(ClassroomError):
    """A draw rule asks for more questions of a topic/difficulty than the bank holds."""

    code = "not_enough_questions"


class ExamNotFound(ClassroomError):
    code = "exam_not_found"

    def __init__(self, test_id: str) -> None:
        super().__init__(f"there is no test {test_id!r} in this course")
        self.test_id = test_id


class InvalidExam(ClassroomError):
    """A test that cannot be composed as asked (an empty composition, a window that ends
    before it opens...)."""

    code = "invalid_exam"


class ExamNotOpen(ClassroomError):
    """The test's window has not opened yet or has closed."""

    code = "exam_not_open"


class AlreadyAttempted(ClassroomError):
    """The trainee has already taken (and finished) this test: one attempt each."""

    code = "already_attempted"


class AttemptClosed(ClassroomError):
    """An answer after the attempt's time limit, or after it was submitted."""

    code = "attempt_closed"


class NotOnRoster(ClassroomError):
    """The person is not a trainee of this course."""

    code = "not_on_roster"


class InvalidAnswer(ClassroomError):
    """An answer that does not fit its question (an option it lacks, a wrong shape)."""

    code = "invalid_answer"


class NotGradable(ClassroomError):
    """A grade for a question that is not waiting for one (not a short answer, or a mark
    out of 0..1)."""

    code = "not_gradable"


# ---- a live class refuses a quiz request (LiveClassError: the class carries on) ------------


class InvalidQuiz(LiveClassError):
    """A quiz or poll that cannot be launched as asked (no questions, a short-answer
    question live, a bad question typed on the spot)."""

    code = "invalid_quiz"


class QuizRunning(LiveClassError):
    code = "quiz_running"

    def __init__(self) -> None:
        super().__init__("a quiz or poll is already running: end it first")


class UnknownQuiz(LiveClassError):
    """No such quiz in this class (or not the one running): a stale or foreign answer."""

    code = "unknown_quiz"

    def __init__(self, quiz_id: str) -> None:
        super().__init__(f"there is no quiz {quiz_id!r} in this class")
        self.quiz_id = quiz_id


class QuizClosed(LiveClassError):
    """An answer after the time limit or after the lecturer ended the quiz."""

    code = "quiz_closed"

    def __init__(self) -> None:
        super().__init__("the time for this quiz is over: the answer was not accepted")


class AlreadyAnswered(LiveClassError):
    code = "already_answered"

    def __init__(self) -> None:
        super().__init__("you have already answered this question")


class InvalidQuizAnswer(LiveClassError):
    """An answer naming a question or option the trainee's paper lacks, or of a wrong shape."""

    code = "invalid_answer"
