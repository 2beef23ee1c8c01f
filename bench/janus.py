"""Janus 1.1.2's VideoRoom (Debian's `janus`) run by the load harness beside classbridge.

The bench starts its own Janus, never the system's: a config written into a temp dir, the
VideoRoom plugin and the HTTP transport only (each folder holds just that one module), the
API on 127.0.0.1, its own RTP port range, no STUN server, mDNS candidates ignored, ICE
gathering enforced to the interface `lo`.

Janus 1.1.2 skips every interface flagged IFF_LOOPBACK when it lists addresses for ICE, even
one named in `ice_enforce_list` (src/ice.c, janus_ice_setup_local), and then falls back to the
machine's other interfaces; traffic here must stay on loopback. So Janus runs with a small
LD_PRELOAD wrapper of getifaddrs() that clears IFF_LOOPBACK (built with gcc on first use,
cached under bench/out/janus/): `lo` then yields exactly one host candidate, 127.0.0.1, and
the peers refuse any SDP that offers another address.

`JanusApi` is the client side of Janus's HTTP API (one session, many handles, one long poll
that hands each event to the request that waits for it), used by bench/load_peers.py.
"""

from __future__ import annotations

import asyncio
import glob
import hashlib
import itertools
import ipaddress
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

OUT = Path(__file__).resolve().parent / "out" / "janus"
LIBDIRS = ["/usr/lib/x86_64-linux-gnu/janus", "/usr/lib/aarch64-linux-gnu/janus", "/usr/lib/janus"]
RTP_PORTS = "47000-48999"  # apart from classbridge's media ports and the tests' ephemeral ones

SHIM_SOURCE = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>

