"""How long issuing and verifying one join token takes (every WebSocket join verifies one).

Verification includes the keyring's freshness check (one stat of signing-keys.json), which is
what lets a running server pick up `classbridge keys rotate` without a restart.

    .venv/bin/python bench/join_tokens.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from classroom.roles import Role
from signaling.auth.keys import Keyring
from signaling.auth.tokens import TokenService


def per_op_us(fn: Callable[[], object], n: int, rounds: int = 5) -> float:
    """Median over rounds of the mean time per call, in microseconds (after a warm-up round)."""
    results = []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        results.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(results[1:])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        keyring = Keyring.open(Path(tmp))
        tokens = TokenService(keyring, timedelta(hours=168))
        token = tokens.issue(
            "abcdefghjk", Role.TRAINEE, external_id="HV-0153", name="Nguyễn Thị Lan"
        )
        issue = per_op_us(lambda: tokens.issue("abcdefghjk", Role.TRAINEE, name="Lan"), n)
        verify = per_op_us(lambda: tokens.verify(token, "abcdefghjk"), n)
        for _ in range(4):
            keyring.rotate()
        verify_5_keys = per_op_us(lambda: tokens.verify(token, "abcdefghjk"), n)
        stat = per_op_us(lambda: keyring.path.stat(), n)
    print(f"join token: {len(token)} characters")
    print(f"issue:                  {issue:7.1f} µs")
    print(f"verify:                 {verify:7.1f} µs")
    print(f"verify, 5 keys in ring: {verify_5_keys:7.1f} µs")
    print(f"  of which stat():      {stat:7.1f} µs")


if __name__ == "__main__":
    main()
