"""A real `classbridge serve` process for tests: started on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.wait import cpu_progress, log_tail, wait_until

CLASSBRIDGE = Path(sys.executable).parent / "classbridge"
REPOSITORY = Path(__file__).resolve().parents[2]
AUDIT_SITE = Path(__file__).resolve().parent / "audit_site"


def audited_env(codec_log: Path) -> dict[str, str]:
    """Environment for a server whose processes (workers too) record every codec they create."""
    return {
        "PYTHONPATH": os.pathsep.join([str(AUDIT_SITE), str(REPOSITORY)]),
        "CLASSBRIDGE_TEST_CODEC_LOG": str(codec_log),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    verify: ssl.SSLContext | bool
    log: Path  # everything the server prints goes here (a pipe nobody reads could fill up)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def log_tail(self) -> str:
        return log_tail(self.log)

    def stop(self) -> str:
        """Stop the server and return everything it printed."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.output()


def serve(
    data_dir: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    tls: tuple[Path, Path] | None = None,
    command: list[str] | None = None,
    host: str = "127.0.0.1",
) -> Served:
    """Start `classbridge serve` on 127.0.0.1 and a free port; wait until /healthz answers
    (which, with `--workers`, is once every media worker is ready): as long as the server's
    processes keep working towards it, however loaded the machine (`cpu_progress`)."""
    port = free_port()
    args = [*(command or [str(CLASSBRIDGE)]), "serve", "--host", host, "--port", str(port)]
    args += ["--data-dir", str(data_dir)]
    verify: ssl.SSLContext | bool = True
    scheme = "http"
    if tls is not None:
        args += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        verify, scheme = ssl.create_default_context(cafile=str(tls[0])), "https"
    log = data_dir.parent / f"serve-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*args, *extra], stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    served = Served(f"{scheme}://{host}:{port}", data_dir, process, verify, log)

    def answering() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{served.output()}")
        try:
            return httpx.get(f"{served.url}/healthz", verify=verify, timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(
            answering,
            what="serve to answer /healthz",
            describe=served.log_tail,
            progress=cpu_progress(process.pid),
        )
    except BaseException:
        served.stop()
        raise
    return served
