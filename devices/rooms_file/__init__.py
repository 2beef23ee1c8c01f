"""The rooms file: its schema, in one package, and its loader.

    rooms:                       rooms.py          RoomsFile, Room
      - name: room-101           names.py          the naming rule
        devices: [...]           device_config.py  one model per protocol, links, secrets
        positions: [...]         positions.py      CameraPosition
        scenes:                  scenes.py         Scene
          - steps: [...]         scene_steps.py    SceneStep (one model per `do:`)
        schedule: {...}          room_schedule.py  RoomSchedule
                                 references.py     cross-references checked per room

`load_rooms` (loader.py) reads the YAML and reports each mistake with file and line.
docs/rooms.md documents the file for the people who write it.
"""

from devices.rooms_file.loader import load_rooms
from devices.rooms_file.rooms import Room, RoomsFile

__all__ = ["Room", "RoomsFile", "load_rooms"]
