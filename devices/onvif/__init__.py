"""ONVIF cameras: a driver over onvif-zeep-async, a SOAP/HTTP simulator and WS-Discovery."""
