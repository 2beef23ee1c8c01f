"""Load a rooms file (YAML) into validated models, with errors a technician can act on.

    rooms:
      - name: room-101
        devices:
          - {name: camera, protocol: visca, link: {transport: serial, port: /dev/ttyUSB0}}
        positions: [{name: lectern, camera: camera, preset: 1}]
        scenes: [{name: start, steps: [{do: position, position: lectern}]}]

The models are the other modules of this package (see its __init__); references between a
room's parts are checked once the room is parsed.

Each mistake is reported as ``FILE:LINE: room 'R', device 'D', field 'F': what is wrong``
(line numbers come from PyYAML's marks). Secrets can stay out of the file: a device with
``password_env: NAME`` gets its password from that environment variable, and a missing
variable is an error that names it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from devices.errors import ConfigError
from devices.rooms_file import references
from devices.rooms_file.rooms import RoomsFile

Location = tuple[str | int, ...]


def load_rooms(
    path: str | Path, environ: Mapping[str, str] = os.environ, *, require_secrets: bool = True
) -> RoomsFile:
    """Read, validate and resolve credentials; every problem raises `ConfigError`.

    ``require_secrets=False`` leaves the password unset when its variable is missing (for
    simulators, which then run without authentication).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the rooms file: {exc}") from exc
    try:
        data = yaml.safe_load(text)
        lines = _line_numbers(yaml.compose(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {exc.problem}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'rooms' list at the top")
    try:
        rooms = RoomsFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            _describe(path, data, lines, each) for error in exc.errors() for each in _split(error)
        ]
        raise ConfigError("\n".join(problems)) from None
    return _with_secrets(path, rooms, lines, environ, require_secrets)


def _with_secrets(
    path: Path,
    rooms: RoomsFile,
    lines: dict[Location, int],
    environ: Mapping[str, str],
    required: bool,
) -> RoomsFile:
    for r, room in enumerate(rooms.rooms):
        for d, device in enumerate(room.devices):
            variable = getattr(device, "password_env", None)
            if variable is None:
                continue
            where = _where(path, lines, ("rooms", r, "devices", d, "password_env"))
            label = f"{where} room {room.name!r}, device {device.name!r}, field 'password_env'"
            if getattr(device, "password", None) is not None:
                raise ConfigError(f"{label}: give either password or password_env, not both")
            if variable not in environ:
                if not required:
                    continue  # simulators then run without authentication
                raise ConfigError(f"{label}: environment variable {variable} is not set")
            room.devices[d] = device.model_copy(update={"password": environ[variable]})
    return rooms


def _line_numbers(root: yaml.Node | None) -> dict[Location, int]:
    """1-based line of every key (and list item), by its location in the loaded data."""
    lines: dict[Location, int] = {}

    def walk(node: yaml.Node, location: Location, line: int) -> None:
        lines[location] = line
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*location, key.value), key.start_mark.line + 1)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*location, index), item.start_mark.line + 1)

    if root is not None:
        walk(root, (), root.start_mark.line + 1)
    return lines


def _where(path: Path, lines: dict[Location, int], location: Location) -> str:
    while location and location not in lines:
        location = location[:-1]
    return f"{path}:{lines[location]}:" if location in lines else f"{path}:"


# Lists whose items are named in messages: "room 'R', scene 'start', step #3, field 'F'".
LABELS = {"rooms": "room", "devices": "device", "positions": "position", "scenes": "scene", "steps": "step"}


def _split(error: Any) -> list[Any]:
    """A room's reference problems become one error each, located below the room."""
    found = error.get("ctx", {}).get("error")
    if not isinstance(found, references.ReferenceProblems):
        return [error]
    return [{"loc": (*error["loc"], *loc), "msg": msg} for loc, msg in found.problems]


def _describe(path: Path, data: Any, lines: dict[Location, int], error: Any) -> str:
    """``FILE:LINE: room 'R', device 'D', field 'F': message`` for one pydantic error."""
    location: list[str | int] = []
    labels: list[str] = []
    field_start = 0  # the field path begins after the innermost labelled item
    node = data
    for part in error["loc"]:
        if isinstance(node, dict) and part not in node and part in node.values():
            continue  # a discriminated union's tag (protocol / transport / do), not a real key
        parent = location[-1] if location else None
        location.append(part)
        node = node.get(part) if isinstance(node, dict) else _item(node, part)
        if parent in LABELS and isinstance(part, int) and len(location) - 1 == field_start + 1:
            name = node.get("name") if isinstance(node, dict) else None
            labels.append(f"{LABELS[str(parent)]} {repr(name) if name else f'#{part + 1}'}")
            field_start = len(location)
    field_path = ".".join(str(p) for p in location[field_start:])
    who = [*labels, f"field {field_path!r}" if field_path else ""]
    label = ", ".join(part for part in who if part)
    return f"{_where(path, lines, tuple(location))} {label + ': ' if label else ''}{error['msg']}"


def _item(node: Any, part: str | int) -> Any:
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None
