"""Fixtures for the signaling tests: isolated settings, the real app, a real `serve` process."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient

from classroom.checkin.register import CheckInView

from signaling.server.app import create_app
from signaling.server.settings import ENV_PREFIX, Settings
from tests.support.server import CLASSBRIDGE, free_port, serve  # noqa: F401  (imported by the tests)
from signaling.server.state import server_of



@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own CLASSBRIDGE_* variables must not leak into the tests."""
    for name in list(os.environ):
        if name.upper().startswith(ENV_PREFIX):
            monkeypatch.delenv(name)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """On SQLite and on PostgreSQL (tests/conftest.py `database_url`)."""
    return Settings.load(data_dir=tmp_path / "data", database_url=database_url)


class RecordingLive:
    """Stands in for the lead's live-class hub: records which classes were ended."""

    def __init__(self) -> None:
        self.ended: list[str] = []
        self.counts: dict[str, int] = {}

    async def end_class(self, class_id: str) -> None:
        self.ended.append(class_id)

    async def checkin_changed(self, checkin: "CheckInView") -> None:
        return None

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
    token = server_of(client.app).services.admin_token.value
    return {"Authorization": f"Bearer {token}"}


def self_signed(directory: Path, ip: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for `ip` and its key, as PEM files."""
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
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
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
