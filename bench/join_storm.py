"""Join storm: do joined participants' signaling stay responsive while hundreds join at once?

    python -m bench.join_storm                         # 500 joins into the pair's class
    python -m bench.join_storm --joins 500 --classes 2 --json storm.json
    python -m bench.join_storm --profile storm.txt     # py-spy (on PATH) samples the server
    python -m bench.join_storm --raw pings.json --server-log serve.log   # for a closer look

A real server (`classbridge serve`, 127.0.0.1, its own data directory) with the per-class
limit raised to fit the storm. An honest pair (a lecturer and a trainee, already joined to
the first class) each send a `ping` every 50 ms and time the `pong` (the rate limit is raised to
40/s, burst 1000, so that pings a stall bunches up are not refused). Then a load process
(this module's `storm` command, at nice 10 so that it does not take the server's core) opens
`--joins` WebSockets, and at one signal sends every `join` at once, spread over `--classes`
classes, each with a personal join token issued from the server's keyring. A join refused
with the retryable `server_busy` error is tried again after the retry hint, as the browser
does; every storm client reads what the server sends it.

Printed, as a table and as JSON (`--json FILE` too): the pair's ping reply times before the
storm and during it (every ping in flight at some moment between the first join sent and the
last participant seated; median, p99, max: bench/stats.py's percentile), pings with no reply,
the storm's duration (first join sent → last participant seated), join times, and how many
joins were answered `server_busy` along the way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.stats import percentile
from tests.support.server import free_port

ADMIN = "join-storm-admin-token-0123456789abcdef"
PROTOCOL_VERSION = 1


@dataclass
class StormResult:
    joins: int
    classes: int
    storm_s: float
    joined: int
    failed: int
    busy_answers: int
    join_p50_s: float
    join_p99_s: float
    join_max_s: float
    quiet_pings: int
    quiet_p50_ms: float
    quiet_p99_ms: float
    quiet_max_ms: float
    storm_pings: int
    storm_p50_ms: float
    storm_p99_ms: float
    storm_max_ms: float
    unanswered_pings: int


# ---- the server -----------------------------------------------------------------------------------


class Server:
    def __init__(self, data_dir: Path, max_per_class: int, extra_env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log = data_dir.parent / "serve.log"
        env = {
            **os.environ,
            "CLASSBRIDGE_ADMIN_TOKEN": ADMIN,
            "CLASSBRIDGE_LOG_LEVEL": "warning",
            "CLASSBRIDGE_SIGNALING__MAX_PARTICIPANTS_PER_CLASS": str(max_per_class),
            # The pair pings at 20/s, the default rate limit itself: a stalled server reads a
            # stall's worth of pings at once, which the default bucket (burst 60) would refuse
            # and count as violations. Measured here is latency, not the limiter.
            "CLASSBRIDGE_SIGNALING__RATE_PER_SECOND": "40",
            "CLASSBRIDGE_SIGNALING__RATE_BURST": "1000",
            **extra_env,
        }
        args = [sys.executable, "-m", "signaling.cli.main", "serve", "--host", "127.0.0.1"]
        args += ["--port", str(self.port), "--data-dir", str(data_dir)]
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer in 90 s:\n{self.log.read_text(errors='replace')[-3000:]}")

    def create_class(self, title: str) -> str:
        response = httpx.post(
            f"{self.url}/api/classes", json={"title": title}, headers={"Authorization": f"Bearer {ADMIN}"}
        )
        response.raise_for_status()
        return str(response.json()["id"])

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


def issue_tokens(data_dir: Path, plan: list[tuple[str, str, str, str]]) -> list[str]:
    """Personal join tokens, signed with the server's own keyring (as `class link` does)."""
    from classroom.roles import Role
    from signaling.auth.keys import Keyring
    from signaling.auth.tokens import TokenService

    tokens = TokenService(Keyring.open(data_dir), default_ttl=timedelta(hours=2))
    return [tokens.issue(cid, Role(role), external_id=ext, name=name) for cid, role, ext, name in plan]


# ---- the honest pair --------------------------------------------------------------------------------


class Pinger:
    """One joined participant that pings every `interval` and times each pong (monotonic)."""

    def __init__(self, ws: Any, interval: float):
        self.ws = ws
        self.interval = interval
        self.sent: dict[float, float] = {}  # ts -> sent at
        self.samples: list[tuple[float, float]] = []  # (sent at, reply ms)

    async def run(self, stop: asyncio.Event) -> None:
        reader = asyncio.create_task(self._read())
        try:
            while not stop.is_set():
                ts = time.monotonic()
                self.sent[ts] = ts
                await self.ws.send(json.dumps({"type": "ping", "ts": ts}))
                try:
                    await asyncio.wait_for(stop.wait(), self.interval)
                except asyncio.TimeoutError:
                    pass
            deadline = time.monotonic() + 10
            while self.sent and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        finally:
            reader.cancel()

    async def _read(self) -> None:
        async for raw in self.ws:
            now = time.monotonic()
            message = json.loads(raw)
            if message.get("type") == "pong" and message.get("ts") in self.sent:
                sent = self.sent.pop(message["ts"])
                self.samples.append((sent, (now - sent) * 1000))


