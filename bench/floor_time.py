"""Floor time in real Chromium on loopback: "Give the floor" pressed on the lecturer's page →
first video frame of that trainee presented at another trainee.

A real `classbridge serve` process; a lecturer and two trainees (A and B) join with
Chromium's fake camera and microphone. Each run, B's page starts watching for A's tile (A's
video: `requestVideoFrameCallback`), the lecturer presses "Give the floor" on A's tile, and
the time runs from the press (the lecturer page's clock, `Date.now()` just before the click)
to the first frame of A's video that B presents (B's `Date.now()`; both pages run on this one
machine's clock). What it includes: the floor request over the WebSocket, the server's new
subscriptions, the renegotiated subscribe connection at B, the key frame the server asks A
for, and decoding. The lecturer then takes the floor back and waits until A's tile has left
B's page before the next run. The first run warms up and is not counted.

Run: .venv/bin/python -m bench.floor_time [--runs 5]
Prints a table and a JSON line. Loopback only; needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench.stats import percentile
from tests.web.support import ClassServer, join, launch, new_page

LECTURER, A, B = "Giảng viên Nguyễn Văn An", "Học viên Trần Thị Bình", "Học viên Lê Văn Cường"

# At B: resolve with the time of the first presented frame of A's tile (a new tile each run).
WATCH = """
(name) => {
  window.__floorFrame = new Promise((resolve) => {
    const timer = setInterval(() => {
      const tile = [...document.querySelectorAll(".tile:not(.tile-local)")].find(
        (t) => t.querySelector(".tile-name")?.textContent === name);
      const video = tile?.querySelector("video");
      if (!video || !video.srcObject || !video.srcObject.getVideoTracks().length) return;
      clearInterval(timer);
      video.requestVideoFrameCallback(() => resolve(Date.now()));
    }, 2);
  });
}
"""

# At the lecturer: press the button on A's tile and say when.
PRESS = """
([name, action]) => {
  const tile = [...document.querySelectorAll(".tile:not(.tile-local)")].find(
    (t) => t.querySelector(".tile-name")?.textContent === name);
  const button = tile?.querySelector(`[data-action="${action}"]`);
  if (!button) return null;
  const at = Date.now();
  button.click();
  return at;
}
"""

GONE = """
(name) => ![...document.querySelectorAll(".tile:not(.tile-local)")].some(
  (t) => t.querySelector(".tile-name")?.textContent === name)
"""


def press(page: Page, action: str) -> float:
    for _ in range(200):
        at = page.evaluate(PRESS, [A, action])
        if at is not None:
            return float(at)
        page.wait_for_timeout(50)
    raise RuntimeError(f"no {action} button on {A}'s tile at the lecturer")


def one_run(lecturer: Page, b: Page) -> float:
    b.evaluate(WATCH, A)
    pressed = press(lecturer, "give_floor")
    frame = float(b.evaluate("window.__floorFrame"))
    press(lecturer, "take_floor")
    b.wait_for_function(GONE, arg=A, timeout=15_000)
    return frame - pressed


def main(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = ClassServer(Path(tmp) / "data").start()
        browser = launch(playwright)
        try:
            class_id = server.create_class("Đo thời gian cho phát biểu")["id"]
            pages = []
            for role, name, external in (("lecturer", LECTURER, None), ("trainee", A, "bench-a"), ("trainee", B, "bench-b")):
                _, page = new_page(browser)
                extra = {"external_id": external} if external else {}
                join(page, server.link(class_id, role, name=name, **extra))
                pages.append(page)
            lecturer, _, b = pages
            lecturer.wait_for_selector('.tile [data-action="give_floor"]', timeout=30_000)
            samples = [one_run(lecturer, b) for _ in range(runs + 1)][1:]
        finally:
            browser.close()
            server.stop()
    return {
        "runs": runs,
        "give_floor_to_first_frame": {
            "median_ms": round(percentile(samples, 0.5), 1),
            "min_ms": round(min(samples), 1),
            "max_ms": round(max(samples), 1),
        },
        "samples_ms": [round(s, 1) for s in samples],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    results = main(parser.parse_args().runs)
    row = results["give_floor_to_first_frame"]
    print(f"'Give the floor' pressed -> first frame of that trainee at another trainee, {results['runs']} runs (loopback, headless Chromium, fake camera)")
    print(f"{'measure':28} {'median':>9} {'min':>9} {'max':>9}")
    print(f"{'give_floor_to_first_frame':28} {row['median_ms']:>7.1f}ms {row['min_ms']:>7.1f}ms {row['max_ms']:>7.1f}ms")
    print(f"samples: {', '.join(f'{s:.0f} ms' for s in results['samples_ms'])}")
    print(json.dumps(results))
