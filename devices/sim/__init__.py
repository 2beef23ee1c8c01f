"""Device simulators, apart from the drivers: one subpackage per protocol, plus what they share.

`faults` (the knobs: no answer, delay, busy, garbage, drop), `endpoints` (a loopback TCP
listener, a pseudo-terminal), `settings` (port and password from a device's config), `rooms`
(a simulator for every device of a rooms file, and a rooms file pointing at them), and
`visca`, `onvif`, `pjlink`, `mdc`, `shure`, each with its `simulator` module. Simulators use
the protocol codecs (devices/<protocol>/); no driver imports a simulator. The registry
(devices/registry.py) names each protocol's simulator class.
"""
