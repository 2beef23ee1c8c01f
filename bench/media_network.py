"""Media networking figures, both in one run (run as root: the join-time part builds a lab).

    python -m bench.media_network --subscribers 50 --rounds 2 --join-runs 5

1. CPU of single-port mode vs one socket per participant: the load harness (bench/load.py,
   720p VP8 + Opus to `--subscribers` light subscribers over loopback) twice, once with aioice's
   one UDP socket per connection and once with `ice.udp_port` (every connection on one port);
   the server's own CPU per forwarded packet and in all.
2. Join time through TURN vs direct: a trainee (tests/support/remote_trainee.py) in its own
   network namespace behind NAT (nftables masquerade) joins a class whose lecturer publishes
   live video, `--join-runs` times each way: directly (UDP to the relay allowed through the
   NAT), and through a real coturn with its short-lived credentials (UDP to the relay dropped).
   Measured inside the trainee: WebSocket connect → first decoded frame.

Everything stays on loopback and on the veths of the lab, which is removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench import load
from classroom.relay import aiortc_internals
from classroom.roles import Source
from signaling.ws.client import ClassClient, WebSocketChannel
from tests.support.coturn import start_coturn
from tests.support.media import PatternTrack
from tests.support.netns import Lab, lab
from tests.support.server import REPOSITORY, serve

ADMIN = "media-network-admin-token-0123456789"
SECRET = "media-network-bench-secret-0123456789"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


ONE_SOCKET_EACH, SINGLE_PORT = "one socket per connection", "single port"


def cpu_figures(subscribers: int, window: float, rounds: int) -> list[tuple[str, load.RunResult]]:
    """The two modes alternately, `rounds` times each (runs on these VMs vary by about ±20 %)."""
    results = []
    # Joins wait for their turn instead of being answered server_busy on a loaded machine.
    patient = {"CLASSBRIDGE_SIGNALING__MAX_JOIN_WAIT_S": "60"}
    for _ in range(rounds):
        for label, settings in [
            (ONE_SOCKET_EACH, patient),
            (SINGLE_PORT, {**patient, "CLASSBRIDGE_ICE__UDP_PORT": str(free_udp_port())}),
        ]:
            scenario = load.Scenario(subscribers=subscribers, window=window, settings=settings, rate=5.0)
            results.append((label, load.run(scenario)))
    return results


def nat_rules(gateway: str, http_port: int, direct: bool) -> str:
    udp = "accept" if direct else "counter drop"
    return f"""
    flush ruleset
    table inet cbnat {{
        chain forward {{
            type filter hook forward priority 0; policy drop;
            ct state established,related accept
            iifname "lan" ip daddr {gateway} tcp dport {{ {http_port}, 3478 }} accept
            iifname "lan" ip daddr {gateway} udp dport 3478 accept
            iifname "lan" ip daddr {gateway} meta l4proto udp {udp}
        }}
        chain postrouting {{
            type nat hook postrouting priority 100;
            oifname "wan" masquerade
        }}
    }}
    """


def trainee_join(built: Lab, ns: str, ws: str, token: str, turn_url: str | None) -> dict[str, object]:
    args = [sys.executable, "-m", "tests.support.remote_trainee", "--ws", ws, "--token", token, "--frames", "3"]
    if turn_url:
        args += ["--turn-url", turn_url]
    else:
        args += ["--no-ice-servers"]
    done = subprocess.run(
        built.command(ns, *args), capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def join_figures(runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"direct": [], "turn": []}
    with tempfile.TemporaryDirectory() as tmp, lab() as built:
        trainee, nat = built.namespace("t"), built.namespace("n")
        gateway = built.address(2, 1)
        built.link(None, "", gateway, nat, "wan", built.address(2, 2))
        built.link(nat, "lan", built.address(1, 1), trainee, "eth0", built.address(1, 2))
        built.exec(trainee, "ip", "route", "add", "default", "via", built.address(1, 1))
        built.exec(nat, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        subprocess.run(["ip", "route", "add", f"10.{built.subnet}.1.0/24", "via", built.address(2, 2)], check=True)
        coturn = start_coturn(Path(tmp) / "coturn", gateway, SECRET)
        try:
            join_with(built, trainee, nat, gateway, Path(tmp), runs, times)
        finally:
            coturn.stop()
    return times


def join_with(built: Lab, trainee: str, nat: str, gateway: str, tmp: Path, runs: int, times: dict[str, list[float]]) -> None:
    """Alternately, a direct join and a join through coturn, `runs` times, into `times`."""
    turn_url = f"turn:{gateway}:3478?transport=udp"
    env = {
        **os.environ,
        "CLASSBRIDGE_ADMIN_TOKEN": ADMIN,
        "CLASSBRIDGE_LOG_LEVEL": "warning",
        "CLASSBRIDGE_ICE__HOST_ADDRESSES": json.dumps([gateway]),
        "CLASSBRIDGE_ICE__TURN__URLS": json.dumps([turn_url]),
        "CLASSBRIDGE_ICE__TURN__SECRET": SECRET,
    }
    served = serve(tmp / "data", env=env, host=gateway)
    try:
        http_port = urlsplit(served.url).port or 80
        created = httpx.post(
            f"{served.url}/api/classes", json={"title": "Join time"}, headers={"Authorization": f"Bearer {ADMIN}"}
        ).json()
        tokens = {role: link.split("#t=")[1] for role, link in created["links"].items()}
        ws = served.url.replace("http", "ws", 1) + f"/ws/{created['id']}"

        async def measure() -> None:
            aiortc_internals.use_host_addresses([gateway])
            lecturer = ClassClient(await WebSocketChannel.connect(ws))
            await lecturer.join(tokens["lecturer"], name="Lecturer")
            await lecturer.publish([(PatternTrack(640, 360), Source.CAMERA)])
            try:
                for _ in range(runs):
                    for way in ("direct", "turn"):
                        await lecturer.ping()  # the lecturer stays in class (keepalive) meanwhile
                        built.nft(nat, nat_rules(gateway, http_port, direct=way == "direct"))
                        result = await asyncio.to_thread(
                            trainee_join, built, trainee, ws, tokens["trainee"], turn_url if way == "turn" else None
                        )
                        types = set(result["local_candidate_types"])  # type: ignore[arg-type]
                        expected = {"relay"} if way == "turn" else {"host"}
                        if types != expected:
                            raise RuntimeError(f"{way}: media went over {types}, not {expected}")
                        times[way].append(float(result["first_frame_s"]))  # type: ignore[arg-type]
            finally:
                await lecturer.close()

        asyncio.run(measure())
    finally:
        served.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--window", type=float, default=20.0, help="steady-state seconds measured per CPU run")
    parser.add_argument("--rounds", type=int, default=2, help="CPU runs of each mode, alternating (0: none)")
    parser.add_argument("--join-runs", type=int, default=5, help="joins each way (direct, TURN; 0: none)")
    args = parser.parse_args()

    cpu = cpu_figures(args.subscribers, args.window, args.rounds) if args.rounds else []
    if cpu:
        print(f"\nServer CPU at {args.subscribers} subscribers (720p VP8 + Opus), {args.window:g} s window:")
        for label, r in cpu:
            print(
                f"  {label:26s} {r.cpu_us_per_packet:6.1f} µs/forwarded packet "
                f"(user {r.cpu_user_us_per_packet:.1f}, system {r.cpu_system_us_per_packet:.1f}), "
                f"server {r.server_cpu_percent:5.1f} % of a core, {r.forwarded_pps:,.0f} packets/s, "
                f"{r.joined} joined, {r.frames_per_second:.1f} frames/s, loss {r.loss_percent:.2f} %"
            )
        per_mode = {m: statistics.median(r.cpu_us_per_packet for label, r in cpu if label == m) for m in (ONE_SOCKET_EACH, SINGLE_PORT)}
        print(f"  median µs/packet: {per_mode}; single port / one socket each: {per_mode[SINGLE_PORT] / per_mode[ONE_SOCKET_EACH]:.2f}", flush=True)
    joins = join_figures(args.join_runs) if args.join_runs else {}
    if joins:
        print(f"\nJoin time, WebSocket connect → first decoded frame, {args.join_runs} joins each:")
        for way, values in joins.items():
            ms = [v * 1000 for v in values]
            print(f"  {way:7s} median {statistics.median(ms):6.0f} ms, min {min(ms):6.0f}, max {max(ms):6.0f}")
    print(json.dumps({
        "cpu": [{"mode": label, "cpu_us_per_packet": r.cpu_us_per_packet, "server_cpu_percent": r.server_cpu_percent,
                 "forwarded_pps": r.forwarded_pps, "joined": r.joined, "loss_percent": r.loss_percent} for label, r in cpu],
        "join_s": joins,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
