"""What a room tells its listeners (the console's WebSocket): one typed message per change.

`device`: a device's view changed (link, power, input, position...). `scene`: a scene run
moved on (a step started or finished). `log`: an entry of the room's event log: commands,
scene runs, drift corrections and link changes, each with who, what, on which target, and
the result. The same entries, except link changes, go to the audit log in the database.

An entry says what happened twice: in English (`action`, `detail`) for logs and exports,
and as data the pages word in their language (`event`, `args`, `error`: docs/rooms.md §
"The words of the log"), so the Vietnamese console shows no English sentence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from devices.room.actor import Actor
from devices.room.scene_run import SceneRunView
from devices.room.device_view import DeviceView

Result = Literal["ok", "failed", "partial", "cancelled", "info"]
Event = Literal["command", "position", "scene", "link", "reapply"]
Arg = str | int | float | bool | None


class LogEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    room: str
    actor: Actor
    target: str = Field(description="A device, a scene or a camera position.")
    action: str
    result: Result
    detail: str = ""
    event: Event | None = Field(None, description="What kind of act or news: the pages word it from this and `args`.")
    args: dict[str, Arg] = Field(default_factory=dict, description="The entry's parameters (a command's fields...).")
    error: str = Field("", description="A failure's code (devices/room/error_codes.py).")
    audited: bool = Field(True, description="False for supervision news (link changes).")


class DeviceEvent(BaseModel):
    type: Literal["device"] = "device"
    room: str
    device: DeviceView


class SceneEvent(BaseModel):
    type: Literal["scene"] = "scene"
    room: str
    run: SceneRunView


class LogEvent(BaseModel):
    type: Literal["log"] = "log"
    room: str
    entry: LogEntry


RoomEvent = Annotated[Union[DeviceEvent, SceneEvent, LogEvent], Field(discriminator="type")]
