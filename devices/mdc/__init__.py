"""Samsung MDC displays (RS-232C or TCP 1515): a sans-I/O codec and the driver
(its simulator is devices/sim/mdc/).

Modules: `errors`, `messages` (frames, checksum, stream decoders), `values` (the command
catalog and typed payloads: status, power, volume, mute, input source), `driver`.
The codec modules import no asyncio, serial or socket code.
"""
