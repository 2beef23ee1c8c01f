"""HTTP statuses of the assessment domain's errors (signaling/api/errors.py reads them)."""

from __future__ import annotations

from classroom.assessment import errors as e

STATUS: list[tuple[type[Exception], int]] = [
    (e.CourseNotFound, 404),
    (e.QuestionNotFound, 404),
    (e.ExamNotFound, 404),
    (e.BankImportRefused, 422),
    (e.InvalidQuestion, 422),
    (e.InvalidExam, 422),
    (e.NotEnoughQuestions, 422),
    (e.InvalidAnswer, 422),
    (e.NotGradable, 422),
    (e.ExamNotOpen, 409),
    (e.AlreadyAttempted, 409),
    (e.AttemptClosed, 409),
    (e.NotOnRoster, 403),
]
