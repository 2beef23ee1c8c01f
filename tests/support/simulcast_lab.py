"""A class on limited links, for the simulcast test and benchmark (run as root).

    [lecturer ns] 10.S.1.2 ─┐
    [trainee A ns] 10.S.2.2 ─┼─ veths ── root namespace: classbridge on 10.S.1.1 (HTTP and media)
    [trainee B ns] 10.S.3.2 ─┘

Each person is a real headless Chromium started inside their own network namespace (Playwright
drives it over a pipe through `ip netns exec`, so the test controls all three from one process).
The link to trainee A can be limited like a congested 4G or office link: a `tc` token bucket on
the root side of its veth (what the relay sends it) and random loss with an nftables `numgen`
rule in its namespace (`tc netem` is not available here). Nothing leaves the namespaces: the
namespaces, veths and rules are deleted on close.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, Playwright

from tests.support.netns import Lab, lab, leftovers, run
from tests.support.server import Served, serve
from tests.support.wait import wait_until
from tests.web.support import CHROMIUM, CHROMIUM_ARGS, FAKE_UI, dump, new_page

ADMIN_TOKEN = "simulcast-lab-admin-token-0123456789"

# Per received track: its size, frames and freezes (video), concealment (audio), keyed by the
# server's track id (the SDP msid the relay gives each down track).
INBOUND = """
async () => {
  const out = { video: [], audio: [] };
  for (const pc of window.__classbridgePcs || []) {
    if (pc.connectionState === "closed") continue;
    (await pc.getStats()).forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      if (s.kind === "video") {
        out.video.push({
          mid: s.mid, frameWidth: s.frameWidth || 0, frameHeight: s.frameHeight || 0,
          framesDecoded: s.framesDecoded || 0, freezeCount: s.freezeCount || 0,
          totalFreezesDuration: s.totalFreezesDuration || 0, bytesReceived: s.bytesReceived || 0,
          packetsLost: s.packetsLost || 0, packetsReceived: s.packetsReceived || 0,
        });
      } else {
        out.audio.push({
          mid: s.mid, totalSamplesReceived: s.totalSamplesReceived || 0,
          concealedSamples: s.concealedSamples || 0, packetsReceived: s.packetsReceived || 0,
        });
      }
    });
  }
  return out;
}
"""

# Every JSON frame the page's WebSockets send and receive, for the checks below.
FRAMES = """
(() => {
  const Native = window.WebSocket;
  window.__frames = { sent: [], received: [] };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => { try { window.__frames.received.push(JSON.parse(e.data)); } catch {} });
    }
    send(data) { try { window.__frames.sent.push(JSON.parse(data)); } catch {} return super.send(data); }
  };
})();
"""

# What the page shows of the relay's adaptation: the calm indicator and the lecturer's chips.
PAGE_STATE = """
() => ({
  reduced: !(document.querySelector('.reduced-note')?.hidden ?? true),
  links: [...document.querySelectorAll('.person-link')].map((e) => ({
    participant: e.closest('[data-participant]')?.dataset.participant ?? null,
    quality: e.dataset.quality, layer: e.dataset.layer,
  })),
})
"""


@dataclass
class Person:
    name: str
    namespace: str
    address: str
    root_link: str  # the root side of its veth: what the server sends it leaves there
    browser: Browser | None = None
    page: Page | None = None

    def inbound(self) -> dict[str, Any]:
        assert self.page is not None
        return dict(self.page.evaluate(INBOUND))

    def best_video(self) -> dict[str, Any] | None:
        """The received video that decodes the most (the lecturer's camera: the only one here)."""
        videos = self.inbound()["video"]
        return max(videos, key=lambda v: v["framesDecoded"]) if videos else None

    def state(self) -> dict[str, Any]:
        assert self.page is not None
        return dict(self.page.evaluate(PAGE_STATE))

    def frames(self, direction: str, kind: str) -> list[dict[str, Any]]:
        """The `kind` frames the page sent or received ("sent" / "received"), oldest first."""
        assert self.page is not None
        return list(self.page.evaluate(f"() => window.__frames.{direction}.filter((f) => f.type === '{kind}')"))

    def describe(self) -> str:
        assert self.page is not None
        links = [{k: f[k] for k in ("quality", "reduced", "estimate_kbps", "tracks")} for f in self.frames("received", "link")]
        return f"{self.name}: {dump(self.page)} {json.dumps(self.inbound())}\n  link frames: {json.dumps(links[-8:])}"


@dataclass
class SimulcastLab:
    lab: Lab
    served: Served
    directory: Path
    people: dict[str, Person] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.served.url

    def create_class(self, title: str) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/api/classes", json={"title": title}, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10
        )
        response.raise_for_status()
        return dict(response.json())

    def limit(self, person: str, rate_kbit: int, loss_percent: int = 0) -> None:
        """What the relay sends `person` goes through a `rate_kbit` token bucket, and
        `loss_percent` % of the UDP datagrams reaching them are dropped at random."""
        who = self.people[person]
        self.lift(person)
        # A bucket of about 100 ms at the rate and a queue of at most 300 ms: a congested link
        # that queues a little and then drops, as a real bottleneck does.
        burst = max(4000, rate_kbit * 1000 // 8 // 10)
        run("tc", "qdisc", "add", "dev", who.root_link, "root", "tbf",
                           "rate", f"{rate_kbit}kbit", "burst", str(burst), "latency", "300ms")  # fmt: skip
        if loss_percent:
            self.lab.nft(
                who.namespace,
                f"""
                table inet cbloss {{
                    chain input {{
                        type filter hook input priority 0;
                        meta l4proto udp numgen random mod 100 < {loss_percent} drop
                    }}
                }}
                """,
            )

    def lift(self, person: str) -> None:
        who = self.people[person]
        # Either may not be there (nothing limited yet): that is the state wanted.
        subprocess.run(["tc", "qdisc", "del", "dev", who.root_link, "root"], capture_output=True)
        subprocess.run([*self.lab.command(who.namespace, "nft", "delete", "table", "inet", "cbloss")], capture_output=True)

    def launch(self, playwright: Playwright, person: str, *, devices: bool) -> Browser:
        """Chromium inside the person's namespace (fake camera and microphone when `devices`)."""
        who = self.people[person]
        wrapper = self.directory / f"chromium-{who.namespace}"
        wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {who.namespace} {CHROMIUM} "$@"\n')
        wrapper.chmod(0o755)
        host = self.url.split("//", 1)[1].split(":", 1)[0]
        args = [a for a in CHROMIUM_ARGS if not a.startswith(("--host-resolver-rules=", "--use-fake-device"))]
        args += [
            f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {host}",
            "--use-fake-device-for-media-stream" if devices else "--use-fake-device-for-media-stream=device-count=0",
            FAKE_UI,
            # The school's http:// address may use the camera here, as on a school's LAN.
            f"--unsafely-treat-insecure-origin-as-secure={self.url}",
            # Pages keep running at full speed while not in front (three browsers, one machine).
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
        ]
        who.browser = playwright.chromium.launch(executable_path=str(wrapper), headless=True, args=args)
        return who.browser

    def open(self, person: str, link: str, storage: dict[str, str] | None = None) -> Page:
        """A page of the person's browser at `link`, with `storage` in its localStorage first."""
        who = self.people[person]
        assert who.browser is not None
        context, page = new_page(who.browser)
        context.add_init_script(FRAMES)
        if storage:
            context.add_init_script(
                "(() => { const s = " + json.dumps(storage) + "; for (const k in s) localStorage.setItem(k, s[k]); })();"
            )
        who.page = page
        page.goto(link)
        page.wait_for_selector(".btn-join:not([disabled])", timeout=90_000)
        if page.locator("#name").count():
            page.fill("#name", who.name)
        page.click(".btn-join")
        page.wait_for_selector(".classroom", timeout=90_000)
        return page

    def describe(self) -> str:
        parts = [who.describe() for who in self.people.values() if who.page is not None]
        return "\n".join([*parts, "server:", self.served.log_tail()])


@contextmanager
def simulcast_lab(directory: Path, server_env: dict[str, str] | None = None) -> Iterator[SimulcastLab]:
    """The three namespaces, the server on the lecturer's gateway; everything removed after."""
    with lab() as built, ExitStack() as stack:
        tag = built.tag
        try:
            people: dict[str, Person] = {}
            for net, (key, name) in enumerate(
                [("lecturer", "Giảng viên"), ("a", "Học viên A"), ("b", "Học viên B")], start=1
            ):
                ns = built.namespace(key[0])
                gateway, address = built.address(net, 1), built.address(net, 2)
                built.link(None, "", gateway, ns, "eth0", address)
                built.exec(ns, "ip", "route", "add", "default", "via", gateway)
                people[key] = Person(name, ns, address, built.root_links[-1])
            server_address = built.address(1, 1)
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("CLASSBRIDGE_")},
                "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
                "CLASSBRIDGE_LOG_LEVEL": "warning",
                "CLASSBRIDGE_ICE__HOST_ADDRESSES": json.dumps([server_address]),
                **(server_env or {}),
            }
            served = serve(directory / "data", env=env, host=server_address)
            stack.callback(served.stop)
            made = SimulcastLab(built, served, directory, people)
            try:
                yield made
            finally:
                for who in people.values():
                    if who.browser is not None:
                        who.browser.close()
        finally:
            built.close()
            assert [x for name in ("cbv", "cbl", "cba", "cbb") for x in leftovers(name + tag)] == []


def wait_for_video(lab: SimulcastLab, person: str, what: str, check: Any, timeout: float = 60) -> dict[str, Any]:
    """Wait until `check(video stats)` holds for the person's best received video."""
    who = lab.people[person]

    def ready() -> dict[str, Any] | None:
        video = who.best_video()
        return video if video is not None and check(video) else None

    return wait_until(ready, timeout, f"{person}: {what}", describe=lab.describe)
