"""classbridge signaling: HTTP and WebSocket API, join links, settings and the CLI."""
