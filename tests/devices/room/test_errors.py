"""NotFound names what is missing and what exists."""

from devices.errors import DeviceError
from devices.room.errors import NotFound


def test_not_found() -> None:
    error = NotFound("scene", "stat", ["start", "end"])
    assert str(error) == "no scene 'stat' (known: start, end)" and isinstance(error, DeviceError)
    assert (error.what, error.name) == ("scene", "stat")
    assert str(NotFound("room", "x", [])) == "no room 'x' (known: none)"
