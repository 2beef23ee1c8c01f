"""Webhooks from a real server to a receiver on 127.0.0.1 that checks every signature with the
Standard Webhooks reference library, refuses the first two deliveries of each event and
accepts the third; the server is stopped and started again between them, and nothing is lost."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from signaling.ws.client import ClassClient, WebSocketChannel
from signaling.webhooks.signing import new_secret
from tests.support.server import Served, serve
from tests.support.wait import until

pytestmark = [pytest.mark.webrtc, pytest.mark.timeout(300)]  # two server starts on a loaded machine

ADMIN_TOKEN = "webhook-admin-token-0123456789abcdef"
EVENTS = {"class.started", "class.ended", "report.ready"}


@dataclass
class Receiver:
    secret: str
    url: str = ""
    attempts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by webhook-id
    bad: list[str] = field(default_factory=list)  # what failed verification
    lock: threading.Lock = field(default_factory=threading.Lock)

    def seen(self, at_least: int) -> bool:
        with self.lock:
            return len(self.attempts) == len(EVENTS) and all(len(a) >= at_least for a in self.attempts.values())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver(secret=new_secret())
    verifier = Webhook(got.secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            try:
                event = verifier.verify(body, dict(self.headers.items()))
            except WebhookVerificationError as error:
                with got.lock:
                    got.bad.append(f"{error}: {dict(self.headers.items())}")
                self.send_response(401)
                self.end_headers()
                return
            with got.lock:
                tries = got.attempts.setdefault(self.headers["webhook-id"], [])
                tries.append({"event": event, "at": time.time()})
                accept = len(tries) >= 3
            self.send_response(204 if accept else 503)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/classbridge"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield got
    server.shutdown()
    thread.join()


def start(data_dir: Path, receiver: Receiver) -> Served:
    env = {
        **os.environ,
        "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CLASSBRIDGE_LOG_LEVEL": "warning",
        "CLASSBRIDGE_ATTENDANCE__WEBHOOK_URL": receiver.url,
        "CLASSBRIDGE_ATTENDANCE__WEBHOOK_SECRET": receiver.secret,
        "CLASSBRIDGE_ATTENDANCE__WEBHOOK_RETRY_BASE_S": "4",  # attempts at 0, 4 and 12 s
    }
    return serve(data_dir, env=env)


def api(served: Served, method: str, path: str, **kwargs: Any) -> Any:
    response = httpx.request(method, f"{served.url}/api{path}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, **kwargs)
    response.raise_for_status()
    return response.json()


async def test_refused_twice_accepted_the_third_time_across_a_restart(tmp_path: Path, receiver: Receiver) -> None:
    data_dir = tmp_path / "data"
    served = start(data_dir, receiver)
    try:
        class_id = api(served, "POST", "/classes", json={"title": "Lớp gửi webhook"})["id"]
        link = api(
            served, "POST", f"/classes/{class_id}/links", json={"role": "trainee", "external_id": "HV1", "name": "Nguyễn Thị Lan"}
        )["link"]
        client = ClassClient(await WebSocketChannel.connect(served.url.replace("http", "ws", 1) + f"/ws/{class_id}"))
        await client.join(link.split("#t=", 1)[1])
        await until(lambda: any(d["type"] == "class.started" for d in api(served, "GET", "/webhooks/deliveries")),
                    what="class.started recorded", describe=served.log_tail, interval=0.2)
        api(served, "POST", f"/classes/{class_id}/end")
        await client.close()

        def twice_refused() -> bool:
            log = api(served, "GET", "/webhooks/deliveries", params={"class_id": class_id})
            return {d["type"] for d in log} == EVENTS and all(d["attempts"] == 2 for d in log)

        await until(twice_refused, timeout=60, what="every event refused twice", describe=served.log_tail, interval=0.2)
    finally:
        served.stop()
    restarted_at = time.time()
    assert receiver.seen(2) and not receiver.bad, receiver
    served = start(data_dir, receiver)
    try:
        await until(lambda: receiver.seen(3), timeout=60, what="every event delivered after the restart", describe=served.log_tail, interval=0.2)

        def delivered() -> list[dict[str, Any]] | None:
            log = api(served, "GET", "/webhooks/deliveries", params={"class_id": class_id})
            return log if all(d["status"] == "delivered" for d in log) else None

        log = await until(delivered, what="the log says delivered", describe=served.log_tail, interval=0.2)
    finally:
        served.stop()
    assert not receiver.bad, receiver.bad
    assert {d["type"] for d in log} == EVENTS
    for entry in log:
        assert entry["attempts"] == 3 and [a["status_code"] for a in entry["log"]] == [503, 503, 204], entry
        tries = receiver.attempts[entry["webhook_id"]]
        assert len(tries) == 3 and tries[2]["at"] > restarted_at  # the third came from the new process
        assert tries[0]["event"] == tries[2]["event"]  # the same event every time
    report = next(t[0]["event"] for t in receiver.attempts.values() if t[0]["event"]["type"] == "report.ready")
    (lan,) = report["data"]["trainees"]
    assert (lan["external_id"], lan["name"], lan["classes"][0]["present_now"]) == ("HV1", "Nguyễn Thị Lan", False)
    assert lan["classes"][0]["mode"] == "remote" and lan["classes"][0]["intervals"][0]["end"] is not None
    assert report["data"]["id"] == class_id and report["data"]["kind"] == "class"
