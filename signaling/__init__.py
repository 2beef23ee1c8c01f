"""classbridge's edge: the HTTP API, the WebSocket signaling, media workers, the composition root and the CLI."""
