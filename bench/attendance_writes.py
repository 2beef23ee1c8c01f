"""Attendance writes per second sustained with 200 simulated participants (SQLite, WAL).

Each participant is a loop that leaves and joins again (a reconnect: two writes, each a
transaction with its hash-chain event), run from a pool of threads as the server's thread
pool runs them, while the process heartbeat marks every open row seen every 2 s (one UPDATE).
Prints the join storm, the sustained writes per second, the heartbeat's duration with 200
open rows, and how long verifying the class's chain takes afterwards.

    PYTHONPATH=$PWD .venv/bin/python bench/attendance_writes.py --participants 200 --seconds 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classroom import classes  # noqa: E402
from classroom.attendance import AttendanceLog  # noqa: E402
from classroom.attendance_chain.chain import verify  # noqa: E402
from classroom.db import open_database  # noqa: E402
from classroom.roles import Role  # noqa: E402

HEARTBEAT_S = 2.0


def main(participants: int, seconds: float, threads: int) -> None:
    with tempfile.TemporaryDirectory(prefix="classbridge-writes-") as directory:
        db = open_database(f"sqlite:///{Path(directory) / 'classbridge.db'}")
        log = AttendanceLog(db)
        class_id = classes.create(db, "Lớp đo tải điểm danh").id
        rows: list[int] = [0] * participants

        def join(i: int) -> None:
            rows[i] = log.joined(class_id, f"p{i}", Role.TRAINEE, f"HV{i:04d}", f"Học viên {i}")

        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(join, range(participants)))
        storm = time.perf_counter() - started
        print(f"join storm: {participants} joins in {storm:.2f} s ({participants / storm:.0f} writes/s)")

        beats: list[float] = []
        stop = threading.Event()

        def heartbeat() -> None:
            while not stop.wait(HEARTBEAT_S):
                t = time.perf_counter()
                updated = log.heartbeat()
                beats.append(time.perf_counter() - t)
                assert updated >= participants - threads, updated  # all open but those reconnecting

        writes = [0] * participants
        deadline = time.perf_counter() + seconds

        def reconnecting(i: int) -> None:
            n = 0
            while time.perf_counter() < deadline:
                log.left(rows[i], "disconnected")
                rows[i] = log.joined(class_id, f"p{i}-{n}", Role.TRAINEE, f"HV{i:04d}", f"Học viên {i}")
                writes[i] += 2
                n += 1

        beating = threading.Thread(target=heartbeat)
        beating.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(reconnecting, range(participants)))
        took = time.perf_counter() - started
        stop.set()
        beating.join()
        total = sum(writes)
        print(
            f"sustained: {total} writes in {took:.1f} s = {total / took:.0f} writes/s "
            f"({participants} participants reconnecting from {threads} threads)"
        )
        if beats:
            print(
                f"heartbeat (one UPDATE, {participants} open rows): median {statistics.median(beats) * 1000:.1f} ms, "
                f"max {max(beats) * 1000:.1f} ms over {len(beats)} beats"
            )
        t = time.perf_counter()
        verdict = verify(db, class_id)
        print(f"chain verify: {verdict.events} events in {time.perf_counter() - t:.2f} s, ok={verdict.ok}")
        people = log.report(class_id).people
        print(f"report: {len(people)} people, {sum(p.sessions for p in people)} connections")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=8, help="writer threads (the server's pool runs several)")
    args = parser.parse_args()
    main(args.participants, args.seconds, args.threads)
