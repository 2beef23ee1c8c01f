"""The composition root: settings, the services built from them (database, keys, tokens), the
media hub, the rooms, and the FastAPI application that wires them together."""
