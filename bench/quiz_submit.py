"""Quiz submit: 200 trainees answer a 10-question quiz at once. How long does the server take
per answer?

    python -m bench.quiz_submit                      # 200 trainees, 10 questions
    python -m bench.quiz_submit --trainees 50 --json quiz.json

Two measurements, printed as a table and as a JSON line (`--json FILE` too):

1. Server-side handling per answer, in process: a real `ClassQuizzes` (the code the server
   runs) with `--trainees` seated trainees; every answer of every trainee is taken and its
   `quiz_saved` frame encoded (signaling/ws/frames.py), each timed with `perf_counter`
   (p50 / p99 / max in µs; bench/stats.py's percentile). No network, no event-loop queueing.
2. End to end, on a real server (`classbridge serve`, 127.0.0.1, its own data directory): a
   lecturer and `--trainees` trainees join over WebSockets (personal tokens), the lecturer
   launches a quiz of `--questions` typed questions, and once every trainee has its paper all
   send all their answers at once. Per answer: the time from the send to its `quiz_saved`
   (p50 / p99 / max in ms; this includes loopback, the server's queueing of 2000 frames and
   this process reading 200 sockets, so it is an upper bound of the server's own time), the
   burst's duration (first answer sent → last saved), the server's CPU time per answer
   (psutil, the server process, over the burst), and that the lecturer's last `quiz_results`
   counts every answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench.join_storm import PROTOCOL_VERSION, Server, issue_tokens
from bench.stats import percentile

QUESTION = "Câu {n}: nguyên tắc tổ chức cơ bản của Đảng Cộng sản Việt Nam là nguyên tắc nào?"
OPTIONS = ["Tập trung dân chủ", "Tự phê bình và phê bình", "Đoàn kết thống nhất", "Gắn bó mật thiết với nhân dân"]


@dataclass
class QuizResult:
    trainees: int
    questions: int
    answers: int
    handle_p50_us: float
    handle_p99_us: float
    handle_max_us: float
    e2e_p50_ms: float
    e2e_p99_ms: float
    e2e_max_ms: float
    burst_s: float
    server_cpu_ms_per_answer: float
    refused: int
    counted_by_lecturer: int


# ---- 1. in process ------------------------------------------------------------------------------------


def in_process(trainees: int, questions: int) -> list[float]:
    """µs per answer: `ClassQuizzes.answer` and the encoding of its `quiz_saved` frame."""
    from classroom.assessment.in_class import ClassQuizzes
    from classroom.assessment.live_quiz import QuizKind, QuizSpec
    from classroom.assessment.questions import Kind, Question
    from classroom.roles import Role
    from signaling.ws.frames import ConnectionTerms, frame_of
    from signaling.ws.messages import Limits, encode

    @dataclass
    class Person:
        id: str
        role: Role
        name: str
        identity: str | None
        outbox: Any

    class Outbox:
        def __init__(self) -> None:
            self.events: list[Any] = []

        def send(self, event: Any) -> None:
            self.events.append(event)

    terms = ConnectionTerms([], Limits(max_message_bytes=65536, rate_per_second=20, keepalive_timeout_s=45))
    people = [Person("L", Role.LECTURER, "Giảng viên", None, Outbox())]
    people += [Person(f"p{n}", Role.TRAINEE, f"Học viên {n}", f"HV{n:04}", Outbox()) for n in range(trainees)]
    timers: list[Any] = []
    quizzes = ClassQuizzes("bench", lambda: datetime.now(UTC), lambda: people, timer=lambda d, cb: timers.append(cb))
    spec = QuizSpec(QuizKind.QUIZ, 600, tuple(
        Question(Kind.SINGLE, QUESTION.format(n=n + 1), tuple(OPTIONS), (0,)) for n in range(questions)
    ))

    async def start() -> str:
        return await quizzes.start(people[0], spec)

    quiz_id = asyncio.run(start())
    samples = []
    for n in range(questions):
        for person in people[1:]:
            began = time.perf_counter()
            quizzes.answer(person, quiz_id, n, (0,))
            encode(frame_of(person.outbox.events[-1], terms))
            samples.append((time.perf_counter() - began) * 1e6)
    return samples


# ---- 2. a real server ------------------------------------------------------------------------------------


async def end_to_end(server: Server, class_id: str, tokens: list[str], questions: int) -> tuple[list[float], float, float, int, int]:
    from websockets.asyncio.client import connect

    async def join(token: str, client_id: str) -> Any:
        ws = await connect(server.url.replace("http", "ws", 1) + f"/ws/{class_id}", max_size=None, open_timeout=60, ping_interval=None)
        await ws.send(json.dumps({"type": "join", "v": PROTOCOL_VERSION, "token": token, "client_id": client_id}))
        while True:
            message = json.loads(await ws.recv())
            if message.get("type") == "joined":
                return ws
            if message.get("type") == "error" and message.get("fatal"):
                raise RuntimeError(f"could not join: {message}")

    lecturer = await join(tokens[0], "lecturer")
    gate = asyncio.Semaphore(20)

    async def join_one(n: int, token: str) -> Any:
        async with gate:
            return await join(token, f"t{n}")

    sockets = await asyncio.gather(*(join_one(n, t) for n, t in enumerate(tokens[1:])))
    await lecturer.send(json.dumps({
        "type": "quiz_start", "kind": "quiz", "time_limit_s": 600,
        "questions": [{"kind": "single", "text": QUESTION.format(n=n + 1), "options": OPTIONS, "correct": [0]} for n in range(questions)],
    }))
    papers: list[dict[str, Any]] = []
    for ws in sockets:
        while True:
            message = json.loads(await ws.recv())
            if message.get("type") == "quiz":
                papers.append(message["quiz"])
                break
    process = psutil.Process(server.popen.pid)
    cpu_before = sum(process.cpu_times()[:2])
    sent: dict[tuple[int, int], float] = {}
    samples: list[float] = []
    refused = 0
    last_saved = 0.0

    async def trainee(n: int, ws: Any, quiz: dict[str, Any]) -> None:
        nonlocal refused, last_saved
        for q in range(questions):
            sent[(n, q)] = time.perf_counter()
            await ws.send(json.dumps({"type": "quiz_answer", "quiz_id": quiz["id"], "question": q, "choice": [0]}))
        done = 0
        while done < questions:
            message = json.loads(await ws.recv())
            if message.get("type") == "quiz_saved":
                now = time.perf_counter()
                samples.append((now - sent[(n, message["question"])]) * 1000)
                last_saved = max(last_saved, now)
                done += 1
            elif message.get("type") == "error":
                refused += 1
                done += 1

    first = time.perf_counter()
    await asyncio.gather(*(trainee(n, ws, paper) for n, (ws, paper) in enumerate(zip(sockets, papers, strict=True))))
    burst = last_saved - first
    cpu_ms = (sum(process.cpu_times()[:2]) - cpu_before) * 1000
    counted = 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the coalesced results catch up within a quarter second
        try:
            message = json.loads(await asyncio.wait_for(lecturer.recv(), 2))
        except asyncio.TimeoutError:
            break
        if message.get("type") == "quiz_results":
            counted = sum(r["answered"] for r in message["results"])
            if counted == len(sockets) * questions:
                break
    for ws in [lecturer, *sockets]:
        await ws.close()
    return samples, burst, cpu_ms / max(1, len(samples)), refused, counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    handled = in_process(args.trainees, args.questions)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        extra = {"CLASSBRIDGE_SIGNALING__RATE_BURST": "1000", "CLASSBRIDGE_SIGNALING__RATE_PER_SECOND": "40"}
        server = Server(data, args.trainees + 10, extra)
        try:
            class_id = server.create_class("Bồi dưỡng lý luận chính trị – kiểm tra nhanh")
            plan = [(class_id, "lecturer", "GV001", "Giảng viên")]
            plan += [(class_id, "trainee", f"HV{n:04}", f"Học viên {n}") for n in range(args.trainees)]
            tokens = issue_tokens(data, plan)
            samples, burst, cpu, refused, counted = asyncio.run(end_to_end(server, class_id, tokens, args.questions))
        finally:
            server.stop()
    result = QuizResult(
        trainees=args.trainees, questions=args.questions, answers=len(samples),
        handle_p50_us=round(percentile(handled, 0.5), 1), handle_p99_us=round(percentile(handled, 0.99), 1),
        handle_max_us=round(max(handled), 1),
        e2e_p50_ms=round(percentile(samples, 0.5), 2), e2e_p99_ms=round(percentile(samples, 0.99), 2),
        e2e_max_ms=round(max(samples), 2), burst_s=round(burst, 3), server_cpu_ms_per_answer=round(cpu, 3),
        refused=refused, counted_by_lecturer=counted,
    )
    rows = [
        ("trainees × questions", f"{result.trainees} × {result.questions} = {result.answers} answers saved"),
        ("server handling per answer p50 / p99 / max", f"{result.handle_p50_us} / {result.handle_p99_us} / {result.handle_max_us} µs (in process)"),
        ("answer → quiz_saved p50 / p99 / max", f"{result.e2e_p50_ms} / {result.e2e_p99_ms} / {result.e2e_max_ms} ms (real server, loopback)"),
        ("burst (first answer sent → last saved)", f"{result.burst_s} s"),
        ("server CPU per answer", f"{result.server_cpu_ms_per_answer} ms"),
        ("refused answers", str(result.refused)),
        ("answers the lecturer's results count", str(result.counted_by_lecturer)),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    line = json.dumps(asdict(result))
    if args.json:
        args.json.write_text(line)
    print(line)


if __name__ == "__main__":
    main()
