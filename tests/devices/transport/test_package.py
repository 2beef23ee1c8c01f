"""devices.transport re-exports its API lazily (codecs import only the pure framing module)."""

from __future__ import annotations

import pytest

from devices import transport
from devices.transport.link import DeviceLink


def test_every_exported_name_resolves() -> None:
    for name in transport.__all__:
        assert getattr(transport, name) is not None
    assert transport.DeviceLink is DeviceLink


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        transport.Nope  # noqa: B018
