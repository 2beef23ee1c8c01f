"""A simulated Samsung MDC display (TCP, or a serial pty)."""