async def join(url: str, token: str, client_id: str) -> Any:
    from websockets.asyncio.client import connect

    ws = await connect(url, max_size=None, open_timeout=60, ping_interval=None)
    await ws.send(json.dumps({"type": "join", "v": PROTOCOL_VERSION, "token": token, "client_id": client_id}))
    while True:
        message = json.loads(await ws.recv())
        if message.get("type") == "joined":
            return ws
        if message.get("type") == "error" and message.get("fatal"):
            raise RuntimeError(f"the pair could not join: {message}")


# ---- the storm (a separate process) ------------------------------------------------------------------


async def storm_process(plan_file: Path) -> None:
    """Open every socket, wait for "go" on stdin, send every join at once, report on stdout."""
    from websockets.asyncio.client import connect

    plan: list[dict[str, str]] = json.loads(plan_file.read_text())
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    busy = 0
    seated: list[float] = []
    failed: list[str] = []
    held: list[Any] = []
    drains: list[asyncio.Task[None]] = []

    async def drain(ws: Any) -> None:
        try:
            async for _ in ws:
                pass
        except Exception:
            pass

    async def opened(url: str) -> Any:
        return await connect(url, max_size=None, open_timeout=120, ping_interval=None)

    async def one(client: dict[str, str], ws: Any) -> None:
        nonlocal busy
        started = time.monotonic()
        while True:
            await ws.send(json.dumps({"type": "join", "v": PROTOCOL_VERSION, "token": client["token"],
                                      "client_id": client["client_id"]}))  # fmt: skip
            retry: float | None = None
            try:
                while True:
                    message = json.loads(await ws.recv())
                    if message.get("type") == "joined":
                        seated.append(time.monotonic() - started)
                        held.append(ws)
                        drains.append(asyncio.create_task(drain(ws)))
                        return
                    if message.get("type") == "error" and message.get("fatal"):
                        if message.get("code") == "server_busy":
                            busy += 1
                            retry = float(message.get("retry_after_s") or 1.0)
                            break
                        failed.append(str(message.get("code")))
                        return
            except Exception as exc:  # the server closed on us
                failed.append(type(exc).__name__)
                return
            await ws.close()
            await asyncio.sleep(retry)
            ws = await opened(client["url"])

    def emit(event: str, **fields: Any) -> None:
        sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
        sys.stdout.flush()

    sockets = await asyncio.gather(*(opened(client["url"]) for client in plan))
    emit("connected", t=time.monotonic())
    await reader.readline()  # "go"
    start = time.monotonic()
    await asyncio.gather(*(one(client, ws) for client, ws in zip(plan, sockets, strict=True)))
    end = time.monotonic()
    emit("result", start=start, end=end, seated=seated, failed=failed, busy=busy)
    await reader.readline()  # hold every connection until told to stop
    for task in drains:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in held), return_exceptions=True)


# ---- the run -------------------------------------------------------------------------------------------


def summarize(joins: int, classes: int, storm: dict[str, Any], samples: list[tuple[float, float]],
              unanswered: int, quiet_until: float) -> StormResult:  # fmt: skip
    quiet = [ms for at, ms in samples if at < quiet_until]
    # During the storm: every ping in flight at some moment of it (sent before its end and
    # answered after its start); a storm shorter than the ping interval has the next ping.
    during = [ms for at, ms in samples if at <= storm["end"] and at + ms / 1000 >= storm["start"]]
    if not during:
        during = [ms for at, ms in samples if at >= storm["start"]][:1]
    seated = storm["seated"] or [0.0]
    if not quiet or not during:
        raise RuntimeError(f"too few pings: {len(quiet)} before the storm, {len(during)} during it")
    return StormResult(
        joins=joins,
        classes=classes,
        storm_s=round(storm["end"] - storm["start"], 3),
        joined=len(storm["seated"]),
        failed=len(storm["failed"]),
        busy_answers=storm["busy"],
        join_p50_s=round(percentile(seated, 0.5), 3),
        join_p99_s=round(percentile(seated, 0.99), 3),
        join_max_s=round(max(seated), 3),
        quiet_pings=len(quiet),
        quiet_p50_ms=round(percentile(quiet, 0.5), 1),
        quiet_p99_ms=round(percentile(quiet, 0.99), 1),
        quiet_max_ms=round(max(quiet), 1),
        storm_pings=len(during),
        storm_p50_ms=round(percentile(during, 0.5), 1),
        storm_p99_ms=round(percentile(during, 0.99), 1),
        storm_max_ms=round(max(during), 1),
        unanswered_pings=unanswered,
    )


