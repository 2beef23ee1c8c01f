"""What the browser tests and the join-time benchmark share: a real `classbridge serve`
process on a free loopback port, Debian's Chromium kept off the network, and the WebRTC
statistics of a page's peer connections.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright
from playwright.sync_api import Error as PlaywrightError

from tests.support.server import CLASSBRIDGE, free_port
from tests.support.wait import cpu_progress, log_tail, wait_until

CHROMIUM = "/usr/bin/chromium"
ADMIN_TOKEN = "web-tests-admin-token-0123456789"
INSECURE_HOST = "classbridge.test"  # resolves to loopback, but is not a secure context

# Fake camera, microphone and screen; loopback ICE candidates as plain IPs (no mDNS, so no
# multicast); and nothing that talks to Google or resolves any name but the test host.
CHROMIUM_ARGS = [
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    f"--host-resolver-rules=MAP {INSECURE_HOST} 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
FAKE_UI = "--use-fake-ui-for-media-stream"  # grants camera, microphone and screen without a prompt

# Remembers every RTCPeerConnection the page makes, so tests can read getStats() without the
# page exposing anything for them.
PC_RECORDER = """
(() => {
  const Native = window.RTCPeerConnection;
  if (!Native) return;
  window.__classbridgePcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__classbridgePcs.push(this); }
  };
})();
"""

MEDIA_COUNTERS = """
async () => {
  const out = { videoPackets: 0, framesDecoded: 0, audioPackets: 0, open: 0, tracks: {} };
  for (const pc of window.__classbridgePcs || []) {
    if (pc.connectionState === "closed") continue;
    out.open += 1;
    (await pc.getStats()).forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      if (s.kind === "video") {
        out.videoPackets += s.packetsReceived || 0;
        out.framesDecoded += s.framesDecoded || 0;
      } else {
        out.audioPackets += s.packetsReceived || 0;
      }
      out.tracks[s.trackIdentifier] = { kind: s.kind, packets: s.packetsReceived || 0, frames: s.framesDecoded || 0 };
    });
  }
  return out;
}
"""

@dataclass
class ClassServer:
    """`classbridge serve` as a subprocess, exactly as a school runs it."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)  # CLASSBRIDGE_* settings of this server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / "server.log"

    def start(self) -> ClassServer:
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("CLASSBRIDGE_")}
        env["CLASSBRIDGE_ADMIN_TOKEN"] = ADMIN_TOKEN
        env.update(self.env)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(CLASSBRIDGE),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

        def healthy() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"classbridge serve exited:\n{self.log_tail()}")
            try:
                return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(
            healthy,
            30,
            "the server to answer /healthz",
            describe=self.log_tail,
            progress=cpu_progress(self.process.pid),
        )
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = httpx.request(
            method,
            f"{self.url}/api{path}",
            json=body,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def create_class(self, title: str) -> dict[str, Any]:
        return self.api("POST", "/classes", {"title": title})

    def link(self, class_id: str, role: str, **extra: Any) -> str:
        return str(self.api("POST", f"/classes/{class_id}/links", {"role": role, **extra})["link"])

    def end_class(self, class_id: str) -> None:
        self.api("POST", f"/classes/{class_id}/end")


class Cable:
    """A loopback TCP relay in front of the server, for the browser's HTTP and WebSocket
    traffic, that a test can cut (every connection reset, new ones refused) and plug back in.
    Media (UDP to the relay's ICE candidates) does not pass through it.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def plug(self) -> Cable:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            # SO_LINGER 0: close with a reset, as a dropped link looks to both ends.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def skip_without_chromium(items: list[pytest.Item]) -> None:
    """Browser tests are skipped, not failed, on a machine without Debian's Chromium."""
    if shutil.which(CHROMIUM) is None:
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (scripts/install.sh --test installs it)")
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(skip)


def launch(playwright: Playwright, fake_ui: bool = True, devices: str = "") -> Browser:
    """Headless Debian Chromium; each context is a fresh profile (no shared storage).

    `fake_ui=False` leaves permissions to the context (none granted: capture is refused);
    `devices` configures the fake devices, e.g. "device-count=0" for a computer without camera.
    """
    args = [
        a
        for a in CHROMIUM_ARGS
        if not (devices and a.startswith("--use-fake-device-for-media-stream"))
    ]
    if devices:
        args.append(f"--use-fake-device-for-media-stream={devices}")
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=args + ([FAKE_UI] if fake_ui else [])
    )


