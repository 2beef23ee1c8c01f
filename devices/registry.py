"""Which driver and which simulator serve each protocol named in a rooms file.

Entries are import paths resolved on first use, so that a protocol's package (and its
third-party library, e.g. zeep for ONVIF) is only imported when a room uses it.

Contract for every entry:
- the driver class has ``from_config(cfg) -> Device`` taking the protocol's model from
  devices/rooms_file/device_config.py and returning an object implementing the Camera/Display/Microphone facade;
- the simulator class has ``from_config(cfg) -> Simulator``; ``await sim.start()`` binds
  127.0.0.1 (port 0 unless the config names one) and returns ``{endpoint-name: address}``
  describing where it listens; ``await sim.stop()``; ``sim.faults`` holds the fault knobs.
  Endpoint names follow the transport so that ``classbridge simulate --write-config`` can
  point a rooms file at them: ``serial`` (a pty path), ``tcp`` / ``udp`` (``host:port``), or
  ``http`` (a URL); details in devices/sim/rooms.py.
"""

from __future__ import annotations

import importlib
from typing import Any

from devices.errors import ConfigError

DRIVERS: dict[str, str] = {
    "visca": "devices.visca.driver:ViscaCamera",
    "onvif": "devices.onvif.driver:OnvifCamera",
    "mdc": "devices.mdc.driver:MdcDisplay",
    "pjlink": "devices.pjlink.driver:PJLinkProjector",
    "shure": "devices.shure.driver:ShureMicrophone",
}

SIMULATORS: dict[str, str] = {
    "visca": "devices.sim.visca.simulator:ViscaSimulator",
    "onvif": "devices.sim.onvif.simulator:OnvifSimulator",
    "mdc": "devices.sim.mdc.simulator:MdcSimulator",
    "pjlink": "devices.sim.pjlink.simulator:PJLinkSimulator",
    "shure": "devices.sim.shure.simulator:ShureSimulator",
}


def _resolve(table: dict[str, str], protocol: str) -> Any:
    try:
        module_name, attr = table[protocol].split(":")
    except KeyError:
        raise ConfigError(
            f"unknown device protocol {protocol!r}; known: {', '.join(sorted(table))}"
        ) from None
    return getattr(importlib.import_module(module_name), attr)


def driver_class(protocol: str) -> Any:
    return _resolve(DRIVERS, protocol)


def simulator_class(protocol: str) -> Any:
    return _resolve(SIMULATORS, protocol)
