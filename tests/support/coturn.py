"""A real coturn (Debian's `coturn` package) for tests, configured as docs/media-network.md says.

It listens and relays on the address a test gives (a veth of the test's own lab) and checks
TURN REST credentials against `static-auth-secret`.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psutil

from tests.support.wait import cpu_progress, log_tail, wait_until

TURNSERVER = "/usr/bin/turnserver"


def require_coturn() -> str:
    path = shutil.which("turnserver") or TURNSERVER
    if not Path(path).exists():
        raise AssertionError("coturn is missing: run scripts/install.sh --test (it installs Debian's coturn)")
    return path


@dataclass
class Coturn:
    process: subprocess.Popen[bytes]
    log: Path
    listen: str
    port: int
    tls_port: int | None

    def log_tail(self) -> str:
        return log_tail(self.log)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.log.read_text(errors="replace")


def start_coturn(
    directory: Path,
    listen: str,
    secret: str,
    *,
    port: int = 3478,
    tls: tuple[Path, Path] | None = None,
    tls_port: int = 443,
    relay_ports: tuple[int, int] = (49160, 49200),
) -> Coturn:
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "turnserver.conf"
    lines = [
        f"listening-ip={listen}",
        f"listening-port={port}",
        f"relay-ip={listen}",
        f"min-port={relay_ports[0]}",
        f"max-port={relay_ports[1]}",
        "use-auth-secret",
        f"static-auth-secret={secret}",
        "realm=classbridge.test",
        "fingerprint",
        "no-cli",
        "no-dtls",
        "no-multicast-peers",
        "no-rfc5780",
        "no-software-attribute",
        f"pidfile={directory / 'turnserver.pid'}",
        f"log-file={directory / 'turnserver.log'}",
        "simple-log",
        "verbose",
    ]
    if tls is None:
        lines.append("no-tls")
    else:
        lines += [f"tls-listening-port={tls_port}", f"cert={tls[0]}", f"pkey={tls[1]}"]
    config.write_text("\n".join(lines) + "\n")
    log = directory / "turnserver.out"
    with log.open("wb") as out:
        process = subprocess.Popen([require_coturn(), "-c", str(config)], stdout=out, stderr=subprocess.STDOUT)
    server = Coturn(process, log, listen, port, tls_port if tls else None)
    wanted = {("udp", port), ("tcp", port)} | ({("tcp", tls_port)} if tls else set())

    def listening() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"coturn exited early:\n{server.log_tail()}")
        found = set()
        for c in psutil.Process(process.pid).net_connections(kind="inet"):
            if c.laddr and c.laddr.ip == listen:
                found.add(("udp" if c.type == 2 else "tcp", c.laddr.port))
        return wanted <= found

    try:
        wait_until(listening, what="coturn to listen", describe=server.log_tail, progress=cpu_progress(process.pid))
    except BaseException:
        server.stop()
        raise
    return server