def new_page(browser: Browser, **context_options: Any) -> tuple[BrowserContext, Page]:
    """A page in its own context (own localStorage: another person's browser)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, **context_options)
    context.add_init_script(PC_RECORDER)
    return context, context.new_page()


def with_lang(link: str, lang: str) -> str:
    return link.replace("/join#", f"/join?lang={lang}#", 1)


def join(page: Page, link: str, name: str | None = None, timeout: float = 60) -> None:
    """Open a join link, fill the name when the link has none, press Join, wait for the class
    (generously: a loaded machine is slow, not wrong; a failure shows the page)."""
    page.goto(link)
    _wait_for(page, ".btn-join:not([disabled])", timeout, "the join button")
    if name is not None and page.locator("#name").count():
        page.fill("#name", name)
    page.click(".btn-join")
    _wait_for(page, ".classroom", timeout, "the class view after joining")


def _wait_for(page: Page, selector: str, timeout: float, what: str) -> None:
    """Playwright's own event-driven wait for `selector`; on failure, what the page shows."""
    try:
        page.wait_for_selector(selector, timeout=timeout * 1000)
    except PlaywrightError as exc:
        raise AssertionError(f"no {what} ({selector}) within {timeout:g} s: {exc}\n{dump(page)}") from None


def text(page: Page, selector: str) -> str:
    """The element's text right now ('' while it is absent). For checks inside `wait_until`,
    which must not block: a locator's inner_text() waits up to 30 s for its element."""
    return str(page.evaluate("s => document.querySelector(s)?.innerText ?? ''", selector))


def media(page: Page) -> dict[str, Any]:
    """Receive counters summed over the page's open peer connections."""
    return dict(page.evaluate(MEDIA_COUNTERS))


def tile_names(page: Page, region: str = ".grid") -> list[str]:
    return sorted(page.locator(f"{region} .tile .tile-name").all_inner_texts())


def dump(page: Page) -> str:
    """What a failing test should show: the page's address, connection status, text and
    uncaught errors. Reads without waiting, so a failing wait's report never blocks itself."""
    errors = [str(error) for error in page.page_errors()]
    try:
        state = page.evaluate(
            """() => ({
                url: location.href,
                status: document.querySelector('#connection-status')?.innerText ?? null,
                text: (document.body?.innerText ?? '').slice(0, 2000),
            })"""
        )
    except PlaywrightError as exc:
        state = {"unreadable": str(exc)[:300]}
    return json.dumps({**state, "errors": errors}, ensure_ascii=False)


@dataclass
class Classroom:
    """A lecturer and trainees, each in their own browser context, joined to one class."""

    links: dict[str, str]
    lecturer: Page
    trainees: list[Page]
    contexts: list[BrowserContext]


@contextmanager
def open_classroom(
    browser: Browser, server: "ClassServer", title: str, lecturer: str, trainees: tuple[str, ...]
) -> Iterator[Classroom]:
    links = server.create_class(title)["links"]
    contexts, pages = [], []
    for link, name in [(links["lecturer"], lecturer), *((links["trainee"], t) for t in trainees)]:
        context, page = new_page(browser)
        contexts.append(context)
        pages.append(page)
        join(page, link, name)
    try:
        yield Classroom(links, pages[0], pages[1:], contexts)
    finally:
        for context in contexts:
            context.close()
