"""ONVIF cameras: a driver over onvif-zeep-async, and WS-Discovery (its simulator
is devices/sim/onvif/)."""
