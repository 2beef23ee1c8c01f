"""A renewed certificate is loaded on SIGHUP by the running server: new connections get it,
the class's open signaling connection goes on, and a broken pair is refused (the old one
stays)."""

from __future__ import annotations

import os
import shutil
import signal
import ssl
from pathlib import Path

import pytest

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from signaling.ws.client import ClassClient, WebSocketChannel
from tests.integration.conftest import token_of
from tests.signaling.conftest import self_signed
from tests.support.server import serve
from tests.support.wait import wait_until

ADMIN = "tls-reload-admin-token-0123456789"


def _presented(port: int) -> bytes:
    pem = ssl.get_server_certificate(("127.0.0.1", port))
    return x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256())


def _fingerprint(cert: Path) -> bytes:
    return x509.load_pem_x509_certificate(cert.read_bytes()).fingerprint(hashes.SHA256())


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
async def test_sighup_reloads_the_certificate_while_a_class_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir(), (tmp_path / "live").mkdir()
    old_cert, old_key = self_signed(tmp_path / "a")
    new_cert, new_key = self_signed(tmp_path / "b")
    cert, key = tmp_path / "live" / "cert.pem", tmp_path / "live" / "key.pem"
    shutil.copy(old_cert, cert), shutil.copy(old_key, key)
    served = serve(tmp_path / "data", env={"CLASSBRIDGE_ADMIN_TOKEN": ADMIN}, tls=(cert, key))
    try:
        port = int(served.url.rsplit(":", 1)[1])
        assert _presented(port) == _fingerprint(old_cert)
        created = httpx.post(
            f"{served.url}/api/classes", json={"title": "Lớp chứng chỉ"},
            headers={"Authorization": f"Bearer {ADMIN}"}, verify=served.verify,
        ).json()
        ws = served.url.replace("https", "wss", 1) + f"/ws/{created['id']}"
        client = ClassClient(await WebSocketChannel.connect(ws, ssl=served.verify))
        await client.join(token_of(created["links"]["trainee"]), name="Học viên")

        shutil.copy(new_cert, cert), shutil.copy(new_key, key)  # certbot renewed it
        os.kill(served.process.pid, signal.SIGHUP)
        wait_until(lambda: _presented(port) == _fingerprint(new_cert), what="the new certificate",
                   describe=served.log_tail)
        await client.ping()
        await client.next_event("pong", timeout=15)  # the class's connection went on
        assert served.process.poll() is None

        cert.write_text("not a certificate\n")  # a botched renewal
        os.kill(served.process.pid, signal.SIGHUP)
        wait_until(lambda: "kept the current certificate" in served.output(), what="the refusal",
                   describe=served.log_tail)
        assert _presented(port) == _fingerprint(new_cert)
        await client.ping()
        await client.next_event("pong", timeout=15)
        await client.close()
    finally:
        served.stop()
