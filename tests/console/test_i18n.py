"""The console's translations and the room words both front ends share (web/static/shared/i18n/):
the same keys in both languages, and every key the pages use."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

from devices.commands import DeviceCommand
from devices.rooms_file.scene_steps import SceneStep

from devices.drivers.base import DeviceKind, LinkState
from devices.room.actor import ActorKind
from devices.room.error_codes import ALL_CODES
from devices.room.events import Result
from devices.room.scene_run import RunState, StepState
from devices.room.device_view import POWER_STATES
from signaling.auth.room_access import PrincipalKind
from signaling.api.rooms import DEVICE_STATUS

CONSOLE = Path(__file__).parents[2] / "web" / "static" / "console"
SHARED = CONSOLE.parent / "shared"
OWN = {lang: json.loads((CONSOLE / "i18n" / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("vi", "en")}
ROOM_WORDS = {lang: json.loads((SHARED / "i18n" / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("vi", "en")}
TABLES = {lang: {**OWN[lang], **ROOM_WORDS[lang]} for lang in ("vi", "en")}  # as the page loads them


def test_both_languages_have_the_same_keys_and_no_empty_text() -> None:
    for files in (OWN, ROOM_WORDS):
        assert files["vi"].keys() == files["en"].keys()
        for key, text in files["vi"].items():
            assert text.strip() and files["en"][key].strip(), key
            assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", files["en"][key])), key
    assert not OWN["vi"].keys() & ROOM_WORDS["vi"].keys()  # one place for each word
    assert all(key.startswith("room.") for key in ROOM_WORDS["vi"])
    assert TABLES["vi"]["room.link.online"] != TABLES["en"]["room.link.online"]


def test_every_literal_key_in_the_pages_exists() -> None:
    used: set[str] = set()
    for path in [*CONSOLE.glob("js/**/*.js"), CONSOLE / "console.html", SHARED / "room_words.js"]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\"([\w.-]+)\"", text))
        used |= set(re.findall(r"data-i18n=\"([\w.-]+)\"", text))
        used |= set(re.findall(r"data-i18n-attr=\"[\w-]+:([\w.-]+)\"", text))
    assert used and not (used - TABLES["en"].keys())


def _dos(union: object) -> set[str]:
    """The ``do`` values of a tagged union of commands or steps."""
    members = get_args(get_args(union)[0]) if get_args(union) else ()
    return {get_args(m.model_fields["do"].annotation)[0] for m in members}


COMMANDS = _dos(DeviceCommand)
STEPS = _dos(SceneStep)


def test_every_value_the_server_sends_has_words() -> None:
    assert {"power", "preset_recall", "gain"} <= COMMANDS and {"wait", "position"} <= STEPS
    families = {
        "room.link": [s.value for s in LinkState],
        "power": sorted(POWER_STATES),
        "room.kind": [k.value for k in DeviceKind],
        "room.actor": sorted({a.value for a in ActorKind} | {p.value for p in PrincipalKind if p.value in ("admin", "technician", "lecturer")}),
        "room.run": [s.value for s in RunState],
        "room.step": [s.value for s in StepState],
        "room.result": list(get_args(Result)),
        "room.error": sorted(set(DEVICE_STATUS) | set(ALL_CODES)),
        "room.do": sorted({*COMMANDS, *STEPS} - {"power", "mute", "zoom"}),
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
