"""The question bank's REST API: ``/api/courses/{course_id}/questions``.

For the admin and the course's lecturers (their personal course link's token). An import
takes the file itself as the request body (so at most the request cap, 64 KiB: the CLI takes
larger files) and is all or nothing unless ``keep_valid``; a refusal lists every problem in
``details`` (``field`` = where, ``message`` = code: message).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from classroom.assessment import bank
from classroom.assessment.errors import BankImportRefused
from classroom.assessment.formats import FORMATS
from classroom.assessment.questions import (
    ACCEPTED_MAX,
    OPTION_MAX,
    OPTIONS_MAX,
    TEXT_MAX,
    TOPIC_MAX,
    Difficulty,
    Kind,
    Problem,
    Question,
    clean,
)
from signaling.api.course_access import CourseAccess, course_manager
from signaling.api.errors import error_response
from signaling.api.schemas import ErrorDetail, error_doc
from signaling.server.state import server_of

router = APIRouter(
    prefix="/api/courses/{course_id}",
    tags=["question bank"],
    responses={
        401: error_doc("No credential (`auth_required`)."),
        403: error_doc("Not the admin or a lecturer of this course (`not_lecturer`, `wrong_course`...)."),
        404: error_doc("No such course (`course_not_found`) or question (`question_not_found`)."),
    },
)
Manager = Annotated[CourseAccess, Depends(course_manager)]
Format = Literal["csv", "xlsx", "gift", "aiken"]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gift": "text/plain; charset=utf-8",
    "aiken": "text/plain; charset=utf-8",
}


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Kind
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    options: list[str] = Field(default_factory=list, max_length=OPTIONS_MAX)
    correct: list[int] = Field(default_factory=list, max_length=OPTIONS_MAX)
    accepted: list[str] = Field(default_factory=list, max_length=ACCEPTED_MAX)
    topic: str = Field(default="", max_length=TOPIC_MAX)
    difficulty: Difficulty = Difficulty.MEDIUM

    def question(self) -> Question:
        return Question(
            kind=self.kind,
            text=clean(self.text),
            options=tuple(clean(o[:OPTION_MAX + 1]) for o in self.options),
            correct=tuple(self.correct),
            accepted=tuple(clean(a[:OPTION_MAX + 1]) for a in self.accepted),
            topic=clean(self.topic),
            difficulty=self.difficulty,
        )


class QuestionOut(BaseModel):
    id: int
    kind: Kind
    text: str
    options: list[str]
    correct: list[int]
    accepted: list[str]
    topic: str
    difficulty: Difficulty

    @classmethod
    def of(cls, stored: bank.StoredQuestion) -> QuestionOut:
        q = stored.question
        return cls(
            id=stored.id, kind=q.kind, text=q.text, options=list(q.options), correct=list(q.correct),
            accepted=list(q.accepted), topic=q.topic, difficulty=q.difficulty,
        )


class BankOut(BaseModel):
    questions: list[QuestionOut]
    topics: dict[str, int]


class ProblemOut(BaseModel):
    where: str
    code: str
    message: str


class ImportOut(BaseModel):
    imported: int
    ids: list[int]
    problems: list[ProblemOut]


class Created(BaseModel):
    id: int


def _problems(problems: list[Problem]) -> list[ProblemOut]:
    return [ProblemOut(where=p.where, code=p.code, message=p.message) for p in problems]


def _db(request: Request) -> sessionmaker[Session]:
    return server_of(request.app).services.db


@router.get("/questions", response_model=BankOut, summary="List the bank's questions")
async def list_questions(
    course_id: str,
    request: Request,
    _: Manager,
    topic: Annotated[str | None, Query(max_length=TOPIC_MAX)] = None,
    difficulty: Difficulty | None = None,
) -> BankOut:
    db = _db(request)
    found = await run_in_threadpool(bank.questions, db, course_id, topic, difficulty)
    topics = await run_in_threadpool(bank.topics, db, course_id)
    return BankOut(questions=[QuestionOut.of(s) for s in found], topics=topics)


@router.post("/questions", status_code=201, response_model=Created, summary="Add a question",
             responses={422: error_doc("Not a valid question (`invalid_question`) or a duplicate.")})
async def add_question(course_id: str, body: QuestionIn, request: Request, _: Manager) -> Created:
    return Created(id=await run_in_threadpool(bank.add, _db(request), course_id, body.question()))


@router.post(
    "/questions/import",
    response_model=ImportOut,
    summary="Import a file of questions",
    description="The body is the file (CSV, XLSX, GIFT or Aiken; docs/question-bank.md). All "
    "or nothing: any problem refuses the file (422 `bank_import_refused`, `details` lists "
    "every problem) unless `keep_valid`, which imports the valid questions and lists the rest.",
)
async def import_questions(
    course_id: str,
    request: Request,
    _: Manager,
    format: Annotated[Format, Query(description="The file's format.")],
    topic: Annotated[str, Query(max_length=TOPIC_MAX, description="For questions without one.")] = "",
    keep_valid: bool = False,
) -> ImportOut | Response:
    data = await request.body()
    run = partial(bank.import_file, _db(request), course_id, format, data, clean(topic), keep_valid)
    try:
        done = await run_in_threadpool(run)
    except BankImportRefused as e:
        details = [ErrorDetail(field=p.where, message=f"{p.code}: {p.message}") for p in e.problems]
        return error_response(422, e.code, e.message, details)
    return ImportOut(imported=len(done.ids), ids=done.ids, problems=_problems(done.problems))


@router.get(
    "/questions/export",
    summary="Export the bank",
    responses={200: {"content": {m: {} for m in set(MEDIA.values())}}},
)
async def export_questions(
    course_id: str,
    request: Request,
    _: Manager,
    format: Annotated[Format, Query(description=", ".join(FORMATS))] = "xlsx",
    language: Annotated[Literal["vi", "en"], Query(description="Spreadsheet headers.")] = "vi",
) -> Response:
    data = await run_in_threadpool(bank.export, _db(request), course_id, format, language)
    return Response(
        data,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="bank-{course_id}.{format}"'},
    )


@router.get("/questions/{question_id}", response_model=QuestionOut, summary="Get a question")
async def get_question(course_id: str, question_id: int, request: Request, _: Manager) -> QuestionOut:
    return QuestionOut.of(await run_in_threadpool(bank.get, _db(request), course_id, question_id))


@router.put("/questions/{question_id}", response_model=QuestionOut, summary="Replace a question")
async def put_question(
    course_id: str, question_id: int, body: QuestionIn, request: Request, _: Manager
) -> QuestionOut:
    db = _db(request)
    await run_in_threadpool(bank.update, db, course_id, question_id, body.question())
    return QuestionOut.of(await run_in_threadpool(bank.get, db, course_id, question_id))


@router.delete("/questions/{question_id}", status_code=204, summary="Delete a question")
async def delete_question(course_id: str, question_id: int, request: Request, _: Manager) -> Response:
    await run_in_threadpool(bank.delete, _db(request), course_id, question_id)
    return Response(status_code=204)
