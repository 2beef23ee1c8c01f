"""The registry resolves PJLink, MDC and Shure to drivers and simulators that honour its contract:
each simulator built from a rooms-file entry starts on loopback, and the driver built from the
same entry (pointed at the simulator) talks to it."""

from __future__ import annotations

import pytest

from devices.rooms_file.device_config import MdcDisplayConfig, PJLinkProjectorConfig, ShureMicrophoneConfig
from devices.drivers.base import Device, LinkState
from devices.registry import driver_class, simulator_class


@pytest.mark.parametrize(
    "cfg",
    [
        PJLinkProjectorConfig(name="projector", protocol="pjlink", host="10.0.0.20", password="pw"),
        MdcDisplayConfig.model_validate(
            {
                "name": "wall",
                "protocol": "mdc",
                "display_id": 1,
                "link": {"transport": "tcp", "host": "10.0.0.21", "port": 1515},
            }
        ),
        MdcDisplayConfig.model_validate(
            {
                "name": "wall",
                "protocol": "mdc",
                "link": {"transport": "serial", "port": "/dev/ttyUSB0"},
            }
        ),
        ShureMicrophoneConfig(name="mic", protocol="shure", host="10.0.0.22", channels=2),
    ],
    ids=["pjlink", "mdc-tcp", "mdc-serial", "shure"],
)
async def test_simulator_and_driver_from_the_same_entry(cfg) -> None:  # type: ignore[no-untyped-def]
    update: dict[str, object] = {}
    if isinstance(cfg, MdcDisplayConfig):
        # the rooms file names a port; pointing a test at it would collide, so let the simulator choose
        cfg = cfg.model_copy(update={"link": cfg.link.model_copy()})
        cfg.link.model_fields_set.discard("port")
    sim = simulator_class(cfg.protocol).from_config(cfg)
    endpoints = await sim.start()
    try:
        assert endpoints and all(v.startswith(("127.0.0.1:", "/dev/")) for v in endpoints.values())
        if "tcp" in endpoints:
            host, port = endpoints["tcp"].split(":")
            if isinstance(cfg, MdcDisplayConfig):
                update["link"] = {"transport": "tcp", "host": host, "port": int(port)}
            else:
                update.update(host=host, port=int(port))
        else:
            update["link"] = {"transport": "serial", "port": endpoints["serial"]}
        pointed = type(cfg).model_validate({**cfg.model_dump(), **update, "timeout": 1})
        driver = driver_class(cfg.protocol).from_config(pointed)
        assert isinstance(driver, Device) and driver.name == cfg.name
        await driver.start()
        try:
            status = await driver.status()
            assert status.link is LinkState.ONLINE, status.detail
        finally:
            await driver.stop()
    finally:
        await sim.stop()
