"""docs/rooms.md and its Vietnamese field reference name every field of the rooms file, so a
technician can write one from either."""

from __future__ import annotations

import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from devices.rooms_file import RoomsFile

DOCS = Path(__file__).parents[3] / "docs"
DOC = DOCS / "rooms.md"


def models(root: type[BaseModel]) -> set[type[BaseModel]]:
    """Every model reachable from `root` through its fields (unions and lists included)."""
    found: set[type[BaseModel]] = set()
    todo: list[object] = [root]
    while todo:
        item = todo.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item in found:
                continue
            found.add(item)
            todo.extend(field.annotation for field in item.model_fields.values())
        elif typing.get_origin(item) is not None or isinstance(item, types.UnionType):
            todo.extend(typing.get_args(item))
    return found


def test_the_walk_reaches_every_device_model_and_link() -> None:
    names = {model.__name__ for model in models(RoomsFile)}
    for expected in ("ViscaCameraConfig", "OnvifCameraConfig", "MdcDisplayConfig", "PJLinkProjectorConfig",
                     "ShureMicrophoneConfig", "SerialLink", "TcpLink", "UdpLink", "CameraPosition",
                     "RoomSchedule", "GainStep"):  # fmt: skip
        assert expected in names


@pytest.mark.parametrize("doc", ["rooms.md", "rooms-file.vi.md"])
def test_every_rooms_file_field_is_named_in_the_docs(doc: str) -> None:
    text = (DOCS / doc).read_text(encoding="utf-8")
    missing = sorted(
        f"{model.__name__}.{name}"
        for model in models(RoomsFile)
        for name, field in model.model_fields.items()
        if f"`{field.alias or name}`" not in text
    )
    assert not missing, f"docs/{doc} does not name: {', '.join(missing)}"


def test_the_documented_defaults_match_the_models() -> None:
    from devices.rooms_file.device_config import ShureMicrophoneConfig, UdpLink

    text = DOC.read_text(encoding="utf-8")
    assert UdpLink.model_fields["port"].default == 52381 and "`52381`" in text
    assert ShureMicrophoneConfig.model_fields["port"].default == 2202 and "(2202)" in text
