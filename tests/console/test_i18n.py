"""The console's translations: the same keys in both languages, and every key the pages use."""

from __future__ import annotations

import json
import re
from pathlib import Path

from devices.drivers.base import DeviceKind, LinkState
from devices.room.actor import ActorKind
from devices.room.scene_run import RunState, StepState
from devices.room.device_view import POWER_STATES
from signaling.auth.room_access import PrincipalKind
from signaling.api.rooms import DEVICE_STATUS

CONSOLE = Path(__file__).parents[2] / "web" / "static" / "console"
SHARED = CONSOLE.parent / "shared"
TABLES = {lang: json.loads((CONSOLE / "i18n" / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("vi", "en")}


def test_both_languages_have_the_same_keys_and_no_empty_text() -> None:
    assert TABLES["vi"].keys() == TABLES["en"].keys()
    for table in TABLES.values():
        assert all(text.strip() for text in table.values())
    assert TABLES["vi"]["link.online"] != TABLES["en"]["link.online"]


def test_every_literal_key_in_the_pages_exists() -> None:
    used: set[str] = set()
    for path in [*CONSOLE.glob("js/**/*.js"), CONSOLE / "console.html"]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\"([\w.-]+)\"", text))
        used |= set(re.findall(r"data-i18n=\"([\w.-]+)\"", text))
        used |= set(re.findall(r"data-i18n-attr=\"[\w-]+:([\w.-]+)\"", text))
    assert used and not (used - TABLES["en"].keys())


def test_every_value_the_server_sends_has_words() -> None:
    families = {
        "link": [s.value for s in LinkState],
        "power": sorted(POWER_STATES),
        "kind": [k.value for k in DeviceKind],
        "actor": sorted({a.value for a in ActorKind} | {p.value for p in PrincipalKind if p.value in ("admin", "technician", "lecturer")}),
        "run": [s.value for s in RunState],
        "step": [s.value for s in StepState],
        "result": ["ok", "failed", "partial", "cancelled", "info"],
        "error": [code for _, _, code in DEVICE_STATUS],
    }
    missing = [f"{family}.{value}" for family, values in families.items() for value in values if f"{family}.{value}" not in TABLES["en"]]
    assert missing == []


def test_the_ptz_pad_has_words_in_both_pages() -> None:
    pad = (SHARED / "ptz_pad.js").read_text(encoding="utf-8")
    words = ["pad", "speed", "zoom_in", "zoom_out", *re.findall(r'\["([\w-]+)", -?\d, -?\d, "', pad)]
    assert len(words) == 13
    assert [w for w in words if f"camera.{w}" not in TABLES["en"]] == []
    panel = (CONSOLE.parent / "js" / "ui" / "room_panel.js").read_text(encoding="utf-8")
    class_page = json.loads((CONSOLE.parent / "i18n" / "en.json").read_text(encoding="utf-8"))
    for word in words:
        key = re.search(rf'"?{re.escape(word)}"?: "(class\.room_\w+)"', panel)
        assert key and key.group(1) in class_page, word
