"""A simulated VISCA camera: `camera` (its mechanics and command handling), `simulator` (serial pty, raw TCP, UDP 52381)."""
