"""PJLink class 1 projectors (TCP 4352): a sans-I/O codec and the Display driver
(its simulator is devices/sim/pjlink/).

Modules: `errors` (ERR1–ERR4/ERRA mapped to the device error taxonomy), `messages` (greeting,
request and response lines, stream decoders), `values` (typed class-1 parameters), `auth`
(the MD5 digest), `session` (the client side of greeting and authentication) and `driver`. The codec modules import no asyncio, serial or socket code.
"""
