"""classbridge behind a real nginx (Debian's, installed by scripts/install.sh --test) configured
with docs/examples/nginx-classbridge.conf: the join page, the API and a class's signaling
WebSocket work through it over TLS, and the request id nginx makes reaches the server.

The example is used as written; only what every deployment replaces is replaced (ports,
certificate paths), and the test fails if those lines change, so the example cannot drift."""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from signaling.ws.client import ClassClient, WebSocketChannel
from tests.integration.conftest import token_of
from tests.signaling.conftest import self_signed
from tests.support.server import Served, free_port, serve
from tests.support.wait import wait_until

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "nginx-classbridge.conf"
ADMIN = "nginx-test-admin-token-0123456789"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _site(http_port: int, https_port: int, upstream_port: int, cert: Path, key: Path) -> str:
    site = EXAMPLE.read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
        "    listen 80;\n    listen [::]:80;\n": f"    listen 127.0.0.1:{http_port};\n",
        "    listen 443 ssl http2;": f"    listen 127.0.0.1:{https_port} ssl http2;",
        "    listen [::]:443 ssl http2;\n": "",
        "/etc/letsencrypt/live/lop.truongchinhtri.edu.vn/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/lop.truongchinhtri.edu.vn/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert old in site, f"docs/examples/nginx-classbridge.conf no longer has {old!r}"
        site = site.replace(old, new)
    return site


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[Served, str, ssl.SSLContext, int]]:
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: scripts/install.sh --test installs it", pytrace=False)
    cert, key = self_signed(tmp_path)
    https_port, http_port = free_port(), free_port()
    public = f"https://127.0.0.1:{https_port}"
    served = serve(
        tmp_path / "data",
        env={"CLASSBRIDGE_ADMIN_TOKEN": ADMIN, "CLASSBRIDGE_PUBLIC_URL": public, "CLASSBRIDGE_LOG_LEVEL": "warning"},
    )
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    upstream_port = int(served.url.rsplit(":", 1)[1])
    (prefix / "site.conf").write_text(_site(http_port, https_port, upstream_port, cert, key))
    temp = "".join(f"    {kind}_temp_path {prefix}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n    access_log {prefix}/access.log;\n{temp}    include {prefix}/site.conf;\n}}\n"
    )
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    context = ssl.create_default_context(cafile=str(cert))

    def error_log() -> str:
        path = prefix / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def answering() -> bool:
        assert process.poll() is None, error_log()
        try:
            return httpx.get(f"{public}/healthz", verify=context, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(answering, what="nginx to proxy /healthz", describe=lambda: error_log() + served.log_tail())
        yield served, public, context, http_port
    finally:
        process.terminate()
        process.wait(15)
        served.stop()


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
async def test_join_page_api_and_websocket_through_nginx(
    nginx: tuple[Served, str, ssl.SSLContext, int],
) -> None:
    served, public, context, http_port = nginx
    http = httpx.Client(base_url=public, verify=context)
    plain = httpx.get(f"http://127.0.0.1:{http_port}/join", follow_redirects=False)
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")

    created = http.post("/api/classes", json={"title": "Lớp qua nginx"}, headers={"Authorization": f"Bearer {ADMIN}"})
    assert created.status_code in (200, 201), created.text
    links = created.json()["links"]
    assert links["trainee"].startswith(f"{public}/join#t="), "join links name the proxy's address"

    page = http.get("/join")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert re.fullmatch(r"[0-9a-f]{32}", page.headers["x-request-id"]), "nginx's $request_id reached the server"

    class_id = created.json()["id"]
    ws_url = public.replace("https", "wss", 1) + f"/ws/{class_id}"
    client = ClassClient(await WebSocketChannel.connect(ws_url, ssl=context))
    joined = await client.join(token_of(links["trainee"]), name="Học viên sau proxy")
    assert joined.participant.name == "Học viên sau proxy"
    await client.ping()
    await client.next_event("pong", timeout=15)
    await client.close()
    report = http.get(f"/api/classes/{class_id}/attendance", headers={"Authorization": f"Bearer {ADMIN}"})
    assert [p["display_name"] for p in report.json()["people"]] == ["Học viên sau proxy"]

