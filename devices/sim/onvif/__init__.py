"""A simulated ONVIF camera: `simulator` (HTTP and WS-Discovery on loopback, fault knobs),
`camera_service` (the SOAP application), `ptz_state` (PTZ mechanics), `wsse` (the camera's
WS-Security check)."""
