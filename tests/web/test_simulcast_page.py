"""The class page's side of per-trainee adaptation (docs/protocol.md: `publish` layers, `view`,
`receive` save_data, `layers`): real Chromium pages against a real server.

- The lecturer's camera goes out as three tracks of one picture, each encoded at its own size
  and bit rate and declared with `layer_of`/`quality`; trainees see one camera tile.
- Slides go out for legibility: contentHint "detail", 5 frames/s, resolution kept.
- A trainee's page tells the server how large it shows each received video; "Save data" is a
  pre-join and in-class setting the browser remembers.
- When nobody receives the camera, the relay's `layers` frame stops the lecturer's encoders.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.simulcast_lab import FRAMES
from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, join, new_page

pytestmark = pytest.mark.browser

# The publish connection's video senders: what each encodes and at what size it goes out.
SENDERS = """
async () => {
  const out = [];
  for (const pc of window.__classbridgePcs || []) {
    if (pc.connectionState === "closed") continue;
    const stats = await pc.getStats();
    for (const t of pc.getTransceivers()) {
      const s = t.sender;
      if (!s.track || s.track.kind !== "video" || t.currentDirection === "inactive") continue;
      const p = s.getParameters();
      let outbound = null;
      stats.forEach((r) => { if (r.type === "outbound-rtp" && r.mid === t.mid) outbound = r; });
      out.push({
        trackId: s.track.id, contentHint: s.track.contentHint, encoding: p.encodings[0],
        degradation: p.degradationPreference ?? null,
        frameWidth: outbound?.frameWidth ?? 0, framesEncoded: outbound?.framesEncoded ?? 0,
      });
    }
  }
  return out;
}
"""


def frames(page: Page, direction: str, kind: str) -> list[dict[str, Any]]:
    return [f for f in page.evaluate(f"() => window.__frames.{direction}") if f.get("type") == kind]


@pytest.fixture
def people(browser: Browser) -> Iterator[list[tuple[BrowserContext, Page]]]:
    made: list[tuple[BrowserContext, Page]] = []
    yield made
    for context, _ in made:
        context.close()


def person(browser: Browser, people: list[tuple[BrowserContext, Page]]) -> Page:
    context, page = new_page(browser)
    context.add_init_script(FRAMES)
    people.append((context, page))
    return page


def test_the_lecturers_camera_goes_out_as_three_layers_and_slides_for_legibility(
    browser: Browser, server: ClassServer, people: list[tuple[BrowserContext, Page]]
) -> None:
    links = server.create_class("Lớp nhiều lớp hình")["links"]
    lecturer = person(browser, people)
    join(lecturer, links["lecturer"], "Giảng viên Hà")
    trainee = person(browser, people)
    join(trainee, links["trainee"], "Học viên Lan")

    declared = wait_until(
        lambda: [t for f in frames(lecturer, "sent", "publish") for t in f["tracks"] if t["source"] == "camera"],
        30,
        "the lecturer's camera declared",
        describe=lambda: dump(lecturer),
    )
    high = next(t for t in declared if "layer_of" not in t)
    assert sorted((t.get("layer_of"), t.get("quality")) for t in declared if t is not high) == [
        (high["track_id"], "low"),
        (high["track_id"], "medium"),
    ]

    def encoding() -> list[dict[str, Any]] | None:
        senders = lecturer.evaluate(SENDERS)
        return senders if len(senders) == 3 and all(s["framesEncoded"] > 5 for s in senders) else None

    senders = wait_until(encoding, 40, "three video layers encoding", describe=lambda: dump(lecturer))
    by_id = {s["trackId"]: s for s in senders}
    quality = {high["track_id"]: "high", **{t["track_id"]: t["quality"] for t in declared if t is not high}}
    got = {quality[i]: s for i, s in by_id.items()}
    assert [got[q]["encoding"].get("scaleResolutionDownBy", 1) for q in ("high", "medium", "low")] == [1, 2, 4]
    assert [got[q]["encoding"]["maxBitrate"] for q in ("high", "medium", "low")] == [1_500_000, 500_000, 150_000]
    assert got["low"]["encoding"]["maxFramerate"] == 15
    # Each encoder really sends its own size: the medium one half the camera's width at most,
    # the low one a quarter.
    source = lecturer.evaluate("() => window.__classbridgePcs.flatMap((pc) => pc.getSenders()).find((s) => s.track?.kind === 'video').track.getSettings().width")

    seen = {"high": 0, "medium": 0, "low": 0}  # the largest size each layer was sent at

    def widths() -> list[int] | None:
        # The relay may pause a layer nobody needs (its size then reads 0): remember what was sent.
        for s in lecturer.evaluate(SENDERS):
            if s["trackId"] in quality:
                seen[quality[s["trackId"]]] = max(seen[quality[s["trackId"]]], s["frameWidth"])
        w = [seen[name] for name in ("high", "medium", "low")]
        # (An encoder short of CPU or bandwidth lowers its own size further, the high one first
        # while the link ramps up; none is ever larger than its scale allows.)
        return w if min(w) > 0 and w[1] <= source // 2 and w[2] <= source // 4 else None

    wait_until(widths, 30, "the layers at their sizes", describe=lambda: json.dumps([seen, lecturer.evaluate(SENDERS)]))

    # Trainees see one camera of the lecturer: the layers are the relay's business.
    wait_until(
        lambda: trainee.locator(".tile:not(.tile-local) video").count() == 1
        and trainee.locator(".tile:not(.tile-local) video").first.evaluate("v => v.videoWidth > 0"),
        30,
        "one lecturer tile with video at the trainee",
        describe=lambda: dump(trainee),
    )
    tracks = [t for f in frames(trainee, "received", "offer") for t in f["tracks"] if t["kind"] == "video"]
    assert {t["track_id"] for t in tracks} == {high["track_id"]}, tracks

    # The trainee tells the server how large it shows that video (once the layout settles).
    tile = trainee.locator(".tile:not(.tile-local) video").first

    def reported() -> bool:
        sent = [t for f in frames(trainee, "sent", "view") for t in f["tracks"] if t["track_id"] == high["track_id"]]
        shown = tile.evaluate("v => [Math.round(v.clientWidth * devicePixelRatio), Math.round(v.clientHeight * devicePixelRatio)]")
        return bool(sent) and [sent[-1]["width"], sent[-1]["height"]] == shown and shown[0] > 0

    wait_until(reported, 20, "a view frame with the tile's size", describe=lambda: json.dumps(frames(trainee, "sent", "view")))

    # The lecturer's people panel shows the trainee's link and the picture they get.
    chip = lecturer.locator(".present-list .person-link")
    wait_until(lambda: chip.count() == 1, 20, "the trainee's link chip", describe=lambda: json.dumps(frames(lecturer, "received", "link_quality")))
    assert chip.get_attribute("data-layer") in {"high", "medium", "low", "paused"}
    assert chip.evaluate("e => e.textContent").startswith("Đường truyền ")

    # Slides: sharp text at a low frame rate.
    lecturer.click("[data-control=share]")

    def screen_sender() -> dict[str, Any] | None:
        return next((s for s in lecturer.evaluate(SENDERS) if s["contentHint"] == "detail"), None)

    screen = wait_until(screen_sender, 20, "the screen's sender", describe=lambda: dump(lecturer))
    assert screen["encoding"]["maxFramerate"] == 5
    assert screen["encoding"]["maxBitrate"] == 1_200_000
    wait_until(
        lambda: (s := screen_sender()) and s["degradation"] == "maintain-resolution",
        10,
        "the screen keeps its resolution under pressure",
        describe=lambda: json.dumps(screen_sender()),
    )


def test_save_data_is_chosen_before_joining_remembered_and_switched_in_class(
    browser: Browser, server: ClassServer, people: list[tuple[BrowserContext, Page]]
) -> None:
    links = server.create_class("Lớp tiết kiệm dữ liệu")["links"]
    trainee = person(browser, people)
    trainee.goto(links["trainee"])
    box = trainee.locator("#save-data")
    box.wait_for(timeout=20_000)
    assert "Tiết kiệm dữ liệu" in trainee.locator(".save-data").inner_text()
    assert not box.is_checked()
    box.check()
    trainee.wait_for_selector(".btn-join:not([disabled])", timeout=30_000)
    trainee.fill("#name", "Học viên Minh")
    trainee.click(".btn-join")
    trainee.wait_for_selector(".classroom", timeout=30_000)
    receive = wait_until(lambda: frames(trainee, "sent", "receive"), 20, "the receive frame", describe=lambda: dump(trainee))
    assert receive[-1] == {"type": "receive", "video": True, "save_data": True}
    button = trainee.locator("[data-control=saveData]")
    assert button.get_attribute("aria-pressed") == "true"
    assert button.inner_text().strip() == "Tắt tiết kiệm dữ liệu"
    button.click()
    wait_until(
        lambda: frames(trainee, "sent", "receive")[-1]["save_data"] is False, 10, "save data off", describe=lambda: dump(trainee)
    )
    button.click()
    # Remembered by this browser: the next class's pre-join page starts with it on.
    trainee.goto("about:blank")  # another link to /join differs only after the "#": a real load
    trainee.goto(server.create_class("Lớp hôm sau")["links"]["trainee"])
    trainee.locator("#save-data").wait_for(timeout=20_000)
    assert trainee.locator("#save-data").is_checked()
    # The lecturer's page has no such setting (it sends, it does not save).
    lecturer = person(browser, people)
    lecturer.goto(links["lecturer"])
    lecturer.wait_for_selector(".btn-join:not([disabled])", timeout=20_000)
    assert lecturer.locator(".save-data").is_hidden()


def test_no_one_receiving_the_camera_stops_the_lecturers_encoders(
    browser: Browser, server: ClassServer, people: list[tuple[BrowserContext, Page]]
) -> None:
    links = server.create_class("Lớp không ai xem")["links"]
    lecturer = person(browser, people)
    join(lecturer, links["lecturer"], "Giảng viên Hà")
    trainee = person(browser, people)
    join(trainee, links["trainee"], "Học viên Lan")
    wait_until(
        lambda: len([s for s in lecturer.evaluate(SENDERS) if s["framesEncoded"] > 0]) == 3,
        40,
        "the lecturer's three layers encoding",
        describe=lambda: dump(lecturer),
    )
    # Audio only: the one trainee no longer receives the camera, so no layer is needed.
    trainee.click("[data-control=audioOnly]")

    def stopped() -> bool:
        return all(s["encoding"].get("active") is False for s in lecturer.evaluate(SENDERS) if s["contentHint"] != "detail")

    wait_until(stopped, 20, "every layer inactive", describe=lambda: json.dumps(frames(lecturer, "received", "layers")))
    assert frames(lecturer, "received", "layers"), "the relay said so in a `layers` frame"
    trainee.click("[data-control=audioOnly]")
    wait_until(
        lambda: any(s["encoding"].get("active") is not False for s in lecturer.evaluate(SENDERS)),
        20,
        "a layer active again once the trainee wants video",
        describe=lambda: json.dumps(frames(lecturer, "received", "layers")),
    )


def test_a_trainee_holding_the_floor_sends_layers_and_stops_when_it_is_taken_back(
    browser: Browser, server: ClassServer, people: list[tuple[BrowserContext, Page]]
) -> None:
    links = server.create_class("Lớp phát biểu nhiều lớp hình")["links"]
    lecturer = person(browser, people)
    join(lecturer, links["lecturer"], "Giảng viên Hà")
    trainee = person(browser, people)
    join(trainee, links["trainee"], "Học viên Lan")

    def camera_declarations() -> list[dict[str, Any]]:
        return [t for f in frames(trainee, "sent", "publish") for t in f["tracks"] if t["source"] == "camera"]

    wait_until(lambda: len(camera_declarations()) == 1, 20, "the trainee's camera, one track", describe=lambda: dump(trainee))
    own = camera_declarations()[0]["track_id"]
    tile = lecturer.locator(".tile:not(.tile-local)", has=lecturer.locator(".tile-name", has_text="Học viên Lan"))
    tile.get_by_role("button", name="Cho phát biểu").click()
    wait_until(
        lambda: sorted(t.get("quality", "") for t in camera_declarations() if t.get("layer_of") == own) == ["low", "medium"],
        20,
        "the trainee's camera layers declared with the floor",
        describe=lambda: json.dumps(camera_declarations()),
    )
    wait_until(lambda: len(trainee.evaluate(SENDERS)) == 3, 20, "three camera senders", describe=lambda: dump(trainee))
    tile.get_by_role("button", name="Thu lại quyền phát biểu").click()
    layer_ids = {t["track_id"] for t in camera_declarations() if t.get("layer_of") == own}
    wait_until(
        lambda: any(set(f["track_ids"]) == layer_ids for f in frames(trainee, "sent", "unpublish")),
        20,
        "the layers unpublished when the floor is taken back",
        describe=lambda: json.dumps(frames(trainee, "sent", "unpublish")),
    )
    wait_until(lambda: len(trainee.evaluate(SENDERS)) == 1, 20, "one camera sender again", describe=lambda: json.dumps(trainee.evaluate(SENDERS)))
