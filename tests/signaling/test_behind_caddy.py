"""classbridge behind a real Caddy (Debian's, installed by scripts/install.sh --test) with
docs/examples/Caddyfile: the join page, the API and a class's WebSocket work through it.

The example's site is used as written; the test only points it at loopback ports with a
test certificate (no ACME: the test never leaves the machine), and fails if the lines it
replaces change."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
from pathlib import Path

import httpx
import pytest

from signaling.ws.client import ClassClient, WebSocketChannel
from tests.integration.conftest import token_of
from tests.signaling.conftest import self_signed
from tests.support.server import free_port, serve
from tests.support.wait import wait_until

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "Caddyfile"
ADMIN = "caddy-test-admin-token-0123456789"


@pytest.mark.timeout(600)  # real processes on a shared, loaded machine
async def test_join_page_api_and_websocket_through_caddy(tmp_path: Path) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.fail("caddy is not installed: scripts/install.sh --test installs it", pytrace=False)
    cert, key = self_signed(tmp_path)
    port = free_port()
    public = f"https://127.0.0.1:{port}"
    served = serve(tmp_path / "data", env={"CLASSBRIDGE_ADMIN_TOKEN": ADMIN, "CLASSBRIDGE_PUBLIC_URL": public,
                                           "CLASSBRIDGE_LOG_LEVEL": "warning"})
    site = EXAMPLE.read_text()
    upstream = served.url.removeprefix("http://")
    for old, new in {
        "lop.truongchinhtri.edu.vn {": f"{public} {{\n    tls {cert} {key}",
        "reverse_proxy 127.0.0.1:8000 {": f"reverse_proxy {upstream} {{",
    }.items():
        assert old in site, f"docs/examples/Caddyfile no longer has {old!r}"
        site = site.replace(old, new)
    config = tmp_path / "Caddyfile"
    config.write_text("{\n    admin off\n    auto_https disable_redirects\n    skip_install_trust\n"
                      f"    storage file_system {tmp_path / 'caddy-data'}\n}}\n\n" + site)
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    log = tmp_path / "caddy.log"
    with log.open("wb") as out:
        process = subprocess.Popen([caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
    context = ssl.create_default_context(cafile=str(cert))

    def answering() -> bool:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            return httpx.get(f"{public}/healthz", verify=context, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(answering, what="caddy to proxy /healthz", describe=lambda: log.read_text(errors="replace")[-3000:])
        http = httpx.Client(base_url=public, verify=context)
        created = http.post("/api/classes", json={"title": "Lớp qua Caddy"}, headers={"Authorization": f"Bearer {ADMIN}"})
        assert created.status_code in (200, 201), created.text
        page = http.get("/join")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert len(page.headers["x-request-id"]) == 36, "Caddy's request uuid reached the server"
        ws_url = public.replace("https", "wss", 1) + f"/ws/{created.json()['id']}"
        client = ClassClient(await WebSocketChannel.connect(ws_url, ssl=context))
        joined = await client.join(token_of(created.json()["links"]["trainee"]), name="Học viên sau Caddy")
        assert joined.participant.name == "Học viên sau Caddy"
        await client.ping()
        await client.next_event("pong", timeout=15)
        await client.close()
    finally:
        process.terminate()
        process.wait(15)
        served.stop()