/* getifaddrs() with IFF_LOOPBACK cleared, so that Janus gathers ICE candidates on lo. */
int getifaddrs(struct ifaddrs **ifap) {
    static int (*real)(struct ifaddrs **) = 0;
    if (!real) real = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
    int rc = real(ifap);
    if (rc == 0)
        for (struct ifaddrs *i = *ifap; i; i = i->ifa_next) i->ifa_flags &= ~IFF_LOOPBACK;
    return rc;
}
"""


def janus_binary() -> str:
    found = shutil.which("janus") or ("/usr/bin/janus" if os.path.exists("/usr/bin/janus") else None)
    if found is None:
        raise RuntimeError("Janus is not installed: scripts/install.sh --bench installs Debian's janus")
    return found


def janus_version() -> str:
    out = subprocess.run([janus_binary(), "--version"], capture_output=True, text=True, timeout=30).stdout
    return next((line.split("(")[-1].rstrip(")") for line in out.splitlines() if line.startswith("Janus version")), "?")


def _module(kind: str, name: str) -> str:
    for libdir in LIBDIRS:
        if matches := glob.glob(f"{libdir}/{kind}/{name}.so"):
            return matches[0]
    raise RuntimeError(f"Janus's {name} ({kind}) was not found in {LIBDIRS}")


def loopback_shim() -> Path:
    """The getifaddrs wrapper, compiled once per source (gcc, as scripts/install.sh --bench provides)."""
    digest = hashlib.sha256(SHIM_SOURCE.encode()).hexdigest()[:12]
    target = OUT / f"getifaddrs-lo-{digest}.so"
    if target.exists():
        return target
    OUT.mkdir(parents=True, exist_ok=True)
    source = target.with_suffix(".c")
    source.write_text(SHIM_SOURCE)
    part = target.with_suffix(".part.so")
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(part), str(source), "-ldl"], check=True, timeout=120)
    part.rename(target)
    return target


def write_config(folder: Path, http_port: int, rtp_ports: str = RTP_PORTS) -> Path:
    """Janus's config for the bench: loopback only, VideoRoom over HTTP, no STUN."""
    plugins, transports, empty = folder / "plugins", folder / "transports", folder / "none"
    for directory in (plugins, transports, empty):
        directory.mkdir(parents=True, exist_ok=True)
    os.symlink(_module("plugins", "libjanus_videoroom"), plugins / "libjanus_videoroom.so")
    os.symlink(_module("transports", "libjanus_http"), transports / "libjanus_http.so")
    (folder / "janus.jcfg").write_text(
        f"""general: {{
    configs_folder = "{folder}"
    plugins_folder = "{plugins}"
    transports_folder = "{transports}"
    events_folder = "{empty}"
    loggers_folder = "{empty}"
    debug_level = 3
    interface = "127.0.0.1"
    session_timeout = 60
    server_name = "classbridge-bench"
}}
certificates: {{
}}
media: {{
    ipv6 = false
    rtp_port_range = "{rtp_ports}"
}}
nat: {{
    nice_debug = false
    ice_lite = false
    ice_tcp = false
    full_trickle = false
    ignore_mdns = true
    ice_enforce_list = "lo"
}}
plugins: {{
}}
transports: {{
}}
events: {{
    broadcast = false
}}
"""
    )
    (folder / "janus.transport.http.jcfg").write_text(
        f"""general: {{
    json = "compact"
    base_path = "/janus"
    http = true
    port = {http_port}
    ip = "127.0.0.1"
    https = false
}}
admin: {{
    admin_http = false
    admin_https = false
}}
"""
    )
    (folder / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n")
    return folder / "janus.jcfg"


class JanusServer:
    """One Janus process with its own config; the load harness's Server interface."""

    relay = "janus"

    def __init__(self, folder: Path, http_port: int):
        self.folder = folder
        self.url = f"http://127.0.0.1:{http_port}/janus"
        config = write_config(folder, http_port)
        self.log = folder / "janus.log"
        env = {**os.environ, "LD_PRELOAD": str(loopback_shim())}
        self.popen = subprocess.Popen(
            [janus_binary(), "--config", str(config), "--configs-folder", str(folder), "--disable-colors",
             "--log-file", str(self.log), "--disable-stdout"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"Janus exited ({self.popen.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/info", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"Janus did not answer on {self.url}:\n{self.log_tail()}")
        self.process = psutil.Process(self.popen.pid)
        self._rooms = itertools.count(1001)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def processes(self) -> dict[str, psutil.Process]:
        found = {"main": self.process}
        for child in self.process.children(recursive=True):
            found[f"child {child.pid}"] = child
        return found

    def create_room(self, description: str) -> int:
        """A VideoRoom for one publisher's VP8 + Opus, created through the API as an app would."""
        room = next(self._rooms)
        with httpx.Client(timeout=30) as http:
            session = _sync(http, self.url, {"janus": "create"})["data"]["id"]
            handle = _sync(http, f"{self.url}/{session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"})["data"]["id"]
            body = {"request": "create", "room": room, "description": description, "publishers": 3, "bitrate": 0,
                    "videocodec": "vp8", "audiocodec": "opus", "notify_joining": False}  # fmt: skip
            answer = _sync(http, f"{self.url}/{session}/{handle}", {"janus": "message", "body": body})
            data = answer.get("plugindata", {}).get("data", {})
            if data.get("videoroom") != "created":
                raise RuntimeError(f"Janus did not create the room: {answer}")
            _sync(http, f"{self.url}/{session}", {"janus": "destroy"})
        return room

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(15)
        except subprocess.TimeoutExpired:
            self.popen.kill()


_transactions = itertools.count(1)


def _sync(http: httpx.Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = http.post(url, json={**body, "transaction": f"t{next(_transactions)}"}).json()
    if answer.get("janus") == "error":
        raise RuntimeError(f"Janus refused {body}: {answer['error']}")
    return answer


def check_loopback_sdp(sdp: str) -> None:
    """Refuse an SDP whose ICE candidates are not loopback: this bench sends nowhere else."""
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            address = line.split()[4]
            if not ipaddress.ip_address(address).is_loopback:
                raise RuntimeError(f"Janus offered a non-loopback candidate: {line}")


class JanusApi:
    """One Janus session over HTTP: many plugin handles, one long poll for all their events."""

    def __init__(self, http: httpx.AsyncClient, url: str):
        self.http = http
        self.url = url
        self.session: int | None = None
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._poller: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.session = (await self._post(self.url, {"janus": "create"}))["data"]["id"]
        self._poller = asyncio.create_task(self._poll())

    async def attach(self) -> int:
        answer = await self._post(f"{self.url}/{self.session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"})
        return int(answer["data"]["id"])

    async def message(
        self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None = None, timeout: float = 60
    ) -> dict[str, Any]:
        """The plugin's answer: its synchronous reply, or the event that follows the ack."""
        transaction = f"t{next(_transactions)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[transaction] = future
        request: dict[str, Any] = {"janus": "message", "body": body, "transaction": transaction}
        if jsep is not None:
            request["jsep"] = jsep
        try:
            answer = await self._post(f"{self.url}/{self.session}/{handle}", request, transaction)
            if answer.get("janus") != "ack":
                return answer
            event = await asyncio.wait_for(future, timeout)
        finally:
            self._waiting.pop(transaction, None)
        data = event.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise RuntimeError(f"VideoRoom refused {body}: {data['error']}")
        return event

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
        if self.session is not None:
            try:
                await self._post(f"{self.url}/{self.session}", {"janus": "destroy"})
            except (httpx.HTTPError, RuntimeError):
                pass

    async def _post(self, url: str, body: dict[str, Any], transaction: str | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = (await self.http.post(url, json={"transaction": transaction or f"t{next(_transactions)}", **body})).json()
        if answer.get("janus") == "error":
            raise RuntimeError(f"Janus refused {body.get('janus')}: {answer['error']}")
        return answer

    async def _poll(self) -> None:
        """Janus's long poll: also what keeps the session alive."""
        while True:
            try:
                response = await self.http.get(f"{self.url}/{self.session}", params={"maxev": 50}, timeout=40)
            except httpx.HTTPError:
                await asyncio.sleep(0.2)
                continue
            events = response.json()
            for event in events if isinstance(events, list) else [events]:
                future = self._waiting.get(event.get("transaction", ""))
                if future is not None and not future.done() and event.get("janus") == "event":
                    future.set_result(event)