async def run(joins: int, classes: int, interval: float, quiet_s: float, extra_env: dict[str, str],
              profile: Path | None = None, server_log: Path | None = None,
              raw: Path | None = None) -> StormResult:  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        server = Server(data_dir, max_per_class=joins + 10, extra_env=extra_env)
        child: asyncio.subprocess.Process | None = None
        try:
            ids = [server.create_class(f"Join storm {i + 1}") for i in range(classes)]
            plan = [(ids[0], "lecturer", "GV-0001", "Giảng viên"), (ids[0], "trainee", "HV-PAIR", "Học viên cặp")]
            plan += [(ids[i % classes], "trainee", f"HV-{i:04d}", f"Học viên {i}") for i in range(joins)]
            tokens = issue_tokens(data_dir, plan)
            ws_base = server.url.replace("http", "ws") + "/ws/"
            storm_plan = [
                {"url": ws_base + cid, "token": token, "client_id": f"storm-{i}"}
                for i, ((cid, *_), token) in enumerate(zip(plan[2:], tokens[2:], strict=True))
            ]
            plan_file = Path(tmp) / "storm.json"
            plan_file.write_text(json.dumps(storm_plan))
            pair = [await join(ws_base + ids[0], tokens[i], f"pair-{i}") for i in range(2)]
            pingers = [Pinger(ws, interval) for ws in pair]
            child = await asyncio.create_subprocess_exec(
                "nice", "-n", "10", sys.executable, "-m", "bench.join_storm", "storm",
                "--plan", str(plan_file),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            assert child.stdin is not None and child.stdout is not None
            connected = await asyncio.wait_for(_event(child.stdout, "connected"), 180)
            del connected
            stop = asyncio.Event()
            ping_tasks = [asyncio.create_task(p.run(stop)) for p in pingers]
            await asyncio.sleep(quiet_s)
            spy = None
            if profile is not None:  # py-spy samples the server during the storm
                spy = subprocess.Popen(["py-spy", "record", "-p", str(server.popen.pid), "-f", "raw", "-o", str(profile)])
                await asyncio.sleep(1)
            quiet_until = time.monotonic()
            child.stdin.write(b"go\n")
            await child.stdin.drain()
            storm = await asyncio.wait_for(_event(child.stdout, "result"), 600)
            if spy is not None:
                spy.send_signal(2)
                spy.wait(30)
            await asyncio.sleep(0.5)
            stop.set()
            await asyncio.gather(*ping_tasks)
            child.stdin.write(b"stop\n")
            await child.stdin.drain()
            await asyncio.wait_for(child.wait(), 60)
            for ws in pair:
                await ws.close()
            samples = sorted(s for p in pingers for s in p.samples)
            unanswered = sum(len(p.sent) for p in pingers)
            if raw is not None:
                raw.write_text(json.dumps({"storm": storm, "quiet_until": quiet_until, "pings": samples}))
            return summarize(joins, classes, storm, samples, unanswered, quiet_until)
        finally:
            if child is not None and child.returncode is None:
                child.kill()
                await child.wait()
            server.stop()
            if server_log is not None:
                server_log.write_bytes(server.log.read_bytes())


async def _event(stream: asyncio.StreamReader, event: str) -> dict[str, Any]:
    while True:
        line = await stream.readline()
        if not line:
            raise RuntimeError(f"the storm process ended before {event!r}")
        if line.startswith(b"{"):
            found: dict[str, Any] = json.loads(line)
            if found.get("event") == event:
                return found


def table(r: StormResult) -> str:
    rows = [
        ("joins (classes)", f"{r.joins} ({r.classes})"),
        ("storm duration", f"{r.storm_s:.2f} s"),
        ("seated / failed", f"{r.joined} / {r.failed}"),
        ("server_busy answers", f"{r.busy_answers}"),
        ("join time p50 / p99 / max", f"{r.join_p50_s:.2f} / {r.join_p99_s:.2f} / {r.join_max_s:.2f} s"),
        ("ping before storm p50 / p99 / max", f"{r.quiet_p50_ms:.1f} / {r.quiet_p99_ms:.1f} / {r.quiet_max_ms:.1f} ms"
                                               f" ({r.quiet_pings} pings)"),
        ("ping during storm p50 / p99 / max", f"{r.storm_p50_ms:.1f} / {r.storm_p99_ms:.1f} / {r.storm_max_ms:.1f} ms"
                                               f" ({r.storm_pings} pings)"),
        ("pings with no reply", f"{r.unanswered_pings}"),
    ]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    storm = sub.add_parser("storm", help="(internal) the storm clients")
    storm.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--joins", type=int, default=500)
    parser.add_argument("--classes", type=int, default=1)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between the pair's pings")
    parser.add_argument("--quiet", type=float, default=2.0, help="seconds of pings before the storm")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the server, e.g. CLASSBRIDGE_SIGNALING__...")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--raw", type=Path, help="write every ping (sent at, reply ms) and the storm's window here")
    parser.add_argument("--server-log", type=Path, help="keep the server's output here")
    parser.add_argument("--profile", type=Path, help="sample the server with py-spy during the storm (collapsed stacks)")
    args = parser.parse_args()
    if args.command == "storm":
        asyncio.run(storm_process(args.plan))
        return
    extra = dict(item.split("=", 1) for item in args.env)
    result = asyncio.run(run(args.joins, args.classes, args.interval, args.quiet, extra, args.profile, args.server_log, args.raw))
    print(table(result))
    figures = json.dumps(asdict(result))
    print(figures)
    if args.json:
        args.json.write_text(figures + "\n")


if __name__ == "__main__":
    main()
