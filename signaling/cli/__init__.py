"""The `classbridge` command and how it finds a running server."""
