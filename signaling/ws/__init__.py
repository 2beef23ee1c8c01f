"""Signaling proper: the class WebSocket (`/ws/{class_id}`), its wire protocol, the mapping of
the class domain's events and errors to frames, the rooms WebSocket and a Python client."""
