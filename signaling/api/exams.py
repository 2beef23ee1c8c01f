"""Module-end tests over REST: ``/api/courses/{course_id}/tests``.

The lecturer (a lecturer's course link, or the admin) composes tests, reads results and item
statistics (JSON, CSV or XLSX) and grades short answers; a trainee (their personal course
link, which names them) starts or resumes their attempt, saves answers one by one and
submits. The server keeps the time (classroom/assessment/exams.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from classroom.assessment import exams
from classroom.assessment.exams import QUESTIONS_MAX, TIME_LIMIT_MAX_S, TIME_LIMIT_MIN_S, ExamSpec
from classroom.assessment.papers import DrawRule
from classroom.assessment.questions import OPTIONS_MAX, TEXT_MAX, TOPIC_MAX, Difficulty, Kind
from classroom.roles import Role
from signaling.api.course_access import CourseAccess, course_access, course_manager
from signaling.api.schemas import error_doc
from signaling.errors import AuthRefused
from signaling.server.state import server_of

router = APIRouter(
    prefix="/api/courses/{course_id}",
    tags=["module-end tests"],
    responses={
        401: error_doc("No credential (`auth_required`)."),
        403: error_doc("Not allowed (`not_lecturer`, `not_trainee`, `wrong_course`, `not_on_roster`)."),
        404: error_doc("No such course (`course_not_found`) or test (`exam_not_found`)."),
    },
)
Manager = Annotated[CourseAccess, Depends(course_manager)]
Member = Annotated[CourseAccess, Depends(course_access)]


def _db(request: Request) -> sessionmaker[Session]:
    return server_of(request.app).services.db


def _now() -> datetime:
    return datetime.now(UTC)


def _trainee(access: CourseAccess) -> str:
    if access.role is not Role.TRAINEE or access.external_id is None:
        raise AuthRefused("a test is taken through the trainee's own course link", code="not_trainee")
    return access.external_id


class DrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(ge=1, le=QUESTIONS_MAX)
    topic: str | None = Field(default=None, max_length=TOPIC_MAX)
    difficulty: Difficulty | None = None


class ExamIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=200, examples=["Kiểm tra kết thúc học phần I"])
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    time_limit_s: int = Field(ge=TIME_LIMIT_MIN_S, le=TIME_LIMIT_MAX_S, description="Per attempt.")
    question_ids: list[int] = Field(default_factory=list, max_length=QUESTIONS_MAX, description="Fixed questions.")
    draw: list[DrawIn] = Field(default_factory=list, max_length=20, description="Drawn per attempt.")

    @model_validator(mode="after")
    def _window(self) -> ExamIn:
        if self.closes_at <= self.opens_at:
            raise ValueError("closes_at must be after opens_at")
        return self


class ExamOut(BaseModel):
    id: str
    title: str
    opens_at: datetime
    closes_at: datetime
    time_limit_s: int
    questions: int

    @classmethod
    def of(cls, info: exams.ExamInfo) -> ExamOut:
        return cls(id=info.id, title=info.title, opens_at=info.opens_at, closes_at=info.closes_at,
                   time_limit_s=info.time_limit_s, questions=info.questions)


class ShownQuestionOut(BaseModel):
    kind: Kind
    text: str
    options: list[str]


class AttemptOut(BaseModel):
    test_id: str
    title: str
    started_at: datetime
    deadline: datetime
    now: datetime  # the server's clock, for the page's countdown
    closed: bool
    questions: list[ShownQuestionOut]
    answers: dict[int, list[int] | str]
    score: float | None

    @classmethod
    def of(cls, view: exams.AttemptView) -> AttemptOut:
        return cls(
            test_id=view.exam_id, title=view.title, started_at=view.started_at, deadline=view.deadline, now=_now(),
            closed=view.closed,
            questions=[ShownQuestionOut(kind=q.kind, text=q.text, options=list(q.options)) for q in view.questions],
            answers={n: a if isinstance(a, str) else list(a) for n, a in view.answers.items()}, score=view.score,
        )


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    choice: list[int] | None = Field(default=None, max_length=OPTIONS_MAX)
    text: str | None = Field(default=None, max_length=TEXT_MAX)

    @model_validator(mode="after")
    def _one(self) -> AnswerIn:
        if (self.choice is None) == (self.text is None):
            raise ValueError("give either choice (option positions) or text")
        return self


class ResultOut(BaseModel):
    external_id: str
    name: str
    started_at: datetime | None
    closed_at: datetime | None
    answered: int
    score: float | None
    pending: int


class ItemOut(BaseModel):
    question_id: int
    text: str
    kind: Kind
    attempts: int
    option_counts: list[int]
    difficulty_index: float | None


class UngradedOut(BaseModel):
    external_id: str
    name: str
    question: int
    text: str
    accepted: list[str]
    answer: str


class GradeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    external_id: str = Field(min_length=1, max_length=128)
    question: int = Field(ge=0, lt=QUESTIONS_MAX)
    mark: float = Field(ge=0, le=1, description="1 full marks, 0 none, or a fraction.")


class Graded(BaseModel):
    score: float | None


@router.post("/tests", status_code=201, response_model=ExamOut, summary="Compose a module-end test")
async def compose(course_id: str, body: ExamIn, request: Request, _: Manager) -> ExamOut:
    spec = ExamSpec(
        title=body.title, opens_at=body.opens_at, closes_at=body.closes_at, time_limit_s=body.time_limit_s,
        question_ids=tuple(body.question_ids),
        draw=tuple(DrawRule(d.count, d.topic or None, d.difficulty) for d in body.draw),
    )
    return ExamOut.of(await run_in_threadpool(exams.compose, _db(request), course_id, spec, _now()))


@router.get("/tests", response_model=list[ExamOut], summary="The course's module-end tests")
async def list_exams(course_id: str, request: Request, _: Member) -> list[ExamOut]:
    return [ExamOut.of(i) for i in await run_in_threadpool(exams.exams, _db(request), course_id)]


@router.post("/tests/{test_id}/attempt", response_model=AttemptOut, summary="Start or resume my attempt")
async def start(course_id: str, test_id: str, request: Request, access: Member) -> AttemptOut:
    run = partial(exams.start, _db(request), course_id, test_id, _trainee(access), _now())
    return AttemptOut.of(await run_in_threadpool(run))


@router.put("/tests/{test_id}/attempt/answers/{question}", status_code=204, summary="Save one answer")
async def save(course_id: str, test_id: str, question: int, body: AnswerIn, request: Request, access: Member) -> Response:
    answer: tuple[int, ...] | str = body.text if body.text is not None else tuple(sorted(body.choice or []))
    run = partial(exams.save_answer, _db(request), course_id, test_id, _trainee(access), question, answer, _now())
    await run_in_threadpool(run)
    return Response(status_code=204)


@router.post("/tests/{test_id}/attempt/submit", response_model=AttemptOut, summary="Hand in my attempt")
async def submit(course_id: str, test_id: str, request: Request, access: Member) -> AttemptOut:
    run = partial(exams.submit, _db(request), course_id, test_id, _trainee(access), _now())
    return AttemptOut.of(await run_in_threadpool(run))


@router.get("/tests/{test_id}/results", response_model=list[ResultOut], summary="Results per trainee",
            responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
async def results(
    course_id: str, test_id: str, request: Request, _: Manager,
    format: Literal["json", "csv", "xlsx"] = "json", language: Literal["vi", "en"] = "vi",
) -> list[ResultOut] | Response:
    rows = await run_in_threadpool(exams.results, _db(request), course_id, test_id, _now())
    if format == "json":
        return [ResultOut(**r.__dict__) for r in rows]
    data = exams.results_csv(rows, language) if format == "csv" else exams.results_xlsx(rows, language)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="results-{test_id}.{format}"'})


@router.get("/tests/{test_id}/items", response_model=list[ItemOut], summary="Item statistics")
async def items(course_id: str, test_id: str, request: Request, _: Manager) -> list[ItemOut]:
    found = await run_in_threadpool(exams.item_statistics, _db(request), course_id, test_id, _now())
    return [ItemOut(question_id=i.question_id, text=i.text, kind=i.kind, attempts=i.attempts,
                    option_counts=list(i.option_counts), difficulty_index=i.difficulty_index) for i in found]


@router.get("/tests/{test_id}/grading", response_model=list[UngradedOut], summary="Short answers to grade")
async def grading(course_id: str, test_id: str, request: Request, _: Manager) -> list[UngradedOut]:
    found = await run_in_threadpool(exams.ungraded, _db(request), course_id, test_id, _now())
    return [UngradedOut(external_id=u.external_id, name=u.name, question=u.question, text=u.text,
                        accepted=list(u.accepted), answer=u.answer) for u in found]


@router.post("/tests/{test_id}/grades", response_model=Graded, summary="Grade a short answer")
async def grade(course_id: str, test_id: str, body: GradeIn, request: Request, _: Manager) -> Graded:
    run = partial(exams.grade, _db(request), course_id, test_id, body.external_id, body.question, body.mark, _now())
    return Graded(score=await run_in_threadpool(run))


@router.get("/scores", response_model=dict[str, float], summary="Each trainee's test score (completion rule)")
async def scores(course_id: str, request: Request, _: Manager) -> dict[str, float]:
    return await run_in_threadpool(exams.scores_of, _db(request), course_id, _now())
