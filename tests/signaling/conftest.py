"""Fixtures for the signaling tests: isolated settings, the real app, a real `serve` process."""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient

from signaling.app import create_app
from signaling.settings import ENV_PREFIX, Settings

CLASSBRIDGE = Path(sys.executable).parent / "classbridge"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own CLASSBRIDGE_* variables must not leak into the tests."""
    for name in list(os.environ):
        if name.upper().startswith(ENV_PREFIX):
            monkeypatch.delenv(name)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(data_dir=tmp_path / "data")


class RecordingLive:
    """Stands in for the lead's live-class hub: records which classes were ended."""

    def __init__(self) -> None:
        self.ended: list[str] = []
        self.counts: dict[str, int] = {}

    async def end_class(self, class_id: str) -> None:
        self.ended.append(class_id)

    def participant_count(self, class_id: str) -> int:
        return self.counts.get(class_id, 0)


@pytest.fixture
def live() -> RecordingLive:
    return RecordingLive()


@pytest.fixture
def client(settings: Settings, live: RecordingLive) -> Iterator[TestClient]:
    with TestClient(create_app(settings, live)) as c:
        yield c


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    token = client.app.state.services.admin_token.value  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "classbridge test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Served:
    url: str
    data_dir: Path
    process: subprocess.Popen[str]
    verify: ssl.SSLContext | bool

    def stop(self) -> str:
        """Stop the server and return everything it printed."""
        self.process.terminate()
        output, _ = self.process.communicate(timeout=15)
        return output


def serve(
    data_dir: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    tls: tuple[Path, Path] | None = None,
) -> Served:
    """Start `classbridge serve` on 127.0.0.1 and a free port; wait until /healthz answers."""
    port = free_port()
    args = [str(CLASSBRIDGE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--data-dir", str(data_dir)]
    verify: ssl.SSLContext | bool = True
    scheme = "http"
    if tls is not None:
        args += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        verify, scheme = ssl.create_default_context(cafile=str(tls[0])), "https"
    process = subprocess.Popen(
        [*args, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    served = Served(f"{scheme}://127.0.0.1:{port}", data_dir, process, verify)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{process.communicate()[0]}")
        try:
            if httpx.get(f"{served.url}/healthz", verify=verify, timeout=1).status_code == 200:
                return served
        except httpx.TransportError:
            time.sleep(0.1)
    served.stop()
    raise AssertionError("serve did not answer /healthz within 20 s")
