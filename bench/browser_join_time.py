"""Join time of a trainee in real Chromium on loopback: link opened → first remote video frame.

A real `classbridge serve` process and a lecturer page publishing Chromium's fake camera;
then, several times, a trainee opens a personal join link in a fresh browser context, presses
Join as soon as the button is enabled, and the page marks the first frame of the lecturer's
video it presents (`requestVideoFrameCallback`, User Timing mark
`classbridge:first-remote-video`). Times are read from the page's own clock, relative to
`performance.timeOrigin` (the navigation to the link):

- link → frame: what a trainee feels, minus their own reading and clicking (the script clicks
  at once); includes loading the page and its modules, opening the camera for the preview,
  the WebSocket join, both peer connections and the first key frame.
- Join → frame: from the click (mark `classbridge:join`) to the first frame.
- reload → frame: the same tab reloaded mid-class (it rejoins without the pre-join page).

Run: .venv/bin/python bench/browser_join_time.py [--runs 9]
Prints a table and a JSON line. Loopback only; needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.web.support import ClassServer, join, launch, new_page

FIRST_FRAME = "classbridge:first-remote-video"
TIMES = f"""
() => {{
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  return {{ frame: at("{FIRST_FRAME}"), join: at("classbridge:join") }};
}}
"""


def wait_for_frame(page: Page) -> dict[str, Any]:
    page.wait_for_selector(".stage-main .tile video", timeout=30_000)
    for _ in range(300):
        times = dict(page.evaluate(TIMES))
        if times["frame"] is not None:
            return times
        page.wait_for_timeout(50)
    raise RuntimeError("no remote video frame within 15 s")


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples), 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
        "stdev_ms": round(statistics.stdev(samples), 1) if len(samples) > 1 else 0.0,
    }


def main(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = ClassServer(Path(tmp) / "data").start()
        browser = launch(playwright)
        try:
            class_id = server.create_class("Đo thời gian vào lớp")["id"]
            lecturer_context, lecturer = new_page(browser)
            join(lecturer, server.link(class_id, "lecturer", name="Giảng viên"))
            link_to_frame, click_to_frame, reload_to_frame = [], [], []
            for run in range(runs + 1):  # the first run warms the server up and is not counted
                context, trainee = new_page(browser)
                trainee.goto(
                    server.link(
                        class_id, "trainee", name=f"Học viên {run}", external_id=f"bench-{run}"
                    )
                )
                trainee.click(".btn-join:not([disabled])")
                times = wait_for_frame(trainee)
                trainee.reload()
                reload_times = wait_for_frame(trainee)
                context.close()
                if run == 0:
                    continue
                link_to_frame.append(times["frame"])
                click_to_frame.append(times["frame"] - times["join"])
                reload_to_frame.append(reload_times["frame"])
            lecturer_context.close()
        finally:
            browser.close()
            server.stop()
    return {
        "runs": runs,
        "link_to_first_frame": summary(link_to_frame),
        "join_click_to_first_frame": summary(click_to_frame),
        "reload_to_first_frame": summary(reload_to_frame),
        "samples_link_to_first_frame_ms": [round(s, 1) for s in link_to_frame],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    results = main(parser.parse_args().runs)
    print(f"trainee join time on loopback, {results['runs']} runs (headless Chromium, fake camera)")
    print(f"{'measure':28} {'median':>9} {'min':>9} {'max':>9} {'stdev':>9}")
    for label in ("link_to_first_frame", "join_click_to_first_frame", "reload_to_first_frame"):
        row = results[label]
        print(
            f"{label:28} {row['median_ms']:>7.1f}ms {row['min_ms']:>7.1f}ms {row['max_ms']:>7.1f}ms {row['stdev_ms']:>7.1f}ms"
        )
    print(json.dumps(results))
