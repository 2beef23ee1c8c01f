"""The browser client, served as static files (no build step)."""
