"""Network namespaces, veth links and nftables rules made by a test (as root), always removed.

The machine's own networks are never touched: each namespace and veth gets a name unique to
this process, addresses come from a private /16 picked per run, and `close()` (in a
`finally`) deletes every namespace and the veth left in the root namespace.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


def run(*args: str, input: str | None = None) -> str:
    done = subprocess.run(args, input=input, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


@dataclass
class Lab:
    """What a test builds; everything it names is deleted by `close`."""

    tag: str = field(default_factory=lambda: f"{os.getpid() % 10000}{random.randrange(100)}")
    subnet: int = field(default_factory=lambda: random.randrange(64, 127))  # 10.<subnet>.0.0/16
    namespaces: list[str] = field(default_factory=list)
    root_links: list[str] = field(default_factory=list)

    def address(self, net: int, host: int) -> str:
        return f"10.{self.subnet}.{net}.{host}"

    def namespace(self, role: str) -> str:
        name = f"cb{role}{self.tag}"[:15]
        run("ip", "netns", "add", name)
        self.namespaces.append(name)
        run("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def link(self, a: str | None, a_name: str, a_addr: str, b: str, b_name: str, b_addr: str) -> None:
        """A veth between namespace `a` (None: the root namespace) and `b`, addresses as a.b.c.d/24."""
        left, right = f"cbv{self.tag}{len(self.root_links) + len(self.namespaces)}a"[:15], f"cbv{self.tag}{len(self.root_links) + len(self.namespaces)}b"[:15]
        run("ip", "link", "add", left, "type", "veth", "peer", "name", right)
        if a is None:
            self.root_links.append(left)
            a_name = left
        else:
            run("ip", "link", "set", left, "netns", a, "name", a_name)
        run("ip", "link", "set", right, "netns", b, "name", b_name)
        for ns, name, addr in ((a, a_name, a_addr), (b, b_name, b_addr)):
            prefix = ("ip", "-n", ns) if ns else ("ip",)
            run(*prefix, "addr", "add", f"{addr}/24", "dev", name)
            run(*prefix, "link", "set", name, "up")

    def exec(self, ns: str, *args: str, input: str | None = None) -> str:
        return run("ip", "netns", "exec", ns, *args, input=input)

    def nft(self, ns: str, ruleset: str) -> None:
        self.exec(ns, "nft", "-f", "-", input=ruleset)

    def command(self, ns: str, *args: str) -> list[str]:
        """A command line that runs `args` inside the namespace."""
        return ["ip", "netns", "exec", ns, *args]

    def close(self) -> None:
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
        for link in self.root_links:  # normally gone with its peer's namespace
            subprocess.run(["ip", "link", "delete", link], capture_output=True)
        self.namespaces.clear()
        self.root_links.clear()


@contextmanager
def lab() -> Iterator[Lab]:
    if os.geteuid() != 0:
        raise AssertionError("network namespace tests run as root (CI and scripts/test.sh do)")
    built = Lab()
    try:
        yield built
    finally:
        built.close()


def leftovers(tag: str) -> list[str]:
    """Namespaces or links of ours still present (a test asserts there are none)."""
    names = run("ip", "netns", "list") + run("ip", "-o", "link", "show")
    return [line for line in names.splitlines() if tag in line]
