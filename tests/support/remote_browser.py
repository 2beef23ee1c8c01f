"""A trainee in Chromium, run in another network namespace: joins, waits for the lecturer's
video, reports which transport its media took, as JSON.

    ip netns exec NS python -m tests.support.remote_browser --link JOIN_LINK

Prints one JSON line: the media counters summed over the page's connections and, for each
connection, the selected candidate pair (local and remote protocol, candidate type, port).
"""

from __future__ import annotations

import argparse
import json
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from tests.web.support import CHROMIUM, CHROMIUM_ARGS, FAKE_UI, dump, join, media, new_page
from tests.support.wait import wait_until

SELECTED_PAIRS = """
async () => {
  const out = [];
  for (const pc of window.__classbridgePcs || []) {
    if (pc.connectionState === "closed") continue;
    const stats = await pc.getStats();
    let pairId = null;
    stats.forEach((s) => { if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
    if (!pairId) { out.push({ state: pc.connectionState }); continue; }
    const pair = stats.get(pairId);
    const local = stats.get(pair.localCandidateId);
    const remote = stats.get(pair.remoteCandidateId);
    out.push({
      state: pc.connectionState,
      local_protocol: local.protocol, local_type: local.candidateType, local_tcp_type: local.tcpType ?? null,
      remote_protocol: remote.protocol, remote_address: remote.address, remote_port: remote.port,
    });
  }
  return out;
}
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--link", required=True)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    parts = urlsplit(args.link)
    origin = f"{parts.scheme}://{parts.netloc}"
    # Resolve no name at all; the server is reached by its address.
    chromium_args = [a for a in CHROMIUM_ARGS if not a.startswith("--host-resolver-rules=")]
    chromium_args.append(f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {parts.hostname}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # A trainee's page on the school's http:// address may still use its camera here.
            args=[*chromium_args, FAKE_UI, f"--unsafely-treat-insecure-origin-as-secure={origin}"],
        )
        try:
            context, page = new_page(browser)
            join(page, args.link, "Học viên sau tường lửa", timeout=args.timeout)
            wait_until(
                lambda: media(page)["framesDecoded"] >= 10,
                args.timeout,
                "the lecturer's video decoded in the page",
                describe=lambda: dump(page) + json.dumps(page.evaluate(SELECTED_PAIRS)),
            )
            print(json.dumps({"media": media(page), "pairs": page.evaluate(SELECTED_PAIRS)}), flush=True)
            context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
