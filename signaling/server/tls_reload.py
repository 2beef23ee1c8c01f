"""Certificates read again on SIGHUP, without a restart: classes go on.

A renewed certificate (certbot, the school's CA) is written over the old files; `systemctl
reload classbridge` (or `kill -HUP`) then loads them into the TLS context the listening socket
already uses. New connections get the new certificate; open connections (signaling WebSockets,
and media, which never used it) are untouched. A pair that does not load is refused with a
log line and the old certificate stays in use. Without TLS, SIGHUP is logged and ignored
(it would otherwise end the process).
"""

from __future__ import annotations

import logging
import signal
import ssl
from types import FrameType

import uvicorn

from signaling.server.settings import Settings

log = logging.getLogger(__name__)


def reload_on_sighup(config: uvicorn.Config, settings: Settings) -> None:
    """Install the SIGHUP handler for the server that `config` (once loaded) describes."""

    def reload(_signum: int, _frame: FrameType | None) -> None:
        context: ssl.SSLContext | None = getattr(config, "ssl", None) if config.loaded else None
        if not settings.tls or context is None:
            log.info("SIGHUP: no TLS certificate to reload (the proxy in front holds it)")
            return
        try:
            context.load_cert_chain(str(settings.tls_cert), str(settings.tls_key))
        except (ssl.SSLError, OSError) as e:
            log.error("SIGHUP: kept the current certificate: cannot load %s with %s: %s",
                      settings.tls_cert, settings.tls_key, e)
            return
        log.info("SIGHUP: reloaded the TLS certificate %s", settings.tls_cert)

    signal.signal(signal.SIGHUP, reload)
