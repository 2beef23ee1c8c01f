"""VISCA PTZ cameras (Sony, PTZOptics and compatibles) over serial, raw TCP and UDP 52381.

- `packet`, `ip`, `catalog`, `errors`, `exchange`: the sans-I/O codec (framing, the 8-byte
  VISCA-over-IP header, the command catalog, error codes, reply matching);
- `driver`: `ViscaCamera`, the `Camera` facade on a `DeviceLink`;
- its simulator, a camera to try rooms and tests against, is devices/sim/visca/.
"""
