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


class Client:
    """One participant's socket, read all the time (a reader that stopped reading would make
    the server queue the whole class's news for it) and kept alive with pings."""

    def __init__(self, ws: Any):
        self.ws = ws
        self.inbox: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        self.tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._ping())]

    async def _read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if message.get("type") in ("quiz", "quiz_saved", "quiz_results", "error"):
                await self.inbox.put((time.perf_counter(), message))

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(10)
            await self.ws.send(json.dumps({"type": "ping"}))

    async def next(self, *types: str) -> tuple[float, dict[str, Any]]:
        while True:
            at, message = await self.inbox.get()
            if message.get("type") in types:
                return at, message

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await self.ws.close()


async def end_to_end(server: Server, class_id: str, tokens: list[str], questions: int) -> tuple[list[float], float, float, int, int]:
    from websockets.asyncio.client import connect

    url = server.url.replace("http", "ws", 1) + f"/ws/{class_id}"

    async def join(token: str, client_id: str) -> Client:
        while True:
            ws = await connect(url, max_size=None, open_timeout=60, ping_interval=None)
            await ws.send(json.dumps({"type": "join", "v": PROTOCOL_VERSION, "token": token, "client_id": client_id}))
            message = json.loads(await ws.recv())
            while message.get("type") not in ("joined", "error"):
                message = json.loads(await ws.recv())
            if message.get("type") == "joined":
                return Client(ws)
            await ws.close()
            if message.get("code") != "server_busy":
                raise RuntimeError(f"could not join: {message}")
            await asyncio.sleep(float(message.get("retry_after_s") or 1))

    lecturer = await join(tokens[0], "lecturer")
    gate = asyncio.Semaphore(8)

    async def join_one(n: int, token: str) -> Client:
        async with gate:
            return await join(token, f"t{n}")

    clients = await asyncio.gather(*(join_one(n, t) for n, t in enumerate(tokens[1:])))
    await lecturer.ws.send(json.dumps({
        "type": "quiz_start", "kind": "quiz", "time_limit_s": 600,
        "questions": [{"kind": "single", "text": QUESTION.format(n=n + 1), "options": OPTIONS, "correct": [0]} for n in range(questions)],
    }))
    papers = [(await c.next("quiz"))[1]["quiz"] for c in clients]
    process = psutil.Process(server.popen.pid)
    cpu_before = sum(process.cpu_times()[:2])
    samples: list[float] = []
    refused = 0
    last_saved = 0.0

    async def trainee(client: Client, quiz: dict[str, Any]) -> None:
        nonlocal refused, last_saved
        sent: dict[int, float] = {}
        for q in range(questions):
            sent[q] = time.perf_counter()
            await client.ws.send(json.dumps({"type": "quiz_answer", "quiz_id": quiz["id"], "question": q, "choice": [0]}))
        for _ in range(questions):
            at, message = await client.next("quiz_saved", "error")
            if message["type"] == "quiz_saved":
                samples.append((at - sent[message["question"]]) * 1000)
                last_saved = max(last_saved, at)
            else:
                refused += 1

    first = time.perf_counter()
    await asyncio.gather(*(trainee(c, paper) for c, paper in zip(clients, papers, strict=True)))
    burst = last_saved - first
    cpu_ms = (sum(process.cpu_times()[:2]) - cpu_before) * 1000
    counted = 0
    try:
        while counted < len(clients) * questions:  # the coalesced results catch up within a quarter second
            _, message = await asyncio.wait_for(lecturer.next("quiz_results"), 10)
            counted = sum(r["answered"] for r in message["results"])
    except asyncio.TimeoutError:
        pass
    for client in [lecturer, *clients]:
        await client.close()
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
